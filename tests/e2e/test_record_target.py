"""`pprof-tui record` against the real Go target, killed with SIGKILL; then replay and `top DIR`."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.recording.format import open_recording
from tui.sources.feeds import ReplaySource

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def wait_for_records(directory: Path, count: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if directory.is_dir() and any(directory.glob("seg-*.rec")):
            if len(open_recording(directory).records) >= count:
                return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} records in {directory} after {timeout} s")


async def test_record_killed_then_replayed(go_target, tmp_path):
    target = go_target("-chan-leak-rate", "40", "-cache-leak-rate", "3000", "-parked")
    rec = tmp_path / "rec"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "record",
            target.addr,
            str(rec),
            "--interval",
            "0.3",
            "--header",
            "X-Trace: e2e-PLANTED-header",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        wait_for_records(rec, 25)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    recording = open_recording(rec)
    eps = {r.header.ep for r in recording.records}
    assert {"index", "heap?debug=1", "heap", "goroutine?debug=2"} <= eps
    assert recording.label == target.addr
    assert not any(b"PLANTED" in p.read_bytes() for p in rec.iterdir())

    source = ReplaySource(rec, speed=math.inf)
    seen = []
    source.on_snapshot = seen.append
    await asyncio.wait_for(source.start(), 60)
    goroutines = seen[-1].history.values("goroutines")
    assert len(goroutines) >= 5 and goroutines[-1] > goroutines[0]
    assert any(g.reason == "chan send" for g in seen[-1].goroutine_groups)

    top = subprocess.run(
        [sys.executable, "-m", "tui", "top", str(rec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert top.returncode == 0, top.stderr
    newest = tmp_path / "newest-heap.pb"
    newest.write_bytes(recording.latest("heap").read_body())
    same = subprocess.run(
        [sys.executable, "-m", "tui", "top", str(newest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert "Type: inuse_space" in top.stdout
    assert top.stdout == same.stdout  # `top DIR` reads the newest recorded heap
    groups = subprocess.run(
        [sys.executable, "-m", "tui", "goroutines", str(rec), "--min-count", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert groups.returncode == 0, groups.stderr
    assert "chan send" in groups.stdout


def test_record_stops_cleanly_on_sigterm_and_duration(go_target, tmp_path):
    target = go_target("-chan-leak-rate", "10", "-parked")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rec = tmp_path / "rec"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "record", target.addr, str(rec), "--interval", "0.3"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    wait_for_records(rec, 6)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert b"records" in err
    recording = open_recording(rec)
    assert recording.torn_segments == 0 and len(recording.records) >= 6
    timed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "record",
            target.addr,
            str(tmp_path / "t"),
            "--interval",
            "0.3",
            "--duration",
            "1.5",
        ],
        cwd=ROOT,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert timed.returncode == 0, timed.stderr
    assert len(open_recording(tmp_path / "t").records) >= 3
    again = subprocess.run(
        [sys.executable, "-m", "tui", "record", target.addr, str(rec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert again.returncode == 2 and "already holds a recording" in again.stderr
