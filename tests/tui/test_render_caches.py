"""Textual's render caches stay a few screens big however many polls repaint the panes."""

from __future__ import annotations

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.waiting import settle
from tui.app import build_app
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.render_caches import MIN_HEIGHT, SCREENS


def table_caches(table):
    return (table._cell_render_cache, table._row_render_cache, table._row_renderable_cache, table._line_cache)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_caches_stay_bounded_over_many_refreshes(size):
    source = CannedSource(make_snapshot(1, heap=flat_profile({f"pkg.f{i}": 1000 + i for i in range(40)})))
    app = build_app(source)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        tree = app.screen.query_one(GoroutineTree)
        for seq in range(2, 42):  # every poll changes every value: every cached cell goes stale
            weights = {f"pkg.f{i}": 1000 * seq + 37 * i * seq for i in range(40)}
            source.push(make_snapshot(seq, heap=flat_profile(weights)))
            await settle(pilot, app)
            await pilot.press("j")
        rows = SCREENS * max(table.size.height, MIN_HEIGHT)
        cell, row, renderable, line = table_caches(table)
        assert cell.maxsize == rows * (len(table.columns) + 1) and len(cell) <= cell.maxsize
        assert len(cell) > 0  # the table did render through the cache
        for cache in (row, renderable, line):
            assert cache.maxsize == rows and len(cache) <= rows
        assert len(tree._line_cache) <= tree._line_cache.maxsize == SCREENS * max(tree.size.height, MIN_HEIGHT)


async def test_a_resize_resizes_the_caches():
    source = CannedSource(make_snapshot(1))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        before = table._line_cache.maxsize
        await pilot.resize_terminal(160, 60)
        await settle(pilot, app)
        assert table._line_cache.maxsize > before
        assert table._line_cache.maxsize == SCREENS * max(table.size.height, MIN_HEIGHT)
