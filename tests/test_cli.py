import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filter.cli import app

EXAMPLE = Path(__file__).parent.parent / "examples" / "article.txt"
runner = CliRunner()


def test_clean_text_from_stdin():
    result = runner.invoke(app, ["clean"], input=EXAMPLE.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert "Join Now" not in result.stdout and "Harbor Bank said on Tuesday" in result.stdout


def test_clean_jsonl_keeps_other_fields_and_order(tmp_path):
    records = [
        {"id": 2, "text": EXAMPLE.read_text(encoding="utf-8"), "site": "harbor"},
        {"id": 1, "text": "Oil rose 2% on Friday.", "n": 1.5},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cleaned = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in cleaned] == [2, 1]
    assert cleaned[0]["site"] == "harbor" and "Join Now" not in cleaned[0]["text"]
    assert out.read_text(encoding="utf-8").splitlines()[1] == json.dumps(records[1])  # unchanged record, same bytes


def test_custom_field(tmp_path):
    source = tmp_path / "in.jsonl"
    body = "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data.\nJoin Now"
    source.write_text(json.dumps({"body": body}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["clean", "--field", "body", str(source)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"body": body.rsplit("\n", 1)[0]}


def test_explain_json_lists_every_line():
    text = EXAMPLE.read_text(encoding="utf-8")
    result = runner.invoke(app, ["clean", "--explain", "--json"], input=text)
    assert result.exit_code == 0
    lines = json.loads(result.stdout)["lines"]
    assert len(lines) == sum(1 for l in text.split("\n") if l.strip())
    assert {"label", "score", "reason", "kept"} <= set(lines[0])


def test_malformed_jsonl_fails_with_file_and_line_and_writes_nothing(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Gold rose."}\n{not json\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{source}:2" in result.output
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_on_error_keep_passes_broken_records_through(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Gold rose."}\n{"title": "no text"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--on-error", "keep"])
    assert result.exit_code == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_refuses_to_overwrite_its_input(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Gold rose.\nJoin Now\n", encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "-o", str(source)])
    assert result.exit_code == 1 and "in-place" in result.output
    assert source.read_text(encoding="utf-8") == "Gold rose.\nJoin Now\n"


def test_not_utf8_names_file_and_offset(tmp_path):
    source = tmp_path / "bad.txt"
    source.write_bytes(b"Gold rose.\n\xff\xfe")
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 1 and "byte 11" in result.output


def test_bad_option_is_a_usage_error():
    assert runner.invoke(app, ["clean", "--keep", "nonsense"], input="x").exit_code == 2
    assert runner.invoke(app, ["clean", "--format", "xml"], input="x").exit_code == 2


def test_evaluate_json_reports_per_label(tmp_path):
    doc = {"id": "t1", "domain": "crypto", "lines": [
        {"text": "Bitcoin rose 3% on Monday as ETF inflows returned.", "label": "editorial"},
        {"text": "Join Now", "label": "cta"}]}
    source = tmp_path / "labeled.jsonl"
    source.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(source), "--json"])
    assert result.exit_code == 0
    metrics = json.loads(result.stdout)
    assert metrics["editorial_lost"] == 0.0 and metrics["labels"]["cta"]["recall"] == 1.0


def test_evaluate_table_shows_a_lone_surrogate_as_a_question_mark(tmp_path):
    # annotate writes such a line back as JSON escaped it; the table must still print.
    source = tmp_path / "labeled.jsonl"
    source.write_text('{"id": "s", "lines": [{"text": "Bitcoin rose 3% on Monday.", "label": "editorial"}, '
                      '{"text": "Join\\ud83d Now", "label": "editorial"}]}\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(source)])
    assert result.exit_code == 0, result.output
    assert "Join? Now" in result.stdout


def test_progress_only_when_asked_or_on_a_terminal(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": EXAMPLE.read_text(encoding="utf-8")}) + "\n" for i in range(3)))
    quiet = runner.invoke(app, ["clean", str(source), "-o", str(tmp_path / "a.jsonl")])
    assert quiet.exit_code == 0 and quiet.output == ""  # not a terminal: silent
    loud = runner.invoke(app, ["clean", str(source), "-o", str(tmp_path / "b.jsonl"), "--progress"])
    assert loud.exit_code == 0 and "3 documents" in loud.output and "lines removed" in loud.output


def test_annotate_prelabels_into_the_data_schema_least_certain_first(tmp_path):
    from filter.annotate import certainty
    from filter.data import read_documents

    articles = [
        {"id": "a", "text": EXAMPLE.read_text(encoding="utf-8")},
        {"id": "b", "text": "Gold rose 2% on Friday as the dollar weakened.\n\nTraders cited softer US jobs data."},
        {"id": "c", "text": "Ether slipped 2% on Tuesday.\nRead more: Top 5 presales to buy now.."},
    ]
    source = tmp_path / "raw.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    out = tmp_path / "prelabeled.jsonl"
    result = runner.invoke(app, ["annotate", str(source), "-o", str(out)])
    assert result.exit_code == 0 and "3 documents pre-labeled" in result.output
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    documents = list(read_documents([out]))  # the training schema reads it back
    assert sorted(d.id for d in documents) == ["a", "b", "c"]
    by_id = {d.id: d for d in documents}
    assert by_id["b"].text == articles[1]["text"] and by_id["b"].labels[1] is None  # blank line kept as layout
    assert "cta" in [l.value for l in by_id["a"].labels if l] or "ad" in [l.value for l in by_id["a"].labels if l]
    threshold = json.loads((Path(__file__).parent.parent / "models" / "promo-filter.json").read_text())["threshold"]
    least = [min(certainty(l["junk"], threshold) for l in r["lines"] if "junk" in l) for r in records]
    assert least == sorted(least)
    for r in records:
        for line in r["lines"]:
            if "junk" in line:
                assert line["check"] == (certainty(line["junk"], threshold) < 0.5)


def test_annotate_leaves_lines_in_an_unread_script_to_a_person(tmp_path):
    russian = ["Курс рубля к юаню на Мосбирже в среду почти не изменился.",
               "Экспортёры продолжили продавать валютную выручку перед налоговым периодом."]
    articles = [{"id": "en", "text": "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data."},
                {"id": "ru", "text": "\n".join(russian + ["Join Now"])}]
    source = tmp_path / "raw.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    out = tmp_path / "prelabeled.jsonl"
    assert runner.invoke(app, ["annotate", str(source), "-o", str(out)]).exit_code == 0
    records = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["id"] == "ru"  # nothing is less certain than a script the model cannot read
    lines = {l["text"]: l for l in records[0]["lines"]}
    assert all(lines[t]["label"] == "editorial" and lines[t]["check"] for t in russian)
    assert lines["Join Now"]["label"] == "cta"


def test_evaluate_plot_draws_the_curve(tmp_path):
    pytest.importorskip("matplotlib")
    source = tmp_path / "labeled.jsonl"
    doc = {"id": "t1", "lines": [{"text": "Bitcoin rose 3% on Monday as ETF inflows returned.", "label": "editorial"},
                                 {"text": "Analysts expect more volatility this week.", "label": "editorial"},
                                 {"text": "Join Now", "label": "cta"}]}
    source.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    image = tmp_path / "curve.png"
    result = runner.invoke(app, ["evaluate", str(source), "--plot", str(image)])
    assert result.exit_code == 0 and "documents" in result.stdout
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 5000
