"""The app on the bundled demo recording (replay controls) and the `s` export."""

from __future__ import annotations

import json
import stat

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.commands.demo import demo_source
from tui.screens.help import HelpScreen
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.status_bar import StatusBar


async def test_demo_replays_with_step_and_speed_keys():
    source = demo_source(speed=float("inf"))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(HeapTable)
        tree = app.screen.query_one(GoroutineTree)
        await wait_for(pilot, lambda: table.row_count > 0 and len(tree.root.children) > 3)
        status = app.screen.query_one(StatusBar)
        assert status.info.target.startswith("demo")
        await pilot.press("plus")  # inf -> 1x
        assert source.speed == 1.0
        await pilot.press("plus")
        assert source.speed == 10.0
        await pilot.press("full_stop")  # step: pause and play one poll
        await pilot.pause(0.2)
        assert source.paused and app.paused
        seq = app.snapshot.seq
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: app.snapshot.seq > seq)
        assert status.info.state == "paused"
        assert "replay" in status.info.cost  # where the replay is, e.g. "replay paused at 0:12 / 3:59"
        await pilot.press("p")  # resume
        assert not source.paused


async def test_replay_keys_are_hidden_and_inert_when_live():
    source = CannedSource(make_snapshot(1))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("full_stop", "plus")
        await pilot.pause()
        assert source.calls == ["start"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = [k for k, _ in app.screen.bindings]
        assert "." not in keys and "+" not in keys and "s" not in keys  # a canned source cannot save


async def test_save_writes_bodies_and_a_screenshot(tmp_path, monkeypatch):
    """Issue #25: `s` saved into whatever directory the UI started in, world-readable, and nothing
    opened it back. It saves under the state dir (private), says the path and copies it (OSC 52), and
    every command opens it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPROF_TUI_STATE_DIR", str(tmp_path / "state"))
    source = demo_source(speed=float("inf"))
    app = build_app(source)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    saved = tmp_path / "state" / "snapshots"
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(HeapTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        await pilot.press("s")
        await wait_for(pilot, lambda: any(saved.glob("*/screen.svg")))
    assert not list(tmp_path.glob("pprof-tui-*")), "nothing left in the working directory"
    out = next(saved.glob("*/screen.svg")).parent
    assert copied == [str(out)]
    names = {p.name for p in out.iterdir()}
    assert {"heap.pb.gz", "meta.json", "screen.svg"} <= names
    assert stat.S_IMODE(out.stat().st_mode) == 0o700 and stat.S_IMODE(saved.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    meta = json.loads((out / "meta.json").read_text())
    assert meta["files"]
    svg = (out / "screen.svg").read_text()
    assert "heap" in svg and "\x1b" not in svg
    # every command opens it
    from tui.cli import main, rewrite_argv
    from tui.sources.offline import OfflineSource

    assert rewrite_argv([str(out)]) == ["open", str(out)]
    opened = OfflineSource([str(out)])
    assert opened.snapshot.heap is not None and opened.label == out.name
    assert main(["top", str(out), "--nodecount", "3"]) == 0
    assert main(["goroutines", str(out)]) == 0
