"""The sessions' state directory: where each background session keeps its recording and status.

    $PPROF_TUI_STATE_DIR or $XDG_STATE_HOME/pprof-tui (default ~/.local/state/pprof-tui)
      sessions/<id>/session.json   target label and key, pid, start, limits, options (never a secret)
                    status.json    rewritten after every poll: last poll, polls, records, bytes, state
                    session.lock   flock'd by the session process for its whole life
                    ui/<pid>-<n>.lock  one per attached UI, flock'd by it (a dead UI's lock is free)
                    session.log    the session's standard output and error
                    rec/           the recording (tui/recording/format.py)
                    evidence/      incident bundles (tui/evidence), unless --evidence DIR
      targets/<key>.lock           flock'd by the session polling that target: never two per target

Every directory is 0700 and every file 0600; a state directory owned by someone else, or open to
group/other, is refused (a shared bastion). Locks are `flock`: the kernel releases them when their
process dies, so a killed UI or session never leaves a lock held.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import math
import os
import signal
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.errors import PprofTuiError

STATE_ENV = "PPROF_TUI_STATE_DIR"
SESSION_JSON = "session.json"
CPU_REQUEST_JSON = "cpu-request.json"  # {"cpu": true|false}: an attached UI's `C` (SessionDir.request_cpu)
STATUS_JSON = "status.json"
SESSION_LOCK = "session.lock"
SESSION_LOG = "session.log"
RECORDING_DIR = "rec"
EVIDENCE_DIR = "evidence"
UI_DIR = "ui"
MAX_JSON = 64 * 1024


class StateError(PprofTuiError):
    """The state directory or a session cannot be used."""


def state_root(override: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """--state-dir, else $PPROF_TUI_STATE_DIR, else $XDG_STATE_HOME/pprof-tui (~/.local/state/pprof-tui)."""
    env = os.environ if env is None else env
    if override:
        return Path(override).expanduser()
    if env.get(STATE_ENV):
        return Path(env[STATE_ENV]).expanduser()
    xdg = env.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "state"
    return base / "pprof-tui"


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) 0700 or check an existing one: ours, a directory, no group/other access."""
    old = os.umask(0o077)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        pass  # a file or a symlink of that name: refused below
    finally:
        os.umask(old)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise StateError(f"{path}: not a directory")
    if st.st_uid != os.getuid():
        raise StateError(f"{path}: owned by uid {st.st_uid}, not by you: refusing to use it")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private_json(path: Path, data: Mapping[str, Any]) -> None:
    """Atomically (write a temporary file, rename) with mode 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(dict(data), fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    """A small JSON object, or {} when missing or unreadable (a session being written or removed)."""
    try:
        fd = _open_regular(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_JSON + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_JSON else None
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _open_regular(path: Path, flags: int, mode: int = 0o600) -> int:
    """`os.open` that never blocks (a FIFO put in the state dir made `sessions` hang) and refuses
    anything but a regular file (OSError)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"{path.name}: not a regular file")
        os.set_blocking(fd, True)
    except OSError:
        os.close(fd)
        raise
    return fd


# session.json fields and the types they must have (a crafted or damaged one is listed as unreadable)
INFO_TYPES: dict[str, tuple[type, ...]] = {
    "target": (str,),
    "target_key": (str,),
    "pid": (int,),
    "started": (int, float),
    "evidence": (str,),
    "options": (dict,),
    "limits": (dict,),
}


def info_problem(info: Mapping[str, Any]) -> str:
    """Why a session.json cannot be used ("" when it can): a field of the wrong type, a number out of range."""
    if not info:
        return "session.json missing or not a JSON object"
    for name, types in INFO_TYPES.items():
        value = info.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            return f"session.json: {name} is not a {' or '.join(t.__name__ for t in types)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"session.json: {name} is not a finite number"
    started = info.get("started")
    if started is not None and not 0 <= started <= 1e11:
        return "session.json: started is out of range"
    pid = info.get("pid")
    if pid is not None and not 0 <= pid < 2**31:
        return "session.json: pid is out of range"
    return ""


def target_key(base_url: str) -> str:
    """One key per target (the base URL without credentials): names its lock."""
    return hashlib.sha256(base_url.encode()).hexdigest()[:16]


def new_session_id(label: str, now: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in label)[:40].strip("_") or "target"
    return f"{stamp}-{safe}"


