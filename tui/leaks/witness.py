"""The exact heap as a witness for what the sampled heap profile says (pure, stdlib only).

MemStats are exact: `HeapAlloc` is the bytes of every heap object not yet freed. Between two GC
cycles it also holds the garbage allocated since the last one, so it is judged on its FLOOR (the
lowest value at or after a time: what the heap never went back below), the same way the profile's
functions are (tui/leaks/floors.py). A function's growth in the profile is a verdict only when the
process's own live heap rose by a comparable amount over the same window; otherwise the profile
drifted (a sample wandering, tui/leaks/sampling.py) or showed late what was allocated earlier.

The profile lags: it shows the heap as of a completed GC cycle, and "may be up to two garbage
collection cycles old" (runtime/pprof). An idle service collects rarely (a forced GC every two
minutes), so buffers allocated in the first seconds can surface in the profile a minute or more
later. Times on the profile's clock are mapped back to the exact heap's with the GC cycles seen in
MemStats (`NumGC` changes between polls): a profile read at t shows the heap as of the second
newest GC before t (`as_of`).

`judge(rise, ...)` compares, over the window of a floor rise (its start a, the start m of its later
part and its settled end b, each mapped with `as_of`; m is the profile's last step less the longer of
3 minutes and its last wait between steps, so a staircase's long flat stretches stay in):
  total = exact floor at b' - exact floor at a'   the live heap rose by as much as the profile says
  late  = exact floor at b' - exact floor at m'   ... and kept rising in the later part: growth that
                                                  happened in one step early and then stayed flat (a
                                                  cache that filled, the first connections' buffers)
                                                  is not a leak, however late the profile shows it.
`confirms` when total >= max(half the profile's rise less its noise, MIN_TOTAL) and late >= max(half
the profile's late rise less half its noise, MIN_LATE). The noise allowance keeps leaks of small objects
(below the sampling rate, where the profile moves in 512 kB steps) judged on the exact total, the
stronger signal there.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass

from tui.core.limits import MiB
from tui.leaks.floors import HEAP_FLOORS, FloorConfig, FloorRise, FloorSeries, suffix_minima

MIN_TOTAL = 1.0 * MiB  # the live heap must have risen at least this much over the window ...
MIN_LATE = 0.25 * MiB  # ... and this much in its later part
# ... in steps spread over at least this long: the buffers of the first connections, opened in a few
# seconds, are one burst however many GC cycles the profile takes to show them (repeated growth is not)
MIN_STEP_SPAN = 60.0
LATE_RATE_SHARE = 0.25  # the later part's rate, at least this share of the whole window's
ALLOC_POINTS = 150  # TotalAlloc points for the allocation rate (5 minutes at one poll per 2 s)
MAX_GCS = 4096  # GC cycles remembered (an hour of a busy service's GCs at one poll per 2 s is ~1,800)


@dataclass(frozen=True, slots=True)
class Witness:
    """What the exact live heap says about one floor rise of the profile."""

    total: float  # the live heap's floor rise over the window (bytes)
    late: float  # ... over its later part
    need_total: float
    need_late: float
    step_span: float = math.inf  # seconds the exact floor took from 10 % to 90 % of its rise in the window
    window: float = math.inf  # seconds of the window on the exact heap's clock
    late_window: float = math.inf  # ... and of its later part
    still: bool = True  # the live heap's floor still steps up at its own pace at the window's end (`stepping`)

    @property
    def keeps_pace(self) -> bool:
        """The later part grows at a LATE_RATE_SHARE of the whole window's rate at least: a leak keeps
        its pace, a cache that filled (or a burst at start-up) slows to nothing."""
        if self.window <= 0 or self.late_window <= 0 or self.total <= 0:
            return False
        return self.late / self.late_window >= LATE_RATE_SHARE * self.total / self.window

    @property
    def spread(self) -> bool:
        """Repeated growth, not one burst: spread over MIN_STEP_SPAN, or half a shorter window."""
        return self.step_span >= min(MIN_STEP_SPAN, 0.5 * self.window)

    @property
    def confirms(self) -> bool:
        return (
            self.total >= self.need_total
            and self.late >= self.need_late
            and self.spread
            and self.keeps_pace
            and self.still
        )

    def sentence(self, fmt: object) -> str:
        show = fmt if callable(fmt) else str
        word = "rose" if self.total >= 0 else "fell"
        tail = "" if self.confirms else " (not comparable: profile drift or growth shown late)"
        return (
            f"the live heap (HeapAlloc floor) {word} {show(abs(self.total))}, {show(self.late)} in the later part{tail}"
        )


class LiveHeap:
    """HeapAlloc's floor series and the GC cycles seen (the times NumGC changed between polls)."""

    __slots__ = ("_allocs", "_gc_times", "_last_num_gc", "config", "series")

    def __init__(self, config: FloorConfig = HEAP_FLOORS) -> None:
        self.config = config
        self.series = FloorSeries(config)
        self._gc_times: deque[float] = deque(maxlen=MAX_GCS)
        self._last_num_gc: float | None = None
        self._allocs: deque[tuple[float, float]] = deque(maxlen=ALLOC_POINTS)  # (t, TotalAlloc)

    def __len__(self) -> int:
        return len(self.series)

    def clear(self) -> None:
        self.series = FloorSeries(self.config)
        self._gc_times.clear()
        self._last_num_gc = None
        self._allocs.clear()

    def observe(
        self, t: float, heap_alloc: float | None, num_gc: float | None, total_alloc: float | None = None
    ) -> None:
        if heap_alloc is not None and math.isfinite(heap_alloc) and heap_alloc >= 0:
            self.series.push(t, float(heap_alloc))
            if total_alloc is not None and math.isfinite(total_alloc):
                if not self._allocs or (t > self._allocs[-1][0] and total_alloc >= self._allocs[-1][1]):
                    self._allocs.append((t, float(total_alloc)))
        if num_gc is not None and math.isfinite(num_gc):
            if self._last_num_gc is not None and num_gc != self._last_num_gc:
                if not self._gc_times or t > self._gc_times[-1]:
                    self._gc_times.append(t)
            self._last_num_gc = num_gc

    def trim(self, before: float) -> None:
        self.series.trim(before)
        while self._gc_times and self._gc_times[0] < before:
            self._gc_times.popleft()

    def noise(self, since: float | None = None) -> float:
        """How far HeapAlloc's floor since `since` can sit above the live heap: the garbage allocated
        between a GC and the next poll (the allocation rate, from TotalAlloc, times the typical gap
        between polls), less as more GC cycles fall in that stretch (the floor takes the lowest)."""
        if len(self._allocs) < 3:
            return 0.0
        (t0, a0), (t1, a1) = self._allocs[0], self._allocs[-1]
        gaps = sorted(b[0] - a[0] for a, b in zip(self._allocs, list(self._allocs)[1:]))
        per_poll = (a1 - a0) / (t1 - t0) * gaps[len(gaps) // 2] if t1 > t0 else 0.0
        cycles = 0 if since is None else len(self._gc_times) - bisect_right(self._gc_times, since)
        return per_poll / (1 + cycles)

    def as_of(self, t: float, cycles: int = 2) -> float:
        """The exact heap's time a profile read at t shows: the `cycles`-th newest GC seen at or before
        t (the first observation when fewer were seen). The profile lags one to two cycles."""
        times = self._gc_times
        i = bisect_right(times, t)
        if i >= cycles:
            return times[i - cycles]
        ts = self.series.columns()[0]
        return ts[0] if len(ts) else t

    def floor_at(self, t: float) -> float | None:
        return self.series.lowest_since(t)

    def judge(
        self, rise: FloorRise, noise: float | None, late: tuple[float, float, float], late_noise: float | None
    ) -> Witness | None:
        """The exact heap on `rise`'s window, and on its later part `late` = (start, the profile's floor
        rise over it, ...end is rise.settled); None when MemStats do not cover the window (then the
        profile must stand on its own, with a stricter noise bound: tui/leaks/heap_floors.py)."""
        if len(self.series) < 2:
            return None
        ts = self.series.columns()[0]
        if ts[-1] < rise.settled - self.config.settle_seconds or ts[0] > rise.start + 2 * self.config.bucket_seconds:
            return None  # MemStats began after the window did, or stopped
        late_start, late_rise, _ = late
        best: Witness | None = None
        for cycles in (1, 2):  # the lag is one or two GC cycles: the reading that fits better
            a, m, b = (self.as_of(x, cycles) for x in (rise.start, late_start, rise.settled))
            garbage = self.noise(b)  # the end floor's own uncertainty: a rise must be bigger than it
            need_total = max(0.5 * rise.rise - (noise or 0.0), MIN_TOTAL, garbage)
            need_late = max(0.5 * late_rise - 0.5 * (late_noise or 0.0), MIN_LATE, garbage)
            f_a, f_m, f_b = self.floor_at(a), self.floor_at(min(m, b)), self.floor_at(b)
            if f_a is None or f_m is None or f_b is None:
                continue
            still = self.stepping(a, b, max(MIN_LATE, garbage))
            w = Witness(f_b - f_a, f_b - f_m, need_total, need_late, self._step_span(a, b), b - a, b - min(m, b), still)
            if best is None or (w.confirms, w.total + w.late) > (best.confirms, best.total + best.late):
                best = w
        return best

    def still_rising(self, start: float, end: float) -> bool:
        """Whether the live heap's floor rose over [start, end] (the profile's clock) by more than MIN_LATE
        and its own noise: what keeps a heap verdict standing while the profile, moving in sampling
        steps of ~512 kB, pauses on a leak of small objects."""
        if len(self.series) < 2:
            return False
        a, b = self.as_of(start, 1), self.as_of(end, 1)
        f_a, f_b = self.floor_at(a), self.floor_at(b)
        return f_a is not None and f_b is not None and f_b - f_a >= max(MIN_LATE, self.noise(b))

    def stepping(self, a: float, b: float, step: float) -> bool:
        """Whether the live heap's floor still steps up at b, at its own pace: steps of at least `step`
        bytes in [a, b], the last no longer before b than max(3 x the longest wait between two of them,
        120 s), the floor rule's condition 3 on the exact heap. A doubling slice waits twice as long
        before each jump and stays named; a cache that filled stops stepping and is cleared."""
        ts, lows, _ = self.series.columns()
        floor = suffix_minima(lows)
        steps: list[float] = []
        level: float | None = None
        for t, f in zip(ts, floor):
            if t < a or t > b:
                continue
            if level is None:
                level = f
            elif f - level >= step:
                steps.append(t)
                level = f
        if not steps:
            return False
        waits = [y - x for x, y in zip(steps, steps[1:])]
        allowed = max(3.0 * max(waits, default=0.0), 120.0)
        return b - steps[-1] <= allowed

    def _step_span(self, a: float, b: float) -> float:
        """Seconds the exact floor took to rise from 10 % to 90 % of its rise over [a, b] (the bulk of
        the growth: a burst of start-up buffers is seconds, a leak is most of the window)."""
        ts, lows, _ = self.series.columns()
        floor = suffix_minima(lows)
        inside = [(t, f) for t, f in zip(ts, floor) if a <= t <= b]
        if len(inside) < 2 or inside[-1][1] <= inside[0][1]:
            return 0.0
        base, top = inside[0][1], inside[-1][1]
        t10 = next(t for t, f in inside if f >= base + 0.1 * (top - base))
        t90 = next(t for t, f in inside if f >= base + 0.9 * (top - base))
        return t90 - t10
