"""Issue #25: attaching to a long session showed its history's first polls under a `live` chip.
The app shows the newest poll as "catching up" while older polls (state HISTORY) feed only the leak
tracker; `live` comes with the first snapshot past the history."""

from __future__ import annotations

import dataclasses

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.model import snapshot as snap
from tui.widgets.status_bar import StatusBar

STATUS = "history 3:20/40:00 · newest poll 0:04 ago · s-1a2b"


async def test_history_never_reaches_the_screen_and_the_header_says_catching_up():
    newest = dataclasses.replace(make_snapshot(9, goroutine_total=117_000), state=snap.CATCHING_UP, status=STATUS)
    old = dataclasses.replace(make_snapshot(2, goroutine_total=53_734), state=snap.HISTORY)
    source = CannedSource(newest, old)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = app.screen.query_one(StatusBar)
        assert bar.info is not None and bar.info.state == "catching up"
        first_line = screen_text(app)[0]
        assert first_line.startswith(" catching up ") and "live" not in first_line
        assert "history 3:20/40:00" in first_line
        assert app.snapshot is not None and app.snapshot.goroutine_total == 117_000  # not the history's 53,734
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        # the tracker saw the history poll, not the newest one ahead of it
        assert app.leak_report is not None and app.leak_report.time == old.time
        source.push(dataclasses.replace(make_snapshot(10, goroutine_total=117_050), status="live"))
        await settle(pilot, app)
        assert bar.info.state == "live"
