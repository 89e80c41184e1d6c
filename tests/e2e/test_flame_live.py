"""The live flame view of our leaking Go target, watched by the real poller (Pilot, 80×24): `f` on
the heap table, the leaking path found with the keys, and the view following new heap profiles."""

from __future__ import annotations

import pytest

from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.config import build_config
from tui.screens.flame_screen import FlameScreen
from tui.service.poller import Poller
from tui.widgets.flame_view import FlameView
from tui.widgets.heap_table import HeapTable

pytestmark = pytest.mark.e2e

LEAK = "main.(*LFUCache).increment"


async def test_live_flame_view_finds_the_leaking_path(go_target):
    target = go_target("-cache-leak-rate", "5000")
    config = build_config({"target": target.addr, "interval": 0.5, "debug2_min_age": 1.0}, env={})
    app = build_app(Poller(config))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(HeapTable)
        # the leak must hold most of the heap first (early on, our own polls' buffers in net/http/pprof do)
        await wait_for(pilot, lambda: table.row_count > 0 and "LFUCache" in table.keys_in_order[0], timeout=60)
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FlameScreen)
        await wait_for(pilot, lambda: screen.graph is not None)

        def leak_share() -> float:  # early on, start-up tables and our polls' buffers outweigh the leak
            g = screen.graph
            if g is None or not g.total:
                return 0.0
            return sum(int(g.self_values[i]) for i in range(len(g)) if g.name(i) == LEAK) / g.total

        await wait_for(pilot, lambda: leak_share() > 0.5, timeout=60)  # the live view follows new profiles
        view = screen.query_one(FlameView)
        graph = screen.graph
        assert graph is not None
        # the keys alone: down the heaviest children until the leaking function is under the cursor
        for _ in range(12):
            if graph.name(view.cursor) == LEAK:
                break
            await pilot.press("j")
            graph = screen.graph  # a newer profile may have arrived: the cursor kept its path
            assert graph is not None
        path = graph.path(view.cursor)
        assert path[-1] == LEAK, path
        assert "main.(*LFUCache).Get" in path and "main.(*LFUCache).readSome" in path
        share = graph.values[view.cursor] / graph.total
        assert share > 0.3  # the leak holds most of the live heap
        # zoom into it, then let new profiles arrive: zoom and cursor stay on the same frame path
        await pilot.press("enter")
        first = screen.graph
        await wait_for(pilot, lambda: screen.graph is not first, timeout=60)
        assert screen.graph is not None
        assert screen.graph.path(view.zoom) == path and screen.graph.path(view.cursor) == path
        assert LEAK in str(screen.query_one("#flame-info").render())
