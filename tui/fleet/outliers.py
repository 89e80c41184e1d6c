"""Outliers across replicas (pure, stdlib only at run time).

A fleet is several targets running the same service. For each goroutine group (function + wait reason)
and each heap function (flat inuse bytes), a target is an *outlier* when its value is far above its
siblings', judged by robust statistics over the *other* replicas only (so the sick one never drags the
yardstick up):

- ``median`` and ``MAD`` (median absolute deviation, scaled by 1.4826 to a standard deviation) of the
  siblings' values, a missing value counting as 0 when the listing is complete (a goroutine dump) and as
  that sibling's smallest listed value when it is not (a heap top list: an upper bound, so never a flag
  made of a short listing);
- flagged only when all hold: the excess over the median is at least ``min_excess`` (absolute size:
  small noise never flags), the value is at least ``ratio`` times the median, and the excess is at least
  ``mad_factor`` times the scaled MAD (the siblings agree among themselves);
- at least ``min_siblings`` siblings answered (two by default: a fleet of three or more), else nothing.

Two sick replicas out of five are both flagged (each one's siblings are three healthy and one sick: the
median stays healthy); when half or more of a target's siblings are as sick as it, their median is sick
and nothing is flagged — a fleet-wide problem, which the per-target verdicts already say.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.core.bytesize import format_bytes
from tui.core.limits import MiB


def count_text(value: float) -> str:
    """A goroutine count, or a median of them: "2", "41,929", "0.5" (a median of an even number of
    siblings may fall between two counts: never rounded to "0" beside a ratio against it)."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


GOROUTINES = "goroutines"
HEAP = "heap"
MAD_SCALE = 1.4826  # MAD -> standard deviation of a normal distribution


@dataclass(frozen=True, slots=True)
class Rule:
    """When a value is far enough above its siblings to be flagged."""

    min_excess: float  # value - siblings' median, in the metric's unit
    ratio: float = 3.0  # value >= ratio * median (a median of 0 counts as 1 unit)
    mad_factor: float = 5.0  # excess >= mad_factor * scaled MAD
    min_siblings: int = 2


GOROUTINE_RULE = Rule(min_excess=100)
HEAP_RULE = Rule(min_excess=8 * MiB)


@dataclass(frozen=True, slots=True)
class Metric:
    """One family of values per target: goroutine groups or heap functions."""

    kind: str  # GOROUTINES or HEAP
    unit: str  # "goroutines" or "bytes"
    values: Mapping[str, Mapping[str, float]]  # target -> key -> value (targets that answered only)
    labels: Mapping[str, str]  # key -> what to print ("main.fetchAll.func1 [chan send]")
    complete: bool  # True: a key missing from a target is 0 there; False: at most its smallest value


@dataclass(frozen=True, slots=True)
class Outlier:
    target: str
    kind: str
    key: str
    label: str
    unit: str
    value: float
    siblings_median: float
    siblings_mad: float  # scaled
    siblings: int

    @property
    def ratio(self) -> float:
        return self.value / max(self.siblings_median, 1.0)

    def amount(self, value: float) -> str:
        return format_bytes(value) if self.unit == "bytes" else count_text(value)

    def sentence(self) -> str:
        """ "pod-3: 41,929 in main.fetchAll.func1 [chan send], siblings median 12" (the target's
        text is the caller's to clean)."""
        return f"{self.target}: {self.amount(self.value)} in {self.label}, siblings median {self.amount(self.siblings_median)}"


def sibling_value(values: Mapping[str, float], key: str, complete: bool) -> float:
    if key in values:
        return values[key]
    if complete or not values:
        return 0.0
    return min(values.values())


def find_outliers(metric: Metric, rule: Rule, *, per_target: int = 5) -> tuple[Outlier, ...]:
    """Every flagged (target, key) of one metric, biggest excess first, at most `per_target` each."""
    targets = list(metric.values)
    if len(targets) - 1 < rule.min_siblings:
        return ()
    keys = sorted({k for v in metric.values.values() for k in v})
    found: list[tuple[float, Outlier]] = []
    for key in keys:
        column = {t: sibling_value(metric.values[t], key, metric.complete) for t in targets}
        for target in targets:
            value = metric.values[target].get(key)
            if value is None:
                continue
            siblings = [v for t, v in column.items() if t != target]
            median = statistics.median(siblings)
            mad = MAD_SCALE * statistics.median(abs(v - median) for v in siblings)
            excess = value - median
            if excess < rule.min_excess or value < rule.ratio * max(median, 1.0) or excess < rule.mad_factor * mad:
                continue
            label = metric.labels.get(key, key)
            out = Outlier(target, metric.kind, key, label, metric.unit, value, median, mad, len(siblings))
            found.append((excess, out))
    found.sort(key=lambda pair: (-pair[0], pair[1].target, pair[1].key))
    kept: list[Outlier] = []
    per: dict[str, int] = {}
    for _, out in found:
        if per.get(out.target, 0) < per_target:
            per[out.target] = per.get(out.target, 0) + 1
            kept.append(out)
    return tuple(kept)


def group_key(label: str, reason: str) -> str:
    """A goroutine group across replicas: its function and its wait reason."""
    return f"{label} [{reason}]" if reason else label


def goroutine_metric(groups: Mapping[str, Iterable[tuple[str, str, int]]]) -> Metric:
    """target -> (function, wait reason, count) rows (several rows of one key add up)."""
    values: dict[str, dict[str, float]] = {}
    for target, rows in groups.items():
        per = values.setdefault(target, {})
        for label, reason, count in rows:
            key = group_key(label, reason)
            per[key] = per.get(key, 0.0) + count
    labels = {k: k for per in values.values() for k in per}
    return Metric(GOROUTINES, "goroutines", values, labels, complete=True)


def heap_metric(functions: Mapping[str, Mapping[str, float]], sample_type: str = "inuse_space") -> Metric:
    """target -> function -> flat value (a top list: not complete)."""
    values = {t: dict(v) for t, v in functions.items()}
    labels = {k: f"{k} ({sample_type})" for per in values.values() for k in per}
    return Metric(HEAP, "bytes", values, labels, complete=False)


def fleet_outliers(
    groups: Mapping[str, Iterable[tuple[str, str, int]]],
    heap: Mapping[str, Mapping[str, float]],
    *,
    goroutine_rule: Rule = GOROUTINE_RULE,
    heap_rule: Rule = HEAP_RULE,
) -> tuple[Outlier, ...]:
    """Goroutine outliers then heap outliers."""
    return metric_outliers((goroutine_metric(groups), heap_metric(heap)), goroutine_rule, heap_rule)


def metric_outliers(
    metrics: tuple[Metric, Metric], goroutine_rule: Rule = GOROUTINE_RULE, heap_rule: Rule = HEAP_RULE
) -> tuple[Outlier, ...]:
    """Outliers of (goroutine metric, heap metric), goroutines first."""
    goroutines, heap = metrics
    return find_outliers(goroutines, goroutine_rule) + find_outliers(heap, heap_rule)
