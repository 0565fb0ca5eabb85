"""Reading inputs and writing outputs: text and JSONL, files and standard streams, atomic writes."""
from __future__ import annotations

import csv
import errno
import gzip
import io
import json
import os
import re
import sys
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, NamedTuple

FORMATS = ("text", "jsonl", "csv")
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}
CSV_SUFFIXES = {".csv"}
#: Inputs and outputs whose name ends so are gzip-compressed.
GZIP_SUFFIX = ".gz"

NOT_UTF8 = "{name}: not UTF-8 at byte {offset} ({reason}); pass --errors replace to go on"
BAD_JSON = "{name}:{line}: not a JSON object ({reason})"
BAD_CSV = "{name}:{line}: {reason}"
BAD_GZIP = "{name}: not a readable gzip file ({reason})"
NO_FIELD = "{name}:{line}: record has no string field {field!r}"
NOT_A_FILE = "{name}: not a readable file"
NO_SUCH_FILE = "{name}: no such file"
IS_A_DIRECTORY = "{name}: is a directory, not a file"
BINARY = "{name}: binary file (NUL byte at offset {offset}), not text"
#: How much of a file is looked at to tell binary from text.
BINARY_PROBE = 8192
UTF8_BOM = b"\xef\xbb\xbf"
#: The only whitespace JSON knows; a line of other space (NBSP, U+2028) is no blank line between records.
_JSON_SPACE = " \t\n\r"
SAME_FILE = "{name}: refusing to overwrite an input file; use --in-place to clean inputs in place"


class InputError(ValueError):
    """An input that cannot be cleaned as asked; the message names the file and the place."""


@dataclass
class Record:
    """One JSONL record: its raw line, the parsed object (None if broken) and the error if any."""

    number: int
    raw: str | list[str]  # a JSONL line, or a CSV row's cells
    data: dict | None
    error: str | None = None


def guess_format(path: str | None) -> str:
    """text, jsonl or csv, from a file name, looking through ".gz" (standard input is text).

    >>> guess_format("crawl.jsonl"), guess_format("a.txt"), guess_format("b.jsonl.gz"), guess_format(None)
    ('jsonl', 'text', 'jsonl', 'text')
    """
    if path is None or path == "-":
        return "text"
    name = path[: -len(GZIP_SUFFIX)] if is_gzip(path) else path
    suffix = Path(name).suffix.lower()
    return "jsonl" if suffix in JSONL_SUFFIXES else "csv" if suffix in CSV_SUFFIXES else "text"


def is_gzip(path: str | None) -> bool:
    return bool(path) and path.lower().endswith(GZIP_SUFFIX)


def decode(data: bytes, name: str, errors: str = "strict") -> str:
    """Bytes to text, naming the file and byte offset when they are not UTF-8."""
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(NOT_UTF8.format(name=name, offset=exc.start, reason=exc.reason)) from None


def check_readable(path: str) -> Path:
    """The path of an input file, or an InputError saying why it cannot be one."""
    p = Path(path)
    if not p.exists():
        raise InputError(NO_SUCH_FILE.format(name=path))
    if p.is_dir():
        raise InputError(IS_A_DIRECTORY.format(name=path))
    if not (p.is_file() or p.is_fifo()):  # a pipe: `<(zcat crawl.gz)`, a named fifo
        raise InputError(NOT_A_FILE.format(name=path))
    return p


def check_not_binary(head: bytes, name: str) -> None:
    """Refuse data with a NUL byte near its start: no text or JSONL article has one."""
    offset = head.find(b"\0", 0, BINARY_PROBE)
    if offset >= 0:
        raise InputError(BINARY.format(name=name, offset=offset))


@contextmanager
def open_input(path: str) -> Iterator[IO[bytes]]:
    """An input file as a binary stream, gzip-decompressed if its name ends in ".gz".

    Everything that goes wrong while it is read (a damaged gzip stream, an I/O error)
    comes out as an InputError naming the file.
    """
    p = check_readable(path)
    try:
        with gzip.open(p, "rb") if is_gzip(path) else open(p, "rb") as fh:
            yield fh
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InputError(BAD_GZIP.format(name=path, reason=exc)) from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def display_name(path: str) -> str:
    """How messages name an input."""
    return "<stdin>" if path == "-" else path


