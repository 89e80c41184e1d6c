"""Bytes per second the app sends to the terminal while watching (the demo recording at 1×).

Runs `python3 -m tui --demo` in a pseudo-terminal of the given size, discards the first
seconds (first paint), then counts what the app writes for the measured window.
For comparison, a top-like tool such as htop sends about 1.3 kB/s.

    python3 tests/benchmarks/bench_terminal_bytes.py [--seconds 60] [--size 80x24]
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.pty_app import PtyApp


def run(seconds: float, warmup: float, cols: int, rows: int, args: list[str]) -> tuple[int, int]:
    first = measured = 0
    start = time.monotonic()
    with PtyApp(*args, cols=cols, rows=rows) as app:
        while (now := time.monotonic()) < start + warmup + seconds:
            chunk = app.read(0.2)
            if chunk is None:
                break
            if now < start + warmup:
                first += len(chunk)
            else:
                measured += len(chunk)
        app.signal(signal.SIGTERM)
        app.wait_exit(5.0)
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
