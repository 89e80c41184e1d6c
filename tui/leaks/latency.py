"""Latency rising together with GC and the live heap, said only from the series on screen (pure).

The service's p99 (the watched latency sparkline, tui/metrics), GC cycles a minute (`gc.per_min`, the
"GC/min" sparkline) and the heap in use (`mem.heap_inuse`, the "heap" sparkline) over the last
`window_minutes`. Each series' start and end are the medians of its first and last fifth of points
in the window (one slow scrape moves neither), its slope the Theil–Sen slope (tui.leaks.growth).
The link is said when the p99 rose (end >= `rise_ratio` x start and by `min_latency_rise` seconds,
the slope positive) over at least `min_span_minutes` and `min_points` scrapes, AND GC/min rose with it
(end >= `rise_ratio` x start and +`min_gc_rise`/min) or the heap grew (+`min_heap_rise` bytes, slope
positive): "p99 41 → 138ms over 12 min while GC went 8 → 37/min and the heap grew +9MB/min".
Never a cause the series do not show; without a latency series on screen, nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.bytesize import format_bytes
from tui.leaks.growth import trend
from tui.metrics.watch import WatchedSeries
from tui.model.history import HistoryView

GC_KEY = "gc.per_min"
HEAP_KEY = "mem.heap_inuse"
Points = Sequence[tuple[float, float]]
ROBUST_UP_TO = 120  # points


@dataclass(frozen=True, slots=True)
class LatencyConfig:
    window_minutes: float = 15.0
    min_span_minutes: float = 3.0
    min_points: int = 6
    rise_ratio: float = 1.5
    min_latency_rise: float = 0.005  # seconds
    min_gc_rise: float = 2.0  # cycles a minute
    min_heap_rise: float = 4 * 1024 * 1024  # bytes


LATENCY_DEFAULTS = LatencyConfig()


@dataclass(frozen=True, slots=True)
class SeriesTrend:
    """One series over the window: where it started and ended, and its slope a minute."""

    key: str
    label: str
    unit: str  # "s", "/s", "/min", "B", ""
    start: float
    end: float
    minutes: float
    per_min: float  # Theil–Sen slope
    points: int


@dataclass(frozen=True, slots=True)
class LatencyLink:
    latency: SeriesTrend
    gc: SeriesTrend | None  # when GC/min rose with it
    heap: SeriesTrend | None  # when the heap grew with it
    sentence: str


def series_trend(key: str, label: str, unit: str, points: Points, window_minutes: float) -> SeriesTrend | None:
    if not points:
        return None
    newest = points[-1][0]
    pts = [(t, v) for t, v in points if t >= newest - window_minutes * 60]
    if len(pts) < 2:
        return None
    fifth = max(1, len(pts) // 5)
    start = statistics.median(v for _, v in pts[:fifth])
    end = statistics.median(v for _, v in pts[-fifth:])
    tr = trend(pts, robust=len(pts) <= ROBUST_UP_TO)  # Theil–Sen is O(n²): least squares past that
    slope = tr.slope if tr is not None else 0.0
    return SeriesTrend(key, label, unit, start, end, (pts[-1][0] - pts[0][0]) / 60, slope, len(pts))


def _rose(s: SeriesTrend | None, ratio: float, floor: float) -> bool:
    return s is not None and s.end >= s.start * ratio and s.end - s.start >= floor and s.per_min > 0


def latency_link(
    latency: SeriesTrend | None,
    gc: SeriesTrend | None,
    heap: SeriesTrend | None,
    config: LatencyConfig = LATENCY_DEFAULTS,
) -> LatencyLink | None:
    if latency is None or latency.minutes < config.min_span_minutes or latency.points < config.min_points:
        return None
    if not _rose(latency, config.rise_ratio, config.min_latency_rise):
        return None
    gc_rose = gc if _rose(gc, config.rise_ratio, config.min_gc_rise) else None
    heap_grew = (
        heap if heap is not None and heap.end - heap.start >= config.min_heap_rise and heap.per_min > 0 else None
    )
    if gc_rose is None and heap_grew is None:
        return None
    parts = [f"{latency.label} {_ms(latency.start)} → {_ms(latency.end)}ms over {latency.minutes:.0f} min while"]
    if gc_rose is not None:
        parts.append(f"GC went {gc_rose.start:.0f} → {gc_rose.end:.0f}/min")
    if heap_grew is not None:
        parts.append(("and " if gc_rose is not None else "") + f"the heap grew +{format_bytes(heap_grew.per_min)}/min")
    return LatencyLink(latency, gc_rose, heap_grew, " ".join(parts))


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.0f}" if ms >= 10 else f"{ms:.1f}"


def watched_trends(
    history_points: dict[str, Points], watched: Sequence[WatchedSeries], window_minutes: float
) -> tuple[SeriesTrend, ...]:
    """Start/end/slope of every watched series with points (for `check --json` and the report)."""
    out = []
    for w in watched:
        s = series_trend(w.key, w.label, w.unit, history_points.get(w.key, ()), window_minutes)
        if s is not None:
            out.append(s)
    return tuple(out)


def service_findings(
    history: HistoryView, watched: Sequence[WatchedSeries], config: LatencyConfig = LATENCY_DEFAULTS
) -> tuple[tuple[SeriesTrend, ...], LatencyLink | None]:
    """The watched series' trends over the window, and the latency link when the series show one."""
    window_minutes = config.window_minutes

    def points(key: str) -> list[tuple[float, float]]:
        return [(p.t, p.value) for p in history.get(key)]

    trends = watched_trends({w.key: points(w.key) for w in watched}, watched, window_minutes)
    latency = [w for w in watched if w.role == "latency"]
    p99 = next((w for w in latency if w.spec.stat == "p99"), latency[0] if latency else None)
    if p99 is None:
        return trends, None
    shown = next((t for t in trends if t.key == p99.key), None)
    gc = series_trend(GC_KEY, "GC", "/min", points(GC_KEY), window_minutes)
    heap = series_trend(HEAP_KEY, "heap", "B", points(HEAP_KEY), window_minutes)
    if shown is not None:
        shown = SeriesTrend(
            shown.key,
            p99.spec.stat or "p99",
            shown.unit,
            shown.start,
            shown.end,
            shown.minutes,
            shown.per_min,
            shown.points,
        )
    return trends, latency_link(shown, gc, heap, config)


def format_in(value: float, unit: str) -> str:
    """A value of a series in its unit: seconds as ms or s, rates per second or minute, bytes."""
    if unit == "s":
        return f"{value * 1000:.3g}ms" if value < 1 else f"{value:.3g}s"
    if unit in ("/s", "/min"):
        return f"{value:.3g}{unit}"
    if unit == "B":
        return format_bytes(value)
    return f"{value:.4g}"


def trend_text(t: SeriesTrend) -> str:
    """ "41.2ms → 138ms over 12 min (+8.1ms/min)"."""
    sign = "+" if t.per_min >= 0 else "-"
    return (
        f"{format_in(t.start, t.unit)} → {format_in(t.end, t.unit)} over {t.minutes:.1f} min "
        f"({sign}{format_in(abs(t.per_min), t.unit)}/min, {t.points} scrapes)"
    )