def read_bytes(path: str) -> bytes:
    """All bytes of a file, or of standard input for "-"."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open_input(path) as fh:
        return fh.read()


def read_text(path: str, errors: str = "strict") -> tuple[str, int]:
    """A whole input as text, binary data refused, and its size in bytes."""
    name = display_name(path)
    data = read_bytes(path)
    check_not_binary(data, name)
    return decode(data, name, errors), len(data)


def iter_lines(path: str) -> Iterator[bytes]:
    """The lines of a file or standard input as bytes, read as they come; binary data is refused."""
    name = display_name(path)
    if path == "-":
        stream = sys.stdin.buffer
        head = stream.peek(BINARY_PROBE)[:BINARY_PROBE] if hasattr(stream, "peek") else b""
        check_not_binary(head, name)
        yield from stream
        return
    with open_input(path) as fh:
        if fh.seekable():
            check_not_binary(fh.read(BINARY_PROBE), name)
            fh.seek(0)
        else:  # a pipe can be looked into, not rewound
            check_not_binary(fh.peek(BINARY_PROBE)[:BINARY_PROBE], name)
        yield from fh


def iter_records(path: str, field: str, errors: str = "strict") -> Iterator[Record]:
    """Parse JSONL records one by one; a broken record comes back with its error, not raised."""
    name = display_name(path)
    for number, raw_bytes in enumerate(iter_lines(path), 1):
        if number == 1 and raw_bytes.startswith(UTF8_BOM):
            # Windows tools open a file with a byte-order mark; it belongs to the file, not the first
            # record, and JSON readers refuse it, so it is not written out either.
            raw_bytes = raw_bytes[len(UTF8_BOM) :]
        try:
            raw = decode(raw_bytes, f"{name}:{number}", errors)
        except InputError as exc:
            # Kept records go out as they came in: surrogateescape carries the bytes through.
            yield Record(number, raw_bytes.decode("utf-8", "surrogateescape"), None, str(exc))
            continue
        if not raw.strip(_JSON_SPACE):  # a blank line between records; other space is a broken record
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # RecursionError: arrays or objects nested too deep
            yield Record(number, raw, None, BAD_JSON.format(name=name, line=number, reason=exc))
            continue
        if not isinstance(data, dict):
            yield Record(number, raw, None, BAD_JSON.format(name=name, line=number, reason="not an object"))
        elif not isinstance(data.get(field), str):
            yield Record(number, raw, data, NO_FIELD.format(name=name, line=number, field=field))
        else:
            yield Record(number, raw, data)


class CsvInput(NamedTuple):
    """A CSV file read for cleaning: its header, where the field's column is, its rows as records."""

    header: list[str]
    field_at: int
    rows: Iterator[Record]
    bom: str  # a byte-order mark opening the file ("\ufeff", as Excel writes one), or ""


def iter_csv_records(path: str, field: str, errors: str = "strict") -> CsvInput:
    """A CSV file's header and rows. A record's raw form is its cells, its data {column: value};
    a broken row carries its error.

    Cells may hold newlines (quoted), so rows are read with the csv module, not by line. Its
    strict mode reports a broken quote (one never closed would take every later row into its
    cell); the row goes as broken with the lines it took, and reading goes on after them. When
    two columns share the field's name, the first is the field.
    """
    name = display_name(path)
    text, _ = read_text(path, errors)
    bom = "\ufeff" if text.startswith("\ufeff") else ""  # no part of the first column's name
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text[len(bom) :], newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return CsvInput([], 0, iter(()), bom)
    except csv.Error as exc:
        raise InputError(BAD_CSV.format(name=name, line=1, reason=exc)) from None
    if field not in header:
        raise InputError(BAD_CSV.format(name=name, line=1, reason=f"no column {field!r} in the header"))
    field_at = header.index(field)

    def rows() -> Iterator[Record]:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # A broken quote: the reader has taken the lines up to where it gave up (to the end of
                # the file when the quote never closes) and starts the next row on the line after.
                last = reader.line_num
                if last < line:  # nothing was taken: the reader cannot go on
                    return
                if "unexpected end of data" in str(exc):
                    reason = f"{exc}; the rest of the file is not read"
                elif last > line:
                    reason = f"{exc}; the row took lines {line}-{last}, reading goes on after them"
                else:
                    reason = str(exc)
                yield Record(line, "", None, BAD_CSV.format(name=name, line=line, reason=reason))
                continue
            if not cells:
                continue
            if len(cells) != len(header):
                reason = f"{len(cells)} cells, the header has {len(header)}"
                yield Record(line, cells, None, BAD_CSV.format(name=name, line=line, reason=reason))
            else:
                yield Record(line, cells, {**dict(zip(header, cells)), field: cells[field_at]})

    return CsvInput(header, field_at, rows(), bom)


#: Written as escapes: a UTF-16 surrogate standing alone (JSON may escape one, "\\ud83d" of an
#: emoji cut in half, but UTF-8 cannot encode it) and the Unicode line and paragraph separators
#: (valid in JSON, but readers that split on every line break would cut the record there).
_ESCAPED = re.compile(r"[\ud800-\udfff\u2028\u2029]")


def dump_record(data: dict) -> str:
    """One JSONL line in UTF-8 text; a lone surrogate or a line separator is written as an escape.

    >>> dump_record({"text": "cut \\ud83d", "n": 1})
    '{"text": "cut \\\\ud83d", "n": 1}\\n'
    """
    return _to_json(data) + "\n"


