"""The promo-filter command: a thin layer over the Python API.

Exit codes: 0 done, 1 bad input or an output that cannot be written, 2 usage error, 3 model
refused or missing; 128 + the signal when interrupted.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Strip ads, teasers, calls to action and boilerplate from scraped articles.",
)

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
DEFAULT_DATA = Path("data")
DEFAULT_OUT = Path("models")


def _fail(message: str, code: int) -> None:
    typer.echo(f"promo-filter: {message}", err=True)
    raise typer.Exit(code)


def _load(
    model: Optional[Path], trust_model: bool, threshold: Optional[float], keep: List[str], glued: bool = True,
    repeats: bool = False,
):
    from . import Cleaner, ModelError, Options
    from .labels import parse_labels

    try:
        options = Options(threshold=threshold, keep=parse_labels(keep), split_glued=glued, repeats=repeats)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    if threshold is not None and not 0.0 < threshold < 1.0:
        _fail("--threshold must be between 0 and 1", EXIT_USAGE)
    try:
        return Cleaner.load(model, trusted=trust_model, options=options)
    except ModelError as exc:
        _fail(str(exc), EXIT_MODEL)


@app.command()
def clean(
    paths: List[str] = typer.Argument(None, help="Input files; none or '-' reads standard input."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (one input) or directory (several)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="text, jsonl or csv (default: from the file name, .gz included; text for stdin)."),
    field: str = typer.Option("text", "--field", help="The JSONL field or CSV column holding the article."),
    keep: List[str] = typer.Option([], "--keep", help="Junk labels to keep, e.g. --keep boilerplate (repeat or comma-separate)."),
    explain: bool = typer.Option(False, "--explain", help="Print every line's label, score and reason instead of the text."),
    as_json: bool = typer.Option(False, "--json", help="With --explain: one JSON object per document."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Junk score from which a line is removed (default: the model's)."),
    glued: bool = typer.Option(True, "--glued/--no-glued", help="Cut junk sentences glued onto the end of editorial lines."),
    repeats: bool = typer.Option(True, "--repeats/--no-repeats", help="Also remove lines that earlier records of the same input printed, from a far lower junk score."),
    on_error: str = typer.Option("fail", "--on-error", help="A broken JSONL record: fail, skip it, or keep it unchanged."),
    errors: str = typer.Option("strict", "--errors", help="Bytes that are not UTF-8: strict (stop) or replace."),
    in_place: bool = typer.Option(False, "--in-place", help="Rewrite each input file with its cleaned text."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes for JSONL and CSV records (0: all cores)."),
    progress: Optional[bool] = typer.Option(None, "--progress/--quiet", help="Progress on stderr (default: when stderr is a terminal)."),
    engine: str = typer.Option("local", "--engine", help="local, or dask: one task per input file on a Dask cluster."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: a scheduler address (default: a local cluster)."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model file or directory (default: the shipped model)."),
    trust_model: bool = typer.Option(False, "--trust-model", help="Load a model from a path other than the shipped one."),
) -> None:
    """Clean articles: keep every editorial line byte for byte, drop the junk."""
    from concurrent.futures.process import BrokenProcessPool

    from .jobs import ON_ERROR, Job, run
    from .streams import FORMATS, InputError

    if fmt is not None and fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}", EXIT_USAGE)
    if on_error not in ON_ERROR:
        _fail(f"--on-error must be one of {', '.join(ON_ERROR)}", EXIT_USAGE)
    if errors not in ("strict", "replace"):
        _fail("--errors must be strict or replace", EXIT_USAGE)
    paths = paths or ["-"]
    if output == "":
        _fail("--output is empty: give a file, a directory or - for standard output", EXIT_USAGE)
    if in_place and (output is not None or "-" in paths):
        _fail("--in-place rewrites input files: give file paths and no --output", EXIT_USAGE)
    if in_place and any(Path(p).exists() and not Path(p).is_file() for p in paths):
        _fail("--in-place rewrites regular files only: a pipe or a device cannot be read and then rewritten", EXIT_USAGE)
    if engine not in ("local", "dask"):
        _fail("--engine must be local or dask", EXIT_USAGE)
    if not in_place and engine == "local":
        _refuse_clash(paths, output, many=len(paths) > 1)
    cleaner = _load(model, trust_model, threshold, keep, glued, repeats)
    if engine == "dask":
        _clean_on_dask(cleaner, paths, output, scheduler, Job(fmt=fmt, field=field, on_error=on_error, errors=errors))
        return
    job = Job(fmt=fmt, field=field, explain=explain, as_json=as_json, on_error=on_error, errors=errors, jobs=jobs,
              progress=progress)
    try:
        summary = run(cleaner, paths, output, job, in_place=in_place)
    except InputError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except OSError as exc:  # an output that cannot be written: no room, no permission, no directory
        _output_failed(exc)
    except BrokenProcessPool:
        _fail("a worker process died (out of memory, or killed); the output being written was not kept", EXIT_BAD_INPUT)
    _report_errors(
        summary.errors,
        f"{summary.documents} documents cleaned, {summary.skipped} skipped, "
        f"{summary.kept_unchanged} kept unchanged because of errors",
    )


def _refuse_clash(inputs: List[str], output: Optional[str], many: bool) -> None:
    from .jobs import output_clash

    clash = output_clash(inputs, output, many)
    if clash:
        _fail(clash, EXIT_USAGE)


def _report_errors(errors: List[str], closing: str) -> None:
    """Print the first errors and a closing count on stderr, and exit 1; nothing if there were none."""
    if not errors:
        return
    for message in errors[:20]:
        typer.echo(f"promo-filter: {message}", err=True)
    typer.echo(f"promo-filter: {closing}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _clean_on_dask(cleaner, patterns: List[str], output: Optional[str], scheduler: Optional[str], job) -> None:
    import glob

    if output is None or output == "-" or "-" in patterns:
        _fail("--engine dask reads files and writes a directory: give paths (or patterns) and -o DIR", EXIT_USAGE)
    sources = sorted({p for pattern in patterns for p in (glob.glob(pattern) or [pattern])})
    if Path(output).exists() and not Path(output).is_dir():
        _fail(f"{output}: not a directory (--engine dask writes one output file per input into it)", EXIT_USAGE)
    _refuse_clash(sources, output, many=True)
    try:
        from .dask import clean_files

        results = clean_files(sources, output, cleaner, job, scheduler)
    except ImportError:
        _fail('--engine dask needs Dask: pip install "promo-filter[dask]"', EXIT_USAGE)
    written = sum(not r["failed"] for r in results)
    _report_errors([e for r in results for e in r["errors"]], f"{written} of {len(sources)} files written")


@app.command()
def annotate(
    path: str = typer.Argument(..., help="Unlabeled articles: JSONL records with the article in --field."),
    output: str = typer.Option(..., "--output", "-o", help="Where the pre-labeled documents go (data/ schema)."),
    field: str = typer.Option("text", "--field", help="The JSONL field holding the article."),
    id_field: str = typer.Option("id", "--id-field", help="The field holding the article's id."),
    domain: str = typer.Option("unknown", "--domain", help="Domain for records without a 'domain' field."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model file or directory (default: the shipped model)."),
    trust_model: bool = typer.Option(False, "--trust-model", help="Load a model from a path other than the shipped one."),
) -> None:
    """Pre-label articles for correction: each line's label and junk score, least certain documents first."""
    from .annotate import annotate as run_annotation
    from .annotate import least_certain_first
    from .streams import InputError, dump_record, iter_records, open_output

    cleaner = _load(model, trust_model, None, [])
    try:
        records = []
        for record in iter_records(path, field):
            if record.error is not None:
                raise InputError(record.error)
            doc_id = str(record.data.get(id_field, f"{Path(path).stem}-{record.number}"))
            records.append((doc_id, str(record.data.get("domain", domain)), record.data[field]))
        ordered = least_certain_first(run_annotation(cleaner, records))
        with open_output(output, [path]) as out:
            for document in ordered:
                out.write(dump_record(document))
    except InputError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except OSError as exc:
        _output_failed(exc)
    flagged = sum(1 for d in ordered for line in d["lines"] if line.get("check"))
    typer.echo(f"{len(ordered)} documents pre-labeled into {output}; {flagged} lines flagged to check", err=True)


