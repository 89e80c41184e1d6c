"""A (time, value) series over a sliding window, in a preallocated ring: the leak tracker's
per-group, per-function and per-metric series."""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable, Mapping

from tui.leaks.growth import Verdict, VerdictConfig, growing_verdict, growth_rate, may_be_growing, trend

# What the tracker computes from a series and caches on it: (rate per minute for the UI,
# GROWING verdict or None).
Analysis = tuple[float | None, Verdict | None]

MAX_POINTS = 600  # per series (10 min at a 1 s poll)


class TimeWindow:
    """One (time, value) series in a preallocated ring of MAX_POINTS (16 bytes a slot,
    allocated with the series): no object per point, no growth as the window fills."""

    __slots__ = ("_size", "_start", "_t", "_v", "memo", "version")

    def __init__(self) -> None:
        zeros = bytes(8 * MAX_POINTS)
        self._t = array("d", zeros)
        self._v = array("d", zeros)
        self._start = 0
        self._size = 0
        self.version = 0
        self.memo: tuple[tuple[int, str], Analysis] | None = None  # ((version, label), cached result)

    def __len__(self) -> int:
        return self._size

    @property
    def points(self) -> list[tuple[float, float]]:
        """(t, value) pairs, oldest first (a new list)."""
        end = self._start + self._size
        if end <= MAX_POINTS:
            return list(zip(self._t[self._start : end], self._v[self._start : end]))
        wrap = end - MAX_POINTS
        return list(zip(self._t[self._start :] + self._t[:wrap], self._v[self._start :] + self._v[:wrap]))

    def _slot(self, i: int) -> int:
        return (self._start + i) % MAX_POINTS

    def cached(self, label: str, compute: Callable[[list[tuple[float, float]]], Analysis]) -> Analysis:
        """compute(points) once per version of the series and label (reports repeat between dumps)."""
        stamp = (self.version, label)
        if self.memo is None or self.memo[0] != stamp:
            self.memo = (stamp, compute(self.points))
        return self.memo[1]

    def push(self, t: float, v: float) -> None:
        if not (math.isfinite(t) and math.isfinite(v)):
            return
        if self._size:
            last = self._slot(self._size - 1)
            if t < self._t[last]:
                return
            if t == self._t[last]:
                self._v[last] = v
                self.version += 1
                return
        if self._size < MAX_POINTS:
            i = self._slot(self._size)
            self._size += 1
        else:
            i = self._start
            self._start = self._slot(1)
        self._t[i], self._v[i] = t, v
        self.version += 1

    @property
    def last_t(self) -> float:
        return self._t[self._slot(self._size - 1)] if self._size else -math.inf

    def first_value(self) -> float:
        return self._v[self._start]

    def last_value(self) -> float:
        return self._v[self._slot(self._size - 1)]

    def all_zero(self) -> bool:
        return not any(v for _, v in self.points)

    def trim(self, before: float) -> None:
        while self._size and self._t[self._start] < before:
            self._start = self._slot(1)
            self._size -= 1
            self.version += 1


def mark(rate: float | None, level: float) -> str:
    """The trend mark of a rate: "↑", "↓", "→" (within half a percent of the level), "" unknown."""
    if rate is None:
        return ""
    tol = max(1.0, 0.005 * abs(level))
    return "↑" if rate > tol else ("↓" if rate < -tol else "→")


def analyse(
    key: str,
    label: str,
    points: list[tuple[float, float]],
    config: VerdictConfig,
    unit: str,
    fmt: Callable[[float], str] | None = None,
) -> Analysis:
    """(rate per minute for the UI, GROWING verdict or None) of one series: the robust trend only when
    the O(n) one may be growing."""
    tr = trend(points, window_minutes=config.window_minutes, robust=False)  # O(n) first
    if may_be_growing(tr, config):
        tr = trend(points, window_minutes=config.window_minutes)
        assert tr is not None
        return growth_rate(tr), growing_verdict(key, label, points, config, unit=unit, fmt=fmt, precomputed=tr)
    return (None if tr is None else tr.ls_slope), None


def admit(
    table: dict[str, TimeWindow],
    sizes: Mapping[str, float],
    limit: int,
    evicted: list[str] | None = None,
) -> set[str] | None:
    """Room for the new keys of one observation: None when all fit; else the biggest new keys that
    fit, after the series seen longest ago (and absent now) were evicted (their keys appended to
    `evicted`) — once per observation, not a scan of the table per new key (3,000 new stacks a dump
    made that quadratic)."""
    new = [k for k in sizes if k not in table]
    if len(table) + len(new) <= limit:
        return None
    new.sort(key=lambda k: -abs(sizes[k]))
    admitted = set(new[:limit])
    excess = len(table) + len(admitted) - limit
    absent = [k for k in table if k not in sizes]
    for key in heapq.nsmallest(excess, absent, key=lambda k: table[k].last_t):
        del table[key]
        if evicted is not None:
            evicted.append(key)
    room = limit - len(table)
    return admitted if room >= len(admitted) else set(new[: max(room, 0)])