def _to_json(value) -> str:
    dumped = json.dumps(value, ensure_ascii=False)
    # In json.dumps' output these can only stand inside a string, where an escape means the same.
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(f"[{_JSON_SPACE}]*")


def replace_field(raw: str, field: str, value: str) -> str:
    """A JSONL record with one top-level field's value replaced and every other byte as it was.

    Re-serialising the whole record would change what json cannot carry through a round
    trip: numbers (1e400, long decimals), repeated keys, spacing. The record must be one
    json.loads read; like it, the last of repeated keys is the one replaced.

    >>> replace_field('{"n": 1.000000000000000001, "text": "a\\\\nJoin"}\\n', "text", "a")
    '{"n": 1.000000000000000001, "text": "a"}\\n'
    """
    start, end = _members(raw)[field]
    return raw[:start] + _to_json(value) + raw[end:]


def explanation_record(raw: str, field: str, lines: list[dict]) -> str:
    """A JSONL record's explanation: its other top-level fields as they were written, then "lines".

    The fields' values are copied from the record's text, not re-serialised, for the same
    reason as in replace_field: json.dumps would write 1e400 as Infinity, which is not JSON.

    >>> explanation_record('{"id": 1e400, "text": "Join"}', "text", [{"line": 0}])
    '{"id": 1e400, "lines": [{"line": 0}]}\\n'
    """
    values = {key: raw[start:end] for key, (start, end) in _members(raw).items() if key != field}
    values["lines"] = _to_json(lines)
    return "{" + ", ".join(f"{_to_json(key)}: {value}" for key, value in values.items()) + "}\n"


def _members(raw: str) -> dict[str, tuple[int, int]]:
    """Where each top-level member's value of a JSON object (one json.loads read) starts and ends.

    Keys keep the order of their first appearance and the span of their last, as json.loads has them.
    """
    spans: dict[str, tuple[int, int]] = {}
    at = _SPACE.match(raw, raw.index("{") + 1).end()
    while raw[at] != "}":
        key, at = json.decoder.scanstring(raw, at + 1)  # past the key's opening quote
        at = _SPACE.match(raw, _SPACE.match(raw, at).end() + 1).end()  # past the colon
        _, end = _DECODER.raw_decode(raw, at)
        spans[key] = (at, end)
        at = _SPACE.match(raw, end).end()
        if raw[at] == ",":
            at = _SPACE.match(raw, at + 1).end()
    return spans


def printable(text: str) -> str:
    """Text for a human-readable listing: a lone surrogate (JSON can escape one) becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


@contextmanager
def open_output(path: str | None, inputs: list[str] = (), in_place: bool = False) -> Iterator[IO[str]]:
    """A text stream for the output: stdout, or a temporary file renamed over path when all went well.

    An exception leaves no partial file behind (and any earlier file untouched).
    Writing over one of the inputs is refused unless in_place is set. A symlink is written
    through to the file it names, and a device or a pipe (/dev/null, a fifo) straight into,
    as a shell's redirect would.
    """
    if path is None or path == "-":
        # UTF-8 whatever the locale, no newline translation, and undecodable bytes of kept
        # records written back as they were.
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="surrogateescape", newline="")
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    target = Path(os.path.realpath(path))
    if not in_place and any(i != "-" and same_file(i, target) for i in inputs):
        raise InputError(SAME_FILE.format(name=path))
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, "wb") as raw, _encoded(raw, is_gzip(path)) as fh:
            yield fh
        return
    make_directory(target.parent, path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:  # named by the output asked for, not the temporary file
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as raw:
            with _encoded(raw, is_gzip(path)) as fh:
                yield fh
            os.fsync(raw.fileno())
        # The target's own mode when it is replaced; else what a new file would get.
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one existing file."""
    return Path(a).exists() and Path(b).exists() and os.path.samefile(a, b)


def make_directory(directory: Path, name: str) -> None:
    """Create a directory and its parents for the output ``name``; OSError names that output."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a directory of the path should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), name) from None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, name) from None


def os_error_message(exc: OSError, name: str | None = None) -> str:
    """One line for an output that cannot be written, naming it when the error or the caller can."""
    reason = exc.strerror or str(exc)
    where = exc.filename or name
    return f"{where}: {reason}" if where else f"cannot write the output: {reason}"


@contextmanager
def _encoded(raw: IO[bytes], gzipped: bool) -> Iterator[IO[str]]:
    """UTF-8 text onto a binary stream, gzip-compressed if asked; all of it flushed on success."""
    packed = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gzipped else None
    fh = io.TextIOWrapper(packed or raw, encoding="utf-8", errors="surrogateescape", newline="")
    yield fh
    fh.flush()
    fh.detach()
    if packed:
        packed.close()  # writes the gzip trailer; raw stays open
    raw.flush()


def _umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it
    os.umask(mask)
    return mask
