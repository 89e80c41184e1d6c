"""`python -m tui ARGS` in a pseudo-terminal, as a user starts it: for the tests and benchmarks that
read what the real process writes to a terminal (start-up time, bytes per second, signals)."""

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

ROOT = Path(__file__).resolve().parents[1]
CURSOR_QUERY, CURSOR_ANSWER = b"\x1b[6n", b"\x1b[1;1R"


class PtyApp:
    def __init__(
        self,
        *args: str,
        cols: int = 80,
        rows: int = 24,
        env: dict[str, str] | None = None,
        program: list[str] | None = None,
    ) -> None:
        """`program` replaces `python -m tui` (e.g. the installed `pprof-tui` console script)."""
        env = dict(os.environ if env is None else env, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        env.pop("NO_COLOR", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the app, from the checkout
            os.chdir(ROOT)
            argv = [*(program or [sys.executable, "-m", "tui"]), *args]
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.status: int | None = None

    def read(self, seconds: float) -> bytes | None:
        """What the app wrote within `seconds` (b"" if nothing), None once its side is closed. A
        cursor-position query is answered, as a terminal would."""
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed its side
            return None
        if CURSOR_QUERY in chunk:
            os.write(self.fd, CURSOR_ANSWER)
        return chunk or None

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def wait_exit(self, timeout: float) -> int | None:
        """The exit status, or None if the app is still running after `timeout` seconds."""
        end = time.monotonic() + timeout
        while self.status is None and time.monotonic() < end:
            done, code = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = code
            else:
                time.sleep(0.05)
        return self.status

    def close(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
