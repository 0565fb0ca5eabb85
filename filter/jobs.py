"""Cleaning whole inputs: text documents and JSONL record streams, to files or standard output."""
from __future__ import annotations

import csv
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .progress import Progress
from .segment import split_lines
from .streams import (
    InputError,
    display_name,
    dump_record,
    explanation_record,
    guess_format,
    iter_csv_records,
    iter_records,
    make_directory,
    open_output,
    printable,
    read_bytes,
    read_text,
    replace_field,
    same_file,
)

ON_ERROR = ("fail", "skip", "keep")


@dataclass
class Summary:
    """What a run did, for the closing line on standard error."""

    documents: int = 0
    lines_removed: int = 0
    skipped: int = 0
    kept_unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """One cleaning run's settings (the CLI's options)."""

    fmt: str | None = None  # None: from each input's name
    field: str = "text"
    explain: bool = False
    as_json: bool = False  # explanations as JSON
    on_error: str = "fail"
    errors: str = "strict"  # how to decode bytes that are not UTF-8
    jobs: int = 1  # worker processes for record streams; 0 or less: all cores
    progress: bool | None = False  # a progress line on stderr; None: when stderr is a terminal


def output_path(output: str | None, source: str, many: bool) -> str | None:
    """Where one input's output goes: stdout, the file given, or a same-named file in a directory."""
    if output is None or output == "-":
        return None
    if _into_directory(output, many):
        return str(Path(output) / Path(source).name)
    return output


def _into_directory(output: str, many: bool) -> bool:
    """Whether outputs go into output as a directory: for several inputs, or when it is (or ends like) one."""
    return many or Path(output).is_dir() or output.endswith(("/", os.sep))


def output_clash(inputs: list[str], output: str | None, many: bool) -> str | None:
    """Why the inputs' outputs cannot all be written, or None: two inputs of one file name (or
    standard input) going into one directory would overwrite each other."""
    if output is None or output == "-" or not _into_directory(output, many):
        return None
    if "-" in inputs:
        return "standard input cannot be written into a directory: give it an output file of its own"
    seen: dict[str, str] = {}
    for source in inputs:
        name = Path(source).name
        if name in seen and seen[name] != source:
            return f"{seen[name]} and {source} would both be written to {Path(output) / name}"
        seen[name] = source
        if same_file(source, Path(output) / name):
            # Found now, not when its turn comes after other outputs are written.
            return f"{source} would be written over itself in {output}; use --in-place to clean inputs in place"
    return None


def run(cleaner, inputs: list[str], output: str | None, job: Job, in_place: bool = False) -> Summary:
    """Clean every input; each output is written whole or not at all."""
    summary = Summary()
    progress = Progress(job.progress)
    try:
        _run(cleaner, inputs or ["-"], output, job, in_place, summary, progress)
    finally:
        progress.close(summary)
    return summary


def _run(cleaner, inputs: list[str], output: str | None, job: Job, in_place: bool, summary: Summary, progress) -> None:
    many = len(inputs) > 1
    if many and output not in (None, "-"):
        make_directory(Path(output), output)  # several outputs need a directory
    for source in inputs:
        target = source if in_place else output_path(output, source, many)
        fmt = job.fmt or guess_format(source)
        try:
            with open_output(target, [] if in_place else inputs, in_place) as out:
                if fmt == "jsonl":
                    _clean_jsonl(cleaner, source, out, job, summary, progress)
                elif fmt == "csv":
                    _clean_csv(cleaner, source, out, job, summary, progress)
                else:
                    progress.advance(_clean_text(cleaner, source, out, job, summary), summary)
        except InputError as exc:
            # A whole input that cannot be read or decoded: its output was not written.
            if job.on_error == "fail":
                raise
            summary.errors.append(str(exc))
            if job.on_error == "keep" and _copy_unchanged(source, target):
                summary.kept_unchanged += 1
            else:
                summary.skipped += 1


def _copy_unchanged(source: str, target: str | None) -> bool:
    """Write an input that could not be cleaned to its output as it is; False if it cannot be read."""
    if source == "-" or Path(source).is_fifo():
        return False  # standard input, or a pipe, was consumed while reading it
    if target == source:
        return True  # in place: the file is already as it was
    try:
        data = read_bytes(source)
    except InputError:
        return False
    with open_output(target) as out:
        out.write(data.decode("utf-8", "surrogateescape"))
    return True


