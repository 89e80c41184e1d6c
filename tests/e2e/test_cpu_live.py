"""Live CPU top against our real Go target (`-cpu-burn 0.5`): the app's CPU view shows main.burnCPU
at the top; Go's "cpu profiling already in use" backs off and says so; a recording of the windows
replays the CPU view and its bodies open in `go tool pprof`."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import urllib.request

import pytest

from tests.conftest import find_go
from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.config import build_config
from tui.recording.format import open_recording
from tui.screens.cpu_screen import CpuScreen
from tui.service.poller import Poller
from tui.sources.feeds import LiveSource, ReplaySource

pytestmark = pytest.mark.e2e
WINDOW = 2.0  # short windows: the test sees several in seconds


def _config(target, **extra):
    return build_config({"target": target.addr, "interval": 0.5, "cpu_window": WINDOW, **extra}, env={})


async def test_cpu_view_shows_burn_cpu_at_the_top(go_target):
    target = go_target("-cpu-burn", "0.5")
    # a read timeout (--timeout) shorter than the window: the window is still answered
    app = build_app(Poller(_config(target, request_timeout=1.5)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        assert app.snapshot.cpu is None  # off until asked
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CpuScreen))
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.rows) and screen.rows[0].in_window, timeout=60)
        assert screen.rows[0].name == "main.burnCPU"
        state = app.snapshot.cpu
        assert state is not None and state.on and state.windows >= 1
        assert f"window {WINDOW:.1f} s every" in state.status
        assert app.snapshot.stw_share > 0  # charged to the one budget
        await pilot.press("C")  # stop
        await wait_for(pilot, lambda: app.snapshot.cpu is not None and not app.snapshot.cpu.on)


async def test_profiling_already_in_use_backs_off_and_says_so(go_target):
    target = go_target("-cpu-burn", "0.2")
    other = threading.Thread(
        target=lambda: urllib.request.urlopen(f"{target.base_url}profile?seconds=6", timeout=30).read(), daemon=True
    )
    other.start()
    await asyncio.sleep(0.5)  # the other profile has started
    poller = Poller(_config(target, cpu=True))
    poller.start()
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if poller.latest is not None and poller.latest.cpu is not None and poller.cpu.in_use:
                break
        status = poller.latest.cpu.status
        assert "another CPU profile is running in the target; retrying in" in status
        tries = poller.costs.get("profile").errors
        await asyncio.sleep(3.0)
        assert poller.costs.get("profile").errors <= tries + 1  # no error storm
        other.join(30)
        for _ in range(600):
            await asyncio.sleep(0.1)
            if poller.cpu.totals.windows >= 1:
                break
        assert poller.cpu.totals.windows >= 1 and not poller.cpu.in_use
    finally:
        await poller.stop()


async def test_recorded_windows_replay_the_cpu_view_and_open_in_go_pprof(go_target, tmp_path):
    target = go_target("-cpu-burn", "0.5")
    rec = tmp_path / "rec"
    live = LiveSource(_config(target, cpu=True), record_dir=rec)
    task = live.start()
    try:
        for _ in range(600):
            await asyncio.sleep(0.1)
            if live.poller.cpu.totals.windows >= 2:
                break
        assert live.poller.cpu.totals.windows >= 2
        saved = live.save(tmp_path / "export")
    finally:
        await live.stop()
        task.cancel()
    recording = open_recording(rec)
    cpu_keys = [ep for ep in recording.endpoints() if ep.startswith("profile?seconds=")]
    assert cpu_keys == ["profile?seconds=2"]

    replay = ReplaySource(recording, speed=float("inf"))
    seen = []
    replay.on_snapshot = lambda s: seen.append(s)
    await asyncio.wait_for(replay.run(), 120)
    windows = [s.cpu for s in seen if s.cpu is not None and s.cpu.window is not None]
    assert windows, "the replay showed no CPU window"
    last = windows[-1]
    assert last.window.funcs[0].name == "main.burnCPU"
    assert last.windows >= 2  # each recorded window counted once

    go = find_go() or shutil.which("go")
    if go is None:
        pytest.skip("no go: go tool pprof not checked")
    bodies = [p for p in saved.rglob("*") if p.is_file() and "profile" in p.name]
    assert bodies, f"no CPU body in the export: {sorted(p.name for p in saved.rglob('*'))}"
    res = subprocess.run([go, "tool", "pprof", "-top", str(bodies[0])], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "main.burnCPU" in res.stdout
