"""The app's one threading mechanism: thread workers that post messages. The leak feed gets every
snapshot in order, one call at a time; a failing worker becomes a notification, never a crash."""

from __future__ import annotations

import threading
import time

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.waiting import settle
from tui.app import build_app
from tui.leaks.tracker import LeakTracker
from tui.model.snapshot import Snapshot
from tui.widgets.heap_table import HeapTable


class SlowTracker(LeakTracker):
    """Records the order of its calls and whether two ever overlapped."""

    def __init__(self) -> None:
        super().__init__()
        self.fed: list[int] = []
        self.overlaps = 0
        self._busy = threading.Lock()

    def feed(self, s: Snapshot):
        if not self._busy.acquire(blocking=False):
            self.overlaps += 1
            self._busy.acquire()
        try:
            time.sleep(0.01)
            self.fed.append(s.seq)
            return super().feed(s)
        finally:
            self._busy.release()


async def test_every_snapshot_reaches_the_leak_tracker_in_order_one_at_a_time():
    source = CannedSource(make_snapshot(1))
    app = build_app(source)
    tracker = app.leaks.tracker = SlowTracker()
    async with app.run_test(size=(80, 24)) as pilot:
        for seq in range(2, 21):
            source.push(make_snapshot(seq))  # faster than the tracker: they queue up
        await settle(pilot, app)
        assert tracker.fed == list(range(1, 21))
        assert tracker.overlaps == 0
        assert app.snapshot.seq == 20 and app.leak_report.time == app.snapshot.time
        # a key's call to the tracker queues behind the snapshots too
        await pilot.press("3")
        await settle(pilot, app)
        assert tracker.sample_type == "alloc_space"
        assert app.screen.query_one(HeapTable).report.sample_type == "alloc_space"


def record_notifications(app) -> list[str]:
    said: list[str] = []
    notify = app.notify

    def recording(message, **kwargs):
        said.append(message)
        return notify(message, **kwargs)

    app.notify = recording
    return said


class FailingTracker(LeakTracker):
    def feed(self, s: Snapshot):
        raise RuntimeError("tracker bug")


async def test_a_failing_leak_tracker_is_said_once_and_the_watch_goes_on():
    source = CannedSource(make_snapshot(1))
    app = build_app(source)
    app.leaks.tracker = FailingTracker()
    said = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        source.push(make_snapshot(2))
        await settle(pilot, app)
        assert said.count("leak tracker: RuntimeError: tracker bug") == 1
        assert app.is_running and app.snapshot.seq == 2
        assert app.screen.query_one(HeapTable).row_count > 0


async def test_a_failing_heap_table_is_a_notification(monkeypatch):
    def broken(heap, view, window=None):
        raise ValueError("bad profile")

    monkeypatch.setattr("tui.screens.dashboard.top_for", broken)
    app = build_app(CannedSource(make_snapshot(1)))
    said = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert said == ["heap table: bad profile"]
        assert app.is_running
