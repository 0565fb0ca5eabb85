"""How much a retrain moves the numbers: train with several seeds, score each model the same way.

    python benchmarks/seeds.py --data data/promo-filter.jsonl --seeds 0 1 2 [--eval labeled.jsonl ...] [--jobs 2]

Each seed trains a model on the train split of the data (as `promo-filter train --seed N`)
and is scored on the test split and on each --eval file of labeled documents (the data/
schema, every document scored). One row per seed and file, then the spread of each column.
First comes the junk caught out of fold at a fixed editorial loss (the card's
`cross_validated`), which moves far less with the seed.

Stage one is fitted by stochastic gradient descent, and stage two learns from its scores, so
two seeds give two models that disagree on borderline lines. On small held-out sets that moves
editorial loss by more than most changes to the data or features do: judge a change by the
spread over a few seeds, not by one model.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filter.data import read_documents  # noqa: E402

COLUMNS = ("editorial_lost", "junk_recall", "perfect_documents")
GLUED_COLUMNS = ("exact", "head_lost")


def measure(seed: int, data: list[str], evals: list[str]) -> dict[str, dict]:
    """Train one model with this seed; its metrics out of fold, on the test split and on each eval file."""
    from filter import Cleaner
    from filter.evaluate import evaluate
    from filter.train import train

    with tempfile.TemporaryDirectory() as out:
        card = train(data, out, seed=seed)
        cleaner = Cleaner.load(out, trusted=True)  # written just now by this process
        results = {"out of fold": card["cross_validated"]["junk_caught_at_editorial_loss"], "test split": card["test_metrics"]}
        for path in evals:
            results[path] = evaluate(cleaner, read_documents([path]))
    return results


def row(metrics: dict) -> list[float]:
    return [metrics[c] for c in COLUMNS] + [metrics["glued"][c] for c in GLUED_COLUMNS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", action="append", required=True, help="labeled training data (repeatable)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--eval", action="append", default=[], help="more labeled documents to score (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="seeds trained at once (each takes one core)")
    args = parser.parse_args(argv)

    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = list(pool.map(measure, args.seeds, [args.data] * len(args.seeds), [args.eval] * len(args.seeds)))

    for name in runs[0]:
        if name == "out of fold":  # junk caught at each editorial loss
            header = ["seed", *(f"junk caught at {loss} editorial lost" for loss in runs[0][name])]
            rows = [list(run[name].values()) for run in runs]
        else:
            header = ["seed", *COLUMNS, *(f"glued {c}" for c in GLUED_COLUMNS)]
            rows = [row(run[name]) for run in runs]
        print(f"\n{name}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for seed, values in zip(args.seeds, rows):
            print(f"| {seed} | " + " | ".join(f"{v:.4f}" for v in values) + " |")
        for label, combine in (("min", min), ("mean", statistics.fmean), ("max", max)):
            print(f"| {label} | " + " | ".join(f"{combine(column):.4f}" for column in zip(*rows)) + " |")


if __name__ == "__main__":
    main()
