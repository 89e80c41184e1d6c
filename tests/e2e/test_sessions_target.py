"""Sessions against the real Go target: `watch` in a pty starts a background session and attaches;
SIGHUP kills the UI, the session keeps recording; a later attach replays the whole history and then
follows new polls; two attached UIs see the same snapshots; `stop` ends the session cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import sys
import time

import pytest

from tests.pty_app import PtyApp
from tui.cli import main
from tui.model import snapshot as snap
from tui.recording.format import open_recording
from tui.sessions.follow import FollowSource
from tui.sessions.state import list_sessions

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]
ENTER_ALT_SCREEN = b"\x1b[?1049h"


def wait_until(check, timeout: float = 60.0, app: PtyApp | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        if app is not None:
            app.read(0.05)  # keep the pty drained (and answer its cursor queries)
        else:
            time.sleep(0.05)
    raise AssertionError("condition not met in time")


def index_ticks(directory) -> int:
    return sum(1 for r in open_recording(directory).records if r.header.ep == "index")


async def follow_until_live(source: FollowSource, extra: int, seen: list[snap.Snapshot]) -> None:
    source.on_snapshot = seen.append
    source.start()
    end = asyncio.get_running_loop().time() + 60
    while not (source.caught_up and source.snapshots >= at_catch_up(source, seen) + extra):
        assert asyncio.get_running_loop().time() < end, f"{source.snapshots} snapshots, caught up: {source.caught_up}"
        await asyncio.sleep(0.05)


def at_catch_up(source: FollowSource, seen: list[snap.Snapshot]) -> int:
    return sum(1 for s in seen if s.state == snap.HISTORY)  # the polls behind the newest one


async def test_watch_survives_sighup_and_attach_sees_all(go_target, tmp_path):
    target = go_target("-chan-leak-rate", "20", "-parked")
    root = tmp_path / "state"
    env = dict(os.environ, PPROF_TUI_STATE_DIR=str(root))
    with PtyApp("watch", target.addr, "--interval", "0.3", env=env) as app:
        wait_until(lambda: bool(list_sessions(root)), app=app)
        (session,) = list_sessions(root)
        wait_until(lambda: session.attached() == 1 and session.status.get("polls", 0) >= 5, app=app)
        assert session.running() and session.info["target"] == target.addr
        app.signal(signal.SIGHUP)
        assert app.wait_exit(15) is not None, "the UI did not quit on SIGHUP"
        assert os.WIFEXITED(app.status) and os.WEXITSTATUS(app.status) == 0
    try:
        # the session goes on without its UI
        polls = session.status["polls"]
        wait_until(lambda: session.status.get("polls", 0) >= polls + 5)
        assert session.running() and session.attached(clean=True) == 0
        for path in [root, *root.rglob("*")]:
            expected = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) == expected, path
        # a second `watch` of the same target would attach, never start a second session
        assert main(["sessions", "--state-dir", str(root)]) == 0

        # attach: all the history through the poller, then new polls; two at once see the same
        ticks = index_ticks(session.recording)
        a_seen: list[snap.Snapshot] = []
        b_seen: list[snap.Snapshot] = []
        a = FollowSource(session.recording, session=session)
        b = FollowSource(session.recording, session=session)
        try:
            await asyncio.gather(follow_until_live(a, 3, a_seen), follow_until_live(b, 3, b_seen))
            assert session.attached() == 2
            assert at_catch_up(a, a_seen) >= ticks - 1  # every recorded tick, from the session's start
            live_a = {s.seq: s.goroutine_total for s in a_seen if s.seq and "live" in s.status}
            live_b = {s.seq: s.goroutine_total for s in b_seen if s.seq and "live" in s.status}
            common = set(live_a) & set(live_b)
            assert len(common) >= 2 and all(live_a[k] == live_b[k] for k in common)
            newest = a_seen[-1]
            assert newest.state in (snap.LIVE, snap.RECONNECTING) and newest.goroutine_total
        finally:
            await a.stop()
            await b.stop()
        assert session.attached() == 0
        # a second `watch` of the target attaches to the running session; `q` asks: n leaves it running
        for answer in (b"n", b"y"):
            with PtyApp("watch", target.addr, "--interval", "0.3", env=env) as again:
                wait_until(lambda: session.attached() == 1, app=again)
                assert len(list_sessions(root)) == 1, "never two sessions polling one target"
                seen = b""
                end = time.monotonic() + 30
                while b"Stop session" not in seen and time.monotonic() < end:
                    os.write(again.fd, b"q")
                    for _ in range(10):
                        seen += again.read(0.05) or b""
                os.write(again.fd, answer)
                wait_until(lambda: again.wait_exit(0.1) is not None, app=again)
                assert os.WIFEXITED(again.status) and os.WEXITSTATUS(again.status) == 0
            assert session.running() == (answer == b"n")
    finally:
        if session.running():
            assert main(["stop", session.id, "--state-dir", str(root)]) == 0
    assert not session.running() and session.status["ended"] == "stopped"
    recording = open_recording(session.recording)
    assert recording.torn_segments == 0 and index_ticks(session.recording) >= ticks


async def test_c_in_an_attached_ui_starts_the_sessions_cpu_windows(go_target, tmp_path):
    """Issue #25: `C` in a default `watch` (a background session) said "not in the recording at this
    time" forever. The attached UI asks the session, which starts its windows; the UI reads them."""
    from tui.sessions.launch import start_session
    from tui.sessions.state import stop_session

    target = go_target("-cpu-burn", "0.3")
    root = tmp_path / "state"
    session = start_session(root, "s-cpu", [target.addr, "--interval", "0.5", "--cpu-window", "2"])
    source = FollowSource(session.recording, session=session, poll_every=0.1)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    source.start()
    try:
        end = asyncio.get_running_loop().time() + 60
        while not source.caught_up:
            assert asyncio.get_running_loop().time() < end
            await asyncio.sleep(0.1)
        source.set_cpu(True)
        windows = lambda: [s for s in seen if s.cpu is not None and s.cpu.windows]  # noqa: E731
        while not windows():
            assert asyncio.get_running_loop().time() < end + 30, seen[-1].cpu
            await asyncio.sleep(0.2)
        assert any(r.header.ep == "profile?seconds=2" for r in open_recording(session.recording).records)
        assert any("burnCPU" in f.name for f in windows()[-1].cpu.since)
    finally:
        await source.stop()
        stop_session(session)
