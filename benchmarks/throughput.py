"""Throughput of promo-filter against a pass-through floor and, when installed, other cleaners.

    python benchmarks/throughput.py --mb 50            # build a 50 MB corpus and measure
    python benchmarks/throughput.py --corpus crawl.jsonl

The corpus is JSONL records {"id", "text"} in the shape of real scraped articles:
documents of data/promo-filter.jsonl (editorial text with ads, teasers, calls to
action and boilerplate at the top, middle and end), with the figures in editorial
lines varied so that each copy's article is new, while junk repeats as it does in
a crawl. Every contender runs on the same file in the same run:

- floor: read, parse and write each record, no cleaning (`python -m filter`'s I/O cost);
- promo-filter with 1 job and with all cores (the `clean` command, as a user runs it);
- jusText and trafilatura with paragraphs wrapped in <p> (pip install promo-filter[anchors]);
- the C4 line rules (written here from the published description).

It prints documents/s, MB/s, peak memory of the largest process, and each
contender's ratio to promo-filter at 1 job. Machine noise is real: compare ratios
from one run, not numbers from different runs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "promo-filter.jsonl"


def build_corpus(path: Path, megabytes: float, seed: int = 0) -> None:
    rng = random.Random(seed)
    documents = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    target, written, n = megabytes * 1e6, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            doc = rng.choice(documents)
            lines = []
            for line in doc["lines"]:
                text = line["text"]
                if line.get("label") == "editorial":  # a new article: its numbers change
                    text = re.sub(r"\d+", lambda m: str(rng.randint(1, 10 ** len(m.group())) ), text)
                lines.append(text)
            record = json.dumps({"id": n, "text": "\n".join(lines)}, ensure_ascii=False) + "\n"
            out.write(record)
            written += len(record.encode("utf-8"))
            n += 1


#: Runs a command and prints the peak RSS (KB) of its largest process, so each contender is measured alone.
MEASURE = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); " \
          "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"


class Skipped(Exception):
    """A contender that cannot be imported; the message says why."""


def measure(argv: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MB) of a command; Skipped when it exits 3 (cannot import the cleaner)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode == 3:
        raise Skipped(proc.stderr.strip() or "not installed")
    if proc.returncode != 0:
        sys.exit(f"{argv[:4]} failed:\n{proc.stderr[-2000:]}")
    return seconds, int(proc.stdout.split()[-1]) / 1024


def in_python(function: str, *args: str) -> list[str]:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.throughput import {function}; {function}(*sys.argv[1:])"
    return [sys.executable, "-c", code, *args]


def anchor_main(name: str, corpus: str) -> None:
    from benchmarks.anchors import cleaner

    try:
        clean = cleaner(name)
    except ImportError as exc:  # not installed, or installed without what it imports
        print(exc, file=sys.stderr)
        raise SystemExit(3)
    with open(corpus, encoding="utf-8") as fh, open(os.devnull, "w", encoding="utf-8") as out:
        for line in fh:
            record = json.loads(line)
            record["text"] = clean(record["text"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def floor_main(corpus: str) -> None:
    with open(corpus, encoding="utf-8") as fh, open(os.devnull, "w", encoding="utf-8") as out:
        for line in fh:
            out.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus to use instead of building one")
    parser.add_argument("--mb", type=float, default=50.0, help="size of the corpus to build (default 50)")
    parser.add_argument("--skip", nargs="*", default=[], help="contenders to leave out")
    args = parser.parse_args()
    from filter.parallel import available_cores

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus.jsonl"
        if args.corpus is None:
            build_corpus(corpus, args.mb)
        documents = sum(1 for _ in corpus.open(encoding="utf-8"))
        megabytes = corpus.stat().st_size / 1e6
        cores = available_cores()
        print(f"corpus: {documents:,} documents, {megabytes:.1f} MB ({megabytes * 1e3 / documents:.1f} KB each); "
              f"{cores} cores; Python {sys.version.split()[0]}")
        out = str(Path(tmp) / "out.jsonl")
        clean = [sys.executable, "-m", "filter", "clean", "--quiet", str(corpus), "-o", out]
        contenders = {
            "floor (read+write)": in_python("floor_main", str(corpus)),
            "promo-filter, 1 job": clean + ["--jobs", "1"],
            f"promo-filter, {cores} jobs": clean + ["--jobs", str(cores)],
            "jusText": in_python("anchor_main", "justext", str(corpus)),
            "trafilatura": in_python("anchor_main", "trafilatura", str(corpus)),
            "C4 line rules": in_python("anchor_main", "c4", str(corpus)),
        }
        rows = []
        for name, argv in contenders.items():
            if any(s.lower() in name.lower() for s in args.skip):
                continue
            try:
                seconds, peak = measure(argv)
            except Skipped as exc:
                print(f"{name}: skipped, cannot import it: {exc}")
                continue
            rows.append((name, documents / seconds, megabytes / seconds, peak))
            print(f"{name}: {seconds:.1f} s", flush=True)
    base = next(r[1] for r in rows if r[0] == "promo-filter, 1 job")
    print()
    print("| | documents/s | MB/s | peak memory (MB) | promo-filter 1 job ÷ this |")
    print("|---|---|---|---|---|")
    for name, docs_per_s, mb_per_s, peak in rows:
        print(f"| {name} | {docs_per_s:,.0f} | {mb_per_s:.2f} | {peak:,.0f} | {base / docs_per_s:.2f}× |")


if __name__ == "__main__":
    main()
