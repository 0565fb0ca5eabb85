"""A progress line on standard error for long runs: documents, MB/s, lines removed."""
from __future__ import annotations

import sys
import time

#: A run shows progress only once it has lasted this long, so short runs stay silent.
SHOW_AFTER = 1.0
#: Seconds between redraws.
REFRESH = 0.25


class Progress:
    """Counts what a run has done and, when enabled, draws it with rich on standard error.

    ``enabled`` None means: only when standard error is a terminal.
    """

    def __init__(self, enabled: bool | None = None):
        self.forced = bool(enabled)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.bytes = 0
        self._next = self.start + SHOW_AFTER
        self._bar = None
        self._task = None

    def advance(self, nbytes: int, summary) -> None:
        self.bytes += nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + REFRESH
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress as Bar
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("")
        self._bar.update(self._task, description=self.describe(summary, now))

    def describe(self, summary, now: float | None = None) -> str:
        seconds = max((now or time.monotonic()) - self.start, 1e-9)
        mb = self.bytes / 1e6
        return (f"{summary.documents:,} documents · {mb:,.1f} MB · {mb / seconds:,.2f} MB/s · "
                f"{summary.lines_removed:,} lines removed")

    def close(self, summary) -> None:
        """Stop drawing; leave one closing line when progress was shown or asked for."""
        shown = self._bar is not None
        if shown:
            self._bar.stop()
            self._bar = None
        if self.enabled and (shown or self.forced):
            sys.stderr.write(f"promo-filter: {self.describe(summary)}\n")
