"""Bad inputs, --on-error, safe writes and model checks: nothing is lost or half-written."""
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filter import Cleaner, ModelError
from filter.cli import app
from filter.store import CARD_FILE, MODEL_FILE, shipped_model_path

runner = CliRunner()
EXAMPLE = Path(__file__).parent.parent / "examples" / "article.txt"
GOOD = {"id": 1, "text": "Gold rose 2% on Friday as the dollar weakened.\nJoin Now"}


def write_jsonl(path, lines):
    path.write_bytes(b"".join(l if isinstance(l, bytes) else (json.dumps(l) + "\n").encode() for l in lines))
    return path


# -- bad files -------------------------------------------------------------
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "blob.txt").write_bytes(b"PK\x03\x04\x00\x00binary") and d / "blob.txt", "binary file"),
        (lambda d: (d / "latin1.txt").write_bytes("Café rose.\n".encode("latin-1")) and d / "latin1.txt", "not UTF-8 at byte 3"),
    ],
    ids=["missing", "directory", "binary", "not-utf8"],
)
def test_unreadable_input_is_one_line_naming_the_file(tmp_path, make, message):
    source = make(tmp_path)
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 1
    errors = [l for l in result.output.splitlines() if l.startswith("promo-filter:")]
    assert len(errors) == 1 and str(source) in errors[0] and message in errors[0]


@pytest.mark.parametrize(
    "bad, where",
    [
        (b"{not json\n", "not a JSON object"),
        (b'["a list"]\n', "not an object"),
        (b'{"id": 2, "title": "no text field"}\n', "no string field 'text'"),
        (b'{"id": 2, "text": 42}\n', "no string field 'text'"),
        (b'{"id": 2, "text": "caf\xe9"}\n', "not UTF-8 at byte"),
        (b'{"id": 2, "text": "Gold rose.", "tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "not a JSON object"),
        ("\u00a0\n".encode(), "not a JSON object"),  # no JSON space, so no blank line
    ],
    ids=["malformed", "not-object", "missing-field", "not-string", "not-utf8", "nested-too-deep", "only-nbsp"],
)
@pytest.mark.parametrize("on_error", ["fail", "skip", "keep"])
def test_broken_record_follows_on_error(tmp_path, bad, where, on_error):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD, bad, {**GOOD, "id": 3}])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--on-error", on_error])
    assert result.exit_code == 1
    assert f"{source}:2" in result.output and where in result.output
    if on_error == "fail":
        assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))
        return
    written = out.read_bytes().splitlines(keepends=True)
    assert [json.loads(written[0])["id"], json.loads(written[-1])["id"]] == [1, 3]
    if on_error == "skip":
        assert len(written) == 2 and "1 skipped" in result.output
    else:  # the broken record passes through byte for byte
        assert len(written) == 3 and written[1] == bad and "1 kept unchanged" in result.output


def test_on_error_skip_goes_on_past_a_bad_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD["text"] + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["clean", str(tmp_path / "missing.txt"), str(good), "-o", str(out), "--on-error", "skip"])
    assert result.exit_code == 1 and "missing.txt: no such file" in result.output
    assert (out / "good.txt").read_text(encoding="utf-8") == "Gold rose 2% on Friday as the dollar weakened.\n"
    assert not (out / "missing.txt").exists()