def _clean_text(cleaner, source: str, out: IO[str], job: Job, summary: Summary) -> int:
    """Clean one text document; return its size in bytes."""
    text, size = read_text(source, job.errors)
    summary.documents += 1
    if job.explain:
        _write_explanation(cleaner.classify(text), out, job, {"source": display_name(source)})
        return size
    cleaned = cleaner.clean(text)
    summary.lines_removed += _count_lines(text) - _count_lines(cleaned)
    out.write(cleaned)
    return size


def _clean_jsonl(cleaner, source: str, out: IO[str], job: Job, summary: Summary, progress) -> None:
    def write(record, cleaned):
        raw = record.raw if cleaned is None else replace_field(record.raw, job.field, cleaned)
        out.write(raw if raw.endswith("\n") else raw + "\n")

    _clean_records(cleaner, iter_records(source, job.field, job.errors), write, out, job, summary, progress)


def _clean_csv(cleaner, source: str, out: IO[str], job: Job, summary: Summary, progress) -> None:
    header, field_at, records, bom = iter_csv_records(source, job.field, job.errors)
    writer = csv.writer(out, lineterminator="\n")
    out.write(bom)
    if header:
        writer.writerow(header)

    def write(record, cleaned):
        # Cells by position, not by name: two columns may share a name.
        cells = record.raw  # unchanged, or broken and kept: the cells as they were read
        writer.writerow(cells if cleaned is None else [*cells[:field_at], cleaned, *cells[field_at + 1 :]])

    _clean_records(cleaner, records, write, out, job, summary, progress)


def _clean_records(cleaner, records, write, out: IO[str], job: Job, summary: Summary, progress) -> None:
    # Records stream through the cleaner, which yields results in input order. Records wait in
    # `waiting` until their result comes back; a broken record kept with --on-error keep waits
    # there too, so it is written in its place.
    waiting: deque = deque()

    def texts():
        for record in records:
            if record.error is not None:
                summary.errors.append(record.error)
                if job.on_error == "fail":
                    raise InputError(record.error)
                if job.on_error == "skip" or not record.raw:
                    summary.skipped += 1
                    continue
                summary.kept_unchanged += 1
                waiting.append(record)
                continue
            waiting.append(record)
            yield record.data[job.field]

    def write_kept_broken():
        while waiting and waiting[0].error is not None:
            broken = waiting.popleft()
            if not job.explain:  # an explanation stream holds explanations only; the error is reported
                write(broken, None)

    many = cleaner.classify_many if job.explain else cleaner.clean_many
    for result in many(texts(), n_jobs=job.jobs):
        write_kept_broken()
        record = waiting.popleft()
        text = record.data[job.field]
        if job.explain:
            _write_explanation(result, out, job, {k: v for k, v in record.data.items() if k != job.field}, record.raw)
        elif result == text:
            write(record, None)
        else:
            summary.lines_removed += _count_lines(text) - _count_lines(result)
            write(record, result)
        summary.documents += 1
        progress.advance(len(text), summary)
    write_kept_broken()


def _write_explanation(results, out: IO[str], job: Job, meta: dict, raw: str | list[str] | None = None) -> None:
    """One document's explanation; ``raw`` is its JSONL line (or CSV cells), whose fields the JSON form copies."""
    if job.as_json:
        lines = [r.to_dict() for r in results]
        out.write(explanation_record(raw, job.field, lines) if isinstance(raw, str) else dump_record({**meta, "lines": lines}))
        return
    header = " ".join(f"{k}={v}" for k, v in meta.items() if isinstance(v, (str, int)))
    if header:
        out.write(f"# {printable(header)}\n")
    for r in results:
        action = "keep" if r.kept else "drop"
        out.write(f"{r.line + 1:5d} {action} {r.label.value:11} {r.score:.2f}  {_short(r.text)}\n")
        if r.reason:
            out.write(f"{'':23}  ↳ {r.reason}\n")
        if r.cut_at is not None:
            out.write(f"{'':23}  ✂ cut after char {r.cut_at}: {r.cut_label.value} {r.cut_score:.2f}  {_short(r.text[r.cut_at:].strip())}\n")


def _short(text: str, width: int = 90) -> str:
    text = printable(text.strip())
    return text if len(text) <= width else text[: width - 1] + "…"


def _count_lines(text: str) -> int:
    return sum(1 for line in split_lines(text) if not line.is_blank)
