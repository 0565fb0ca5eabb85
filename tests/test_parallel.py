"""Worker processes give the same output, in the same order, as one process."""
import json
from pathlib import Path

from typer.testing import CliRunner

from filter.cli import app

EXAMPLE = (Path(__file__).parent.parent / "examples" / "article.txt").read_text(encoding="utf-8")
DOCUMENTS = [
    EXAMPLE,
    "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data.\nJoin Now",
    "Bitcoin fell.",
    "",
    EXAMPLE.replace("\n", "\r\n"),
]


def test_clean_many_with_workers_matches_one_process(cleaner):
    texts = [f"{doc}\nStory {i} of the batch." if doc else doc for i, doc in enumerate(DOCUMENTS * 6)]
    one = list(cleaner.clean_many(texts, batch_size=4))
    assert list(cleaner.clean_many(texts, batch_size=4, n_jobs=2)) == one
    explained = list(cleaner.classify_many(texts, batch_size=4, n_jobs=2))
    assert [len(r) for r in explained] == [len(r) for r in cleaner.classify_many(texts, batch_size=4)]


def test_cli_jobs_output_is_byte_identical(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "text": DOCUMENTS[i % len(DOCUMENTS)]}) for i in range(150)]
    lines.insert(70, "{broken")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.jsonl"
        result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--jobs", jobs, "--on-error", "keep"])
        assert result.exit_code == 1 and "in.jsonl:71" in result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 151 and outputs[0].splitlines()[70] == b"{broken"
