"""What the leak tracker hands up, once per feed: frozen, so the UI, `check` and the tests read
it from any thread. Built by tui/leaks/tracker.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.leaks.gc_pressure import GCFinding
    from tui.leaks.growth import Verdict
    from tui.leaks.heap_baseline import HeapDiff
    from tui.leaks.latency import LatencyLink, SeriesTrend
    from tui.leaks.reconcile import Reconciliation


@dataclass(frozen=True, slots=True)
class GroupGrowth:
    """One goroutine stack group (all buckets and wait reasons of one stack) for the UI."""

    key: str
    label: str  # match_keys.stack_label: the first frame past the wait plumbing
    reason: str
    count: int
    rate_per_min: float | None  # None until two points exist
    mark: str  # "↑" growing trend, "↓" shrinking, "→" flat, "" unknown
    spark: tuple[float, ...]  # recent counts, oldest first
    oldest_minutes: int | None  # max wait minutes in the latest tree (None without debug=2)
    tree_keys: tuple[str, ...]  # StackGroup keys in the latest tree (reason|bucket|hash)
    verdict: str  # "", "growing", "stuck", "leaked" (the strongest)


@dataclass(frozen=True, slots=True)
class FunctionGrowth:
    key: str  # top row key (function name)
    current: float  # latest flat inuse (bytes)
    rate_per_min: float | None
    mark: str
    spark: tuple[float, ...]
    growing: bool


@dataclass(frozen=True, slots=True)
class LeakReport:
    time: float
    verdicts: tuple[Verdict, ...]  # leaked -> growing -> stuck
    groups: tuple[GroupGrowth, ...]  # by growth rate, fastest first
    functions: tuple[FunctionGrowth, ...]  # by growth rate, fastest first
    heap_diff: HeapDiff | None  # vs the pinned baseline
    baseline_at: float | None
    baseline_reason: str
    reconciliation: Reconciliation
    leak_profile_at: float | None  # when goroutineleak was last read; None = never (not served)
    watch_started: float | None = None  # the first observation of this watch (since the last restart)
    # waiting patterns that are no alarm: few goroutines, there since before the watch (arrivals.py)
    context: tuple[Verdict, ...] = ()
    # heap functions whose FLOOR rose since the baseline: (function, bytes), biggest first
    # (heap_floors.HeapFloors.growth_since); the "largest Δinuse" of the reconciliation
    floor_growth: tuple[tuple[str, float], ...] = ()
    # our polling's footprint in the newest heap profile (footprint.py): its bytes (of the sample type),
    # left out of every growth judgement, and the functions whose bytes are nearly all of it
    pprof_own: float = 0.0
    pprof_own_keys: frozenset[str] = frozenset()
    # GROWING verdicts of goroutines counted by a label value ("tenant=acme") or by creator ("created
    # by main.(*Spawner).run"), fastest first (tui.leaks.angles): another angle on the verdicts, apart
    angles: tuple[Verdict, ...] = ()
    # heap functions whose sampled profile rose while the exact live heap did not, or not beyond the
    # sampling noise (tui/leaks/heap_floors.py): profile drift, said in the leak report, never failing
    drift: tuple[Verdict, ...] = ()
    # GC busy because the live heap grows, or because of churn (tui.leaks.gc_pressure); None: neither
    gc: GCFinding | None = None
    # the service's own numbers on screen (tui.leaks.latency): each watched series' start, end and
    # slope over the window, and latency rising together with GC and the heap when those series show it
    service: tuple[SeriesTrend, ...] = ()
    latency: LatencyLink | None = None

    def flagged(self, kind: str | None = None) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if kind is None or v.kind == kind)
