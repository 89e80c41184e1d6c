"""Start-up: time from launching `pprof-tui` (the demo) to its first full frame, at 80×24.

The app runs in a pseudo-terminal as a user would start it (`python3 -m tui`, no arguments);
the clock starts just before the process is spawned. The first full frame is the whole dashboard
on screen: status line, sparkline labels, the heap pane with its title and column header, the
goroutine pane and the footer's keys (the numbers fill in as the first snapshot lands). Also
printed: the time to the first byte (interpreter + imports) and to the first data (the demo's
heap rows, which need the profile decoded and summed: numpy's import is paid there).

    python3 tests/benchmarks/bench_startup.py [--runs 7]

Measured (2 cores, other work running; bytecode cached as an installed package has it):
before the lazy imports 0.61 s to the first full frame (first byte 0.42 s), after 0.49 s
(first byte 0.30 s); first data 0.73 s (numpy is imported by the first parse, after the frame).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.pty_app import PtyApp  # noqa: E402

# Plain text between escape sequences: what the first full frame shows (footer, heap pane title,
# its column header, a sparkline label), and the first data (a heap row of the demo).
FRAME = (b"filter", b"inuse_space", b"flat%", b"gorout")
DATA = b"main."
TIMEOUT = 20.0


def launch_once() -> tuple[float, float, float]:
    """Seconds to the first byte, to the first full frame, to the first data."""
    # An installed package has its bytecode compiled (pip does it at install time): let the warm-up
    # launch write __pycache__ even where the environment says not to, or every launch compiles.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    seen = b""
    first = full = data = None
    with PtyApp(env=env) as app:
        while time.perf_counter() - start < TIMEOUT:
            chunk = app.read(0.05)
            if chunk is None:
                break
            if not chunk:
                continue
            now = time.perf_counter() - start
            first = first if first is not None else now
            seen += chunk
            if full is None and all(m in seen for m in FRAME):
                full = now
            if DATA in seen:
                data = now
            if full is not None and data is not None:
                break
    if first is None or full is None or data is None:
        tail = seen[-800:].decode("utf-8", "replace")
        raise SystemExit(f"no full frame within {TIMEOUT} s; the output ended with:\n{tail}")
    return first, full, data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    launch_once()  # warm the page cache and __pycache__
    runs = [launch_once() for _ in range(args.runs)]
    for name, values in zip(("first byte", "first full frame", "first data"), zip(*runs)):
        line = f"{name + ':':18}median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})"
        print(line + (f" over {args.runs} launches, goal <= 0.5 s" if name == "first full frame" else ""))


if __name__ == "__main__":
    main()
