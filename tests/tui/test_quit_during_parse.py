"""`q` while a big goroutine dump is being parsed: the app exits at once (the parse runs in the
poller's worker process, killed on the way out, not waited for) and leaves no process behind.
A real `pprof-tui watch` in a pty against a loopback target serving a 100k-goroutine dump."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.pty_app import PtyApp
from tests.unit.fake_pprof_server import FakeTarget, Reply, default_routes
from tests.unit.worker_parsers import big_dump

START_TIMEOUT = 60.0
QUIT_WITHIN = 3.0  # issue #15 asks for 1 s; the bound leaves room for a loaded machine
ENTER_ALT_SCREEN = b"\x1b[?1049h"
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty, and /proc to find the worker")
def test_q_during_a_big_parse_exits_at_once():
    dump = big_dump(100_000)  # ~40 MB: its parse takes about a second
    routes = default_routes(goroutines=12)  # a small count: the first dump is due at once
    routes["/debug/pprof/goroutine?debug=2"] = Reply(body=dump)
    target = FakeTarget(routes).start()
    try:
        with PtyApp("watch", target.url, "--foreground") as app:
            seen = b""
            deadline = time.monotonic() + START_TIMEOUT
            worker = None
            while time.monotonic() < deadline and worker is None:
                chunk = app.read(0.02)
                if chunk is None:
                    break
                seen += chunk
                # the worker holds the whole body: the parse is under way
                worker = next((c for c in children(app.pid) if rss_mb(c) * 1024 * 1024 > len(dump)), None)
            assert ENTER_ALT_SCREEN in seen, seen[-300:]
            assert worker is not None, "no parse in a worker process seen"
            os.write(app.fd, b"q")
            pressed = time.monotonic()
            tail = b""
            while time.monotonic() - pressed < QUIT_WITHIN:
                chunk = app.read(0.02)
                if chunk is None:
                    break
                tail += chunk
            status = app.wait_exit(max(0.0, QUIT_WITHIN - (time.monotonic() - pressed)))
            took = time.monotonic() - pressed
            assert status is not None, f"the app was still running {QUIT_WITHIN} s after q"
            print(f"quit {took:.2f} s after q, mid-parse")
            assert LEAVE_ALT_SCREEN in tail
            assert b"Traceback" not in tail
            end = time.monotonic() + 5.0
            while not gone(worker) and time.monotonic() < end:
                time.sleep(0.02)
            assert gone(worker), "the worker process outlived the app"
            assert target.hits["/debug/pprof/goroutine?debug=2"] >= 1
    finally:
        target.stop()
