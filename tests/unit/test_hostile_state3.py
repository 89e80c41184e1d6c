"""Hostile inputs, round three (issue #31): what the state directory holds is input too. Bad types in
session.json, a FIFO as session.lock, a state dir of another user, non-UTF-8 secret files, several
`watch` of one target, `attach` to a recording without one valid record."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time

import pytest

from tests.unit.test_hostile_recordings3 import alarm
from tui.cli import main
from tui.sessions import state
from tui.sessions.follow import FollowSource


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def make_session(root, name: str, info: object) -> state.SessionDir:
    path = state.private_dir(state.private_dir(state.sessions_dir(state.private_dir(root))) / name)
    (path / state.SESSION_JSON).write_text(json.dumps(info))
    return state.SessionDir(path)


BAD_INFOS = [
    {"started": "yesterday", "target": "t", "pid": 5},
    {"started": 1.7e9, "target": ["t"], "pid": 5},
    {"started": 1.7e9, "target": "t", "pid": "5"},
    {"started": 1.7e9, "target": "t", "pid": 5, "options": "cpu"},
    {"started": 1.7e9, "target": "t", "pid": 5, "evidence": 7},
    {"started": 1e300, "target": "t"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("info", BAD_INFOS, ids=range(len(BAD_INFOS)))
def test_a_bad_session_json_is_listed_unreadable_and_skipped(tmp_path, capsys, info):
    root = tmp_path / "state"
    make_session(root, "20260101-000000-good", {"started": 1.7e9, "target": "good:1", "target_key": "k"})
    make_session(root, "20260101-000001-bad", info)
    rc, out, err = run_cli(capsys, "sessions", "--state-dir", str(root))
    assert rc == 0 and "Traceback" not in err, err
    bad_line = next(line for line in out.splitlines() if "-bad" in line)
    assert "unreadable: session.json" in bad_line
    assert "good:1" in out
    assert state.find_session(root, "20260101-000001") is None or state.find_session(
        root, "20260101-000001"
    ).id.endswith("good")
    rc, _out, err = run_cli(capsys, "stop", "--state-dir", str(root), "20260101-000001-bad")
    assert rc == 1 and "no such session" in err and "Traceback" not in err
    rc, _out, err = run_cli(capsys, "attach", "--state-dir", str(root), "20260101-000001-bad")
    assert rc == 2 and "Traceback" not in err


def test_a_fifo_as_session_lock_or_json_never_hangs(tmp_path, capsys):
    root = tmp_path / "state"
    s = make_session(root, "20260101-000000-fifo", {"started": 1.7e9, "target": "t", "pid": 5})
    os.mkfifo(s.path / state.SESSION_LOCK)
    os.mkfifo(s.path / state.STATUS_JSON)
    s2 = state.private_dir(state.sessions_dir(root) / "20260101-000001-fifojson")
    os.mkfifo(s2 / state.SESSION_JSON)
    with alarm(30):
        rc, out, _err = run_cli(capsys, "sessions", "--state-dir", str(root))
        assert rc == 0 and "fifo" in out and "unreadable" in out
        rc, out, _err = run_cli(capsys, "stop", "--state-dir", str(root), "20260101-000000-fifo")
        assert rc == 0 and "not running" in out
        assert not s.running()
    with pytest.raises(OSError), alarm(30):
        state.Lock.try_acquire(s.path / state.SESSION_LOCK)


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the directory to another user")
@pytest.mark.parametrize("command", [("sessions",), ("stop", "x"), ("attach", "x")])
def test_a_state_dir_of_another_user_is_refused(tmp_path, capsys, command):
    root = tmp_path / "state"
    make_session(root, "20260101-000000-x", {"started": 1.7e9, "target": "t"})
    os.chown(root, 12345, 12345)
    rc, _out, err = run_cli(capsys, command[0], "--state-dir", str(root), *command[1:])
    assert rc != 0 and "owned by uid 12345" in err and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--token-file", "--password-file"])
def test_a_non_utf8_secret_file_is_a_clear_error(tmp_path, capsys, flag):
    secret = tmp_path / "secret"
    secret.write_bytes(b"\xff\xfe s3cr\xe9t \x80")
    extra = ["--basic-user", "u"] if flag == "--password-file" else []
    rc, out, err = run_cli(capsys, "top", flag, str(secret), *extra, "http://127.0.0.1:9/debug/pprof/heap")
    assert rc != 0 and "is not UTF-8 text" in err and "Traceback" not in err
    assert "s3cr" not in err + out


def test_a_second_watch_attaches_to_the_session_started_meanwhile(tmp_path):
    from tui.commands.watch import _wait_for_other

    root = tmp_path / "state"
    state.private_dir(root)
    held: list[state.Lock] = []

    def other_watch() -> None:  # takes the target lock first, writes session.json a moment later
        time.sleep(0.5)
        s = make_session(root, "20260101-000000-first", {"started": 1.7e9, "target": "t", "target_key": "KEY"})
        lock = state.Lock.try_acquire(s.path / state.SESSION_LOCK)
        assert lock is not None
        held.append(lock)

    thread = threading.Thread(target=other_watch)
    thread.start()
    try:
        found = _wait_for_other(root, "KEY")
    finally:
        thread.join()
        for lock in held:
            lock.release()
    assert found is not None and found.id == "20260101-000000-first"


async def test_attach_to_a_recording_without_one_valid_record_says_why_at_once(tmp_path):
    rec = tmp_path / "rec"
    rec.mkdir()
    (rec / "meta.json").write_text(json.dumps({"target": "t", "interval": 2.0}))
    (rec / "seg-000001.rec").write_bytes(b"PTR1" + os.urandom(4000))
    source = FollowSource(rec, poll_every=0.1)
    seen = []
    source.on_snapshot = seen.append
    task = source.start()
    try:
        await asyncio.wait_for(asyncio.shield(task), 20)  # was 60 s of a blank screen, then "error"
    finally:
        await source.stop()
    assert "no valid record" in source.error and "torn or bad record" in source.error
    assert seen and "no valid record" in (seen[-1].last_error + seen[-1].status)
