"""The leak tracker as the app drives it: every snapshot in order, and the user's two controls.

`LeakFeed` is a plain synchronous object. The app calls it off the event loop (a new heap
profile costs the tracker a few hundred ms on big profiles) from one thread worker at a time:
`FeedCalls` queues the calls in the order they were made and hands them to a single drainer, so
the tracker builds its series in snapshot order and is never called from two threads at once.
The tracker is pure state fed by snapshots, so verdicts come out the same live and in replay.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.leaks.report import LeakReport
    from tui.leaks.tracker import LeakTracker
    from tui.model.snapshot import Snapshot


class LeakFeed:
    """The tracker is made on first use, in the worker: its imports (the heap sums, numpy) are
    not paid before the app's first frame."""

    def __init__(self, tracker: LeakTracker | None = None) -> None:
        self._tracker = tracker

    @property
    def tracker(self) -> LeakTracker:
        if self._tracker is None:
            from tui.leaks.tracker import LeakTracker

            self._tracker = LeakTracker()
        return self._tracker

    @tracker.setter
    def tracker(self, tracker: LeakTracker) -> None:
        self._tracker = tracker

    def feed(self, snapshot: Snapshot) -> LeakReport:
        return self.tracker.feed(snapshot)

    def pin_baseline(self, reason: str = "pinned by you") -> LeakReport:
        self.tracker.pin_baseline(reason)
        return self.tracker.report()

    def set_sample_type(self, sample_type: str) -> LeakReport:
        self.tracker.set_sample_type(sample_type)
        return self.tracker.report()


FeedCall = Callable[[LeakFeed], "LeakReport"]


class FeedCalls:
    """Calls to a LeakFeed, first in first out, taken by at most one drainer at a time.

    ``put`` says when the caller must start a drainer (none is running); the drainer ``take``s
    calls until there are none left, and from then on the next ``put`` asks for a new one. No
    thread ever waits here for another to finish a call (a lock is held only around the deque).
    """

    def __init__(self) -> None:
        self._calls: deque[FeedCall] = deque()
        self._lock = threading.Lock()
        self._draining = False
        self._closed = False

    def put(self, call: FeedCall) -> bool:
        """Queue ``call``; True when no drainer is running and the caller must start one."""
        with self._lock:
            if self._closed:
                return False
            self._calls.append(call)
            if self._draining:
                return False
            self._draining = True
            return True

    def take(self) -> FeedCall | None:
        """For the drainer: the next call, or None when there is none (the drainer then ends)."""
        with self._lock:
            if self._calls and not self._closed:
                return self._calls.popleft()
            self._draining = False
            return None

    def close(self) -> None:
        """Drop what is queued and accept nothing more (the app is quitting)."""
        with self._lock:
            self._closed = True
            self._calls.clear()

    def __len__(self) -> int:
        return len(self._calls)
