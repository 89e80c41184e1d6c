"""Heap growth judged on the FLOOR of a series (pure, stdlib only).

The floor of a series at time t is the lowest value at or after t (a running minimum from the
right): the level the heap never went back below. Heap leaks are judged on it, not on a trend
of the raw values, because leaks do not look like lines in a heap profile:

- a slice that doubles when full grows as a staircase: flat for minutes, then a jump (and, for
  one GC cycle, both the old and the new backing array are live: a spike above the new level);
- a leak of small objects moves the profile only in ~512 kB sampling steps, minutes apart;
- a batch that fills and is flushed (a sawtooth) rises most of the time yet keeps returning to
  where it started: its floor is flat;
- memory allocated once (a buffer, a table sized at start-up) is one step, then flat.

The rule (`FloorConfig`), for each horizon H (3, 10, 30, 60 minutes) on the window [a, now] of
the last min(H, kept history) minutes, at least `min_span_minutes` (1.25) long:

    b    = now - settle_seconds (45 s)   the end floor must have held since b
    F0   = floor(a)                  the lowest value in the window
    Fe   = floor(b)                  the lowest value since b
    rise = Fe - F0
    steps: the times in [a, b] where the floor stepped up (at the 10 s resolution of the buckets)

GROWING on that horizon when all of:
  1. big enough: rise >= max(min_rise, relative_rise * Fe, min_rate_per_min * (b - a) in minutes);
  2. not one step: at least two steps, none carrying more than max_step_share of the rise
     (a buffer allocated once, a table sized at start-up);
  3. still rising: b - (last step) <= max(pause_ratio * (longest wait between two steps),
     min_pause_seconds). A doubling slice waits twice as long before each jump (ratio 2); a
     slow leak's sampling steps come at random (exponential waits); Go forces a GC, the only time
     the profile changes, only every 2 minutes;
  4. never fell back: the series did not reach Fe before and then drop by fallback_share of the
     rise (anywhere in the kept hour). A sawtooth keeps returning to where it started; a pool
     (flate writers, buffers) refills to its old high-water mark. A doubling slice's two arrays
     drop back to the new level, not below it.
The verdict reports the longest horizon that passes.

Values are kept as 10-second buckets (lowest, highest, time of the last point) for an hour, so a
series costs the same memory at any poll cadence.

Warm-up: a cache that fills from start-up, then plateaus, cannot be told from a leak while it
fills (a 1 MB/min leak must be named within about two minutes), so it is flagged while filling;
condition 3 clears the verdict once the plateau lasts 3x the longest wait between its steps
(the 24 MB, 2.5-minute warm-up of the diagnosis benchmark: flagged at 1:20, cleared at 6:44). A doubling
staircase is what sets the ratio: its flat stretches double, and it must stay named between jumps.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import cast

from tui.core.limits import MiB
from tui.core.ring import Ring


@dataclass(frozen=True, slots=True)
class FloorConfig:
    """Thresholds of the floor rule (module docstring); bytes and seconds unless named."""

    horizons_minutes: tuple[float, ...] = (3.0, 10.0, 30.0, 60.0)
    # A window shorter than this is never judged: with the settle below, the first minute of a
    # batch that fills for a minute and is flushed (the benchmark's sawtooth) is never judged alone.
    min_span_minutes: float = 1.25
    # The end floor is the lowest value of this last stretch: a value the profile held for one GC
    # cycle (a burst live at that moment) must still be there 45 s on. Longer delays every verdict
    # by as much (a 5 MB/min leak: named at ~80-95 s with 45 s, ~100-105 s with 60 s).
    settle_seconds: float = 45.0
    # Four heap-profile sampling steps (512 kB). The real daemons' recordings (tests/fixtures/real)
    # rise by two steps at start-up (etcd, alertmanager, prometheus: up to 1.07 MB, 2 steps) and
    # by one-off 4 MB buffers (condition 2); a pool of 903 kB flate writers rises by 1.8 MB
    # (condition 4).
    min_rise: float = 2.0 * MiB
    relative_rise: float = 0.10  # of the end floor: a big function must rise by 10% of itself
    min_rate_per_min: float = 64 * 1024  # long horizons: below 64 kB/min is not claimed
    max_step_share: float = 0.8  # condition 2
    pause_ratio: float = 3.0  # condition 3 (recordings: the staircase flaps at 1.5, the slow leak at 2)
    # condition 3's least allowance: the heap profile only changes when a GC cycle ends, and Go
    # forces one only every 2 minutes, so a profile can stand still that long while the heap grows
    min_pause_seconds: float = 120.0
    fallback_share: float = 0.5  # condition 4
    bucket_seconds: float = 10.0

    @property
    def keep_seconds(self) -> float:
        return max(self.horizons_minutes, default=0.0) * 60.0 + 2 * self.bucket_seconds

    def with_(self, **changes: object) -> FloorConfig:
        return replace(self, **changes)  # type: ignore[arg-type]


HEAP_FLOORS = FloorConfig()


@dataclass(frozen=True, slots=True)
class FloorRise:
    """The evidence of one horizon that passed the rule."""

    horizon_minutes: float
    start: float  # a: clock time the window starts
    settled: float  # b: the end floor holds from here to `end`
    end: float  # now
    floor_start: float  # F0
    floor_mid: float  # the floor halfway between the first and the last step
    floor_end: float  # Fe
    current: float  # the newest value
    first_step: float = 0.0  # clock time of the first and the last step of the floor
    last_step: float = 0.0
    steps: int = 0

    @property
    def rise(self) -> float:
        return self.floor_end - self.floor_start

    @property
    def rate_per_min(self) -> float:
        minutes = (self.settled - self.start) / 60.0
        return self.rise / minutes if minutes > 0 else 0.0

    def evidence(self, fmt: Callable[[float], str]) -> str:
        span = (self.end - self.start) / 60.0
        held = self.end - self.settled
        return (
            f"floor {fmt(self.floor_start)} → {fmt(self.floor_mid)} → {fmt(self.floor_end)} over {span:.1f} min "
            f"in {self.steps} steps (never below {fmt(self.floor_end)} in the last {held:.0f} s), "
            f"+{fmt(self.rate_per_min)}/min"
        )


class FloorSeries:
    """One series as time buckets in the one ring (tui/core/ring.py): per bucket the time of its last
    point, its lowest and highest value. Floors are exact to a bucket."""

    __slots__ = ("_ring", "bucket", "capacity", "last", "memo", "version")

    def __init__(self, config: FloorConfig = HEAP_FLOORS) -> None:
        self.bucket = config.bucket_seconds
        self.capacity = max(2, math.ceil(config.keep_seconds / self.bucket) + 2)
        self._ring = Ring(self.capacity, "ddd")  # t, lo, hi
        self.last = 0.0
        self.version = 0
        self.memo: tuple[tuple[int, str], FloorRise | None] | None = None

    def __len__(self) -> int:
        return len(self._ring)

    @property
    def last_t(self) -> float:
        return self._ring.value(0, self._ring.size - 1) if self._ring.size else -math.inf

    def push(self, t: float, v: float) -> None:
        if not (math.isfinite(t) and math.isfinite(v)):
            return
        ring = self._ring
        if ring.size:
            newest = ring.size - 1
            last_t = ring.value(0, newest)
            if t < last_t:
                return
            if math.floor(t / self.bucket) == math.floor(last_t / self.bucket):
                ring.set_value(0, newest, t)
                ring.set_value(1, newest, min(ring.value(1, newest), v))
                ring.set_value(2, newest, max(ring.value(2, newest), v))
                self.last = v
                self.version += 1
                return
        ring.append(t, v, v)
        self.last = v
        self.version += 1

    def trim(self, before: float) -> None:
        ring = self._ring
        while ring.size and ring.value(0, 0) < before:
            ring.drop_oldest()
            self.version += 1

    def _ordered(self, column: int) -> array[float]:
        return cast("array[float]", self._ring.rows(column))

    def columns(self) -> tuple[array[float], array[float], array[float]]:
        """(times, lows, highs), oldest first (copies)."""
        return self._ordered(0), self._ordered(1), self._ordered(2)

    def lowest_since(self, t: float) -> float | None:
        """The lowest value of the buckets that end at or after t (None if there are none)."""
        ts = self._ordered(0)
        i = bisect_left(ts, t)
        return min(self._ordered(1)[i:]) if i < len(ts) else None

    def cached(self, label: str, compute: Callable[[FloorSeries], FloorRise | None]) -> FloorRise | None:
        stamp = (self.version, label)
        if self.memo is None or self.memo[0] != stamp:
            self.memo = (stamp, compute(self))
        return self.memo[1]


def series_of(points: Iterable[tuple[float, float]], config: FloorConfig = HEAP_FLOORS) -> FloorSeries:
    s = FloorSeries(config)
    for t, v in points:
        s.push(float(t), float(v))
    return s


def suffix_minima(lows: Sequence[float]) -> list[float]:
    """floor(i) = the lowest of lows[i:], for every i."""
    out = list(lows)
    for i in range(len(out) - 2, -1, -1):
        if out[i + 1] < out[i]:
            out[i] = out[i + 1]
    return out


def _wait_allowed(times: Sequence[float], config: FloorConfig) -> float:
    longest = max((y - x for x, y in zip(times, times[1:])), default=0.0)
    return max(config.pause_ratio * longest, config.min_pause_seconds)


def fell_back(highs: Sequence[float], lows: Sequence[float], level: float, tolerance: float) -> bool:
    """Whether the series was at `level` or above once and later went down to level - tolerance."""
    for i, hi in enumerate(highs):
        if hi >= level:
            return any(lo <= level - tolerance for lo in lows[i + 1 :])
    return False


def _settled_columns(
    s: FloorSeries, config: FloorConfig
) -> tuple[array[float], array[float], array[float], list[float], float] | None:
    """(times, lows, highs, floors, b = now - settle) of a series with two buckets or more."""
    ts, lows, highs = s.columns()
    if len(ts) < 2:
        return None
    return ts, lows, highs, suffix_minima(lows), ts[-1] - config.settle_seconds


def floor_rise(
    series: FloorSeries | Iterable[tuple[float, float]], config: FloorConfig = HEAP_FLOORS
) -> FloorRise | None:
    """The longest horizon on which the series' floor rose by the rule, or None."""
    s = series if isinstance(series, FloorSeries) else series_of(series, config)
    cols = _settled_columns(s, config)
    if cols is None:
        return None
    ts, lows, highs, suffix, b = cols
    n, now = len(ts), ts[-1]
    ib = bisect_left(ts, b)
    if ib >= n or suffix[ib] - suffix[0] < config.min_rise:
        return None  # most series: no horizon can rise enough
    found: FloorRise | None = None
    starts: set[int] = set()
    for horizon in sorted(config.horizons_minutes):
        i0 = bisect_left(ts, now - horizon * 60.0)
        if i0 in starts:
            continue
        starts.add(i0)
        a = ts[i0]
        span = now - a
        if span + 1e-9 < config.min_span_minutes * 60.0 or ib <= i0:
            continue
        f0, fe = suffix[i0], suffix[ib]
        rise = fe - f0
        need = max(config.min_rise, config.relative_rise * abs(fe), config.min_rate_per_min * (b - a) / 60.0)
        if rise < need or fell_back(highs, lows, fe, config.fallback_share * rise):
            continue
        steps = [(ts[i], suffix[i] - suffix[i - 1]) for i in range(i0 + 1, ib + 1) if suffix[i] > suffix[i - 1]]
        if len(steps) < 2 or max(d for _, d in steps) > config.max_step_share * rise:
            continue
        times = [t for t, _ in steps]
        if b - times[-1] > _wait_allowed(times, config):
            continue
        fm = suffix[bisect_left(ts, (times[0] + times[-1]) / 2.0)]
        found = FloorRise(horizon, a, b, now, f0, fm, fe, s.last, times[0], times[-1], len(steps))
    return found


