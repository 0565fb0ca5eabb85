"""Cleaning batches of documents in worker processes, in input order, with bounded memory.

Each worker gets the cleaner (model included) once, when it starts. Batches go out
as the input is read, and at most a few batches per worker are in flight, so a
stream of any length is cleaned with memory bounded by the batch size.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator

#: Batches in flight per worker: enough to keep every worker busy while results are written.
IN_FLIGHT_PER_WORKER = 3
#: How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 1.0

_worker_cleaner = None


def available_cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """fork on Linux: workers start at once and scripts need no __main__ guard.

    The trees predict on one thread (see model.score), so no OpenMP pool is running
    when a worker is forked. Elsewhere (macOS, where fork is unsafe, and Windows), spawn.
    """
    return "fork" if sys.platform.startswith("linux") else "spawn"


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _start_worker(cleaner, parent: int) -> None:
    global _worker_cleaner
    _worker_cleaner = cleaner
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends its workers with it
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone: killed outright, it cannot tell the pool to stop,
    and workers left waiting for batches would live on as orphans."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _clean(batch: tuple[list[str], list | None]) -> list[str]:
    return _worker_cleaner._clean_batch(*batch)


def _classify(batch: tuple[list[str], list | None]) -> list:
    return _worker_cleaner._classify_batch(*batch)


def run_parallel(cleaner, text_batches: Iterable[tuple[list[str], list | None]], n_jobs: int, explain: bool) -> Iterator:
    """Yield cleaner.clean_many (or classify_many) results for each batch, computed by n_jobs processes.

    Each batch comes with its documents' repeated lines (SeenLines.mark), or None.
    """
    work: Callable = _classify if explain else _clean
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_start_worker, initargs=(cleaner, os.getpid())) as pool:
        pending: deque = deque()
        for batch in text_batches:
            pending.append(pool.submit(work, batch))
            if len(pending) >= IN_FLIGHT_PER_WORKER * n_jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
