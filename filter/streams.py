"""Reading inputs and writing outputs: text and JSONL, files and standard streams, atomic writes."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

FORMATS = ("text", "jsonl")
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}

NOT_UTF8 = "{name}: not UTF-8 at byte {offset} ({reason}); pass --errors replace to go on"
BAD_JSON = "{name}:{line}: not a JSON object ({reason})"
NO_FIELD = "{name}:{line}: record has no string field {field!r}"
NOT_A_FILE = "{name}: not a readable file"
SAME_FILE = "{name}: refusing to overwrite an input file; use --in-place to clean inputs in place"


class InputError(ValueError):
    """An input that cannot be cleaned as asked; the message names the file and the place."""


@dataclass
class Record:
    """One JSONL record: its raw line, the parsed object (None if broken) and the error if any."""

    number: int
    raw: str
    data: dict | None
    error: str | None = None


def guess_format(path: str | None) -> str:
    """text or jsonl, from a file name (standard input is text).

    >>> guess_format("crawl.jsonl"), guess_format("a.txt"), guess_format(None)
    ('jsonl', 'text', 'text')
    """
    if path is None or path == "-":
        return "text"
    return "jsonl" if Path(path).suffix.lower() in JSONL_SUFFIXES else "text"


def decode(data: bytes, name: str, errors: str = "strict") -> str:
    """Bytes to text, naming the file and byte offset when they are not UTF-8."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(NOT_UTF8.format(name=name, offset=exc.start, reason=exc.reason)) from None


def read_bytes(path: str) -> bytes:
    """All bytes of a file, or of standard input for "-"."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.is_file():
        raise InputError(NOT_A_FILE.format(name=path))
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def iter_lines(path: str) -> Iterator[bytes]:
    """The lines of a file or standard input as bytes, read as they come."""
    if path == "-":
        yield from sys.stdin.buffer
        return
    p = Path(path)
    if not p.is_file():
        raise InputError(NOT_A_FILE.format(name=path))
    with open(p, "rb") as fh:
        yield from fh


def iter_records(path: str, field: str, errors: str = "strict") -> Iterator[Record]:
    """Parse JSONL records one by one; a broken record comes back with its error, not raised."""
    name = "<stdin>" if path == "-" else path
    for number, raw_bytes in enumerate(iter_lines(path), 1):
        raw = decode(raw_bytes, f"{name}:{number}", errors)
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            yield Record(number, raw, None, BAD_JSON.format(name=name, line=number, reason=exc))
            continue
        if not isinstance(data, dict):
            yield Record(number, raw, None, BAD_JSON.format(name=name, line=number, reason="not an object"))
        elif not isinstance(data.get(field), str):
            yield Record(number, raw, data, NO_FIELD.format(name=name, line=number, field=field))
        else:
            yield Record(number, raw, data)


def dump_record(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


@contextmanager
def open_output(path: str | None, inputs: list[str] = (), in_place: bool = False) -> Iterator[IO[str]]:
    """A text stream for the output: stdout, or a temporary file renamed over path when all went well.

    An exception leaves no partial file behind (and any earlier file untouched).
    Writing over one of the inputs is refused unless in_place is set.
    """
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not in_place and any(i != "-" and Path(i).exists() and target.exists() and os.path.samefile(i, target) for i in inputs):
        raise InputError(SAME_FILE.format(name=path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