# ---- locks -------------------------------------------------------------------------------------
class Lock:
    """An exclusive flock on a 0600 file, held until `release()` or the process ends."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def try_acquire(cls, path: Path) -> Lock | None:
        fd = _open_regular(path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        return cls(path, fd)

    def release(self, *, unlink: bool = False) -> None:
        if self._fd is None:
            return
        if unlink:
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(self._fd)
        self._fd = None


def is_held(path: Path) -> bool:
    """Whether some live process holds the flock on `path` (False when the file is missing)."""
    try:
        fd = _open_regular(path, os.O_RDONLY)
    except OSError:
        return False  # missing, or not a lock file (a FIFO): held by nobody
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we just took
    return False


# ---- one session ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SessionDir:
    """A session's directory and what its files say."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def recording(self) -> Path:
        return self.path / RECORDING_DIR

    @property
    def evidence(self) -> Path:
        """Where its incident bundles go: `--evidence DIR` as session.json says, else evidence/ in it."""
        given = self.info.get("evidence")
        return Path(given) if isinstance(given, str) and given else self.path / EVIDENCE_DIR

    @property
    def info(self) -> dict[str, Any]:
        """session.json when its fields have their types ({} otherwise: see `problem`)."""
        data = read_json(self.path / SESSION_JSON)
        return {} if info_problem(data) else data

    @property
    def problem(self) -> str:
        """Why this session cannot be used ("" when it can)."""
        return info_problem(read_json(self.path / SESSION_JSON))

    @property
    def status(self) -> dict[str, Any]:
        return read_json(self.path / STATUS_JSON)

    def running(self) -> bool:
        return is_held(self.path / SESSION_LOCK)

    def request_cpu(self, on: bool) -> None:
        """An attached UI asks the session to start (or stop) its CPU windows (`C`, `watch --cpu`):
        the newest request wins; the session looks every few seconds (`cpu_request`)."""
        write_private_json(self.path / CPU_REQUEST_JSON, {"cpu": bool(on)})

    def cpu_request(self) -> bool | None:
        """What the newest request asks (None: none made)."""
        wanted = read_json(self.path / CPU_REQUEST_JSON).get("cpu")
        return wanted if isinstance(wanted, bool) else None

    def attached(self, *, clean: bool = False) -> int:
        """UIs attached now (their lock is held); with `clean`, dead UIs' lock files are removed."""
        count = 0
        try:
            entries = list((self.path / UI_DIR).iterdir())
        except OSError:
            return 0
        for entry in entries:
            if not entry.name.endswith(".lock"):
                continue
            if is_held(entry):
                count += 1
            elif clean:
                try:
                    entry.unlink()
                except OSError:
                    pass
        return count

    def attach_lock(self) -> Lock:
        """The lock an attached UI holds for as long as it is attached. Locked under a temporary
        name, then renamed: the session never sees an attached UI's lock file unlocked (and removes it)."""
        ui = private_dir(self.path / UI_DIR)
        for n in range(1000):
            name = f"{os.getpid()}-{n}.lock"
            if (ui / name).exists():
                continue
            lock = Lock.try_acquire(ui / f".{name}.tmp")
            if lock is None:
                continue
            os.replace(lock.path, ui / name)
            lock.path = ui / name
            return lock
        raise StateError(f"{self.path}: cannot take a UI lock")

    def size(self) -> int:
        total = 0
        try:
            for entry in self.recording.iterdir():
                try:
                    total += entry.stat().st_size
                except OSError:
                    pass
        except OSError:
            pass
        return total


def sessions_dir(root: Path) -> Path:
    return root / "sessions"


def list_sessions(root: Path) -> list[SessionDir]:
    """Every session directory under `root`, newest first (running or not)."""
    check_owner(root)
    try:
        entries = [e for e in sessions_dir(root).iterdir() if e.is_dir() and not e.is_symlink()]
    except OSError:
        return []
    found = [SessionDir(e) for e in entries if (e / SESSION_JSON).exists()]
    return sorted(found, key=lambda s: (float(s.info.get("started", 0) or 0), s.id), reverse=True)


def usable(sessions: list[SessionDir]) -> list[SessionDir]:
    """The sessions whose session.json can be used (the others are listed as unreadable, never followed)."""
    return [s for s in sessions if not s.problem]


def check_owner(root: Path) -> None:
    """Refuse a state directory (or its sessions/) owned by another user or not a directory (StateError);
    a missing one is fine (nothing in it)."""
    for path in (root, sessions_dir(root)):
        try:
            st = os.lstat(path)
        except OSError:
            return
        if not stat.S_ISDIR(st.st_mode):
            raise StateError(f"{path}: not a directory")
        if st.st_uid != os.getuid():
            raise StateError(f"{path}: owned by uid {st.st_uid}, not by you: refusing to use it")


def find_session(root: Path, name: str | None) -> SessionDir | None:
    """By id (or a unique prefix of one; StateError listing them when several match); None -> the
    newest running session."""
    sessions = usable(list_sessions(root))
    if name is None:
        return next((s for s in sessions if s.running()), None)
    exact = [s for s in sessions if s.id == name]
    if exact:
        return exact[0]
    prefixed = [s for s in sessions if s.id.startswith(name)]
    if len(prefixed) > 1:  # say which: "no such session" sent the user looking for one that was there
        shown = ", ".join(s.id for s in prefixed[:10]) + (f", … ({len(prefixed)} in all)" if len(prefixed) > 10 else "")
        raise StateError(f"{name}: several sessions start so: {shown}; give more of the id")
    return prefixed[0] if prefixed else None


def running_for_target(root: Path, key: str) -> SessionDir | None:
    """The running session polling the target of `key` (see `target_key`), if any."""
    for session in usable(list_sessions(root)):
        if session.info.get("target_key") == key and session.running():
            return session
    return None


def stop_session(session: SessionDir, *, timeout: float = 10.0) -> bool:
    """SIGTERM the session's process after checking it is a running session of ours (its lock is
    held, its pid is alive, ours, and runs `session-run` for this id). True once it has ended."""
    if not session.running():
        return True
    pid = session.info.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1:
        raise StateError(f"{session.id}: session.json has no valid pid")
    if not _is_our_session_process(pid, session.id):
        raise StateError(f"{session.id}: pid {pid} is not this session's process; not signalled")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True  # it ended meanwhile
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not session.running():
            return True
        time.sleep(0.05)
    return not session.running()


def _is_our_session_process(pid: int, session_id: str) -> bool:
    proc = Path("/proc") / str(pid)
    try:
        if proc.stat().st_uid != os.getuid():
            return False
        argv = (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"session-run" in argv and session_id.encode() in argv
