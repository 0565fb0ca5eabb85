"""The Dask path gives the same output as one process, on a local cluster of two worker processes."""
import gzip
import json
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from filter.cli import app  # noqa: E402
from filter.dask import clean_bag, clean_column  # noqa: E402

EXAMPLE = (Path(__file__).parent.parent / "examples" / "article.txt").read_text(encoding="utf-8")
TEXTS = [EXAMPLE, "Gold rose 2% on Friday as the dollar weakened.\nTraders cited softer US jobs data.\nJoin Now",
         "Bitcoin fell.", ""] * 3


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_bag_and_dataframe_match_one_process(client, cleaner):
    expected = list(cleaner.clean_many(TEXTS))
    records = [{"id": i, "text": t, "site": "x"} for i, t in enumerate(TEXTS)]
    cleaned = clean_bag(db.from_sequence(records, npartitions=4), cleaner).compute()
    assert [r["text"] for r in cleaned] == expected and [r["id"] for r in cleaned] == list(range(len(TEXTS)))
    frame = dd.from_pandas(pd.DataFrame({"id": range(len(TEXTS)), "body": TEXTS}), npartitions=3)
    assert clean_column(frame, "body", cleaner).compute()["body"].tolist() == expected


def test_engine_dask_writes_each_shard_like_the_local_engine(client, tmp_path):
    shards = tmp_path / "shards"
    shards.mkdir()
    for n in range(3):
        lines = "".join(json.dumps({"id": f"{n}-{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS))
        (shards / f"part-{n}.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    runner = CliRunner()
    address = client.scheduler.address
    on_dask = runner.invoke(app, ["clean", "--engine", "dask", "--scheduler", address, str(shards / "*.jsonl.gz"),
                                  "-o", str(tmp_path / "dask")])
    assert on_dask.exit_code == 0, on_dask.output
    local = runner.invoke(app, ["clean", *map(str, sorted(shards.iterdir())), "-o", str(tmp_path / "local")])
    assert local.exit_code == 0
    for n in range(3):
        name = f"part-{n}.jsonl.gz"
        assert gzip.decompress((tmp_path / "dask" / name).read_bytes()) == gzip.decompress((tmp_path / "local" / name).read_bytes())


def test_engine_dask_counts_only_the_files_it_wrote_and_refuses_a_file_as_its_directory(client, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "text": TEXTS[1]}) + "\n", encoding="utf-8")
    runner = CliRunner()
    address = client.scheduler.address
    result = runner.invoke(app, ["clean", "--engine", "dask", "--scheduler", address, "--on-error", "keep",
                                 str(good), str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "1 of 2 files written" in result.output
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["clean", "--engine", "dask", "--scheduler", address, str(good), "-o", str(tmp_path / "afile")])
    assert result.exit_code == 2 and "not a directory" in result.output
