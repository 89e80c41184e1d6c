"""SIGTERM and SIGHUP quit the UI the way `q` does: the terminal is given back (alternate screen
left, cursor shown) and the process exits within a few seconds. A real process in a pty."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
EXIT_TIMEOUT = 5.0
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"


def _read_some(fd: int, seconds: float) -> bytes | None:
    """What the child wrote within `seconds` (b"" if nothing), None at end of output."""
    ready, _, _ = select.select([fd], [], [], seconds)
    if not ready:
        return b""
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # EIO: the child closed its side
        return None
    return chunk or None


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_terminal_and_exits(sig):
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the demo UI, as a user starts it
        os.chdir(ROOT)
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", "demo"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    status = None
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not (b"\x1b[?1049h" in seen and len(seen) > 4000):
            chunk = _read_some(fd, 0.05)
            if chunk is None:
                break
            if b"\x1b[6n" in chunk:  # answer a cursor-position query, as a terminal would
                os.write(fd, b"\x1b[1;1R")
            seen += chunk
        assert b"\x1b[?1049h" in seen, seen[-300:]
        time.sleep(0.5)  # let the first frame and the source start
        os.kill(pid, sig)
        sent = time.monotonic()
        tail = b""
        while time.monotonic() - sent < EXIT_TIMEOUT:
            chunk = _read_some(fd, 0.05)
            if chunk is None:
                break
            tail += chunk
        while time.monotonic() - sent < EXIT_TIMEOUT and status is None:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
            else:
                time.sleep(0.05)
        assert status is not None, "the app did not exit within a few seconds of the signal"
        assert LEAVE_ALT_SCREEN in tail and SHOW_CURSOR in tail, tail[-300:]
        assert tail.rfind(LEAVE_ALT_SCREEN) > tail.rfind(b"\x1b[?1049h")
        assert b"Traceback" not in tail
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
