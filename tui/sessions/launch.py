"""Starting a session process, fully detached from the terminal that asked for it.

`start_session(root, argv)` runs `python -m tui session-run --state-dir ROOT --id ID ARGV...` in a
new session (no controlling terminal: a dropped SSH connection sends it no SIGHUP), standard input
from /dev/null, output to `session.log` in its directory (0600, umask 077), and waits until it has
written its session.json and holds its lock, or has exited (another session already polls the
target: the caller then attaches to that one).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tui.sessions.state import (
    SESSION_JSON,
    SESSION_LOG,
    SessionDir,
    StateError,
    private_dir,
    sessions_dir,
)

START_TIMEOUT = 20.0


def start_session(root: Path, session_id: str, argv: list[str], *, timeout: float = START_TIMEOUT) -> SessionDir:
    """Start the session process and return its directory once it runs. Raises StateError when it
    exited first (its log's last lines say why)."""
    private_dir(root)
    session = SessionDir(private_dir(sessions_dir(root)) / session_id)
    private_dir(session.path)
    log_path = session.path / SESSION_LOG
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    command = [sys.executable, "-m", "tui", "session-run", "--state-dir", str(root), "--id", session_id, *argv]
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    old = os.umask(0o077)
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=fd,
            start_new_session=True,
            close_fds=True,
            env=env,
        )
    finally:
        os.umask(old)
        os.close(fd)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if (session.path / SESSION_JSON).is_file() and session.running():
            return session
        status = proc.poll()
        if status is not None:
            raise StateError(f"the session exited at start (status {status}): {_log_tail(log_path)}")
        time.sleep(0.05)
    raise StateError(f"the session did not start within {timeout:g} s (see {log_path})")


def _log_tail(path: Path, size: int = 600) -> str:
    try:
        data = path.read_bytes()[-size:]
    except OSError:
        return "no log"
    lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
