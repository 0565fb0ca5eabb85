"""Cleaning on a Dask cluster: bags of records, dataframe columns, and whole shard files.

    pip install "promo-filter[dask]"

The cleaner (model included) is scattered to every worker once (or, without a
distributed client, enters the graph as a single key) and reused for every
partition. Results are the
same as one process's: cleaning a document depends on that document alone.

>>> import dask.bag as db                                       # doctest: +SKIP
>>> from filter import Cleaner
>>> from filter.dask import clean_bag
>>> records = db.from_sequence([{"id": 1, "text": "..."}])     # doctest: +SKIP
>>> clean_bag(records, Cleaner.load()).compute()               # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path


def _broadcast(cleaner):
    """The cleaner as one graph input: scattered to every worker of the current distributed client,
    or, without one, a single delayed key."""
    try:
        from distributed import default_client

        return default_client().scatter(cleaner, broadcast=True, hash=False)
    except (ImportError, ValueError):  # no distributed, or no client: the local schedulers
        import dask

        return dask.delayed(cleaner, pure=True, traverse=False)


def _clean_records(records: list[dict], cleaner, field: str) -> list[dict]:
    texts = [r[field] for r in records]
    return [{**r, field: cleaned} for r, cleaned in zip(records, cleaner.clean_many(texts))]


def clean_bag(bag, cleaner, field: str = "text"):
    """A dask.bag of dict records with `field` cleaned; other keys and the order stay."""
    return bag.map_partitions(_clean_records, _broadcast(cleaner), field)


def _clean_column(series, cleaner):
    import pandas as pd

    return pd.Series(list(cleaner.clean_many(series.tolist())), index=series.index, name=series.name, dtype=series.dtype)


def clean_column(frame, column: str, cleaner):
    """A dask.dataframe with `column` (strings) cleaned."""
    cleaned = frame[column].map_partitions(_clean_column, _broadcast(cleaner), meta=frame[column]._meta)
    return frame.assign(**{column: cleaned})


def _clean_file(source: str, cleaner, output_dir: str, job) -> dict:
    from .jobs import Summary, run
    from .streams import InputError, os_error_message

    target = str(Path(output_dir) / Path(source).name)
    try:
        summary = run(cleaner, [source], target, job)
        # Under --on-error keep, an input that cannot be read and copied is skipped: nothing written.
        return {**asdict(summary), "failed": not Path(target).exists()}
    except InputError as exc:  # this file's output was not written
        return {**asdict(Summary(errors=[str(exc)])), "failed": True}
    except OSError as exc:  # nor here: the output could not be written
        return {**asdict(Summary(errors=[os_error_message(exc, target)])), "failed": True}


def clean_files(sources: list[str], output_dir: str, cleaner, job, scheduler: str | None = None) -> list[dict]:
    """Clean whole files (shards) on a cluster, one task per file, each written atomically to output_dir.

    ``scheduler`` is a Dask scheduler address; None starts a local cluster of one
    single-threaded worker process per core, listening on loopback only.
    """
    import dask.bag as db
    from distributed import Client, LocalCluster

    from .parallel import available_cores

    Path(output_dir).mkdir(parents=True, exist_ok=True)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=available_cores(), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        bag = db.from_sequence(sources, npartitions=max(len(sources), 1))
        return bag.map(_clean_file, _broadcast(cleaner), output_dir, job).compute()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
