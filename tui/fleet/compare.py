"""One replica against its siblings (pure, stdlib only at run time): every goroutine group and heap
function of the fleet, this target's value beside the median of the *other* targets' (the yardstick
`outliers` uses: a missing group counts as 0, a heap function missing from a sibling's top list as that
sibling's smallest listed value), with their ratio. The compare screen shows these rows; the flagged
ones are the outliers.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from tui.core.bytesize import format_bytes
from tui.fleet.outliers import GOROUTINES, Metric, Outlier, count_text, sibling_value

# Rows per kind: the biggest differences either way; the rest are counted in `more`.
ROWS_PER_KIND = 60


@dataclass(frozen=True, slots=True)
class CompareRow:
    kind: str  # GOROUTINES or HEAP
    key: str
    label: str
    value: float  # this target's (0 when it has none)
    siblings_median: float
    siblings: int  # how many siblings answered for this kind
    flagged: bool  # an outlier (fleet.outliers' rule)
    upper_bound: bool = False  # `value` is at most this (not in this target's heap top list)

    @property
    def ratio(self) -> float | None:
        """value / median; None when both are 0. A median of 0 with a value: infinite (shown as "new")."""
        if self.siblings_median > 0:
            return self.value / self.siblings_median
        return None if self.value == 0 else float("inf")

    @property
    def excess(self) -> float:
        return self.value - self.siblings_median

    def amount(self, value: float) -> str:
        return count_text(value) if self.kind == GOROUTINES else format_bytes(value)

    def value_text(self) -> str:
        return ("≤" if self.upper_bound else "") + self.amount(self.value)

    def ratio_text(self) -> str:
        ratio = self.ratio
        if ratio is None or self.upper_bound:
            return "—"
        if ratio == float("inf"):
            return "only here"
        return f"{ratio:,.1f}×" if ratio < 100 else f"{ratio:,.0f}×"


@dataclass(frozen=True, slots=True)
class Comparison:
    target: str
    rows: tuple[CompareRow, ...]  # goroutine groups, then heap functions; each biggest |difference| first
    siblings: Mapping[str, int]  # kind -> siblings that answered
    more: Mapping[str, int]  # kind -> rows not listed (smaller differences)
    missing: tuple[str, ...]  # kinds this target has no data for yet


def compare_metric(
    metric: Metric, target: str, flagged: set[tuple[str, str]], limit: int = ROWS_PER_KIND
) -> tuple[tuple[CompareRow, ...], int, int]:
    """(rows, siblings, rows left out) of one metric for `target`; no rows when it has no data."""
    if target not in metric.values:
        return (), 0, 0
    siblings = [t for t in metric.values if t != target]
    if not siblings:
        return (), 0, 0
    mine = metric.values[target]
    keys = sorted({k for per in metric.values.values() for k in per})
    rows = []
    for key in keys:
        column = [sibling_value(metric.values[t], key, metric.complete) for t in siblings]
        # a heap function missing from this target's top list: at most its smallest listed value
        bound = key not in mine and not metric.complete
        value = mine[key] if key in mine else sibling_value(mine, key, metric.complete)
        median = statistics.median(column)
        if value == 0 and median == 0:
            continue
        label = metric.labels.get(key, key)
        flag = (metric.kind, key) in flagged
        rows.append(CompareRow(metric.kind, key, label, value, median, len(siblings), flag, bound))
    rows.sort(key=lambda r: (not r.flagged, -abs(r.excess), r.key))
    return tuple(rows[:limit]), len(siblings), max(0, len(rows) - limit)


def compare(target: str, metrics: tuple[Metric, ...], outliers: tuple[Outlier, ...] = ()) -> Comparison:
    """`target` against the median of the others, for each metric (goroutines, heap)."""
    flagged = {(o.kind, o.key) for o in outliers if o.target == target}
    rows: list[CompareRow] = []
    siblings: dict[str, int] = {}
    more: dict[str, int] = {}
    missing = []
    for metric in metrics:
        if target not in metric.values:
            missing.append(metric.kind)
            continue
        kind_rows, n, left = compare_metric(metric, target, flagged)
        rows += kind_rows
        siblings[metric.kind] = n
        more[metric.kind] = left
    return Comparison(target, tuple(rows), siblings, more, tuple(missing))
