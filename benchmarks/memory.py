"""Peak memory of `promo-filter clean` on single large records, beside one ordinary article.

    python benchmarks/memory.py            # records of 5 MB
    python benchmarks/memory.py --mb 20

Streaming bounds memory across records (benchmarks/throughput.py measures a corpus); one record
must still be held whole. Crawls carry a few monsters: a page whose markup was flattened into one
line of megabytes, or a document of tens of thousands of lines. This prints what each costs, so a
change that makes the cost grow with the size of a line shows up here.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import measure  # noqa: E402

WORDS = ("bitcoin rose the market price fell traders said on monday after a week of gains while etf inflows "
         "slowed and analysts watched funding rates").split()
MARKUP = ['<div class="entry">', "</div>", '<span class="share">', "</span>", '<a href="/news">', "</a>"]


def flattened_page(size: int, rng: random.Random) -> str:
    """Markup and words with no line break, as a page scraped without its layout."""
    parts, length = [], 0
    while length < size:
        part = rng.choice(MARKUP) if rng.random() < 0.2 else rng.choice(WORDS)
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)[:size]


def long_document(size: int, rng: random.Random) -> str:
    """Sentences of about 100 characters, one per paragraph."""
    lines, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(17)).capitalize() + "."
        lines.append(line)
        length += len(line) + 2
    return "\n\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of each large record (default 5)")
    args = parser.parse_args()
    rng = random.Random(0)
    size = int(args.mb * 1e6)
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "one article (examples/article.txt)": (ROOT / "examples" / "article.txt").read_text(encoding="utf-8"),
            f"one line of {args.mb:g} MB": flattened_page(size, rng),
            f"one document of {args.mb:g} MB in short lines": long_document(size, rng),
        }
        print("| record | seconds | peak memory (MB) |")
        print("|---|---|---|")
        for name, text in cases.items():
            path = Path(tmp) / "record.txt"
            path.write_text(text, encoding="utf-8")
            argv = [sys.executable, "-m", "filter", "clean", "--quiet", str(path), "-o", str(Path(tmp) / "out.txt")]
            seconds, peak = measure(argv)
            print(f"| {name} | {seconds:.1f} | {peak:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
