"""Memory reconciliation: trends of the MemStats trailer, the goroutine count and the heap
profile, and one sentence saying where the memory goes (pure, stdlib only)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.core.bytesize import format_bytes
from tui.core.limits import MiB
from tui.leaks.floors import still_rising
from tui.leaks.growth import Trend, VerdictConfig, growth_rate, is_growing, trend

# MemStats fields shown in the panel, in order: (series key, label, unit)
METRICS: tuple[tuple[str, str, str], ...] = (
    ("heap_inuse", "HeapInuse", "bytes"),
    ("heap_idle", "HeapIdle", "bytes"),
    ("heap_released", "HeapReleased", "bytes"),
    ("stack_inuse", "StackInuse", "bytes"),
    ("sys", "Sys", "bytes"),
    ("max_rss", "MaxRSS", "bytes"),
    ("num_gc", "NumGC", "count"),
    ("gc_cpu_fraction", "GC CPU", "fraction"),
)
GOROUTINES = "goroutines"
HEAP_PROFILE = "heap_profile_inuse"  # sum of the heap profile's inuse_space

# MemStats are noisy (even after GC, HeapInuse holds whatever was in flight, e.g. the target's
# own pprof buffers): looser monotonicity than the group verdicts, but the rise over the window
# must be 3x the noise around the robust line, over at least 1.5 minutes. Measured on the
# recordings: steady targets stay under 2.3x, a 600 kB/min cache leak reaches 3.3-9x.
MEMORY_CONFIG = VerdictConfig(
    min_points=6,
    min_span_minutes=1.5,
    slope_floor=256 * 1024,
    relative_floor=0.01,
    min_rise_share=0.6,
    min_rises=3,
    min_signal_to_noise=3.0,
)
STACK_CONFIG = MEMORY_CONFIG.with_(slope_floor=64 * 1024, relative_floor=0.02)
GOROUTINE_CONFIG = VerdictConfig(
    min_points=6, min_span_minutes=1.0, slope_floor=10.0, relative_floor=0.02, min_rise_share=0.7, min_rises=3
)

# The heap profile samples one allocation per ~512 kB, so its total moves in steps of about that
# size (on a quiet service, the target's own pprof gzip buffers make one or two such steps). Its
# growth is only claimed when it rose by at least this much across the verdict window.
MIN_PROFILE_RISE = 2 * MiB

STACKS = "stacks"
HEAP = "heap"
NOTHING = "nothing"
NOTHING_READ = "nothing read yet"  # the sentence while no series has a point (a target never read)


@dataclass(frozen=True, slots=True)
class MetricTrend:
    key: str
    label: str
    unit: str
    current: float | None
    rate_per_min: float | None  # None with too few points
    growing: bool
    values: tuple[float, ...]  # recent values for a sparkline (oldest first)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    metrics: tuple[MetricTrend, ...]  # METRICS order, then goroutines and the heap profile
    verdict: str  # STACKS, HEAP, NOTHING
    sentence: str


# HeapInuse saw-tooths between GC cycles (garbage): it is judged on HEAP_AFTER_GC, its value at
# the first poll after each completed GC (NumGC changed), which tracks the live heap. Without
# that series, on its lower envelope (the smallest value of each ENVELOPE_SECONDS).
HEAP_AFTER_GC = "heap_inuse_after_gc"
ENVELOPE_SECONDS = 30.0


def lower_envelope(
    points: Sequence[tuple[float, float]], seconds: float = ENVELOPE_SECONDS
) -> list[tuple[float, float]]:
    """The minimum point of each `seconds`-wide time bucket (time order kept)."""
    best: dict[int, tuple[float, float]] = {}
    for t, v in points:
        if not (math.isfinite(t) and math.isfinite(v)):
            continue
        b = math.floor(t / seconds)
        if b not in best or v < best[b][1]:
            best[b] = (t, v)
    return [best[b] for b in sorted(best)]


def window_rise(points: Sequence[tuple[float, float]], window_minutes: float) -> float:
    """Last value minus the lowest value within the window that ends at the last point."""
    pts = [(t, v) for t, v in points if math.isfinite(t) and math.isfinite(v)]
    if len(pts) < 2:
        return 0.0
    start = pts[-1][0] - window_minutes * 60.0
    return pts[-1][1] - min(v for t, v in pts if t >= start)


def _metric(
    key: str,
    label: str,
    unit: str,
    points: Sequence[tuple[float, float]],
    config: VerdictConfig,
    spark: int,
    judged: Sequence[tuple[float, float]] | None = None,
) -> tuple[MetricTrend, Trend | None]:
    tr = trend(judged if judged is not None else points, window_minutes=config.window_minutes)
    growing = is_growing(tr, config) if unit != "count" and unit != "fraction" else False
    rate = None if tr is None else (growth_rate(tr) if tr.slope >= 0 else tr.slope)
    values = tuple(float(v) for _, v in list(points)[-spark:])
    current = values[-1] if values else None
    return MetricTrend(key, label, unit, current, rate, growing, values), tr


def reconcile(
    series: Mapping[str, Sequence[tuple[float, float]]],
    heap_growers: Sequence[tuple[str, float]] = (),
    *,
    function_growing: bool = False,
    spark: int = 60,
) -> Reconciliation:
    """`series`: METRICS keys plus GOROUTINES, HEAP_PROFILE and HEAP_AFTER_GC -> (t, value) points.
    `heap_growers`: (function, Δinuse bytes) biggest first: how far each function's floor rose
    since the baseline (tracker: heap_floors.HeapFloors.growth_since).
    `function_growing`: some heap function has a GROWING verdict. A rising HeapInuse alone is not
    claimed (a young process warms up, in-flight buffers come and go): the heap profile must agree,
    by its total or by a growing function; the metric row still shows the HeapInuse trend."""
    metrics: list[MetricTrend] = []
    by_key: dict[str, MetricTrend] = {}
    for key, label, unit in METRICS:
        config = STACK_CONFIG if key == "stack_inuse" else MEMORY_CONFIG
        judged = None
        if key == "heap_inuse":
            after_gc = series.get(HEAP_AFTER_GC, ())
            judged = after_gc if len(after_gc) >= config.min_points else lower_envelope(series.get(key, ()))
        m, _ = _metric(key, label, unit, series.get(key, ()), config, spark, judged)
        metrics.append(m)
        by_key[key] = m
    for key, label, unit, config in (
        (GOROUTINES, "goroutines", "count", GOROUTINE_CONFIG),
        (HEAP_PROFILE, "heap profile inuse", "bytes", MEMORY_CONFIG),
    ):
        m, tr = _metric(key, label, unit, series.get(key, ()), config, spark)
        if key == GOROUTINES:
            m = MetricTrend(m.key, m.label, m.unit, m.current, m.rate_per_min, is_growing(tr, config), m.values)
        elif m.growing and (
            window_rise(series.get(key, ()), config.window_minutes) < MIN_PROFILE_RISE
            or not still_rising(series.get(key, ()))
        ):
            # the window still holds a rise that has stopped (a cache that warmed up): not growing
            m = MetricTrend(m.key, m.label, m.unit, m.current, m.rate_per_min, False, m.values)
        metrics.append(m)
        by_key[key] = m
    stack, gor = by_key["stack_inuse"], by_key[GOROUTINES]
    heap_inuse, heap_prof = by_key["heap_inuse"], by_key[HEAP_PROFILE]
    if stack.growing and gor.growing and not heap_prof.growing and not function_growing:
        sentence = (
            f"Stack is growing with the goroutine count (+{format_bytes(stack.rate_per_min or 0)}/min, "
            f"+{gor.rate_per_min or 0:,.0f} goroutines/min) while the heap profile is flat: "
            "the growth is goroutine stacks, not heap — look at the goroutine tree"
        )
        return Reconciliation(tuple(metrics), STACKS, sentence)
    if heap_prof.growing or (heap_inuse.growing and function_growing):
        grower = heap_inuse if heap_inuse.growing else heap_prof
        sentence = f"{grower.label} is growing +{format_bytes(grower.rate_per_min or 0)}/min"
        growers = [(name, delta) for name, delta in heap_growers if delta > 0][:3]
        if growers:
            sentence += ": largest Δinuse: " + ", ".join(f"{name} (+{format_bytes(d)})" for name, d in growers)
        if stack.growing and gor.growing:
            sentence += f"; Stack grows too, with the goroutine count (+{format_bytes(stack.rate_per_min or 0)}/min)"
        return Reconciliation(tuple(metrics), HEAP, sentence)
    if function_growing:  # a heap verdict stands, too small yet to move the totals past their noise
        sentence = "the totals are within their noise; the heap grows in the functions with a verdict"
        return Reconciliation(tuple(metrics), NOTHING, sentence)
    if not any(m.values for m in metrics):
        return Reconciliation(tuple(metrics), NOTHING, NOTHING_READ)  # never "nothing growing" unread
    rate = heap_inuse.rate_per_min
    if heap_inuse.growing or (rate is not None and rate >= MEMORY_CONFIG.slope_floor):
        # its row shows the rise: say that it is not claimed, and why (short: the findings line says it)
        sentence = f"nothing claimed (HeapInuse +{format_bytes(rate or 0)}/min, heap profile not growing)"
        return Reconciliation(tuple(metrics), NOTHING, sentence)
    if all(m.rate_per_min is None for m in metrics if m.unit == "bytes"):
        return Reconciliation(tuple(metrics), NOTHING, "too few polls to judge yet")
    return Reconciliation(tuple(metrics), NOTHING, "nothing growing")
