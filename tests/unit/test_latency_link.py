"""Latency rising together with GC and the heap (tui.leaks.latency): said only when the series on screen
show it, with start/end values and trends; through the tracker into the report, the findings line and
`check`'s JSON."""

from __future__ import annotations

import dataclasses

from rich.text import Text

from tests.tui.canned import make_snapshot
from tui.leaks.latency import LatencyConfig, latency_link, series_trend, service_findings, trend_text
from tui.leaks.tracker import LeakTracker
from tui.metrics.spec import SeriesSpec
from tui.metrics.state import SERVED, MetricsState
from tui.metrics.watch import WatchedSeries
from tui.model.history import History
from tui.widgets.findings import findings_text

P99 = WatchedSeries(SeriesSpec("http_request_duration_seconds", (), "p99"), "p99 x", "s", "latency", "metric:h:p99")
RATE = WatchedSeries(SeriesSpec("http_request_duration_seconds", (), "rate"), "req/s x", "/s", "rate", "metric:h:rate")
MiB = 1024 * 1024


def series(start: float, end: float, minutes: float = 12, n: int = 73) -> list[tuple[float, float]]:
    return [(i * minutes * 60 / (n - 1), start + (end - start) * i / (n - 1)) for i in range(n)]


def history(latency: tuple[float, float], gc: tuple[float, float], heap: tuple[float, float]) -> History:
    h = History()
    for (t, p99), (_, g), (_, m), (_, r) in zip(
        series(*latency), series(*gc), series(*heap), series(50.0, 50.0), strict=True
    ):
        h.push_many(t, {P99.key: p99, "gc.per_min": g, "mem.heap_inuse": m, RATE.key: r})
    return h


def test_p99_rising_with_gc_and_heap_is_said_with_numbers():
    trends, link = service_findings(history((0.041, 0.138), (8, 37), (100 * MiB, 208 * MiB)).view(), (P99, RATE))
    assert link is not None
    # start and end: medians of the window's first and last fifth (one slow scrape moves neither)
    assert link.sentence == "p99 50 → 129ms over 12 min while GC went 11 → 34/min and the heap grew +9MB/min"
    assert [t.key for t in trends] == [P99.key, RATE.key]
    rate = trends[1]
    assert rate.start == rate.end == 50.0 and rate.per_min == 0.0
    assert trend_text(trends[0]).startswith("49.8ms → 129ms over 12.0 min (+8.08ms/min")


def test_nothing_said_without_the_series_showing_it():
    flat_latency = history((0.041, 0.043), (8, 37), (100 * MiB, 208 * MiB)).view()
    assert service_findings(flat_latency, (P99,))[1] is None  # latency did not rise
    quiet_runtime = history((0.041, 0.138), (8, 8.5), (100 * MiB, 100.5 * MiB)).view()
    assert service_findings(quiet_runtime, (P99,))[1] is None  # rose alone: no cause shown, none guessed
    assert service_findings(quiet_runtime, (RATE,))[1] is None  # no latency series on screen
    only_heap = service_findings(history((0.041, 0.138), (8, 8), (100 * MiB, 208 * MiB)).view(), (P99,))[1]
    assert only_heap is not None and "GC" not in only_heap.sentence and "heap grew" in only_heap.sentence


def test_too_short_or_too_few_points_is_no_link():
    short = series_trend("k", "p99", "s", series(0.04, 0.14, minutes=2), 15)
    gc = series_trend("gc", "GC", "/min", series(8, 37, minutes=2), 15)
    assert latency_link(short, gc, None) is None
    few = series_trend("k", "p99", "s", series(0.04, 0.14, n=4), 15)
    gc_few = series_trend("gc", "GC", "/min", series(8, 37, n=4), 15)
    assert latency_link(few, gc_few, None) is None
    assert latency_link(few, gc_few, None, LatencyConfig(min_points=4)) is not None


def test_through_the_tracker_to_the_findings_line():
    h = history((0.041, 0.138), (8, 37), (100 * MiB, 208 * MiB))
    metrics = MetricsState(found=(("/metrics", SERVED),), watched=(P99,), scraped_at=720.0)
    snapshot = dataclasses.replace(make_snapshot(1), metrics=metrics, history=h.view())
    report = LeakTracker().feed(snapshot)
    assert report.latency is not None and report.service[0].key == P99.key
    line = findings_text(report, 80)
    assert isinstance(line, Text) and "latency" in line.plain and "p99 50 → 129ms" in line.plain
