"""Bounded, downsampled history of numeric series (pure, stdlib only).

Each series keeps raw recent points plus coarser buckets (mean/min/max) for older
time, each level a bounded ring: memory stays flat over a 24-hour watch.
A restart of the target closes the current segment (kept, read-only) and starts
fresh series.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from tui.core import limits
from tui.core.ring import Ring

# (bucket width in seconds, capacity); width 0 = raw points.
# 600 raw points, then 10 s buckets for 1 h, then 2 min buckets for 24 h.
DEFAULT_LEVELS: tuple[tuple[float, int], ...] = ((0.0, limits.HISTORY_POINTS), (10.0, 360), (120.0, 720))
DEFAULT_MAX_SERIES = limits.HISTORY_SERIES
DEFAULT_MAX_SEGMENTS = 4


# A ring's columns in time order: t, value, lo, hi (array('d')) and n (array('q')).
Columns = tuple["array[float]", "array[float]", "array[float]", "array[float]", "array[int]"]


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


class _Ring(Ring):
    """History points as (t, value, lo, hi, n) rows of the one ring (tui/core/ring.py; 40 bytes a slot,
    allocated once): memory does not grow as a 24-hour history fills up, and no object is kept per point."""

    __slots__ = ()

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity, "ddddq")

    def first_t(self) -> float | None:
        return self.columns[0][self.start] if self.size else None

    def last(self) -> Point | None:
        if not self.size:
            return None
        i = self.slot(self.size - 1)
        t, v, lo, hi, n = (column[i] for column in self.columns)
        return Point(t, v, lo, hi, int(n))

    def frozen(self) -> Columns:
        """Copies of the columns in time order (C-level slices: cheap)."""
        return self.columns_upto(self.total)

    def columns_upto(self, total: int, last: int | None = None) -> Columns:
        """Copies of the columns (time order) of the entries appended before the ring's
        ``total``-th append that are still stored; only the ``last`` ones if given."""
        first_kept = self.total - self.size
        hi = min(total, self.total)
        lo = max(first_kept, total - self.cap)
        if last is not None:
            lo = max(lo, hi - last)
        return cast(Columns, tuple(self.rows(k, lo - first_kept, hi - first_kept) for k in range(5)))


def _points(columns: Columns) -> list[Point]:
    return list(map(Point, *columns))


class _Level:
    __slots__ = ("_bucket", "_hi", "_lo", "_n", "_sum", "ring", "width")

    def __init__(self, width: float, capacity: int) -> None:
        self.width = width
        self.ring = _Ring(capacity)
        self._bucket: int | None = None
        self._sum = 0.0
        self._lo = math.inf
        self._hi = -math.inf
        self._n = 0

    def add(self, t: float, v: float) -> None:
        if self.width <= 0:
            self.ring.append(t, v, v, v, 1)
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
            self.ring.append(t, self._sum / self._n, self._lo, self._hi, self._n)
        self._sum, self._lo, self._hi, self._n = 0.0, math.inf, -math.inf, 0

    def pending(self) -> Point | None:
        if not self._n or self._bucket is None:
            return None
        return Point((self._bucket + 0.5) * self.width, self._sum / self._n, self._lo, self._hi, self._n)

    @property
    def points(self) -> list[Point]:
        return _points(self.ring.frozen())


@dataclass(frozen=True, slots=True)
class FrozenSeries:
    """A series as it was at one moment, without copying it: the live rings and how many
    points each level had then (later points are left out when read). Reading a view
    older than a ring's capacity of pushes loses that level's oldest points (they were
    overwritten); the app only reads the newest views."""

    widths: tuple[float, ...]
    rings: tuple[_Ring, ...]
    totals: tuple[int, ...]  # per level: ring appends at the moment of the view
    pending: tuple[Point | None, ...]

    def _columns(self, level: int, last: int | None = None) -> Columns:
        return self.rings[level].columns_upto(self.totals[level], last)

    def points(self) -> tuple[Point, ...]:
        """All history, oldest first: coarse buckets for old time, raw points for recent."""
        parts: list[list[Point]] = []
        raw = self._columns(0)
        raw_t = raw[0]
        boundary = raw_t[0] if len(raw_t) else math.inf
        for level in range(1, len(self.widths)):
            # only buckets that end before the finer data starts (no double counting)
            half = self.widths[level] / 2
            older = [p for p in _points(self._columns(level)) if p.t + half <= boundary]
            pend = self.pending[level]
            if pend is not None and pend.t + half <= boundary:
                older.append(pend)
            parts.append(older)
            if older:
                boundary = older[0].t - half
        out: list[Point] = []
        for part in reversed(parts):
            out.extend(part)
        out.extend(_points(raw))
        return tuple(out)

    def values(self, last: int | None = None) -> tuple[float, ...]:
        """The values of points(), or of its last ``last`` points (read from the raw
        points alone when they are enough: no Point per stored point)."""
        if last is not None:
            raw_values = self._columns(0, last)[1]
            if len(raw_values) >= last:
                return tuple(raw_values)
        values = tuple(p.value for p in self.points())
        return values if last is None else values[-last:] if last > 0 else ()


class Series:
    """One named series; push() in time order."""

    def __init__(self, levels: tuple[tuple[float, int], ...] = DEFAULT_LEVELS) -> None:
        if not levels or levels[0][0] != 0:
            raise ValueError("the first level must be raw (width 0)")
        self._levels = [_Level(w, c) for w, c in levels]
        self._widths = tuple(level.width for level in self._levels)
        self._rings = tuple(level.ring for level in self._levels)
        self.version = 0
        self.last_t = -math.inf

    def push(self, t: float, value: float) -> None:
        if not math.isfinite(value) or t < self.last_t:
            return  # out-of-order or NaN points are dropped, never stored
        self.last_t = t
        for level in self._levels:
            level.add(t, float(value))
        self.version += 1

    @property
    def latest(self) -> Point | None:
        return self._levels[0].ring.last()

    def stored_count(self) -> int:
        return sum(len(level.ring) + (1 if level.pending() else 0) for level in self._levels)

    def freeze(self) -> FrozenSeries:
        return FrozenSeries(
            self._widths,
            self._rings,
            tuple(level.ring.total for level in self._levels),
            tuple(level.pending() for level in self._levels),
        )

    def points(self) -> tuple[Point, ...]:
        """All history, oldest first: coarse buckets for old time, raw points for recent."""
        return self.freeze().points()

    def recent(self) -> tuple[Point, ...]:
        """Only the raw recent points."""
        return tuple(self._levels[0].points)


class _LazySeries(Mapping[str, tuple[Point, ...]]):
    """key -> points, materialised (and kept) only for the keys that are read."""

    __slots__ = ("_built", "_frozen")

    def __init__(self, frozen: dict[str, FrozenSeries]) -> None:
        self._frozen = frozen
        self._built: dict[str, tuple[Point, ...]] = {}

    def __getitem__(self, key: str) -> tuple[Point, ...]:
        built = self._built.get(key)
        if built is None:
            built = self._built[key] = self._frozen[key].points()
        return built

    def __iter__(self) -> Iterator[str]:
        return iter(self._frozen)

    def __len__(self) -> int:
        return len(self._frozen)

    def frozen(self, key: str) -> FrozenSeries | None:
        return self._frozen.get(key)


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

    def values(self, key: str, last: int | None = None) -> tuple[float, ...]:
        """The series' values, oldest first; only the ``last`` newest if given."""
        frozen = self.series.frozen(key) if isinstance(self.series, _LazySeries) else None
        if frozen is not None:
            return frozen.values(last)
        values = tuple(p.value for p in self.series.get(key, ()))
        return values if last is None else values[-last:] if last > 0 else ()


class History:
    """Series by key (e.g. 'goroutines', 'heap.inuse_space', 'group:<key>'), bounded in count."""

    def __init__(
        self,
        *,
        levels: tuple[tuple[float, int], ...] = DEFAULT_LEVELS,
        max_series: int = DEFAULT_MAX_SERIES,
        max_segments: int = DEFAULT_MAX_SEGMENTS,
    ) -> None:
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
            frozen = _LazySeries({k: s.freeze() for k, s in self._series.items()})
            self._segments.append(Segment(start, t, reason, frozen))
        self._series = {}
        self._segment_start = None

    def view(self) -> HistoryView:
        # No copies: each series' view is its live rings and their fill counts now; points
        # are built only for the series someone reads.
        return HistoryView(
            series=_LazySeries({k: s.freeze() for k, s in self._series.items()}),
            segments=tuple(self._segments),
            segment_start=self._segment_start,
        )
