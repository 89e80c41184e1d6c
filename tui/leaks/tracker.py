"""LeakTracker: fed every Snapshot, keeps bounded per-group / per-function / MemStats series,
the heap baseline, and returns a frozen LeakReport (verdicts, growth rows, heap diff,
reconciliation sentence). Pure Python; the poller does not depend on it.

Replays (tests, recorded series) call the observe_* methods directly; `feed(snapshot)` calls
them for whatever data in the snapshot is new (by the fetch time in `snapshot.ages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.core.bytesize import format_bytes
from tui.core.names import collapse_generics
from tui.goroutines.grouping import ReasonGroup, group_stack_counts
from tui.goroutines.match_keys import (
    GroupObservation,
    from_reason_groups,
    from_stack_counts,
)
from tui.heap.footprint import own_footprint, own_functions
from tui.heap.profile import Profile
from tui.leaks.angles import AngleSeries, observe_tree
from tui.leaks.causes import GoroutineMemory, attribute_goroutine_memory, is_goroutine_creation
from tui.leaks.floors import HEAP_FLOORS, FloorConfig
from tui.leaks.gc_pressure import GC_SERIES, NEXT_GC, TOTAL_ALLOC, gc_pressure
from tui.leaks.goroutine_side import SPARK_POINTS, GoroutineGroups
from tui.leaks.growth import (
    GOROUTINE_DEFAULTS,
    HEAP_DEFAULTS,
    VerdictConfig,
    sort_verdicts,
)
from tui.leaks.heap_baseline import (
    DEFAULT_SAMPLE_TYPE,
    Baseline,
    HeapDiff,
    function_values,
    heap_diff,
)
from tui.leaks.heap_floors import HeapFloors
from tui.leaks.latency import LatencyLink, SeriesTrend, service_findings
from tui.leaks.reconcile import (
    GOROUTINES,
    HEAP_AFTER_GC,
    HEAP_PROFILE,
    METRICS,
    reconcile,
)
from tui.leaks.report import FunctionGrowth, LeakReport
from tui.leaks.sampling import SampleNoise, function_noise
from tui.leaks.shapes import hinted, match_heap
from tui.leaks.window import TimeWindow, admit, analyse, mark
from tui.leaks.witness import LiveHeap
from tui.model import snapshot as snap

HEAP_ALLOC = "heap_alloc"  # MemStats HeapAlloc: the exact heap, witness of the profile's growth (witness.py)

MAX_FUNCTIONS = 256
FLAT_MARGIN = 1e-9


class LeakTracker:
    def __init__(
        self,
        *,
        goroutine_config: VerdictConfig = GOROUTINE_DEFAULTS,
        heap_config: VerdictConfig = HEAP_DEFAULTS,
        sample_type: str = DEFAULT_SAMPLE_TYPE,
        floor_config: FloorConfig = HEAP_FLOORS,
    ) -> None:
        self.goroutine_config = goroutine_config
        self.heap_config = heap_config  # the heap table's growth rates (verdicts: floor_config)
        self.sample_type = sample_type
        self.pprof_own = 0  # the newest heap profile's bytes (of sample_type) through pprof's serving path
        self.pprof_own_keys: frozenset[str] = frozenset()  # functions whose bytes are nearly all pprof's own
        self._goroutines = GoroutineGroups(goroutine_config)  # stack groups and their verdicts
        # the watched /metrics series' trends and the latency link (tui.leaks.latency), per new scrape
        self._service: tuple[tuple[SeriesTrend, ...], LatencyLink | None] = ((), None)
        self._service_at: float | None = None
        self._functions: dict[str, TimeWindow] = {}
        self._heap_floors = HeapFloors(floor_config)  # heap verdicts: the floor rule (floors.py)
        self._live = LiveHeap(floor_config)  # the exact heap (MemStats HeapAlloc) as their witness
        self._listing: Mapping[str, float] | None = None  # the newest function_values
        self._baseline_listing: Mapping[str, float] | None = None
        self._metrics: dict[str, TimeWindow] = {}
        self._baseline: Baseline | None = None
        self._repin_reason = "start"
        self._heap: Profile | None = None
        self._heap_at: float | None = None
        self._diff: HeapDiff | None = None
        self._diff_key: tuple[float | None, float | None] = (None, None)
        self._seen: dict[str, float] = {}
        self._restarts_seen = 0
        self._now = 0.0
        self._last_num_gc: float | None = None
        self._started: float | None = None
        self._angles = AngleSeries(goroutine_config)  # goroutines by label value and by creator

    # ---- observations ---------------------------------------------------------------
    def _keep_window(self, t: float) -> None:
        self._now = max(self._now, t)
        if self._started is None:
            self._started = t
        horizon = max(self.goroutine_config.window_minutes, self.heap_config.window_minutes) * 60.0
        cutoff = self._now - 1.5 * horizon
        self._goroutines.trim(cutoff)
        for table in (self._functions, self._metrics):
            for s in table.values():
                s.trim(cutoff)
        self._angles.trim(cutoff)
        self._heap_floors.trim(self._now)
        self._live.trim(self._now - self._heap_floors.config.keep_seconds)

    def observe_groups(self, t: float, observations: Iterable[GroupObservation], *, full: bool = True) -> None:
        """Stack groups of one dump (debug=2 tree or debug=1 counts). `full`: the dump lists every
        goroutine, so a known group that is absent now counts 0 (a drained burst)."""
        self._goroutines.observe(t, observations, full=full)
        self._keep_window(t)

    def observe_angles(self, t: float, groups: tuple[ReasonGroup, ...], *, has_creators: bool) -> None:
        """A tree's goroutines by label value (when it carries labels) and by creator (debug=2):
        tui.leaks.angles, the report's ``angles``."""
        observe_tree(self._angles, t, groups, has_creators=has_creators)
        self._keep_window(t)

    def observe_leaks(self, t: float, observations: Iterable[GroupObservation]) -> None:
        """The goroutineleak profile (every record is a proven leak)."""
        self._goroutines.observe_leaks(t, observations)

    def observe_function_values(
        self, t: float, values: Mapping[str, float], noise: Mapping[str, SampleNoise] | None = None
    ) -> None:
        """Flat inuse per function from one heap profile (absent functions are not zero-filled:
        only the biggest are listed; their floors get the listing's smallest value, heap_floors.py)."""
        room = admit(self._functions, values, MAX_FUNCTIONS)
        for key, v in values.items():
            series = self._functions.get(key)
            if series is None:
                if room is not None and key not in room:
                    continue
                series = self._functions[key] = TimeWindow()
            series.push(t, float(v))
        self._heap_floors.observe(t, values, noise)
        self._heap_floors.keep_only(self._functions)
        self._listing = values
        self._keep_window(t)

    def observe_heap_profile(self, t: float, profile: Profile) -> None:
        values = function_values(profile, self.sample_type)
        if self._baseline is None:
            self._baseline = Baseline(profile, t, self._repin_reason)
            self._baseline_listing = values
        self._heap, self._heap_at = profile, t
        self.observe_function_values(t, values, function_noise(profile, self.sample_type))

    def observe_metrics(self, t: float, values: Mapping[str, float | int | None]) -> None:
        """MemStats fields (METRICS keys), GOROUTINES, HEAP_PROFILE -> value."""
        for key, v in values.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            self._metrics.setdefault(key, TimeWindow()).push(t, float(v))
        num_gc, inuse = values.get("num_gc"), values.get("heap_inuse")
        alloc = values.get(HEAP_ALLOC)
        if isinstance(alloc, (int, float)) and not isinstance(alloc, bool):
            total = values.get(TOTAL_ALLOC)
            self._live.observe(
                t,
                float(alloc),
                float(num_gc) if isinstance(num_gc, (int, float)) else None,
                float(total) if isinstance(total, (int, float)) else None,
            )
        if isinstance(num_gc, (int, float)) and isinstance(inuse, (int, float)):
            if self._last_num_gc is not None and num_gc != self._last_num_gc:
                self._metrics.setdefault(HEAP_AFTER_GC, TimeWindow()).push(t, float(inuse))
            self._last_num_gc = num_gc
        self._keep_window(t)

    def set_sample_type(self, sample_type: str) -> None:
        """Diff and per-function series for another sample type (e.g. alloc_space); series restart."""
        if sample_type != self.sample_type:
            self.sample_type = sample_type
            self._functions.clear()
            self._heap_floors.clear()
            self._listing = self._baseline_listing = None
            self._diff, self._diff_key = None, (None, None)

    def pin_baseline(self, reason: str = "pinned by user") -> None:
        """Pin the newest heap profile as the baseline (or the next one if none yet)."""
        if self._heap is not None and self._heap_at is not None:
            self._baseline = Baseline(self._heap, self._heap_at, reason)
            self._baseline_listing = self._listing
        else:
            self._baseline, self._repin_reason = None, reason

    def restart(self, reason: str = "target restarted") -> None:
        """The target restarted: series start over and the next heap profile is the baseline."""
        self._goroutines.clear()
        self._functions.clear()
        self._heap_floors.clear()
        self._listing = self._baseline_listing = None
        self._metrics.clear()
        self._live.clear()
        self._last_num_gc = None
        self._started = None
        self._angles.clear()
        self._baseline, self._repin_reason = None, reason
        self._heap = self._heap_at = None
        self._diff, self._diff_key = None, (None, None)

    # ---- snapshots --------------------------------------------------------------------
    def _fresh(self, s: snap.Snapshot, kind: str) -> float | None:
        at = s.age(kind).fetched_at
        if at is None or self._seen.get(kind) == at:
            return None
        self._seen[kind] = at
        return at

    def feed(self, s: snap.Snapshot) -> LeakReport:
        """Take whatever is new in a Snapshot and return the report for it."""
        if len(s.restarts) < self._restarts_seen:
            self._restarts_seen = 0  # a new poller
        if len(s.restarts) > self._restarts_seen:
            self._restarts_seen = len(s.restarts)
            self.restart(f"target restarted ({s.restarts[-1].reason})")
        if (at := self._fresh(s, snap.GOROUTINE_COUNT)) is not None and s.goroutine_total is not None:
            self.observe_metrics(at, {GOROUTINES: s.goroutine_total})
        if (at := self._fresh(s, snap.MEMSTATS)) is not None and s.memstats is not None:
            keys = (*(key for key, _, _ in METRICS), TOTAL_ALLOC, NEXT_GC, HEAP_ALLOC)  # gc_pressure, the witness
            self.observe_metrics(at, {key: getattr(s.memstats, key, None) for key in keys})
        if (at := self._fresh(s, snap.HEAP)) is not None and s.heap is not None:
            inuse = s.heap_totals.get(self.sample_type)
            if inuse is not None:
                # what the service holds: our polling's own footprint comes and goes with the polls
                self.pprof_own = own_footprint(s.heap, self.sample_type)
                self.pprof_own_keys = own_functions(s.heap, self.sample_type) if self.pprof_own else frozenset()
                self.observe_metrics(at, {HEAP_PROFILE: inuse - self.pprof_own})
            self.observe_heap_profile(at, s.heap)
        if (at := self._fresh(s, snap.GOROUTINE_TREE)) is not None and s.goroutine_groups:
            self.observe_groups(at, from_reason_groups(s.goroutine_groups))
            self.observe_angles(at, s.goroutine_groups, has_creators=True)
        if (at := self._fresh(s, snap.GOROUTINE_STACKS)) is not None and s.goroutine_stacks is not None:
            self.observe_groups(at, from_stack_counts(s.goroutine_stacks))
            self.observe_angles(at, group_stack_counts(s.goroutine_stacks), has_creators=False)
        if (at := self._fresh(s, snap.GOROUTINE_LEAKS)) is not None and s.goroutine_leaks is not None:
            self.observe_leaks(at, from_stack_counts(s.goroutine_leaks))
        if s.metrics is not None and s.history is not None and s.metrics.scraped_at != self._service_at:
            self._service_at = s.metrics.scraped_at
            self._service = service_findings(s.history, s.metrics.watched)
        return self.report(s.time)

    # ---- report -------------------------------------------------------------------------
    def _heap_diff(self) -> HeapDiff | None:
        key = (self._baseline.pinned_at if self._baseline else None, self._heap_at)
        if key != self._diff_key:
            self._diff_key = key
            self._diff = None
            if self._baseline is not None and self._heap is not None and self._heap_at is not None:
                self._diff = heap_diff(
                    self._heap, self._baseline, current_at=self._heap_at, sample_type=self.sample_type
                )
        return self._diff

    def _goroutine_memory(self) -> GoroutineMemory | None:
        goroutines, stacks = self._metrics.get(GOROUTINES), self._metrics.get("stack_inuse")
        if goroutines is None or len(goroutines) == 0:
            return None
        creation = sum(
            s.last_value()
            for k, s in self._functions.items()
            if len(s) and (is_goroutine_creation(k) or self._heap_floors.is_creation(k))
        )
        stack_inuse = stacks.last_value() if stacks is not None and len(stacks) else None
        return GoroutineMemory(goroutines.last_value(), stack_inuse, creation)

    def report(self, now: float | None = None) -> LeakReport:
        now = self._now if now is None else now
        group_verdicts, context = self._goroutines.verdicts(now)
        groups = self._goroutines.rows(group_verdicts)
        functions, heap_verdicts = [], []
        floor_verdicts = self._heap_floors.verdicts(self._heap, self.sample_type, live=self._live)  # the heap rule
        for key, series in self._functions.items():
            pts = series.points
            rate = series.cached(key, lambda p: analyse(key, key, p, self.heap_config, "bytes", format_bytes))[0]  # noqa: B023
            v = floor_verdicts.get(key)
            if v is not None:
                heap_verdicts.append(v)
                rate = v.rate_per_min
            current = pts[-1][1] if pts else 0.0
            functions.append(
                FunctionGrowth(
                    key,
                    current,
                    rate,
                    mark(rate, current),
                    tuple(val for _, val in pts[-SPARK_POINTS:]),
                    v is not None,
                )
            )
        functions.sort(key=lambda f: (-(f.rate_per_min or 0.0), -f.current, f.key))
        # heap growth in goroutine creation is the growing goroutine groups' cost, not a cause of its own
        group_verdicts, heap_verdicts, runtime_context = attribute_goroutine_memory(
            group_verdicts,
            heap_verdicts,
            self._goroutine_memory(),
            self._goroutines.functions(group_verdicts),
        )
        group_verdicts = {k: self._goroutines.with_shape(v) for k, v in group_verdicts.items()}
        heap_verdicts = [
            hinted(v, match_heap(stack), stack, collapse_generics)
            for v in heap_verdicts
            for stack in (self._heap_floors.stack_of(v.key),)
        ]
        hdiff = self._heap_diff()
        # growth by FLOORS since the baseline: a baseline pinned mid-jump (a doubling slice's two
        # arrays) or on a sawtooth's peak does not turn growth into a drop (pprof -base stays in hdiff)
        growers = self._heap_floors.growth_since(
            self._baseline.pinned_at if self._baseline else None, self._baseline_listing
        )
        recon = reconcile(
            {k: tuple(s.points) for k, s in self._metrics.items()},
            [(self._heap_floors.label(k), d) for k, d in growers],
            function_growing=bool(heap_verdicts),
        )
        return LeakReport(
            time=now,
            verdicts=sort_verdicts([*group_verdicts.values(), *heap_verdicts]),
            groups=tuple(groups),
            functions=tuple(functions),
            heap_diff=hdiff,
            baseline_at=self._baseline.pinned_at if self._baseline else None,
            baseline_reason=self._baseline.reason if self._baseline else self._repin_reason,
            reconciliation=recon,
            leak_profile_at=self._goroutines.leaks_at,
            watch_started=self._started,
            context=sort_verdicts([*context.values(), *runtime_context]),
            drift=sort_verdicts(self._heap_floors.drift.values()),
            floor_growth=growers,
            pprof_own=float(self.pprof_own),
            pprof_own_keys=self.pprof_own_keys,
            angles=self._angles.verdicts(),
            gc=gc_pressure({k: self._metrics[k].points for k in GC_SERIES if k in self._metrics}),
            service=self._service[0],
            latency=self._service[1],
        )