def still_rising(series: FloorSeries | Iterable[tuple[float, float]], config: FloorConfig = HEAP_FLOORS) -> bool:
    """Condition 3 of the rule alone, on the whole series: its floor stepped up, the last time no
    longer ago than the rule allows. For claims made by other rules (a trend over a window that
    still holds a finished warm-up)."""
    s = series if isinstance(series, FloorSeries) else series_of(series, config)
    ts, lows, _ = s.columns()
    n = len(ts)
    if n < 2:
        return False
    suffix = suffix_minima(lows)
    b = ts[-1] - config.settle_seconds
    ib = min(bisect_left(ts, b), n - 1)
    times = [ts[i] for i in range(1, ib + 1) if suffix[i] > suffix[i - 1]]
    return bool(times) and b - times[-1] <= _wait_allowed(times, config)


def floor_delta(series: FloorSeries, since: float, at_since: float | None, config: FloorConfig = HEAP_FLOORS) -> float:
    """How far the floor rose since `since` (a baseline): the lowest value of the last
    `settle_seconds` (the rule's end floor) minus the lowest value since `since` (`at_since`: the
    value at that time, for a series that does not reach back so far). Never negative: a baseline
    pinned in the middle of a jump (a doubling slice's two arrays) or on a sawtooth's peak is
    not a drop."""
    if not len(series):
        return 0.0
    ts, lows, _ = series.columns()
    recent = min(lows[bisect_left(ts, ts[-1] - config.settle_seconds) :])
    i = bisect_left(ts, since)
    base = min(lows[i:]) if i < len(ts) else recent
    if at_since is not None:
        base = min(base, at_since)
    return max(0.0, recent - base)


