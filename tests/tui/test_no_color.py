"""NO_COLOR: the app runs monochrome and nothing it says depends on colour alone."""

from __future__ import annotations

from textual.filter import Monochrome

from tests.tui.canned import CannedSource, make_snapshot
from tui.app import build_app
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable


async def test_no_color_runs_monochrome_with_text_markers(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app(CannedSource(make_snapshot(1)))
    assert app.no_color and any(isinstance(f, Monochrome) for f in app._filters)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(HeapTable).row_count > 0
        await pilot.press("tab", "j")
        assert app.screen.focused is app.screen.query_one(GoroutineTree)
        svg = app.export_screenshot()
        # state and focus are words and characters, not only colours
        assert "live" in svg and "chan&#160;send" in svg
