"""Live CPU top: one `profile?seconds=N` window parsed (`CpuWindow`), the sum of every window since
CPU watching started (`CpuTotals`), and what the CPU view shows (`CpuState`, a Snapshot field).

A CPU profile is a profile.proto like the heap's (sample types samples/count and cpu/nanoseconds);
it is decoded by `tui.heap.decode` and summed per function by `tui.heap.top` (numbers as
`go tool pprof -top`). Pure: no clock, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core import limits

if TYPE_CHECKING:
    from tui.heap.profile import Profile

CPU_SAMPLE_TYPE = "cpu"  # nanoseconds of CPU; "samples" (count) is the other one
# functions kept in the since-start sums; past it the smallest are dropped (and counted)
MAX_CPU_FUNCS = 5000


@dataclass(frozen=True, slots=True)
class CpuFunc:
    key: str
    name: str
    file: str
    line: int
    flat: int  # nanoseconds of CPU in the function itself
    cum: int  # ... in it and what it called


@dataclass(frozen=True, slots=True)
class CpuWindow:
    """One parsed window: its profile (for the drill-down), per-function sums, its span."""

    profile: Profile
    funcs: tuple[CpuFunc, ...]  # by flat, biggest first
    total: int  # nanoseconds of CPU sampled in the window
    samples: int  # SIGPROF samples taken (the profiler's work in the target: see service/cpu.py)
    duration: float  # seconds the window covered (the profile's duration_nanos)
    started_ns: int  # the profile's time_nanos: tells a new window from a repeated answer


@dataclass(frozen=True, slots=True)
class CpuState:
    """What the CPU view shows. ``on``: windows are being taken; ``status`` says how often and why
    (the budget) or why not (another profile running in the target, an error)."""

    on: bool = False
    status: str = ""
    window: CpuWindow | None = None  # the newest window
    previous: CpuWindow | None = None  # the window before it (the flame graph's base)
    window_at: float | None = None  # clock time it ended (its age = snapshot time - this)
    running_since: float | None = None  # clock time the window in flight started
    since: tuple[CpuFunc, ...] = ()  # summed over every window since CPU watching started
    since_total: int = 0
    since_seconds: float = 0.0  # seconds of windows summed
    windows: int = 0
    dropped: int = 0  # functions left out of the sums past MAX_CPU_FUNCS


def parse_cpu(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_samples: int = limits.MAX_SAMPLES,
    max_locations: int = limits.MAX_LOCATIONS,
) -> CpuWindow:
    """A profile?seconds=N body -> CpuWindow (ParseError / LimitExceeded on bad input)."""
    from tui.core.errors import ParseError
    from tui.heap.decode import decode_profile
    from tui.heap.top import top

    profile = decode_profile(
        data, max_decompressed=max_decompressed, labels=False, max_samples=max_samples, max_locations=max_locations
    )
    names = [t.type for t in profile.sample_types]
    if CPU_SAMPLE_TYPE not in names:
        raise ParseError(f"not a CPU profile (sample types: {', '.join(names) or 'none'})", kind="profile")
    idx = names.index(CPU_SAMPLE_TYPE)
    report = top(profile, idx, sort="flat", node_fraction=0.0)
    funcs = tuple(CpuFunc(r.key, r.name, r.file, r.line, r.flat, r.cum) for r in report.rows)
    samples = sum(profile.values[names.index("samples")]) if "samples" in names else 0
    return CpuWindow(
        profile=profile,
        funcs=funcs,
        total=int(report.total),
        samples=int(samples),
        duration=max(profile.duration_nanos, 0) / 1e9,
        started_ns=profile.time_nanos,
    )


@dataclass(slots=True)
class _Sum:
    name: str
    file: str
    line: int
    flat: int
    cum: int


class CpuTotals:
    """The since-start sums (mutable, owned by the poller; `funcs()` freezes them)."""

    def __init__(self, max_funcs: int = MAX_CPU_FUNCS) -> None:
        self.max_funcs = max_funcs
        self._sums: dict[str, _Sum] = {}
        self.total = 0
        self.seconds = 0.0
        self.windows = 0
        self.dropped = 0
        self.last_started_ns: int | None = None
        self._frozen: tuple[CpuFunc, ...] | None = None

    def add(self, window: CpuWindow) -> bool:
        """Add one window; False (nothing added) when it is the window already added (a replay
        answers with the newest recorded window until the next one)."""
        if window.started_ns and window.started_ns == self.last_started_ns:
            return False
        self.last_started_ns = window.started_ns
        for f in window.funcs:
            s = self._sums.get(f.key)
            if s is None:
                self._sums[f.key] = _Sum(f.name, f.file, f.line, f.flat, f.cum)
            else:
                s.flat += f.flat
                s.cum += f.cum
        if len(self._sums) > self.max_funcs:
            keep = sorted(self._sums.items(), key=lambda kv: (-kv[1].cum, kv[0]))
            self.dropped += len(keep) - self.max_funcs
            self._sums = dict(keep[: self.max_funcs])
        self._frozen = None
        self.total += window.total
        self.seconds += window.duration
        self.windows += 1
        return True

    def funcs(self) -> tuple[CpuFunc, ...]:
        if self._frozen is not None:
            return self._frozen
        rows = [CpuFunc(key, s.name, s.file, s.line, s.flat, s.cum) for key, s in self._sums.items()]
        rows.sort(key=lambda f: (-f.flat, f.key))
        self._frozen = tuple(rows)
        return self._frozen
