"""A real service in the app: the prometheus-load recording (tests/fixtures/real/, Prometheus 2.42
from Debian under a dashboard's load, long `github.com/prometheus/...` names) replayed to its end
once per test session, without the app; its last snapshot and the leak report of all of them.

`real_source()` hands the app that snapshot; `show_real_report(pilot)` then gives it the report the
whole recording makes (the app's own tracker only sees the one snapshot). Deterministic: the
replay runs on the recording's clock.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from tests.tui.canned import CannedSource
from tests.tui.waiting import settle

if TYPE_CHECKING:
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
RECORDING = REAL / "prometheus-load"


@functools.cache
def replayed(recording: Path = RECORDING) -> tuple[Snapshot, LeakReport]:
    """(the last snapshot, the leak report of every snapshot) of a recording played to its end."""
    from tui.leaks.tracker import LeakTracker
    from tui.sources.feeds import ReplaySource

    snapshots: list[Snapshot] = []

    async def play() -> None:
        source = ReplaySource(recording, speed=float("inf"))
        source.on_snapshot = snapshots.append
        await source.start()

    # in a thread of its own: the tests that call this run inside an event loop
    thread = threading.Thread(target=asyncio.run, args=(play(),))
    thread.start()
    thread.join()
    tracker = LeakTracker()
    report = None
    for snapshot in snapshots:
        report = tracker.feed(snapshot)
    assert report is not None and snapshots
    return snapshots[-1], report


def real_source(recording: Path = RECORDING) -> CannedSource:
    return CannedSource(replayed(recording)[0])


async def show_real_report(pilot, recording: Path = RECORDING) -> None:
    """Settle, then hand the app the leak report of the whole recording."""
    from tui.app import LeakReportReady

    await settle(pilot, pilot.app)
    pilot.app.post_message(LeakReportReady(replayed(recording)[1]))
    await settle(pilot, pilot.app)
