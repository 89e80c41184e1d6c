"""Frozen Snapshot: everything the UI shows after one poll (pure, stdlib only at run time:
the parsed types are imported for the type checker alone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from tui.model.history import HistoryView

if TYPE_CHECKING:
    from tui.core.limits import LimitNote
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.metrics.state import MetricsState
    from tui.model.contention import Contention
    from tui.model.cpu import CpuState
    from tui.model.memstats import MemStats

LIVE = "live"
PAUSED = "paused"
RECONNECTING = "reconnecting"
ERROR = "error"
STARTING = "starting"
POLL_STATES = (STARTING, LIVE, PAUSED, RECONNECTING, ERROR)
# States a source gives while it reads a recording's history behind its newest poll (`attach`):
# the screens show the newest poll as CATCHING_UP; HISTORY snapshots (older polls, in order) feed
# the leak tracker only and never reach a screen.
CATCHING_UP = "catching up"
HISTORY = "history"

# Data kinds with their own age.
HEAP = "heap"
MEMSTATS = "memstats"
GOROUTINE_TREE = "goroutine-tree"  # goroutine?debug=2 (full dump, grouped)
GOROUTINE_STACKS = "goroutine-stacks"  # goroutine?debug=1 (counts per stack)
GOROUTINE_COUNT = "goroutine-count"  # index page
GOROUTINE_LEAKS = "goroutine-leaks"  # goroutineleak?debug=1 (proven leaks, Go 1.26+)
MUTEX = "mutex"  # mutex profile (cumulative proto; tui.model.contention)
BLOCK = "block"  # block profile
KINDS = (HEAP, MEMSTATS, GOROUTINE_TREE, GOROUTINE_STACKS, GOROUTINE_COUNT, GOROUTINE_LEAKS, MUTEX, BLOCK)


@dataclass(frozen=True, slots=True)
class DataAge:
    kind: str
    fetched_at: float | None  # clock time of the last successful fetch
    age: float | None  # seconds at snapshot time; None = never fetched
    reason: str = ""  # why it is that old (budget, error, not served...)


@dataclass(frozen=True, slots=True)
class EndpointCost:
    endpoint: str
    count: int = 0
    errors: int = 0
    last_latency: float | None = None
    mean_latency: float | None = None
    total_latency: float = 0.0
    last_bytes: int = 0
    total_bytes: int = 0
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class RestartEvent:
    at: float
    reason: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    seq: int
    time: float
    target: str
    state: str
    last_error: str = ""
    status: str = ""  # one line for the status bar
    ages: Mapping[str, DataAge] = field(default_factory=lambda: MappingProxyType({}))
    heap: Profile | None = None
    heap_totals: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    memstats: MemStats | None = None
    goroutine_groups: tuple[ReasonGroup, ...] = ()  # the debug=2 tree, grouped
    goroutine_stacks: StackCounts | None = None  # debug=1
    goroutine_leaks: StackCounts | None = None  # kind "goroutineleak" (None = not served/fetched)
    goroutine_total: int | None = None
    tree_status: str = ""  # why the goroutine tree is N s old
    history: HistoryView | None = None
    costs: tuple[EndpointCost, ...] = ()
    stw_share: float = 0.0  # expensive requests' (debug=2, goroutineleak) time / wall time since the watch started
    target_share: float = 0.0  # every request's time (what the target spent serving us) / wall time
    budget: float = 0.0  # the share of wall time the poller holds itself to (--stw-budget); 0 = none
    restarts: tuple[RestartEvent, ...] = ()
    profiles: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # data kind (HEAP, GOROUTINE_TREE, ...) -> the work limits its newest parse reached (the first N
    # kept, the rest counted: tui.core.limits); kinds that kept everything are absent
    limit_notes: Mapping[str, tuple[LimitNote, ...]] = field(default_factory=lambda: MappingProxyType({}))
    cpu: CpuState | None = None  # live CPU top (rolling profile?seconds=N windows); None = never turned on
    # MUTEX / BLOCK -> the newest cumulative profile, the one before it, the mutex sampling period;
    # absent until fetched (only where the index lists the profile)
    contention: Mapping[str, Contention] = field(default_factory=lambda: MappingProxyType({}))
    # the service's own numbers (/metrics, expvar, fgprof: tui/metrics); None = not looked for (--no-metrics)
    metrics: MetricsState | None = None

    def age(self, kind: str) -> DataAge:
        return self.ages.get(kind) or DataAge(kind, None, None, "")
