"""Sessions: the private state directory, locks, session metadata, the session process, `sessions`/`stop`.

The session process here polls an address where nothing listens (every poll fails, the session
goes on); the e2e test (tests/e2e/test_sessions_target.py) runs one against the real Go target.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import main
from tui.commands import sessions as sessions_cmd
from tui.commands.session_run import forward_arguments, options_summary
from tui.sessions.launch import start_session
from tui.sessions.state import (
    Lock,
    SessionDir,
    StateError,
    find_session,
    is_held,
    private_dir,
    read_json,
    running_for_target,
    state_root,
    stop_session,
    write_private_json,
)

NOWHERE = "127.0.0.1:9"  # discard port: nothing answers


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def wait_until(check, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_state_root_precedence():
    assert state_root("/x/y", {"PPROF_TUI_STATE_DIR": "/a"}) == Path("/x/y")
    assert state_root(None, {"PPROF_TUI_STATE_DIR": "/a", "XDG_STATE_HOME": "/s"}) == Path("/a")
    assert state_root(None, {"XDG_STATE_HOME": "/s"}) == Path("/s/pprof-tui")
    assert state_root(None, {"XDG_STATE_HOME": "relative"}) == Path.home() / ".local/state/pprof-tui"


def test_private_dir_and_files_modes(tmp_path):
    d = private_dir(tmp_path / "a" / "b")
    assert mode(d) == 0o700
    (tmp_path / "open").mkdir(mode=0o755)
    os.chmod(tmp_path / "open", 0o755)
    assert mode(private_dir(tmp_path / "open")) == 0o700  # tightened
    (tmp_path / "file").write_text("x")
    with pytest.raises(StateError):
        private_dir(tmp_path / "file")
    write_private_json(d / "s.json", {"a": 1})
    assert mode(d / "s.json") == 0o600 and read_json(d / "s.json") == {"a": 1}
    (d / "bad.json").write_text("[1]")
    assert read_json(d / "bad.json") == {} and read_json(d / "missing.json") == {}


def test_locks_are_exclusive_and_released_with_their_process(tmp_path):
    path = tmp_path / "l.lock"
    assert not is_held(path)
    lock = Lock.try_acquire(path)
    assert lock is not None and mode(path) == 0o600
    assert Lock.try_acquire(path) is None and is_held(path)
    lock.release()
    assert not is_held(path)
    # a process holding it, then killed: the lock is free again
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    assert is_held(path)
    holder.kill()
    holder.wait()
    assert not is_held(path)


def test_attached_uis_are_counted_by_their_locks(tmp_path):
    session = SessionDir(private_dir(tmp_path / "s"))
    assert session.attached() == 0
    a, b = session.attach_lock(), session.attach_lock()
    assert session.attached() == 2
    assert mode(tmp_path / "s" / "ui") == 0o700
    a.release()  # a dead UI's file stays until cleaned
    assert session.attached(clean=True) == 1
    assert len(list((tmp_path / "s" / "ui").iterdir())) == 1
    b.release(unlink=True)
    assert session.attached() == 0


def test_durations_and_forwarded_arguments_carry_no_secret(tmp_path):
    from tui.commands import watch

    parser = argparse.ArgumentParser()
    watch.register(parser.add_subparsers())
    token = tmp_path / "token"
    token.write_text("s3cr3t-TOKEN")
    args = parser.parse_args(
        [
            "watch",
            "h:1",
            "--token-file",
            str(token),
            "--interval",
            "0.5",
            "--insecure",
            "--header",
            "X-A: 1",
            "--record-max-mb",
            "10",
            "--idle-stop",
            "30m",
        ]
    )
    forwarded = forward_arguments(args)
    assert f"--token-file={token}" in forwarded and "--interval=0.5" in forwarded
    assert "--insecure" in forwarded and "--header=X-A: 1" in forwarded and "--record-max-mb=10.0" in forwarded
    assert "--idle-stop=1800.0" in forwarded
    assert not any("s3cr3t" in a for a in forwarded)
    summary = options_summary(args)
    assert summary["token_file"] == str(token) and summary["header"] == "1 given"
    assert "s3cr3t" not in json.dumps(summary)


def test_session_process_metadata_modes_listing_and_stop(tmp_path):
    root = tmp_path / "state"
    token = tmp_path / "token"
    token.write_text("PLANTED-secret-value\n")
    session = start_session(root, "s-one", [NOWHERE, "--interval", "0.2", "--token-file", str(token)])
    try:
        info = session.info
        assert info["target"] == NOWHERE and info["id"] == "s-one" and info["pid"] > 0
        assert info["max_age"] == 24 * 3600 and info["idle_stop"] == 2 * 3600
        assert info["options"]["token_file"] == str(token)
        wait_until(lambda: session.status.get("polls", 0) >= 2)
        for d in (root, root / "sessions", session.path, session.recording):
            assert mode(d) == 0o700, d
        for f in session.path.rglob("*"):
            if f.is_file():
                assert mode(f) == 0o600, f
                assert b"PLANTED-secret-value" not in f.read_bytes(), f
        assert running_for_target(root, info["target_key"]) == session
        assert find_session(root, None) == session and find_session(root, "s-o") == session
        # never two sessions on one target: the second exits at start
        with pytest.raises(StateError, match="already polls"):
            start_session(root, "s-two", [NOWHERE, "--interval", "0.2"])
        rows = sessions_cmd.rows(str(root))
        assert [r[0] for r in rows][:1] == ["s-one"] and rows[0][1] == NOWHERE and rows[0][4] == "0"
        out = io.StringIO()
        assert sessions_cmd.body(argparse.Namespace(state_dir=str(root)), out) == 0
        assert "s-one" in out.getvalue() and "LAST POLL" in out.getvalue()
        assert main(["stop", "s-one", "--state-dir", str(root)]) == 0
        assert not session.running()
        assert session.status["ended"] == "stopped"
        assert "ended: stopped" in sessions_cmd.rows(str(root))[0][7]
        assert sessions_cmd.rows(str(root))[0][6] == "0"  # no bundle: nothing failed
        assert main(["stop", "nonesuch", "--state-dir", str(root)]) == 1
    finally:
        if session.running():
            stop_session(session)


def test_stop_refuses_a_pid_that_is_not_the_session(tmp_path):
    session = SessionDir(private_dir(tmp_path / "sessions" / "fake"))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    lock = Lock.try_acquire(session.path / "session.lock")
    try:
        write_private_json(session.path / "session.json", {"pid": sleeper.pid, "started": 1.0})
        with pytest.raises(StateError, match="not this session"):
            stop_session(session)
        assert sleeper.poll() is None  # not signalled
    finally:
        assert lock is not None
        lock.release()
        sleeper.kill()
        sleeper.wait()


def test_idle_and_age_limits_end_a_session(tmp_path):
    root = tmp_path / "state"
    idle = start_session(root, "idle", [NOWHERE, "--interval", "0.2", "--idle-stop", "0.5"])
    wait_until(lambda: not idle.running())
    assert "no UI attached" in idle.status["ended"]
    old = start_session(root, "old", [NOWHERE, "--interval", "0.2", "--max-age", "0.5"])
    lock = old.attach_lock()  # attached, yet the age limit ends it
    try:
        wait_until(lambda: not old.running())
    finally:
        lock.release()
    assert "max age" in old.status["ended"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_read_or_attach(tmp_path):
    import tempfile

    open_dir = Path(tempfile.mkdtemp(prefix="pprof-tui-modes-"))  # traversable by anyone, as a home can be
    try:
        os.chmod(open_dir, 0o755)
        root = open_dir / "state"
        session = SessionDir(private_dir(root / "sessions" / "s"))
        write_private_json(session.path / "session.json", {"target": "h:1", "pid": 1})
        lock = session.attach_lock()
        probe = (
            'for try in "ls $1" "cat $2/session.json" "touch $2/ui/x.lock"; do'
            " if $try >/dev/null 2>&1; then echo allowed; else echo denied; fi; done"
        )
        done = subprocess.run(
            ["/bin/sh", "-c", probe, "probe", str(root), str(session.path)],
            user=65534,
            group=65534,
            capture_output=True,
            text=True,
            cwd="/",
        )
        assert done.stdout.split() == ["denied", "denied", "denied"], done.stderr
        lock.release()
    finally:
        import shutil

        shutil.rmtree(open_dir)


def test_an_attached_ui_asks_the_session_for_cpu_windows(tmp_path):
    """Issue #25: `C` in an attached UI: a private request file the session reads (SessionRunner
    .apply_cpu_request, every few seconds); UIs attaching later read the windows from the start."""
    from tui.config import Config
    from tui.sessions.follow import session_cpu

    session = SessionDir(private_dir(tmp_path / "s"))
    write_private_json(session.path / "session.json", {"options": {"cpu_window": 2}})
    assert session.cpu_request() is None
    config = session_cpu(Config(), session)
    assert not config.cpu and config.cpu_window == 2.0  # the session's window length, to read its windows
    session.request_cpu(True)
    assert mode(session.path / "cpu-request.json") == 0o600
    assert session.cpu_request() is True and session_cpu(Config(), session).cpu
    session.request_cpu(False)
    assert session.cpu_request() is False and not session_cpu(Config(), session).cpu


def test_stop_with_an_ambiguous_prefix_lists_the_matches(tmp_path, capsys):
    """Issue #25: `stop <ambiguous prefix>` said "no such session"."""
    root = tmp_path / "state"
    for name in ("20261207-101010-a", "20261207-101011-b"):
        session = SessionDir(private_dir(root / "sessions" / name))
        write_private_json(session.path / "session.json", {"id": name, "started": 1.7e9, "target": "t:1"})
    assert main(["stop", "20261207-1010", "--state-dir", str(root)]) == 1
    err = capsys.readouterr().err
    assert "several sessions start so: " in err and "20261207-101010-a" in err and "20261207-101011-b" in err
    assert "no such session" not in err
