"""SIGTERM and SIGHUP quit the UI the way `q` does: the terminal is given back (alternate screen
left, cursor shown) and the process exits within a few seconds. A real process in a pty."""

from __future__ import annotations

import signal
import sys
import time

import pytest

from tests.pty_app import PtyApp

START_TIMEOUT = 60.0
EXIT_TIMEOUT = 5.0
ENTER_ALT_SCREEN = b"\x1b[?1049h"
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_terminal_and_exits(sig):
    with PtyApp("demo") as app:  # the demo UI, as a user starts it
        seen = b""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and not (ENTER_ALT_SCREEN in seen and len(seen) > 4000):
            chunk = app.read(0.05)
            if chunk is None:
                break
            seen += chunk
        assert ENTER_ALT_SCREEN in seen, seen[-300:]
        time.sleep(0.5)  # let the first frame and the source start
        app.signal(sig)
        sent = time.monotonic()
        tail = b""
        while time.monotonic() - sent < EXIT_TIMEOUT:
            chunk = app.read(0.05)
            if chunk is None:
                break
            tail += chunk
        status = app.wait_exit(max(0.0, EXIT_TIMEOUT - (time.monotonic() - sent)))
        assert status is not None, "the app did not exit within a few seconds of the signal"
        assert LEAVE_ALT_SCREEN in tail and SHOW_CURSOR in tail, tail[-300:]
        assert tail.rfind(LEAVE_ALT_SCREEN) > tail.rfind(ENTER_ALT_SCREEN)
        assert b"Traceback" not in tail
