"""Frozen records for goroutine dumps (debug=2) and stack counts (debug=1, proto)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tui.core.limits import LimitNote

Labels = tuple[tuple[str, str], ...]
# What a StackCounts was read from: goroutine or goroutineleak (proven leaks, Go 1.26+).
StackKind = Literal["goroutine", "goroutineleak"]

# Goroutine.elided when Go printed "...additional frames elided..." (count not given).
ELIDED_UNKNOWN = -1


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack frame. ``args`` is the raw argument text ("0xc000, 0x1", "..." when inlined)."""

    func: str
    args: str = ""
    file: str = ""
    line: int = 0
    offset: int | None = None  # the +0x.. offset; None for inlined frames and debug=1/proto
    inlined: bool = False

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""


@dataclass(frozen=True, slots=True)
class Goroutine:
    """One goroutine of a debug=2 dump."""

    id: int
    status: str  # wait reason or state, as printed ("chan send", "running", "sync.Mutex.Lock", ...)
    wait_minutes: int | None = None  # None when Go printed no minutes (blocked < 1 min, or not waiting)
    locked_to_thread: bool = False
    leaked: bool = False  # "(leaked)": proven leak (Go 1.26+ goroutineleak)
    durable: bool = False  # "(durable)": synctest bubble (Go 1.25+)
    labels: Labels = ()
    frames: tuple[Frame, ...] = ()
    created_by: Frame | None = None
    creator_id: int | None = None  # "created by f in goroutine N" (Go 1.21+)
    elided: int | None = None  # frames elided; ELIDED_UNKNOWN when Go did not say how many
    extra_markers: tuple[str, ...] = ()  # header parts we do not know, kept as text
    is_serving: bool = False  # the [running] goroutine writing this very dump

    @property
    def frames_truncated(self) -> bool:
        return self.elided is not None


@dataclass(frozen=True, slots=True)
class GoroutineDump:
    """A parsed debug=2 dump. ``dropped``: goroutines counted but not kept (limits; ``notes`` say which)."""

    goroutines: tuple[Goroutine, ...]
    truncated: bool = False  # the text ended inside a block (cut by a proxy or a size limit)
    dropped: int = 0
    notes: tuple[LimitNote, ...] = ()

    @property
    def total(self) -> int:
        return len(self.goroutines) + self.dropped


@dataclass(frozen=True, slots=True)
class StackRecord:
    """``count`` goroutines sharing one stack and label set (debug=1 record or proto sample)."""

    count: int
    frames: tuple[Frame, ...]
    labels: Labels = ()


@dataclass(frozen=True, slots=True)
class StackCounts:
    """A debug=1 text or proto goroutine profile: records with counts, no wait reasons or ages.

    ``total`` counts every goroutine, also those of records left out past a limit (``dropped``
    goroutines in them; ``notes`` say which limit)."""

    total: int
    records: tuple[StackRecord, ...]
    kind: StackKind = "goroutine"
    dropped: int = 0
    notes: tuple[LimitNote, ...] = ()
