"""SIGTERM, SIGHUP and SIGINT quit the UI the way `q` does: the terminal is given back (alternate screen
left, cursor shown), the process exits within a few seconds, and a recording being written is closed
cleanly (readable, its last record whole). Ctrl+Z suspends (the terminal is given back, the process
stops) and SIGCONT (`fg`) resumes with every row repainted. A real process in a pty."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.pty_app import PtyApp

START_TIMEOUT = 60.0
EXIT_TIMEOUT = 5.0
ENTER_ALT_SCREEN = b"\x1b[?1049h"
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"
CTRL_Z = b"\x1a"
ROWS = 24

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def wait_first_frame(app: PtyApp) -> bytes:
    seen = b""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and not (ENTER_ALT_SCREEN in seen and len(seen) > 4000):
        chunk = app.read(0.05)
        if chunk is None:
            break
        seen += chunk
    assert ENTER_ALT_SCREEN in seen, seen[-300:]
    return seen


def read_for(app: PtyApp, seconds: float, until=None) -> bytes:
    """What the app writes within `seconds` (less if `until()` holds, or its side closes)."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        chunk = app.read(0.05)
        if chunk is None:
            break
        out += chunk
    return out


def signal_and_wait_exit(app: PtyApp, sig: int) -> bytes:
    app.signal(sig)
    sent = time.monotonic()
    tail = read_for(app, EXIT_TIMEOUT)
    status = app.wait_exit(max(0.0, EXIT_TIMEOUT - (time.monotonic() - sent)))
    assert status is not None, "the app did not exit within a few seconds of the signal"
    assert os.WIFEXITED(status), status  # it quit; no signal killed it
    return tail


def assert_terminal_given_back(tail: bytes) -> None:
    assert LEAVE_ALT_SCREEN in tail and SHOW_CURSOR in tail, tail[-300:]
    assert tail.rfind(LEAVE_ALT_SCREEN) > tail.rfind(ENTER_ALT_SCREEN)
    assert b"Traceback" not in tail


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT])
def test_signal_restores_terminal_and_exits(sig):
    with PtyApp("demo") as app:  # the demo UI, as a user starts it
        wait_first_frame(app)
        time.sleep(0.5)  # let the first frame and the source start
        assert_terminal_given_back(signal_and_wait_exit(app, sig))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_closes_a_recording_cleanly(sig, tmp_path: Path):
    from tests.unit.fake_pprof_server import FakeTarget
    from tui.recording.format import open_recording

    target = FakeTarget().start()
    rec = tmp_path / "rec"
    try:
        with PtyApp("watch", target.url, "--record", str(rec), "--interval", "0.2") as app:
            wait_first_frame(app)
            read_for(app, 3.0, until=lambda: sum(target.hits.values()) >= 15)  # a few polls recorded
            tail = signal_and_wait_exit(app, sig)
    finally:
        target.stop()
    assert_terminal_given_back(tail)
    said = re.search(rb"recorded (\d+) answers", tail)
    assert said, tail[-300:]  # `watch` got past the UI and told what it wrote
    recording = open_recording(rec)
    assert not recording.torn_segments and not recording.problems
    assert len(recording.records) == int(said.group(1)) >= 5
    last = recording.records[-1]
    last.read_body()  # whole: its CRC held and the body reads
    assert {r.header.ep for r in recording.records} >= {"index", "heap"}


def proc_state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_z_suspends_and_sigcont_resumes_with_a_full_repaint():
    with PtyApp("demo", rows=ROWS) as app:
        wait_first_frame(app)
        read_for(app, 1.0)
        os.write(app.fd, CTRL_Z)  # raw mode: the key reaches the app, not the terminal's SIGTSTP
        tail = read_for(app, EXIT_TIMEOUT, until=lambda: proc_state(app.pid) == "T")
        assert proc_state(app.pid) == "T", "Ctrl+Z did not stop the process"
        tail += read_for(app, 0.5)
        assert_terminal_given_back(tail)
        assert read_for(app, 1.0) == b""  # stopped: nothing is drawn
        app.signal(signal.SIGCONT)  # what `fg` sends
        back = read_for(app, 3.0)
        assert proc_state(app.pid) != "T"
        assert ENTER_ALT_SCREEN in back, back[-300:]
        repaint = back[back.rfind(ENTER_ALT_SCREEN) :]
        rows = {int(m.group(1)) for m in re.finditer(rb"\x1b\[(\d+);\d+H", repaint)}
        assert rows >= set(range(1, ROWS + 1)), sorted(rows)  # every row drawn again
        assert b"heap" in repaint and b"goroutines" in repaint
        os.write(app.fd, b"q")  # and it still answers keys
        read_for(app, EXIT_TIMEOUT, until=lambda: app.wait_exit(0) is not None)
        assert app.wait_exit(EXIT_TIMEOUT) is not None