@app.command()
def train(
    data: List[Path] = typer.Option([DEFAULT_DATA], "--data", help="Labeled JSONL files or directories (repeatable)."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Directory for the model and its card."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same data and seed give the same model."),
) -> None:
    """Train the model on labeled data and print its scores on the test split."""
    from .evaluate import format_table
    from .train import train as run_training

    missing = [str(p) for p in data if not p.exists()]
    if missing:
        _fail(f"no such data: {', '.join(missing)}", EXIT_USAGE)
    try:
        card = run_training(data, out, seed=seed)
    except ValueError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    typer.echo(f"model written to {out} (threshold {card['threshold']})")
    caught = card["cross_validated"]["junk_caught_at_editorial_loss"]
    typer.echo(
        f"out of fold, over {card['cross_validated']['lines']} train lines: "
        + ", ".join(f"{share:.1%} of junk caught at {loss} of editorial lost" for loss, share in caught.items())
    )
    if card["test_metrics"]:
        typer.echo(format_table({**card["test_metrics"], "worst_documents": []}))


@app.command()
def evaluate(
    paths: List[Path] = typer.Argument(..., help="Labeled JSONL files (the data/ schema)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    split: Optional[str] = typer.Option(None, "--split", help="Score only the train or test split of the documents."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Junk score from which a line is removed."),
    keep: List[str] = typer.Option([], "--keep", help="Junk labels to keep."),
    repeats: bool = typer.Option(True, "--repeats/--no-repeats", help="Also remove lines that earlier documents printed, from a far lower junk score."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model file or directory (default: the shipped model)."),
    trust_model: bool = typer.Option(False, "--trust-model", help="Load a model from a path other than the shipped one."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Draw the junk-vs-editorial precision-recall curve to this PNG (needs matplotlib)."),
) -> None:
    """Score the cleaner on labeled documents: editorial lines lost, junk caught, per label."""
    from .data import read_documents
    from .evaluate import evaluate as run_evaluation
    from .evaluate import format_table

    if split not in (None, "train", "test"):
        _fail("--split must be train or test", EXIT_USAGE)
    cleaner = _load(model, trust_model, threshold, keep, repeats=repeats)
    try:
        documents = [d for d in read_documents(paths) if split is None or d.split == split]
    except (OSError, ValueError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    try:
        metrics = run_evaluation(cleaner, documents, plot=str(plot) if plot else None)
    except ImportError:
        _fail('--plot needs matplotlib: pip install "promo-filter[plot]"', EXIT_USAGE)
    except OSError as exc:  # the plot's file cannot be written
        _output_failed(exc)
    typer.echo(json.dumps(metrics, indent=2) if as_json else format_table(metrics))


def main() -> None:
    """Entry point of the installed command."""
    # A terminated run unwinds like Ctrl-C, so its temporary output file is removed.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    app()


def _output_failed(exc: OSError) -> None:
    """An output that cannot be written is one line and exit 1; a reader that went away is a quiet 0.

    A command must catch the broken pipe itself (``| head``: the reader chose to stop): past it,
    click turns it into exit 1. The flush of standard output at exit would meet the closed pipe
    again and print a traceback, so standard output goes to devnull first.
    """
    if isinstance(exc, BrokenPipeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0)
    from .streams import os_error_message

    _fail(os_error_message(exc), EXIT_BAD_INPUT)


def _exit_on_signal(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    main()
