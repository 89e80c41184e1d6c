"""Contention, live: the real app and poller watching our Go target (tests/target/hot.go), Pilot at 80x24.

With rates set the contended mutex and the blocked channel receivers show in the mutex and block
tables of "this window"; without, the screen says what to set in the target."""

from __future__ import annotations

import pytest

from tests.tui.screen_text import screen_text
from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.config import build_config
from tui.screens.contention_screen import ContentionScreen, ContentionTable
from tui.service.poller import Poller

pytestmark = pytest.mark.e2e


def _config(addr: str):
    return build_config({"target": addr, "interval": 0.5, "contention_every": 2}, env={})


def _shown(app) -> str:
    return " ".join(" ".join(screen_text(app)).split())


async def test_contended_mutex_and_blocked_channel_show(go_target):
    target = go_target("-contend", "8", "-mutex-fraction", "5", "-block-rate", "10000")
    app = build_app(Poller(_config(target.addr)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and "mutex" in app.snapshot.contention)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ContentionScreen)
        table = app.screen.query_one(ContentionTable)
        # a window needs two fetches: the title says "last N s" once it has one
        await wait_for(pilot, lambda: "mutex · delay · last" in _shown(app), timeout=60)
        await wait_for(pilot, lambda: "main.(*hotLock).work" in table.keys_in_order, timeout=60)
        assert "contentions/s" in _shown(app)
        await pilot.press("b")
        await wait_for(pilot, lambda: "main.blockOnChan" in table.keys_in_order, timeout=60)
        await wait_for(pilot, lambda: "block · delay · last" in _shown(app), timeout=60)
        c = app.snapshot.contention["block"]
        assert c.window is not None and c.delta("contentions") > 0  # blocking happens in every window


async def test_no_rates_says_what_to_set(go_target):
    target = go_target("-contend", "8")
    app = build_app(Poller(_config(target.addr)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and "mutex" in app.snapshot.contention)
        await pilot.press("m")
        await wait_for(pilot, lambda: "mutex profiling is off in the target (sampling period=0)" in _shown(app), 60)
        assert "runtime.SetMutexProfileFraction(5)" in _shown(app)
        await pilot.press("b")
        await wait_for(pilot, lambda: "no blocking events recorded" in _shown(app), 60)
        assert "runtime.SetBlockProfileRate(" in _shown(app)
        assert not app.screen.query_one(ContentionTable).display  # the reason, not an empty table


async def test_recorded_then_replayed(go_target, tmp_path):
    """The tap records the new endpoints like any other; a replay shows the same view."""
    import asyncio
    import math

    from tui.recording.format import open_recording
    from tui.sources.feeds import LiveSource, ReplaySource

    target = go_target("-contend", "8", "-mutex-fraction", "5", "-block-rate", "10000")
    rec = tmp_path / "rec"
    live = LiveSource(_config(target.addr), record_dir=rec)
    seen = []
    live.on_snapshot = seen.append
    live.start()
    try:
        for _ in range(600):
            await asyncio.sleep(0.05)
            s = seen[-1] if seen else None
            if s is not None and all(k in s.contention and s.contention[k].window for k in ("mutex", "block")):
                break
    finally:
        await live.stop()
    eps = {r.header.ep for r in open_recording(rec).records}
    assert {"mutex", "block"} <= eps
    assert open_recording(rec).meta["poll"]["contention_every"] == 2

    app = build_app(ReplaySource(rec, speed=math.inf))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and "block" in app.snapshot.contention, 60)
        await pilot.press("m", "b")
        table = app.screen.query_one(ContentionTable)
        await wait_for(pilot, lambda: "main.blockOnChan" in table.keys_in_order, timeout=60)