def test_on_error_keep_copies_an_undecodable_file_unchanged(tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("Café rose.\nJoin Now\n".encode("latin-1"))
    out = tmp_path / "out.txt"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--on-error", "keep"])
    assert result.exit_code == 1 and out.read_bytes() == source.read_bytes()


def test_errors_replace_cleans_undecodable_text(tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("Café prices rose 2% on Friday as the dollar weakened.\nJoin Now\n".encode("latin-1"))
    result = runner.invoke(app, ["clean", str(source), "--errors", "replace"])
    assert result.exit_code == 0 and "Caf\ufffd prices" in result.stdout and "Join Now" not in result.stdout


@pytest.mark.parametrize("explain", [[], ["--explain"], ["--explain", "--json"]], ids=["clean", "explain", "explain-json"])
def test_a_lone_surrogate_escaped_in_json_goes_out_as_it_came_in(tmp_path, explain):
    # JSON may escape half of a UTF-16 pair (an emoji cut in two by a scraper); UTF-8 cannot encode it.
    text = "Gold rose 2% on Friday \\ud83d as the dollar weakened.\\nJoin Now"
    source = tmp_path / "in.jsonl"
    source.write_text(f'{{"id": "a\\udc80", "text": "{text}"}}\n{json.dumps({**GOOD, "id": 2})}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), *explain])
    assert result.exit_code == 0, result.output
    written = out.read_bytes().decode("utf-8")  # strict: still UTF-8
    if not explain:
        first, second = map(json.loads, written.splitlines())
        assert first == {"id": "a\udc80", "text": "Gold rose 2% on Friday \ud83d as the dollar weakened."}
        assert second["id"] == 2
    elif "--json" in explain:
        first = json.loads(written.splitlines()[0])
        assert first["lines"][0]["text"] == "Gold rose 2% on Friday \ud83d as the dollar weakened."
    else:
        assert "# id=a?" in written and "Gold rose 2% on Friday ? as the dollar" in written


def test_a_byte_order_mark_opening_a_jsonl_file_is_read_past_and_not_written(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + (json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": 2}) + "\n").encode())
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out.read_bytes()
    assert not written.startswith(b"\xef\xbb\xbf")
    first_line = GOOD["text"].split("\n")[0]
    assert [json.loads(l) for l in written.splitlines()] == [{**GOOD, "text": first_line}, {"id": 2, "text": first_line}]


def test_a_cleaned_record_keeps_every_other_byte_of_its_json(tmp_path):
    # A round trip through json would write 1e400 as Infinity, shorten the decimal and drop a repeated key.
    raw = '{"id":1e400, "ts": 1700000000.123456789,"tag":"a","tag":"b","text":"%s",  "z" : [1, 2]}\r\n'
    source = tmp_path / "in.jsonl"
    source.write_text(raw % "Gold rose 2% on Friday as the dollar weakened.\\nJoin Now", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["clean", str(source), "-o", str(out)]).exit_code == 0
    assert out.read_bytes().decode("utf-8") == raw % "Gold rose 2% on Friday as the dollar weakened."


def test_an_explanation_copies_the_other_fields_as_written(tmp_path):
    # Re-serialised, 1e400 would go out as Infinity (not JSON) and the decimal would be shortened.
    source = tmp_path / "in.jsonl"
    source.write_text('{"id":1e400, "ts": 1700000000.123456789,"text":"Gold rose 2% on Friday.\\nJoin Now"}\n', encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "--explain", "--json"])
    assert result.exit_code == 0
    assert result.stdout.startswith('{"id": 1e400, "ts": 1700000000.123456789, "lines": [')

    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    explained = json.loads(result.stdout, parse_constant=no_constants)
    assert [line["text"] for line in explained["lines"]] == ["Gold rose 2% on Friday.", "Join Now"]


def test_a_line_separator_in_a_cleaned_record_is_written_as_its_escape(tmp_path):
    # Valid JSON raw, but readers that split on every line break would cut the record there.
    source = write_jsonl(tmp_path / "in.jsonl", [{**GOOD, "text": "Gold rose 2% on Friday\u2028as the dollar weakened.\nJoin Now"}])
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 0
    assert result.stdout == '{"id": 1, "text": "Gold rose 2% on Friday\\u2028as the dollar weakened."}\n'


def test_an_explanation_stream_holds_no_broken_record(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [GOOD, b"{not json\n", {**GOOD, "id": 3}])
    result = runner.invoke(app, ["clean", str(source), "--explain", "--json", "--on-error", "keep"])
    assert result.exit_code == 1 and "in.jsonl:2" in result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 3]


def test_record_count_in_equals_count_out(tmp_path):
    records = [{**GOOD, "id": i} for i in range(150)]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 0
    assert [json.loads(l)["id"] for l in result.stdout.splitlines()] == list(range(150))


# -- writing safely ----------------------------------------------------------
def test_in_place_rewrites_only_when_asked(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(GOOD["text"] + "\n", encoding="utf-8")
    mode = 0o640
    os.chmod(source, mode)
    assert runner.invoke(app, ["clean", str(source), "--in-place"]).exit_code == 0
    assert source.read_text(encoding="utf-8") == "Gold rose 2% on Friday as the dollar weakened.\n"
    assert source.stat().st_mode & 0o777 == mode
    assert not list(tmp_path.glob(".a.txt*"))


def test_inputs_of_one_name_into_one_directory_are_refused_before_anything_is_written(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_jsonl(tmp_path / folder / "x.jsonl", [GOOD])
    result = runner.invoke(app, ["clean", str(tmp_path / "a" / "x.jsonl"), str(tmp_path / "b" / "x.jsonl"),
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "would both be written to" in result.output
    assert not (tmp_path / "out").exists()


def test_an_input_inside_the_output_directory_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD["text"], encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "b.txt").write_text(GOOD["text"], encoding="utf-8")
    result = runner.invoke(app, ["clean", str(tmp_path / "a.txt"), str(tmp_path / "out" / "b.txt"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "would be written over itself" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.txt"]


def test_a_symlinked_output_is_written_through_to_its_file(tmp_path):
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text(GOOD["text"] + "\n", encoding="utf-8")
    link.symlink_to(real)
    assert runner.invoke(app, ["clean", str(link), "--in-place"]).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "Gold rose 2% on Friday as the dollar weakened.\n"


def test_a_pipe_as_output_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = runner.invoke(app, ["clean", "-o", str(fifo)], input=GOOD["text"])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert received == [b"Gold rose 2% on Friday as the dollar weakened."] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_pipe_is_read_as_an_input(tmp_path):
    # As `promo-filter clean <(zcat crawl.txt.gz)` passes one.
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    threading.Thread(target=lambda: fifo.write_text(GOOD["text"], encoding="utf-8"), daemon=True).start()
    result = runner.invoke(app, ["clean", str(fifo)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Gold rose 2% on Friday as the dollar weakened."


def test_an_output_ending_in_a_slash_is_a_directory_and_an_empty_one_is_refused(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(GOOD["text"], encoding="utf-8")
    assert runner.invoke(app, ["clean", str(source), "-o", f"{tmp_path / 'new'}/"]).exit_code == 0
    assert (tmp_path / "new" / "a.txt").read_text(encoding="utf-8") == "Gold rose 2% on Friday as the dollar weakened."
    assert runner.invoke(app, ["clean", str(source), "-o", ""]).exit_code == 2


def test_an_output_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["clean", "-o", str(tmp_path / "afile" / "out.txt")], input=GOOD["text"])
    assert result.exit_code == 1
    assert result.output.strip() == f"promo-filter: {tmp_path / 'afile' / 'out.txt'}: Not a directory"


def test_in_place_on_a_pipe_is_refused_not_left_hanging(tmp_path):
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    # In a process of its own with a time limit: opening a pipe with no one at the other end blocks.
    result = subprocess.run([sys.executable, "-m", "filter", "clean", str(fifo), "--in-place"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "regular files only" in result.stderr


def test_several_outputs_into_a_regular_file_are_one_line(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD["text"], encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD["text"], encoding="utf-8")
    (tmp_path / "out").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.output.strip() == f"promo-filter: {tmp_path / 'out'}: Not a directory"


def test_a_new_output_file_gets_the_mode_the_umask_allows(tmp_path):
    before = os.umask(0o027)
    try:
        assert runner.invoke(app, ["clean", "-o", str(tmp_path / "out.txt")], input=GOOD["text"]).exit_code == 0
    finally:
        os.umask(before)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["kill", "ctrl-c", "term"])
def test_interrupted_run_leaves_the_old_output_untouched(tmp_path, sig):
    article = EXAMPLE.read_text(encoding="utf-8")
    write_jsonl(tmp_path / "big.jsonl", [{"id": i, "text": article} for i in range(12000)])
    target = tmp_path / "out.jsonl"
    target.write_text("old output\n", encoding="utf-8")
    # Two jobs whatever the machine's cores, so there are workers to outlive their parent.
    command = [sys.executable, "-m", "filter", "clean", str(tmp_path / "big.jsonl"), "-o", str(target), "--jobs", "2"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 60
    # Interrupt once cleaned records are being written to the temporary file (the input is long enough
    # that the run is still going then, even on a loaded machine).
    while not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*")):
        assert proc.poll() is None, "finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers, "no worker processes to check"
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    assert target.read_text(encoding="utf-8") == "old output\n"
    if sig != signal.SIGKILL:  # an exit the process sees also removes its temporary file
        assert not list(tmp_path.glob(".out.jsonl.*"))
    # Workers end with their parent, however it ended.
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def test_a_worker_that_dies_is_one_line_and_no_output(tmp_path):
    article = EXAMPLE.read_text(encoding="utf-8")
    write_jsonl(tmp_path / "big.jsonl", [{"id": i, "text": article} for i in range(12000)])
    target = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "filter", "clean", str(tmp_path / "big.jsonl"), "-o", str(target), "--jobs", "2"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)  # as the out-of-memory killer would
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "a worker process died" in stderr and "Traceback" not in stderr
    assert not target.exists() and not list(tmp_path.glob(".out.jsonl.*"))


@pytest.mark.parametrize("command", [["clean", "--jobs", "1"], ["clean", "--jobs", "2"], ["annotate", "-o", "-"]],
                         ids=["clean-1-job", "clean-2-jobs", "annotate"])
def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path, command):
    # `promo-filter clean crawl.jsonl | head`: the reader going away is not an error of the run's.
    article = EXAMPLE.read_text(encoding="utf-8")
    write_jsonl(tmp_path / "big.jsonl", [{"id": i, "text": article} for i in range(400)])
    command = [sys.executable, "-m", "filter", command[0], str(tmp_path / "big.jsonl"), *command[1:]]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert "id" in json.loads(proc.stdout.readline())
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=120)
    assert (proc.returncode, stderr) == (0, b"")


def _default_sigint() -> None:
    """Give a child SIGINT's default disposition, as a command run from a terminal has: a suite run as a
    background job of a non-interactive shell ignores SIGINT, and the child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _children(pid: int) -> list[int]:
    """Processes whose parent is pid (Linux /proc; none elsewhere)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- models are code -----------------------------------------------------------
@pytest.fixture()
def copied_model(tmp_path):
    shipped = shipped_model_path()
    (tmp_path / MODEL_FILE).write_bytes(shipped.read_bytes())
    (tmp_path / CARD_FILE).write_bytes(shipped.with_suffix(".json").read_bytes())
    return tmp_path


def _edit_card(folder, **changes):
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    card.update(changes)
    (folder / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    return card


def test_other_scikit_learn_version_is_refused_with_how_to_retrain(copied_model):
    card = json.loads((copied_model / CARD_FILE).read_text(encoding="utf-8"))
    _edit_card(copied_model, versions={**card["versions"], "scikit-learn": "0.24.2"})
    with pytest.raises(ModelError, match=r"0\.24\.2.*promo-filter train"):
        Cleaner.load(copied_model, trusted=True)


def test_truncated_model_is_a_clear_error(copied_model):
    path = copied_model / MODEL_FILE
    path.write_bytes(path.read_bytes()[:5000])
    from filter.store import file_sha256

    _edit_card(copied_model, model_sha256=file_sha256(path))  # matches, so loading is tried
    with pytest.raises(ModelError, match="cannot be read"):
        Cleaner.load(copied_model, trusted=True)


def test_model_of_another_feature_layout_is_refused_with_how_to_retrain(copied_model, monkeypatch):
    # A model a release with one shape feature fewer trained: scored with these features it would fail deep
    # inside, or, were the counts equal, score nonsense.
    import filter.model
    import filter.store

    monkeypatch.setattr(filter.store, "_LOADED", {})  # the shipped bytes were loaded, and checked, before
    monkeypatch.setattr(filter.model, "SHAPE_NAMES", filter.model.SHAPE_NAMES + ("a feature this release adds",))
    with pytest.raises(ModelError, match=r"\d+ shape features, this release computes \d+.*promo-filter train"):
        Cleaner.load(copied_model, trusted=True)
    result = runner.invoke(app, ["clean", "--model", str(copied_model), "--trust-model"], input="Gold rose.\n")
    assert result.exit_code == 3 and "reads lines differently" in result.output


def test_cli_refuses_untrusted_model_with_exit_code_3(copied_model):
    result = runner.invoke(app, ["clean", "--model", str(copied_model)], input="Gold rose.\n")
    assert result.exit_code == 3 and "--trust-model" in result.output
