"""Fuzz the clean command with random and mutated files; not part of the normal test run.

    python tests/fuzz/fuzz_cli.py --inputs 2000 --seed 1

Each input is a text or JSONL file made by mutating a real-shaped seed (byte flips,
bad UTF-8, NUL bytes, cut JSON, wrong field types, stray carriage returns, huge or
empty lines, random Unicode). The command runs in-process with a random
--on-error; the run counts:

- crashes: an exception escaping the command, or an exit code other than 0 or 1;
- invariant violations: with exit 0, output lines that are not the input's lines in
  order (a glued cut may shorten a line), output that changes when cleaned again, a
  JSONL record count that differs from the input's; with exit 1 and --on-error
  fail, an output file left behind.

It prints the figures and exits 1 if anything broke.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from filter import Cleaner  # noqa: E402
from filter.cli import app  # noqa: E402
from invariants import lines_in_order, nonblank  # noqa: E402

EXAMPLE = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
EXTRA_LINES = [
    "Join Now", "Read more: Ether stakers brace for the next unlock..", "Image: Shutterstock", "## Why it matters",
    "“We’ll see...”", "مرحبا", "🚀🚀", "\t", "", "\x0c", "Source: TradingView", "x" * 20_000,
]


def mutate_text(rng: random.Random, text: str) -> bytes:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        if op == 0 and lines:
            del lines[rng.randrange(len(lines))]
        elif op == 1:
            lines.insert(rng.randint(0, len(lines)), rng.choice(EXTRA_LINES))
        elif op == 2 and lines:
            i = rng.randrange(len(lines))
            lines[i] = lines[i] + "\r"
        elif op == 3 and len(lines) > 1:
            i = rng.randrange(len(lines) - 1)
            lines[i : i + 2] = [lines[i] + lines[i + 1]]  # glue two lines
        elif op == 4:
            lines.insert(rng.randint(0, len(lines)), "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 40)))
                         .encode("utf-8", "replace").decode("utf-8", "ignore").replace("\n", " "))
        elif op == 5 and lines:
            i = rng.randrange(len(lines))
            lines = lines[:i]  # truncate
        elif op == 6:
            lines = lines * rng.randint(2, 3)
    data = bytearray("\n".join(lines).encode("utf-8", "surrogatepass"))
    if data and rng.random() < 0.3:  # byte-level damage
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.choice([0x00, 0xFF, 0xC3, 0x80, 0x0D, 0x0A, rng.randrange(256)])
    return bytes(data)


def mutate_jsonl(rng: random.Random, text: str) -> bytes:
    out = []
    for i in range(rng.randint(0, 8)):
        record = {"id": i, "text": mutate_text(rng, text).decode("utf-8", "replace"), "site": "example"}
        choice = rng.random()
        if choice < 0.08:
            record.pop("text")
        elif choice < 0.14:
            record["text"] = rng.choice([None, 42, ["a"], {"b": 1}])
        elif choice < 0.2:  # half of a UTF-16 pair, as JSON may escape it (an emoji cut in two)
            at = rng.randrange(len(record["text"]) + 1)
            record["text"] = record["text"][:at] + rng.choice("\ud83d\ude00\udc80") + record["text"][at:]
        elif choice < 0.22:
            record["tags"] = "NESTED"  # replaced below by arrays nested deeper than json can read
        # A lone surrogate cannot be written as UTF-8, only escaped.
        line = json.dumps(record, ensure_ascii=rng.random() < 0.5 or choice < 0.2).encode()
        line = line.replace(b'"NESTED"', b"[" * 100_000 + b"]" * 100_000)
        if rng.random() < 0.08:
            line = line[: rng.randrange(len(line) + 1)]  # cut JSON
        if rng.random() < 0.05:
            line = line.replace(b'"text"', b'"te\xffxt"')  # bad UTF-8 inside a record
        out.append(line)
        if rng.random() < 0.1:
            out.append(rng.choice([b"", b"   ", b"[1, 2]", b"null"]))
    return b"\n".join(out) + (b"\n" if rng.random() < 0.8 else b"")


def check(cleaner, kind, data, on_error, result, out_path) -> list[str]:
    problems = []
    if result.exit_code == 0:
        produced = out_path.read_bytes().decode("utf-8", "surrogateescape")
        if kind == "text":
            source = data.decode("utf-8")
            if not lines_in_order(nonblank(produced), nonblank(source)):
                problems.append("output lines are not input lines in order")
            if cleaner.clean(produced) != produced:
                problems.append("cleaning the output again changes it")
        else:
            records_in = [l for l in data.split(b"\n") if l.strip()]
            records_out = [l for l in produced.split("\n") if l.strip()]
            if len(records_in) != len(records_out):
                problems.append(f"{len(records_in)} records in, {len(records_out)} out")
            for raw_in, raw_out in zip(records_in, records_out):
                before, after = json.loads(raw_in)["text"], json.loads(raw_out)["text"]
                if not lines_in_order(nonblank(after), nonblank(before)):
                    problems.append("a record's lines are not its input lines in order")
    elif on_error == "fail" and out_path.exists():
        problems.append("failed run left an output file")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = CliRunner()
    cleaner = Cleaner.load()
    figures, failures = Counter(), []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.inputs):
            if args.seconds and time.monotonic() - start > args.seconds:
                break
            kind = rng.choice(["text", "jsonl"])
            data = mutate_text(rng, EXAMPLE) if kind == "text" else mutate_jsonl(rng, EXAMPLE)
            source = Path(tmp) / f"in-{n}.{'txt' if kind == 'text' else 'jsonl'}"
            source.write_bytes(data)
            out_path = Path(tmp) / f"out-{n}"
            on_error = rng.choice(["fail", "skip", "keep"])
            result = runner.invoke(app, ["clean", str(source), "-o", str(out_path), "--on-error", on_error])
            figures["inputs"] += 1
            figures[f"exit {result.exit_code}"] += 1
            if result.exception is not None and not isinstance(result.exception, SystemExit) or result.exit_code not in (0, 1):
                figures["crashes"] += 1
                failures.append((source.name, repr(result.exception)))
                continue
            problems = check(cleaner, kind, data, on_error, result, out_path)
            if problems:
                figures["invariant violations"] += 1
                failures.append((source.name, "; ".join(problems)))
            source.unlink()
            out_path.unlink(missing_ok=True)
    figures.setdefault("crashes", 0)
    figures.setdefault("invariant violations", 0)
    print(json.dumps({**figures, "seconds": round(time.monotonic() - start, 1)}, indent=1))
    for name, problem in failures[:20]:
        print(f"{name}: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
