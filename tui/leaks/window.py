"""A (time, value) series over a sliding window, in a preallocated ring: the leak tracker's
per-group, per-function and per-metric series."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping

from tui.core.ring import Ring
from tui.leaks.growth import Verdict, VerdictConfig, growing_verdict, growth_rate, may_be_growing, trend

# What the tracker computes from a series and caches on it: (rate per minute for the UI,
# GROWING verdict or None).
Analysis = tuple[float | None, Verdict | None]

MAX_POINTS = 600  # per series (10 min at a 1 s poll)


class TimeWindow:
    """One (time, value) series in the one ring (tui/core/ring.py) of MAX_POINTS (16 bytes a slot,
    allocated with the series): no object per point, no growth as the window fills."""

    __slots__ = ("_ring", "memo", "version")

    def __init__(self) -> None:
        self._ring = Ring(MAX_POINTS, "dd")
        self.version = 0
        self.memo: tuple[tuple[int, str], Analysis] | None = None  # ((version, label), cached result)

    def __len__(self) -> int:
        return len(self._ring)

    @property
    def points(self) -> list[tuple[float, float]]:
        """(t, value) pairs, oldest first (a new list)."""
        return list(zip(self._ring.rows(0), self._ring.rows(1)))

    def cached(self, label: str, compute: Callable[[list[tuple[float, float]]], Analysis]) -> Analysis:
        """compute(points) once per version of the series and label (reports repeat between dumps)."""
        stamp = (self.version, label)
        if self.memo is None or self.memo[0] != stamp:
            self.memo = (stamp, compute(self.points))
        return self.memo[1]

    def push(self, t: float, v: float) -> None:
        if not (math.isfinite(t) and math.isfinite(v)):
            return
        ring = self._ring
        if ring.size:
            last_t = ring.value(0, ring.size - 1)
            if t < last_t:
                return
            if t == last_t:
                ring.set_value(1, ring.size - 1, v)
                self.version += 1
                return
        ring.append(t, v)
        self.version += 1

    @property
    def last_t(self) -> float:
        return self._ring.value(0, self._ring.size - 1) if self._ring.size else -math.inf

    def first_value(self) -> float:
        return self._ring.value(1, 0)

    def last_value(self) -> float:
        return self._ring.value(1, self._ring.size - 1)

    def all_zero(self) -> bool:
        return not any(self._ring.rows(1))

    def trim(self, before: float) -> None:
        ring = self._ring
        while ring.size and ring.value(0, 0) < before:
            ring.drop_oldest()
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
