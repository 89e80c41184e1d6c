"""The real app, watching the real Go test target through the real poller (Pilot, 80×24)."""

from __future__ import annotations

import pytest

from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.config import build_config
from tui.service.poller import Poller
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.sparklines import MetricSpark
from tui.widgets.status_bar import StatusBar

pytestmark = pytest.mark.e2e


async def test_app_watches_the_real_target(go_target):
    target = go_target("-chan-leak-rate", "20", "-cache-leak-rate", "5000", "-parked")
    config = build_config({"target": target.addr, "interval": 0.5, "debug2_min_age": 1.0}, env={})
    app = build_app(Poller(config))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(HeapTable)
        tree = app.screen.query_one(GoroutineTree)
        await wait_for(pilot, lambda: table.row_count > 0 and any("LFUCache" in k for k in table.keys_in_order))
        await wait_for(pilot, lambda: any(n.data.group.reason == "chan send" for n in tree.root.children))
        status = app.screen.query_one(StatusBar).info
        assert status.state == "live" and target.addr in status.target
        spark = app.screen.query_one("#spark-goroutines", MetricSpark)
        await wait_for(pilot, lambda: len(spark.values) >= 3 and spark.values[-1] > spark.values[0])

        # pause, so the tree holds still, then drill into the leaking goroutines with keys and back
        await pilot.press("p")
        await pilot.pause(0.5)
        await pilot.press("tab")
        assert app.screen.focused is tree
        while tree.cursor_node.data.group.reason != "chan send":
            before = tree.cursor_line
            await pilot.press("j")
            assert tree.cursor_line != before, "no chan send group in the tree"
        await pilot.press("enter", "j", "enter")  # the reason and its biggest bucket open; its first stack
        await pilot.pause()
        from tui.screens.goroutine_drill import GoroutineDrillScreen

        assert isinstance(app.screen, GoroutineDrillScreen)
        assert "main.(*Dispatcher).deliver" in app.screen.body().plain
        await pilot.press("escape")
        await pilot.press("p")

        # pause stops polling: no new snapshot arrives while paused
        await pilot.press("p")
        await pilot.pause(0.3)
        seq = app.snapshot.seq
        await pilot.pause(2.0)
        assert app.snapshot.seq <= seq + 1
        await pilot.press("p")
        await wait_for(pilot, lambda: app.snapshot.seq > seq + 1)
