"""What the app needs from whatever feeds it snapshots: a live poller, a replay, offline files, a test.

`SnapshotSource` is the part every source has. The optional controls are small protocols of
their own, checked with `isinstance` (they are runtime-checkable): a replay can step and change
speed (`ReplayControls`), most sources can save the raw bodies of their latest snapshot
(`Saveable`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from tui.model.snapshot import Snapshot

SnapshotCallback = Callable[[Snapshot], None]


class SnapshotSource(Protocol):
    """Pushes snapshots to ``on_snapshot`` (set by the app before ``start()``), in order, on the
    app's event loop (the sources run as asyncio tasks there)."""

    on_snapshot: SnapshotCallback | None

    def start(self) -> object:
        """Begin producing snapshots (returns the task doing it, if any)."""
        ...

    async def stop(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def refresh_now(self, kind: str = "all") -> None:
        """Fetch ``kind`` ("all", "heap", "memstats", ...) now instead of at its next turn."""
        ...


@runtime_checkable
class ReplayControls(Protocol):
    """A recording played back: one poll at a time, at a chosen speed."""

    @property
    def speed(self) -> float: ...

    def set_speed(self, speed: float) -> None: ...

    def step(self) -> None:
        """Pause (if playing) and play exactly one poll."""
        ...


@runtime_checkable
class CpuControls(Protocol):
    """Can take rolling CPU profile windows (the live CPU top): ``set_cpu(True)`` starts them,
    ``set_cpu(False)`` stops them (a window in flight is cancelled)."""

    def set_cpu(self, on: bool) -> None: ...


@runtime_checkable
class MetricsControls(Protocol):
    """Can watch one more series of the service's /metrics page (`M`'s picker): ``pin_metric(spec)``
    with a `--metric` spec (`tui.metrics.spec`)."""

    def pin_metric(self, spec: str) -> None: ...


@runtime_checkable
class Saveable(Protocol):
    """Keeps the raw bodies behind its latest snapshot and can write them out (the `s` export)."""

    def save(self, directory: str | Path) -> Path:
        """Write the bodies to a new directory under ``directory``; return that directory."""
        ...


@runtime_checkable
class SessionControls(Protocol):
    """A UI attached to a background session (tui/sessions): on quit the session is stopped or left
    running. ``keep`` is the answer (``None``: ask on quit; the app sets it from the answer)."""

    keep: bool | None

    @property
    def session_name(self) -> str: ...
