"""The Textual app (`main.py`: `PprofApp`, the messages it posts itself) and, for several targets, the fleet
app (`fleet.py`: `FleetApp`). `build_app()` is the one factory for the CLI and the tests."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.app.main import LeakReportReady, PprofApp, SnapshotArrived
from tui.core.memtune import limit_malloc_arenas, pin_mmap_threshold
from tui.sources.protocol import SnapshotSource

if TYPE_CHECKING:
    from tui.app.fleet import FleetApp
    from tui.evidence.capture import Evidence, SessionShelf

FLEET_SOURCES = "tui.sources.fleet"


def __getattr__(name: str) -> Any:
    """`FleetApp` on first use: one target's start-up does not import the fleet's screens (#30)."""
    if name == "FleetApp":
        from tui.app.fleet import FleetApp

        return FleetApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FleetApp", "LeakReportReady", "PprofApp", "SnapshotArrived", "build_app"]


def build_app(
    source: SnapshotSource,
    *,
    clock: Callable[[], float] = time.monotonic,
    evidence: Evidence | SessionShelf | None = None,
    open_cpu: bool = False,
) -> PprofApp:
    """The one factory for the CLI and the tests (a FleetSource gets the fleet app). `open_cpu`
    (`watch --cpu`): the CPU view first, its windows asked of the source."""
    limit_malloc_arenas()  # before the app's threads start: memory stays flat over hours
    pin_mmap_threshold()  # a big body (a 30 MB goroutine dump) is given back when freed
    fleet = sys.modules.get(FLEET_SOURCES)  # not imported: the source cannot be a FleetSource
    if fleet is not None and isinstance(source, fleet.FleetSource):
        from tui.app.fleet import FleetApp

        return FleetApp(source, clock=clock)
    return PprofApp(source, clock=clock, evidence=evidence, open_cpu=open_cpu)
