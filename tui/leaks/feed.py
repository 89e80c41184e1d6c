"""Feeds every snapshot, in order, to a LeakTracker on one worker thread (app layer glue).

The tracker is pure state fed by snapshots, so verdicts come out the same live and in
replay. It runs off the event loop (a new heap profile costs it a few hundred ms on big
profiles) and on a single thread, so series are built in snapshot order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from tui.leaks.tracker import LeakReport, LeakTracker

log = logging.getLogger(__name__)

Done = Callable[[LeakReport], None]


class LeakFeed:
    def __init__(self, tracker: LeakTracker | None = None) -> None:
        self.tracker = tracker or LeakTracker()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pprof-tui-leaks")
        self._closed = False

    def _submit(self, work: Callable[[], LeakReport], done: Done) -> None:
        if self._closed:
            return

        def finished(future: Future) -> None:
            if future.cancelled():
                return
            exc = future.exception()
            if exc is not None:  # a tracker bug must not stop the watch: log, keep going
                log.error("leak tracker failed: %s: %s", type(exc).__name__, str(exc)[:200])
                return
            done(future.result())

        self._executor.submit(work).add_done_callback(finished)

    def feed(self, snapshot: Any, done: Done) -> None:
        self._submit(lambda: self.tracker.feed(snapshot), done)

    def pin_baseline(self, done: Done) -> None:
        def pin() -> LeakReport:
            self.tracker.pin_baseline("pinned by you")
            return self.tracker.report()

        self._submit(pin, done)

    def set_sample_type(self, sample_type: str, done: Done) -> None:
        def switch() -> LeakReport:
            self.tracker.set_sample_type(sample_type)
            return self.tracker.report()

        self._submit(switch, done)

    def barrier(self) -> Future:
        """A future that completes once everything submitted before it has run (for tests/tools)."""
        return self._executor.submit(lambda: None)

    def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
