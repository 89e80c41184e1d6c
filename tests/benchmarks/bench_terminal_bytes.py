"""Bytes per second the app sends to the terminal while watching (the demo recording at 1×).

Runs `python3 -m tui --demo` in a pseudo-terminal of the given size, discards the first
seconds (first paint), then counts what the app writes for the measured window.
For comparison, a top-like tool such as htop sends about 1.3 kB/s.

    python3 tests/benchmarks/bench_terminal_bytes.py [--seconds 60] [--size 80x24]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def run(seconds: float, warmup: float, cols: int, rows: int, args: list[str]) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ["TERM"] = "xterm-256color"
        os.environ.pop("NO_COLOR", None)
        os.execvp(sys.executable, [sys.executable, "-m", "tui", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    first = measured = 0
    start = time.monotonic()
    try:
        while (now := time.monotonic()) < start + warmup + seconds:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if now < start + warmup:
                first += len(chunk)
            else:
                measured += len(chunk)
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    return first, measured


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--size", default="80x24")
    ap.add_argument("app_args", nargs="*", default=["--demo"])
    args = ap.parse_args()
    cols, rows = (int(x) for x in args.size.split("x"))
    first, measured = run(args.seconds, args.warmup, cols, rows, args.app_args)
    print(
        f"{args.size}: first {args.warmup:g} s (startup + first paint): {first / 1000:.1f} kB; "
        f"then {measured / 1000:.1f} kB in {args.seconds:g} s = {measured / args.seconds / 1000:.2f} kB/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
