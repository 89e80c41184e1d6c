"""A watched series' value between two scrapes of its family (pure).

Quantiles of histograms come from the bucket deltas (`tui.metrics.quantile`); a summary's quantile
is the one the service computed (the largest over the selected label sets: summaries do not add up);
rates are reset-aware increases over the seconds between the scrapes, summed over the selected label
sets (a label set in only one of the scrapes is left out, as Prometheus does); gauges are the newest
scrape's values summed. No value (None) when the interval saw no observation, or the family lacks
what the statistic needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tui.metrics.parse import Labels, MetricFamily
from tui.metrics.quantile import increase, quantile_between
from tui.metrics.spec import SeriesSpec, quantile_of

MIN_DT = 0.05  # seconds: two scrapes closer than this give no rate
ERROR_LABELS = ("code", "status", "status_code", "http_status", "response_code")


def natural_stat(kind: str) -> str:
    if kind in ("histogram", "summary", "gaugehistogram"):
        return "p99"
    if kind == "counter":
        return "rate"
    return "value"


def is_error(labels: Labels) -> bool:
    """A request the service itself counted as failed: HTTP 5xx, or a gRPC code other than OK."""
    for k, v in labels:
        if k == "grpc_code":
            return v != "OK"
        if k in ERROR_LABELS:
            return v.startswith("5")
    return False


def has_error_label(family: MetricFamily) -> bool:
    names = {k for s in family.samples for k, _ in s.labels}
    return "grpc_code" in names or any(k in names for k in ERROR_LABELS)


def _counter_values(family: MetricFamily, sample_name: str | None = None) -> dict[Labels, float]:
    out: dict[Labels, float] = {}
    for s in family.samples:
        if sample_name is not None:
            if s.name != sample_name:
                continue
        elif s.name.endswith("_created"):
            continue
        out[s.labels] = out.get(s.labels, 0.0) + s.value
    return out


def _rate(before: dict[Labels, float], after: dict[Labels, float], dt: float, keep: Callable[[Labels], bool]) -> float:
    total = 0.0
    for labels, now in after.items():
        if labels in before and keep(labels) and math.isfinite(now) and math.isfinite(before[labels]):
            total += increase(before[labels], now)
    return total / dt


def series_value(spec: SeriesSpec, before: MetricFamily | None, after: MetricFamily, dt: float) -> float | None:
    stat = spec.stat or natural_stat(after.type)
    q = quantile_of(stat)
    if q is not None:
        if after.type == "summary":
            return _summary_quantile(after, q, spec)
        if before is None or dt < MIN_DT:
            return None
        value, observations = quantile_between(q, before, after, spec.keep)
        return value if observations > 0 and not math.isnan(value) else None
    if stat == "value":
        values = [s.value for s in after.samples if spec.keep(s.labels) and not s.name.endswith("_created")]
        return sum(values) if values else None
    if before is None or dt < MIN_DT:
        return None
    sample = after.name + "_count" if after.type in ("histogram", "summary") else None
    then, now = _counter_values(before, sample), _counter_values(after, sample)
    if stat == "errors":
        return _rate(then, now, dt, lambda labels: spec.keep(labels) and is_error(labels))
    return _rate(then, now, dt, spec.keep)


def _summary_quantile(family: MetricFamily, q: float, spec: SeriesSpec) -> float | None:
    best: float | None = None
    for s in family.samples:
        if s.name != family.name:
            continue
        labels = dict(s.labels)
        try:
            sq = float(labels.get("quantile", "nan"))
        except ValueError:
            continue
        rest = tuple((k, v) for k, v in s.labels if k != "quantile")
        if abs(sq - q) < 1e-9 and spec.keep(rest) and not math.isnan(s.value):
            best = s.value if best is None else max(best, s.value)
    return best
