"""promo-filter beside other cleaners on labeled articles: one table of what each keeps and loses.

    python benchmarks/quality.py data/promo-filter.jsonl [more labeled .jsonl ...] [--split test]

Files are in the data/ schema (a label per non-blank line). Each cleaner's output is
lined up with the input in order: an input line counts as kept when it is the next
output line, byte for byte; an output line that matches no input line counts as
altered. jusText and trafilatura run when installed (pip install -e ".[anchors]");
the C4 line rules always run.

Columns: editorial lines lost, junk lines removed, junk removed averaged per document
that has junk, documents cleaned perfectly (exactly their editorial lines, nothing
altered), and altered lines.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.anchors import NAMES, cleaner  # noqa: E402
from filter import Cleaner  # noqa: E402
from filter.data import read_documents  # noqa: E402


def line_up(lines: list[str], output: str) -> tuple[list[bool | None], int]:
    """For each input line: kept (True), gone (False) or blank (None); and the count of altered output lines."""
    produced = [line for line in output.split("\n") if line.strip()]
    flags, j = [], 0
    for line in lines:
        if not line.strip():
            flags.append(None)
        elif j < len(produced) and produced[j].rstrip("\r") == line.rstrip("\r"):
            flags.append(True)
            j += 1
        else:
            flags.append(False)
    return flags, len(produced) - j


def score(documents, outputs) -> dict:
    editorial = lost = junk = removed = altered = perfect = 0
    per_document = []
    for doc, output in zip(documents, outputs):
        flags, doc_altered = line_up(list(doc.lines), output)
        altered += doc_altered
        doc_junk = doc_removed = doc_lost = 0
        for label, kept in zip(doc.labels, flags):
            if kept is None:
                continue
            if label.is_junk:
                doc_junk += 1
                doc_removed += not kept
            else:
                editorial += 1
                doc_lost += not kept
        junk, removed, lost = junk + doc_junk, removed + doc_removed, lost + doc_lost
        if doc_junk:
            per_document.append(doc_removed / doc_junk)
        perfect += doc_lost == 0 and doc_removed == doc_junk and doc_altered == 0
    return {
        "editorial lost": lost / max(editorial, 1),
        "junk removed": removed / max(junk, 1),
        "junk removed per document": sum(per_document) / max(len(per_document), 1),
        "perfect documents": perfect / max(len(documents), 1),
        "altered lines": altered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--split", choices=["train", "test"], help="only this split of the documents")
    args = parser.parse_args()
    documents = [d for d in read_documents(args.files) if args.split is None or d.split == args.split]
    texts = [d.text for d in documents]
    alone = Cleaner.load()
    # As the command cleans a file (remembering lines across its documents), and each document alone.
    rows = {
        "promo-filter": score(documents, list(alone.with_options(repeats=True).clean_many(texts))),
        "promo-filter, each document alone": score(documents, list(alone.clean_many(texts))),
    }
    for name in NAMES:
        try:
            clean = cleaner(name)
        except ImportError as exc:  # not installed, or installed without what it imports
            print(f"{name}: skipped, cannot import it: {exc}", file=sys.stderr)
            continue
        rows[{"justext": "jusText", "c4": "C4 line rules"}.get(name, name)] = score(documents, [clean(t) for t in texts])
    print(f"{len(documents)} documents from {', '.join(str(f) for f in args.files)}")
    print()
    columns = list(next(iter(rows.values())))
    print("| | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, metrics in rows.items():
        cells = [f"{v:.1%}" if isinstance(v, float) else f"{v:,}" for v in metrics.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
