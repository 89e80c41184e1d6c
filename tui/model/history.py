"""Bounded, downsampled history of numeric series (pure, stdlib only).

Each series keeps raw recent points plus coarser buckets (mean/min/max) for older
time, each level a bounded ring: memory stays flat over a 24-hour watch.
A restart of the target closes the current segment (kept, read-only) and starts
fresh series.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tui import limits

# (bucket width in seconds, capacity); width 0 = raw points.
# 600 raw points, then 10 s buckets for 1 h, then 2 min buckets for 24 h.
DEFAULT_LEVELS: tuple[tuple[float, int], ...] = ((0.0, limits.HISTORY_POINTS), (10.0, 360), (120.0, 720))
DEFAULT_MAX_SERIES = limits.HISTORY_SERIES
DEFAULT_MAX_SEGMENTS = 4


def history_levels(raw_points: int) -> tuple[tuple[float, int], ...]:
    """DEFAULT_LEVELS with ``raw_points`` raw points per series (the coarser levels unchanged)."""
    return ((0.0, raw_points),) + DEFAULT_LEVELS[1:]


@dataclass(frozen=True, slots=True)
class Point:
    """A sample (raw: lo == hi == value) or a bucket (value = mean, lo/hi = min/max)."""

    t: float
    value: float
    lo: float
    hi: float
    n: int = 1


class _Level:
    __slots__ = ("width", "points", "_bucket", "_sum", "_lo", "_hi", "_n")

    def __init__(self, width: float, capacity: int) -> None:
        self.width = width
        self.points: deque[Point] = deque(maxlen=capacity)
        self._bucket: int | None = None
        self._sum = 0.0
        self._lo = math.inf
        self._hi = -math.inf
        self._n = 0

    def add(self, t: float, v: float) -> None:
        if self.width <= 0:
            self.points.append(Point(t, v, v, v))
            return
        bucket = math.floor(t / self.width)
        if self._bucket is not None and bucket != self._bucket:
            self._flush()
        self._bucket = bucket
        self._sum += v
        self._lo = min(self._lo, v)
        self._hi = max(self._hi, v)
        self._n += 1

    def _flush(self) -> None:
        if self._n and self._bucket is not None:
            t = (self._bucket + 0.5) * self.width
            self.points.append(Point(t, self._sum / self._n, self._lo, self._hi, self._n))
        self._sum, self._lo, self._hi, self._n = 0.0, math.inf, -math.inf, 0

    def pending(self) -> Point | None:
        if not self._n or self._bucket is None:
            return None
        return Point((self._bucket + 0.5) * self.width, self._sum / self._n, self._lo, self._hi, self._n)


class Series:
    """One named series; push() in time order."""

    def __init__(self, levels: tuple[tuple[float, int], ...] = DEFAULT_LEVELS) -> None:
        if not levels or levels[0][0] != 0:
            raise ValueError("the first level must be raw (width 0)")
        self._levels = [_Level(w, c) for w, c in levels]
        self.version = 0
        self.last_t = -math.inf
        self._cache: tuple[int, tuple[Point, ...]] | None = None

    def push(self, t: float, value: float) -> None:
        if not math.isfinite(value) or t < self.last_t:
            return  # out-of-order or NaN points are dropped, never stored
        self.last_t = t
        for level in self._levels:
            level.add(t, float(value))
        self.version += 1

    @property
    def latest(self) -> Point | None:
        raw = self._levels[0].points
        return raw[-1] if raw else None

    def stored_count(self) -> int:
        return sum(len(level.points) + (1 if level.pending() else 0) for level in self._levels)

    def points(self) -> tuple[Point, ...]:
        """All history, oldest first: coarse buckets for old time, raw points for recent."""
        if self._cache and self._cache[0] == self.version:
            return self._cache[1]
        parts: list[Iterable[Point]] = []
        boundary = math.inf
        raw = self._levels[0].points
        if raw:
            boundary = raw[0].t
        for level in self._levels[1:]:
            # only buckets that end before the finer data starts (no double counting)
            half = level.width / 2
            older = [p for p in level.points if p.t + half <= boundary]
            pend = level.pending()
            if pend is not None and pend.t + half <= boundary:
                older.append(pend)
            parts.append(older)
            if older:
                boundary = older[0].t - half
        out: list[Point] = []
        for part in reversed(parts):
            out.extend(part)
        out.extend(raw)
        result = tuple(out)
        self._cache = (self.version, result)
        return result

    def recent(self) -> tuple[Point, ...]:
        """Only the raw recent points."""
        return tuple(self._levels[0].points)


@dataclass(frozen=True, slots=True)
class Segment:
    """A closed piece of history (before a target restart)."""

    start: float
    end: float
    reason: str
    series: Mapping[str, tuple[Point, ...]]


@dataclass(frozen=True, slots=True)
class HistoryView:
    """Read-only view handed out in a Snapshot."""

    series: Mapping[str, tuple[Point, ...]]
    segments: tuple[Segment, ...]
    segment_start: float | None

    def get(self, key: str) -> tuple[Point, ...]:
        return self.series.get(key, ())

    def values(self, key: str) -> tuple[float, ...]:
        return tuple(p.value for p in self.series.get(key, ()))


class History:
    """Series by key (e.g. 'goroutines', 'heap.inuse_space', 'group:<key>'), bounded in count."""

    def __init__(self, *, levels: tuple[tuple[float, int], ...] = DEFAULT_LEVELS,
                 max_series: int = DEFAULT_MAX_SERIES, max_segments: int = DEFAULT_MAX_SEGMENTS) -> None:
        self._levels = levels
        self._max_series = max_series
        self._series: dict[str, Series] = {}
        self._segments: deque[Segment] = deque(maxlen=max_segments)
        self._segment_start: float | None = None

    def push(self, key: str, t: float, value: float) -> None:
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= self._max_series:
                oldest = min(self._series, key=lambda k: self._series[k].last_t)
                del self._series[oldest]
            series = self._series[key] = Series(self._levels)
        if self._segment_start is None:
            self._segment_start = t
        series.push(t, value)

    def push_many(self, t: float, values: Mapping[str, float]) -> None:
        for key, value in values.items():
            self.push(key, t, value)

    def keys(self) -> tuple[str, ...]:
        return tuple(self._series)

    def series(self, key: str) -> Series | None:
        return self._series.get(key)

    def stored_count(self) -> int:
        return sum(s.stored_count() for s in self._series.values())

    def restart(self, t: float, reason: str) -> None:
        """Close the current segment (kept read-only) and start empty series."""
        if self._series:
            start = self._segment_start if self._segment_start is not None else t
            frozen = MappingProxyType({k: s.points() for k, s in self._series.items()})
            self._segments.append(Segment(start, t, reason, frozen))
        self._series = {}
        self._segment_start = None

    def view(self) -> HistoryView:
        return HistoryView(
            series=MappingProxyType({k: s.points() for k, s in self._series.items()}),
            segments=tuple(self._segments),
            segment_start=self._segment_start,
        )