def rise_since(series: FloorSeries, start: float, config: FloorConfig = HEAP_FLOORS) -> FloorRise | None:
    """The floor's rise from `start` to now on a fixed window, held to conditions 3 and 4 of the rule
    only (still rising, never fell back): what keeps a verdict that fired standing while the thing it
    names keeps growing, so that it does not flap when a jump is slow to come or a horizon rolls over.
    None when the floor did not rise, stopped rising or fell back."""
    cols = _settled_columns(series, config)
    if cols is None:
        return None
    ts, lows, highs, suffix, b = cols
    n, now = len(ts), ts[-1]
    i0, ib = bisect_left(ts, start), bisect_left(ts, b)
    if ib >= n or ib <= i0:
        return None
    f0, fe = suffix[i0], suffix[ib]
    rise = fe - f0
    if rise <= 0 or fell_back(highs, lows, fe, config.fallback_share * rise):
        return None
    times = [ts[i] for i in range(i0 + 1, ib + 1) if suffix[i] > suffix[i - 1]]
    if not times or b - times[-1] > _wait_allowed(times, config):
        return None
    fm = suffix[bisect_left(ts, (times[0] + times[-1]) / 2.0)]
    horizon = (now - ts[i0]) / 60.0
    return FloorRise(horizon, ts[i0], b, now, f0, fm, fe, series.last, times[0], times[-1], len(times))


def step_times(series: FloorSeries, start: float, end: float) -> list[float]:
    """The times in (start, end] where the series' floor stepped up (at the buckets' resolution)."""
    ts, lows, _ = series.columns()
    floor = suffix_minima(lows)
    return [ts[i] for i in range(1, len(ts)) if start < ts[i] <= end and floor[i] > floor[i - 1]]


def floor_between(series: FloorSeries, start: float, end: float) -> tuple[float, float] | None:
    """(floor at start, floor at end): the lowest value at or after each time."""
    lo, hi = series.lowest_since(start), series.lowest_since(end)
    return None if lo is None or hi is None else (lo, hi)
