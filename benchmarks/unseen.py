"""How the model treats junk it never read: pieces of the test split put into test-split articles.

    python benchmarks/unseen.py [--model DIR --trust-model] [--by-kind]

The junk pieces of data/sources are split by their text like documents (see data/README.md), so
a model trained on the train split has read none of the test split's pieces. Each piece is put
on its own into a test-split article stripped to its editorial lines, once after the last
paragraph and once between two paragraphs, and every document is cleaned alone. The same is
done with the train split's pieces, which the model has read; the gap between the two columns
is how much of what it removes it knows by heart rather than by shape.

It prints the share of junk lines removed by label (and by kind with --by-kind) and the share
of the articles' editorial lines lost. The figures count single pieces in clean articles, which
is harder than a real junk tail (a run of pieces that vouch for one another) and easier than no
junk at all to lose editorial lines to.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filter.labels import Label  # noqa: E402

# data/build.py knows the sources and how their pieces are split.
_spec = importlib.util.spec_from_file_location("data_build", ROOT / "data" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

PLACES = ("after the last paragraph", "between paragraphs")
#: Articles each piece is put into, at each place.
ARTICLES_PER_PIECE = 2


def articles_of(articles: list[dict], split: str) -> list[list[str]]:
    """The editorial lines of each article of the split (long enough to have a middle)."""
    bodies = [
        [text for text, label in build.body_lines(a) if label is Label.EDITORIAL]
        for a in articles if build.split_of(a["id"]) == split
    ]
    return [b for b in bodies if len(b) >= 5]


def documents(pieces: dict, articles: list[list[str]], seed: int):
    """Yield (label, kind, place, lines, junk line numbers) for each piece at each place."""
    rng = random.Random(seed)
    for (label, kind), units in sorted(pieces.items()):
        for unit in units:
            for place in PLACES:
                for _ in range(ARTICLES_PER_PIECE):
                    body = rng.choice(articles)
                    at = len(body) if place == PLACES[0] else rng.randint(2, len(body) - 2)
                    lines = body[:at] + unit["lines"] + body[at:]
                    yield label, kind, place, lines, range(at, at + len(unit["lines"]))


def measure(cleaner, pieces: dict, articles: list[list[str]], seed: int) -> tuple[Counter, Counter, int, int]:
    """Junk lines removed and seen by (label, kind, place); editorial lines lost and seen."""
    docs = list(documents(pieces, articles, seed))
    removed, seen, lost, editorial = Counter(), Counter(), 0, 0
    texts = ("\n\n".join(lines) for *_, lines, _ in docs)
    for (label, kind, place, lines, junk), results in zip(docs, cleaner.classify_many(texts)):
        assert len(results) == len(lines), "a piece or paragraph held a line break"
        for i, result in enumerate(results):
            if i in junk:
                seen[label, kind, place] += 1
                removed[label, kind, place] += not result.kept
            else:
                editorial += 1
                lost += not result.kept
    return removed, seen, lost, editorial


def share(removed: Counter, seen: Counter, keep) -> str:
    n = sum(v for k, v in seen.items() if keep(k))
    return f"{sum(v for k, v in removed.items() if keep(k)) / n:.1%} of {n}" if n else "-"


def main(argv: list[str] | None = None) -> None:
    from filter import Cleaner

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="model directory (default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true", help="load a model directory other than the shipped one")
    parser.add_argument("--by-kind", action="store_true", help="a row for each kind of junk piece too")
    parser.add_argument("--seed", type=int, default=0, help="draws the articles and places")
    args = parser.parse_args(argv)

    cleaner = Cleaner.load(args.model, trusted=args.trust_model)
    articles, pieces = build.load_sources()
    test_articles = articles_of(articles, "test")
    runs = {split: measure(cleaner, pieces[split], test_articles, args.seed) for split in ("test", "train")}

    rows = [("all junk", lambda k: True)]
    rows += [(label.value, lambda k, v=label.value: k[0] == v) for label in Label if label is not Label.EDITORIAL]
    if args.by_kind:
        kinds = sorted({k[:2] for k in runs["test"][1]})
        rows += [(f"{label}: {kind}", lambda k, lk=(label, kind): k[:2] == lk) for label, kind in kinds]
    header = [f"{split} pieces ({'never read' if split == 'test' else 'read in training'}), {place}"
              for split in runs for place in PLACES]
    print("| junk removed | " + " | ".join(header) + " |")
    print("|" + "---|" * (len(header) + 1))
    for name, keep in rows:
        cells = [share(runs[split][0], runs[split][1], lambda k, p=place: keep(k) and k[2] == p)
                 for split in runs for place in PLACES]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for split, (_, _, lost, editorial) in runs.items():
        print(f"\nwith {split} pieces: {lost / editorial:.2%} of {editorial} editorial lines lost")


if __name__ == "__main__":
    main()
