"""The service's own numbers on screen, from the real Prometheus /metrics captures
(tests/fixtures/metrics/prometheus-load): latency and rate sparklines under the memory ones at 80x24,
the `M` picker (every family with type and help, filter, enter pins), all without a mouse."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.metrics.page import index_page
from tui.metrics.spec import parse_spec
from tui.metrics.state import NOT_SERVED, SERVED, MetricsState
from tui.metrics.watch import MetricsWatch
from tui.model.history import History
from tui.screens.dashboard import Dashboard
from tui.screens.metrics_picker import MetricsPicker
from tui.widgets.service_sparks import ServiceSparks
from tui.widgets.sparklines import MetricSpark

CAPTURE = Path(__file__).resolve().parents[1] / "fixtures" / "metrics" / "prometheus-load"


def metrics_snapshot(seq: int = 1, watch: MetricsWatch | None = None):
    """A snapshot whose history holds the watched series over the four real scrapes."""
    watch = watch or MetricsWatch()
    history = History()
    base = make_snapshot(seq)
    assert base.history is not None
    for key in ("goroutines", "mem.heap_inuse"):
        for i, v in enumerate(base.history.values(key, last=30)):
            history.push(key, float(i), v)
    page = None
    for s in json.loads((CAPTURE / "capture.json").read_text())["scrapes"]:
        page = index_page((CAPTURE / s["file"]).read_bytes())
        history.push_many(s["unix"], watch.observe(s["unix"], page))
    assert page is not None
    state = MetricsState(
        found=(("/metrics", SERVED), ("/debug/vars", NOT_SERVED), ("/debug/fgprof", NOT_SERVED)),
        watched=watch.watched,
        families=tuple(page.families.values()),
        scraped_at=100.0,
    )
    return dataclasses.replace(base, metrics=state, history=history.view())


class PinSource(CannedSource):
    def pin_metric(self, spec: str) -> None:
        self.calls.append(f"pin:{spec}")


def text(app) -> str:
    return "\n".join(screen_text(app))


async def test_latency_and_rates_under_the_memory_sparklines_at_80x24():
    app = build_app(CannedSource(metrics_snapshot()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        sparks = app.screen.query_one(ServiceSparks)
        assert sparks.display
        shown = [s for s in sparks.query(MetricSpark) if s.display]
        assert [s.label for s in shown] == ["p50", "p99", "req/s", "err/s"]
        p99 = shown[1]
        assert len(p99.values) == 3 and p99.current_text.endswith("ms")  # three intervals of four scrapes
        screen = text(app)
        assert "p99" in screen and "req/s" in screen and "heap" in screen  # beside the memory ones
        assert "/s" in shown[2].current_text


async def test_no_metrics_no_rows():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert not app.screen.query_one(ServiceSparks).display


async def test_picker_lists_filters_and_pins_without_a_mouse():
    source = PinSource(metrics_snapshot())
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("M")
        await settle(pilot, app)
        assert isinstance(app.screen, MetricsPicker)
        screen = text(app)
        assert "169 of 169 families" in screen and "summary" in screen and "go_goroutines" in screen
        await pilot.press("slash", *"tsdb_head_series", "enter")
        await settle(pilot, app)
        table = app.screen.query_one("#metrics-table")
        assert table.keys_in_order[0].startswith("prometheus_tsdb_head_series")
        assert all("tsdb_head_series" in k for k in table.keys_in_order)
        await pilot.press("enter")
        await settle(pilot, app)
        assert source.calls[-1] == "pin:" + table.keys_in_order[0]
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        assert isinstance(app.screen, Dashboard)


async def test_pinned_series_gets_a_row_first():
    watch = MetricsWatch([parse_spec("prometheus_tsdb_head_series")])
    app = build_app(CannedSource(metrics_snapshot(watch=watch)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        shown = [s for s in app.screen.query_one(ServiceSparks).query(MetricSpark) if s.display]
        assert shown[0].metric == "metric:prometheus_tsdb_head_series" and shown[0].values


async def _settle_snap(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_dashboard_with_service_numbers(snap_compare, size):
    assert snap_compare(build_app(CannedSource(metrics_snapshot())), terminal_size=size, run_before=_settle_snap)


def test_picker_snapshot(snap_compare):
    async def run_before(pilot):
        await _settle_snap(pilot)
        await pilot.press("M")
        await _settle_snap(pilot)

    assert snap_compare(build_app(CannedSource(metrics_snapshot())), terminal_size=(80, 24), run_before=run_before)
