"""gzip-compressed inputs and outputs, and CSV with the article in one column."""
import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filter.cli import app

runner = CliRunner()
ARTICLE = "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data.\nJoin Now"
CLEANED = "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data."
EXAMPLE = (Path(__file__).parent.parent / "examples" / "article.txt").read_text(encoding="utf-8")


def test_gzip_jsonl_in_and_out_matches_plain(tmp_path):
    records = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate([ARTICLE, EXAMPLE]))
    (tmp_path / "in.jsonl").write_text(records, encoding="utf-8")
    with gzip.open(tmp_path / "in.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(records)
    assert runner.invoke(app, ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "plain.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["clean", str(tmp_path / "in.jsonl.gz"), "-o", str(tmp_path / "out.jsonl.gz")]).exit_code == 0
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == (tmp_path / "plain.jsonl").read_bytes()
    assert json.loads((tmp_path / "plain.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"] == CLEANED


def test_gzip_text_input(tmp_path):
    source = tmp_path / "article.txt.gz"
    source.write_bytes(gzip.compress(ARTICLE.encode()))
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 0 and result.stdout == CLEANED


def test_corrupt_gzip_is_a_clear_error(tmp_path):
    source = tmp_path / "crawl.jsonl.gz"
    source.write_bytes(gzip.compress(b'{"text": "Gold rose."}\n')[:-12])
    result = runner.invoke(app, ["clean", str(source)])
    assert result.exit_code == 1 and f"{source}: not a readable gzip file" in result.output


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def test_csv_cleans_one_column_and_keeps_the_others(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(_csv([["id", "body", "site"], ["7", ARTICLE, "harbor, inc"], ["8", EXAMPLE, "x"]]), encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "--field", "body"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "body", "site"] and rows[1] == ["7", CLEANED, "harbor, inc"]
    assert rows[2][0] == "8" and "Join Now" not in rows[2][1] and len(rows) == 3


def test_csv_row_with_wrong_cell_count_follows_on_error(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(_csv([["id", "text"], ["1", ARTICLE], ["2", "a", "extra"], ["3", ARTICLE]]), encoding="utf-8")
    failed = runner.invoke(app, ["clean", str(source)])
    assert failed.exit_code == 1 and f"{source}:" in failed.output and "3 cells, the header has 2" in failed.output
    kept = runner.invoke(app, ["clean", str(source), "--on-error", "keep"])
    assert [r[0] for r in csv.reader(io.StringIO(kept.stdout))] == ["id", "1", "2", "3"]


def test_csv_opening_with_a_byte_order_mark_finds_its_first_column_and_keeps_the_mark(tmp_path):
    source = tmp_path / "excel.csv"
    source.write_bytes(b"\xef\xbb\xbf" + _csv([["body", "id"], [ARTICLE, "7"]]).encode())
    result = runner.invoke(app, ["clean", str(source), "--field", "body", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_bytes() == b"\xef\xbb\xbf" + _csv([["body", "id"], [CLEANED, "7"]]).encode()


def test_csv_with_two_columns_of_one_name_keeps_both_and_cleans_the_first(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(_csv([["id", "body", "id", "body"], ["7", ARTICLE, "8", ARTICLE]]), encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "--field", "body"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [["id", "body", "id", "body"], ["7", CLEANED, "8", ARTICLE]]


def test_csv_with_a_quote_never_closed_is_a_broken_row_not_rows_merged_into_one_cell(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('id,body\n7,"Gold rose.\nJoin Now"\n8,"Silver fell.\n9,Join Now\n', encoding="utf-8")
    result = runner.invoke(app, ["clean", str(source), "--field", "body", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1 and "in.csv:4: unexpected end of data; the rest of the file is not read" in result.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("on_error", ["skip", "keep"])
def test_csv_reading_goes_on_after_a_broken_quote_that_closes(tmp_path, on_error):
    # A quote closed too early ("bro"ken) or a stray one that closes a line later: that row is broken,
    # and the rows after the lines it took are cleaned as usual.
    source = tmp_path / "in.csv"
    source.write_text(
        'id,body\n7,"Gold rose.\nJoin Now"\n8,"bro"ken",x\n9,"Oil fell.\nJoin Now"\n'
        '10,"Silver fell.\n11,"Tin rose."\n12,"Zinc held.\nJoin Now"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["clean", str(source), "--field", "body", "--on-error", on_error, "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "in.csv:4: ',' expected after '\"'" in result.output
    assert "in.csv:7: ',' expected after '\"'; the row took lines 7-8, reading goes on after them" in result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert rows == [["id", "body"], ["7", "Gold rose."], ["9", "Oil fell."], ["12", "Zinc held."]]


def test_csv_with_a_byte_order_mark_before_a_quoted_header_keeps_both(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(b'\xef\xbb\xbf"body","id"\r\n' + _csv([[ARTICLE, "7"]]).encode())
    result = runner.invoke(app, ["clean", str(source), "--field", "body", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_bytes() == b"\xef\xbb\xbf" + _csv([["body", "id"], [CLEANED, "7"]]).encode()
