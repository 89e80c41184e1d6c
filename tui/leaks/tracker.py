"""LeakTracker: fed every Snapshot, keeps bounded per-group / per-function / MemStats series,
the heap baseline, and returns a frozen LeakReport (verdicts, growth rows, heap diff,
reconciliation sentence). Pure Python; the poller does not depend on it.

Replays (tests, recorded series) call the observe_* methods directly; `feed(snapshot)` calls
them for whatever data in the snapshot is new (by the fetch time in `snapshot.ages`).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from tui.core.bytesize import format_bytes
from tui.goroutines.grouping import ReasonGroup, group_stack_counts
from tui.goroutines.match_keys import (
    GroupObservation,
    from_reason_groups,
    from_stack_counts,
    match_key,
)
from tui.heap.footprint import own_footprint, own_functions
from tui.heap.profile import Profile
from tui.leaks.angles import AngleSeries, observe_tree
from tui.leaks.arrivals import Arrivals, alarm_reason
from tui.leaks.causes import GoroutineMemory, attribute_goroutine_memory, is_goroutine_creation
from tui.leaks.floors import HEAP_FLOORS, FloorConfig
from tui.leaks.gc_pressure import GC_SERIES, NEXT_GC, TOTAL_ALLOC, gc_pressure
from tui.leaks.go_names import short_name
from tui.leaks.growth import (
    GOROUTINE_DEFAULTS,
    GROWING,
    HEAP_DEFAULTS,
    LEAKED,
    Verdict,
    VerdictConfig,
    growing_verdict,
    growth_rate,
    leaked_verdict,
    may_be_growing,
    sort_verdicts,
    stuck_verdict,
    trend,
)
from tui.leaks.heap_baseline import (
    DEFAULT_SAMPLE_TYPE,
    Baseline,
    HeapDiff,
    function_values,
    heap_diff,
)
from tui.leaks.heap_floors import HeapFloors
from tui.leaks.reconcile import (
    GOROUTINES,
    HEAP_AFTER_GC,
    HEAP_PROFILE,
    METRICS,
    reconcile,
)
from tui.leaks.report import FunctionGrowth, GroupGrowth, LeakReport
from tui.leaks.sampling import SampleNoise, function_noise
from tui.leaks.shapes import hinted, match_group, match_heap
from tui.leaks.window import MAX_POINTS, Analysis, TimeWindow
from tui.leaks.witness import LiveHeap
from tui.model import snapshot as snap

HEAP_ALLOC = "heap_alloc"  # MemStats HeapAlloc: the exact heap, witness of the profile's growth (witness.py)

# One debug=2 observation of a group's ages: (time, count, min minutes, max minutes).
AgeRow = tuple[float, int, int | None, int | None]

MAX_GROUPS = 512
NO_FRAMES_KEY = match_key(())  # a goroutineleak record without a single frame (Go gave no stack)
MAX_FUNCTIONS = 256
SPARK_POINTS = 30
FLAT_MARGIN = 1e-9


def _mark(rate: float | None, level: float) -> str:
    if rate is None:
        return ""
    tol = max(1.0, 0.005 * abs(level))
    return "↑" if rate > tol else ("↓" if rate < -tol else "→")


def _analyse(
    key: str,
    label: str,
    points: list[tuple[float, float]],
    config: VerdictConfig,
    unit: str,
    fmt: Callable[[float], str] | None = None,
) -> Analysis:
    """(rate per minute for the UI, GROWING verdict or None) of one series."""
    tr = trend(points, window_minutes=config.window_minutes, robust=False)  # O(n) first
    if may_be_growing(tr, config):
        tr = trend(points, window_minutes=config.window_minutes)
        assert tr is not None
        return growth_rate(tr), growing_verdict(key, label, points, config, unit=unit, fmt=fmt, precomputed=tr)
    return (None if tr is None else tr.ls_slope), None


def _verdict_label(label: str, reason: str) -> str:
    return f"{label} [{reason}]" if reason and reason != "unknown" else label


def _with_alarm_reason(v: Verdict, arrival: str | None) -> tuple[Verdict, bool]:
    """The verdict with why it is an alarm (arrivals.alarm_reason) or why it is context only."""
    why = alarm_reason(arrival, v.current)
    if why is not None:
        return replace(v, evidence=f"{v.evidence}; {why}"), True
    return replace(v, evidence=f"{v.evidence}; there since before the watch began: context, not an alarm"), False


HOLD_SECONDS = 180.0  # a growing verdict stands while its group rose this recently (and never fell below ...)


def _held(
    v: Verdict | None, fired: tuple[float, float] | None, points: list[tuple[float, float]], now: float
) -> Verdict | None:
    """A GROWING goroutine verdict that fired stands while the group keeps growing: its count never fell
    below the level it fired at, and it rose within HOLD_SECONDS (or 3x the longest gap between two
    polls of it: dumps of a big target are rare). So a leak does not flap when the trend's conditions
    (its window, the share of rises) miss one poll; a drained burst or a pool at its size clears it."""
    if v is not None or fired is None or len(points) < 2:
        return v
    since, level = fired
    if points[-1][1] < level:
        return None
    last_rise = max((b[0] for a, b in zip(points, points[1:]) if b[1] > a[1]), default=None)
    gaps = max((b[0] - a[0] for a, b in zip(points, points[1:])), default=0.0)
    if last_rise is None or now - last_rise > max(HOLD_SECONDS, 3.0 * gaps):
        return None
    start = next(((t, c) for t, c in points if t >= since), points[0])
    minutes = max((points[-1][0] - start[0]) / 60.0, 1e-9)
    rate = max(0.0, (points[-1][1] - start[1]) / minutes)
    evidence = f"{start[1]:,.0f} → {points[-1][1]:,.0f} since the verdict fired ({minutes:.1f} min), still rising"
    return Verdict(GROWING, "", "", rate, points[-1][1], since, evidence, "goroutines")


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
        self._groups: dict[str, TimeWindow] = {}
        self._group_info: dict[str, GroupObservation] = {}
        self._ages: dict[str, deque[AgeRow]] = {}
        self._functions: dict[str, TimeWindow] = {}
        self._heap_floors = HeapFloors(floor_config)  # heap verdicts: the floor rule (floors.py)
        self._live = LiveHeap(floor_config)  # the exact heap (MemStats HeapAlloc) as their witness
        self._listing: Mapping[str, float] | None = None  # the newest function_values
        self._baseline_listing: Mapping[str, float] | None = None
        self._metrics: dict[str, TimeWindow] = {}
        self._leaks: tuple[GroupObservation, ...] = ()
        self._leaks_at: float | None = None
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
        self._arrivals = Arrivals()  # goroutine groups of the dumps
        self._leak_arrivals = Arrivals()  # records of the goroutineleak profile
        self._angles = AngleSeries(goroutine_config)  # goroutines by label value and by creator
        self._fired: dict[str, tuple[float, float]] = {}  # group -> (time, count) its GROWING verdict fired at
        self._proven: dict[str, tuple[str, float]] = {}  # group -> (source, time) Go proved it leaked

    # ---- observations ---------------------------------------------------------------
    def _keep_window(self, t: float) -> None:
        self._now = max(self._now, t)
        if self._started is None:
            self._started = t
        horizon = max(self.goroutine_config.window_minutes, self.heap_config.window_minutes) * 60.0
        cutoff = self._now - 1.5 * horizon
        for table in (self._groups, self._functions, self._metrics):
            for s in table.values():
                s.trim(cutoff)
        self._angles.trim(cutoff)
        self._heap_floors.trim(self._now)
        self._live.trim(self._now - self._heap_floors.config.keep_seconds)

    def observe_groups(self, t: float, observations: Iterable[GroupObservation], *, full: bool = True) -> None:
        """Stack groups of one dump (debug=2 tree or debug=1 counts). `full`: the dump lists every
        goroutine, so a known group that is absent now counts 0 (a drained burst)."""
        obs = {o.key: o for o in observations}
        self._arrivals.observe(t, obs.values())
        admit = self._admit(
            self._groups, {k: o.count for k, o in obs.items()}, MAX_GROUPS, self._group_info, self._ages
        )
        for key, o in obs.items():
            series = self._groups.get(key)
            if series is None:
                if admit is not None and key not in admit:
                    continue
                series = self._groups[key] = TimeWindow()
            series.push(t, float(o.count))
            old = self._group_info.get(key)
            if old is not None and o.min_minutes is None and not o.tree_keys:
                o = GroupObservation(
                    key,
                    old.reason if o.reason == "unknown" else o.reason,
                    o.count,
                    old.min_minutes,
                    old.max_minutes,
                    o.leaked,
                    o.label or old.label,
                    old.tree_keys,
                    o.functions or old.functions,
                )
            self._group_info[key] = o
            if o.min_minutes is not None:
                self._ages.setdefault(key, deque(maxlen=MAX_POINTS)).append((t, o.count, o.min_minutes, o.max_minutes))
        if full:
            for key, series in list(self._groups.items()):
                if key in obs:
                    continue
                series.push(t, 0.0)
                self._ages.pop(key, None)
                if series.all_zero():
                    del self._groups[key]
                    self._group_info.pop(key, None)
        self._arrivals.retain(self._groups)
        self._keep_window(t)

    def observe_angles(self, t: float, groups: tuple[ReasonGroup, ...], *, has_creators: bool) -> None:
        """A tree's goroutines by label value (when it carries labels) and by creator (debug=2):
        tui.leaks.angles, the report's ``angles``."""
        observe_tree(self._angles, t, groups, has_creators=has_creators)
        self._keep_window(t)

    def observe_leaks(self, t: float, observations: Iterable[GroupObservation]) -> None:
        """The goroutineleak profile (every record is a proven leak)."""
        self._leaks = tuple(observations)
        self._leaks_at = t
        self._leak_arrivals.observe(t, self._leaks)
        self._leak_arrivals.retain(o.key for o in self._leaks)

    def observe_function_values(
        self, t: float, values: Mapping[str, float], noise: Mapping[str, SampleNoise] | None = None
    ) -> None:
        """Flat inuse per function from one heap profile (absent functions are not zero-filled:
        only the biggest are listed; their floors get the listing's smallest value, heap_floors.py)."""
        admit = self._admit(self._functions, values, MAX_FUNCTIONS)
        for key, v in values.items():
            series = self._functions.get(key)
            if series is None:
                if admit is not None and key not in admit:
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
        self._groups.clear()
        self._group_info.clear()
        self._ages.clear()
        self._functions.clear()
        self._heap_floors.clear()
        self._listing = self._baseline_listing = None
        self._metrics.clear()
        self._live.clear()
        self._last_num_gc = None
        self._leaks, self._leaks_at = (), None
        self._started = None
        self._arrivals.clear()
        self._leak_arrivals.clear()
        self._angles.clear()
        self._fired.clear()
        self._proven.clear()
        self._baseline, self._repin_reason = None, reason
        self._heap = self._heap_at = None
        self._diff, self._diff_key = None, (None, None)

    @staticmethod
    def _admit(
        table: dict[str, TimeWindow],
        sizes: Mapping[str, float],
        limit: int,
        *others: dict[str, GroupObservation] | dict[str, deque[AgeRow]],
    ) -> set[str] | None:
        """Room for the new keys of one observation: None when all fit; else the biggest new keys that
        fit, after the series seen longest ago (and absent now) were evicted — once per observation, not a
        scan of the table per new key (3,000 new stacks a dump made that quadratic)."""
        new = [k for k in sizes if k not in table]
        if len(table) + len(new) <= limit:
            return None
        new.sort(key=lambda k: -abs(sizes[k]))
        admitted = set(new[:limit])
        excess = len(table) + len(admitted) - limit
        absent = [k for k in table if k not in sizes]
        for key in heapq.nsmallest(excess, absent, key=lambda k: table[k].last_t):
            del table[key]
            for other in others:
                other.pop(key, None)
        room = limit - len(table)
        return admitted if room >= len(admitted) else set(new[: max(room, 0)])

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
        return self.report(s.time)

    # ---- report -------------------------------------------------------------------------
    def _group_verdicts(self, now: float) -> tuple[dict[str, Verdict], dict[str, Verdict]]:
        """(verdicts, context): context holds the waiting patterns that are no alarm (arrivals.py)."""
        cfg = self.goroutine_config
        out: dict[str, Verdict] = {}
        context: dict[str, Verdict] = {}
        for key, series in self._groups.items():
            info = self._group_info.get(key)
            label = _verdict_label(info.label, info.reason) if info else key
            v = series.cached(label, lambda pts: _analyse(key, label, pts, cfg, "goroutines"))[1]  # noqa: B023 (called at once)
            if v is not None:
                self._fired.setdefault(key, (v.since, v.current))
            else:
                held = _held(None, self._fired.get(key), series.points, now)
                if held is None:
                    self._fired.pop(key, None)
                else:
                    v = replace(held, key=key, label=label)
            if v is None and info is not None and key in self._ages:
                v = stuck_verdict(key, label, info.reason, self._ages[key], cfg, now=now)
                if v is not None:
                    v, is_alarm = _with_alarm_reason(v, self._arrivals.arrival(key, now))
                    if not is_alarm:
                        context[key], v = v, None
            if v is not None:
                out[key] = v
        leaked: dict[str, tuple[int, GroupObservation, str, float]] = {}
        if self._leaks_at is not None:
            for o in self._leaks:
                if o.count > 0:
                    leaked[o.key] = (o.count, o, "goroutineleak profile", self._leaks_at)
        for key, info in self._group_info.items():
            if info.leaked and key not in leaked and info.count > 0 and self._groups.get(key):
                leaked[key] = (info.count, info, "marked (leaked) in the goroutine dump", self._groups[key].last_t)
        # proven once, proven while the group lives: a dump that does not mark it, or a leak profile
        # that has not been read again yet, does not clear the proof (the verdict would flap)
        for key, (_, _, source, at) in leaked.items():
            self._proven[key] = (source, at)
        for key, (source, at) in list(self._proven.items()):
            info, alive = self._group_info.get(key), self._groups.get(key)
            if info is None or alive is None or alive.last_value() <= 0:
                del self._proven[key]
            elif key not in leaked:
                leaked[key] = (int(alive.last_value()), info, source, at)
        for key, (count, o, source, at) in leaked.items():
            info = self._group_info.get(key, o)
            reason = info.reason if info.reason != "unknown" else o.reason
            v = leaked_verdict(key, _verdict_label(info.label or o.label, reason), count, at, source=source)
            grow = out.get(key)
            if grow is not None and grow.kind != LEAKED:
                v = Verdict(
                    LEAKED,
                    key,
                    v.label,
                    grow.rate_per_min,
                    v.current,
                    v.since,
                    f"{v.evidence}; also {grow.kind}: {grow.evidence}",
                    v.unit,
                )
            if key == NO_FRAMES_KEY and v.rate_per_min <= 0:
                # no stack to name: only worth a line when it moves or piles up
                arrival = self._leak_arrivals.arrival(key, now) or self._arrivals.arrival(key, now)
                v, is_alarm = _with_alarm_reason(v, arrival)
                if not is_alarm:
                    context[key] = v
                    continue
            out[key] = v
            context.pop(key, None)
        return out, context

    def _with_shape(self, v: Verdict) -> Verdict:
        info = self._group_info.get(v.key)
        if info is None:
            return v
        return hinted(v, match_group(info.reason, info.functions, info.max_minutes), info.functions, short_name)

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
        group_verdicts, context = self._group_verdicts(now)
        groups = []
        for key, series in self._groups.items():
            info = self._group_info.get(key)
            pts = series.points
            glabel = _verdict_label(info.label, info.reason) if info else key
            rate = series.cached(glabel, lambda p: _analyse(key, glabel, p, self.goroutine_config, "goroutines"))[0]  # noqa: B023
            count = int(pts[-1][1]) if pts else 0
            verdict = group_verdicts.get(key)
            groups.append(
                GroupGrowth(
                    key=key,
                    label=info.label if info else key,
                    reason=info.reason if info else "",
                    count=count,
                    rate_per_min=rate,
                    mark=_mark(rate, count),
                    spark=tuple(v for _, v in pts[-SPARK_POINTS:]),
                    oldest_minutes=info.max_minutes if info else None,
                    tree_keys=info.tree_keys if info else (),
                    verdict=verdict.kind if verdict else "",
                )
            )
        groups.sort(key=lambda g: (-(g.rate_per_min or 0.0), -g.count, g.key))
        functions, heap_verdicts = [], []
        floor_verdicts = self._heap_floors.verdicts(self._heap, self.sample_type, live=self._live)  # the heap rule
        for key, series in self._functions.items():
            pts = series.points
            rate = series.cached(key, lambda p: _analyse(key, key, p, self.heap_config, "bytes", format_bytes))[0]  # noqa: B023
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
                    _mark(rate, current),
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
            {k: info.functions for k, info in self._group_info.items() if k in group_verdicts},
        )
        group_verdicts = {k: self._with_shape(v) for k, v in group_verdicts.items()}
        heap_verdicts = [
            hinted(v, match_heap(stack), stack, short_name)
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
            leak_profile_at=self._leaks_at,
            watch_started=self._started,
            context=sort_verdicts([*context.values(), *runtime_context]),
            drift=sort_verdicts(self._heap_floors.drift.values()),
            floor_growth=growers,
            pprof_own=float(self.pprof_own),
            pprof_own_keys=self.pprof_own_keys,
            angles=self._angles.verdicts(),
            gc=gc_pressure({k: self._metrics[k].points for k in GC_SERIES if k in self._metrics}),
        )
