"""Hostile inputs, round three (issue #31): `check`, `top` and `goroutines` end on every crafted recording
(tests/unit/crafted_recordings.py) with a clear message; replay advances by records, not by the clock
between them; a path that is no recording nor target says why; `check --json` prints JSON on errors."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
from collections.abc import Iterator

import pytest

from tests.unit.crafted_recordings import CRAFTED, time_jump
from tui.cli import main
from tui.model import snapshot as snap
from tui.sources.feeds import ReplaySource


class Hung(BaseException):
    """Raised by `alarm` (a BaseException: code under test catching Exception or OSError cannot swallow it)."""


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """A hang guard, not a timing: fail instead of hanging the suite."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_check_top_and_goroutines_end_on_every_crafted_recording(tmp_path, capsys, name):
    rec = tmp_path / name
    CRAFTED[name](rec)
    with alarm(120):  # the time jump was walked poll by poll for hours
        rc, out, err = run_cli(capsys, "check", "--json", str(rec))
    assert rc in (0, 1, 2), err
    doc = json.loads(out)
    assert doc["exit"] == rc and "Traceback" not in err
    if rc == 2:
        assert doc.get("error") or doc["targets"][0]["errors"]
    for command in ("top", "goroutines"):
        with alarm(120):
            rc, out, err = run_cli(capsys, command, str(rec))
        assert rc in (0, 1) and "Traceback" not in err
        assert out or err.strip()  # a result or a reason


async def test_replay_jumps_a_gap_of_a_billion_seconds(tmp_path):
    rec = tmp_path / "rec"
    time_jump(rec)
    source = ReplaySource(rec, speed=math.inf)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    try:
        with alarm(60):
            await task
    finally:
        await source.stop()
    assert source.finished and not source.error
    polls = {s.seq for s in seen}
    assert len(polls) <= 8  # five recorded ticks, not 5 * 10**8 polls of the gap
    assert source.client.skipped >= 1e9 - 10


def test_sparse_huge_segment_is_read_up_to_the_bound_and_says_so(tmp_path, capsys):
    rec = tmp_path / "rec"
    CRAFTED["sparse_huge_segment"](rec)
    _rc, _out, err = run_cli(capsys, "check", str(rec))
    assert "read stopped at 2 GiB" in err


def test_a_symlink_loop_is_named_not_taken_for_a_host(tmp_path, capsys):
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    rc, _out, err = run_cli(capsys, "check", str(tmp_path / "loop"))
    assert rc == 2 and "symbolic link loop" in err and "host" not in err


@pytest.mark.parametrize("spec", ["/no/such/dir", "FILE"])
def test_check_json_prints_json_on_a_bad_target_or_directory(tmp_path, capsys, spec):
    if spec == "FILE":
        spec = str(tmp_path / "f.txt")
        (tmp_path / "f.txt").write_text("x")
    rc, out, err = run_cli(capsys, "check", "--json", spec)
    assert rc == 2
    doc = json.loads(out)
    assert doc["exit"] == 2 and spec in doc["error"] and doc["error"] in err
