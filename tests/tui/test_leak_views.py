"""Leak diagnosis in the UI, on the bundled demo recording (a real capture of both leaks)."""

from __future__ import annotations

from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.commands.demo import demo_source
from tui.heap.units import format_value
from tui.screens.leak_screen import LeakScreen, _metric_value
from tui.screens.presenters import metric_specs
from tui.widgets.findings import FindingsBar
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.sparklines import MetricSpark


async def test_both_demo_leaks_are_flagged_and_explained():
    source = demo_source(speed=float("inf"), loop=False)
    app = build_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: source.finished, timeout=60.0)
        await wait_for(pilot, lambda: app.leak_report is not None and app.leak_report.time >= app.snapshot.time)
        report = app.leak_report
        kinds = {(v.kind, v.label.split(" [")[0]) for v in report.verdicts}
        assert ("leaked", "main.(*Dispatcher).deliver") in kinds
        assert ("growing", "main.(*LFUCache).increment") in kinds
        assert "leaked" in app.screen.query_one(FindingsBar).plain

        # proven leaks first in the tree; the leaking stack carries its growth rate
        tree = app.screen.query_one(GoroutineTree)
        first = tree.root.children[0].data.group
        assert first.leaked and first.reason == "chan send"
        assert any(g.rate_per_min and g.rate_per_min > 30 for g in tree.growth.values())

        # the growing heap function is marked in the table
        table = app.screen.query_one(HeapTable)
        assert table.marks.get("main.(*LFUCache).increment") == "↑"

        # d: the heap pane shows the change since the baseline pinned at start
        await pilot.press("d")
        await pilot.pause(0.2)
        assert "Δ" in str(app.screen.query_one("#heap-pane").border_title)
        assert table.report.rows[0].name == "main.(*LFUCache).increment" and table.report.rows[0].flat > 0

        # b pins the newest profile as the baseline: nothing has changed since, so the diff empties
        await pilot.press("b")
        await wait_for(pilot, lambda: app.leak_report.baseline_reason == "pinned by you")
        await pilot.pause(0.2)
        assert app.leak_report.baseline_at == app.snapshot.age("heap").fetched_at
        assert "Δ" in str(app.screen.query_one("#heap-pane").border_title)
        assert table.report.total == 0 and all(r.flat == 0 for r in table.report.rows)
        # d again: back to the profile itself, whose rows did not go anywhere
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(table.report.rows))
        assert "Δ" not in str(app.screen.query_one("#heap-pane").border_title)
        assert table.report.rows[0].name == "main.(*LFUCache).increment" and table.report.total > 0

        # L: the leak report, with the memory reconciliation in words
        sys_spark = app.screen.query_one("#spark-sys", MetricSpark).current_text
        await pilot.press("L")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LeakScreen)
        body = app.screen.body().plain
        assert "main.(*Dispatcher).deliver" in body and "HeapInuse is growing" in body
        # the same Sys figure beside the sparkline and in the report (one byte formatter)
        sys_line = next(line.split() for line in body.splitlines() if line.split()[:1] == ["Sys"])
        assert sys_line[1] == sys_spark and sys_spark.endswith("MB")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LeakScreen)


def test_sparkline_header_and_leak_report_format_a_value_identically():
    """One byte formatter: the dashboard's sparkline value, the leak report's memory panel and
    the heap table (pprof's convention, 1 kB = 1024 B) show the same text for the same bytes."""
    spark = {spec.id: spec.formatter for spec in metric_specs()}
    for value in (0, 512, 1000, 1024, 1536, 188 * 2**20, 206_647_296, 197.07 * 2**20, 3 * 2**30 + 1):
        report = _metric_value(value, "bytes")
        assert spark["sys"](value) == spark["heap"](value) == spark["stack"](value) == report
        if value == int(value):
            assert report == format_value(int(value), "bytes")
    assert spark["sys"](206_647_296) == "197.07MB"  # was "206.6MB" (÷1000) beside "197.07MB"
