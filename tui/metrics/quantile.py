"""Quantiles of a classic histogram between two scrapes, as Prometheus computes them.

`bucket_quantile` is Prometheus' `histogram_quantile` (promql/quantile.go, classic buckets): buckets
sorted by upper bound, equal bounds merged, counts forced monotonic, the quantile's rank found in the
first bucket whose cumulative count reaches it and interpolated linearly inside that bucket; in the
+Inf bucket it is the largest finite bound; NaN without a +Inf bucket, with fewer than two buckets or
no observations.

`bucket_deltas` gives what happened between two scrapes: per label set (the labels without `le`)
each bucket's increase, reset-aware as Prometheus' `increase()` over two samples (a count that went
down started again from zero: its increase is the new count); label sets not in both scrapes are
left out (Prometheus needs two samples too). `quantile_between` sums the label sets' deltas by `le`
(`histogram_quantile(q, sum by (le) (increase(x_bucket[...]))`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from tui.metrics.parse import Labels, MetricFamily

Bucket = tuple[float, float]  # (upper bound, cumulative count)
SMALL_DELTA = 1e-12  # Prometheus' smallDeltaTolerance


def bucket_quantile(q: float, buckets: Sequence[Bucket]) -> float:
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    if not buckets:
        return math.nan
    ordered = sorted(buckets, key=lambda b: b[0])
    if not math.isinf(ordered[-1][0]) or ordered[-1][0] < 0:
        return math.nan
    merged: list[list[float]] = []
    for bound, count in ordered:  # coalesceBuckets
        if merged and merged[-1][0] == bound:
            merged[-1][1] += count
        else:
            merged.append([bound, count])
    prev = merged[0][1]  # ensureMonotonicAndIgnoreSmallDeltas
    for bucket in merged[1:]:
        cur = bucket[1]
        if cur == prev:
            continue
        if abs(cur - prev) <= SMALL_DELTA * max(abs(cur), abs(prev)) or cur < prev:
            bucket[1] = prev
        else:
            prev = cur
    if len(merged) < 2:
        return math.nan
    observations = merged[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    b = len(merged) - 1
    for i in range(len(merged) - 1):  # sort.Search over all but the +Inf bucket
        if merged[i][1] >= rank:
            b = i
            break
    if b == len(merged) - 1:
        return merged[-2][0]
    if b == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[b][0], merged[b][1]
    if b > 0:
        start = merged[b - 1][0]
        count -= merged[b - 1][1]
        rank -= merged[b - 1][1]
    return start + (end - start) * (rank / count)


def increase(prev: float, cur: float) -> float:
    """A counter's increase between two samples, reset-aware (a drop means it restarted at 0)."""
    return cur if cur < prev else cur - prev


def _le(value: str) -> float | None:
    try:
        bound = float(value)
    except ValueError:
        return None
    return None if math.isnan(bound) else bound


def histogram_buckets(
    family: MetricFamily, keep: Callable[[Labels], bool] | None = None
) -> dict[Labels, dict[float, float]]:
    """Per label set (without `le`): upper bound -> cumulative count, from a family's `_bucket` samples."""
    suffix = family.name + "_bucket"
    out: dict[Labels, dict[float, float]] = {}
    for s in family.samples:
        if s.name != suffix:
            continue
        le = None
        rest: list[tuple[str, str]] = []
        for k, v in s.labels:
            if k == "le":
                le = _le(v)
            else:
                rest.append((k, v))
        key = tuple(rest)
        if le is None or (keep is not None and not keep(key)):
            continue
        out.setdefault(key, {})[le] = s.value
    return out


def bucket_deltas(
    before: dict[Labels, dict[float, float]], after: dict[Labels, dict[float, float]]
) -> dict[Labels, dict[float, float]]:
    out: dict[Labels, dict[float, float]] = {}
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            continue
        # bucket by bucket, as Prometheus' increase() treats each `le` series on its own
        out[key] = {le: increase(then[le], c) for le, c in now.items() if le in then}
    return out


def summed(per_set: Iterable[dict[float, float]]) -> list[Bucket]:
    total: dict[float, float] = {}
    for buckets in per_set:
        for le, c in buckets.items():
            total[le] = total.get(le, 0.0) + c
    return sorted(total.items())


def quantile_between(
    q: float, before: MetricFamily, after: MetricFamily, keep: Callable[[Labels], bool] | None = None
) -> tuple[float, float]:
    """(quantile, observations) of the observations made between two scrapes of one histogram."""
    deltas = bucket_deltas(histogram_buckets(before, keep), histogram_buckets(after, keep))
    buckets = summed(deltas.values())
    observations = buckets[-1][1] if buckets and math.isinf(buckets[-1][0]) else 0.0
    return bucket_quantile(q, buckets), observations
