"""`q` and SIGTERM while a huge goroutine dump parses; peak memory (issue #31, item 3).

    python3 tests/benchmarks/bench_quit_while_parsing.py [--goroutines 1400000] [--wait 3]

Writes a dump of N goroutines on one stack, each in a wait reason of its own (one group per reason:
73 MB at 1.4 M), opens it (`python -m tui FILE`, a real process in an 80x24 pty) and reports: the first
frame's time; then, three runs each: quit with `q`, with SIGTERM, after --wait seconds (the parse still
running), and once left to finish (the time it is ready). Each run reports the app's peak RSS and its
parse child's (sampled every 20 ms from /proc), and the time from the key/signal to the process's exit.
Goal: peak under 500 MB (app + child), exit within 1 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.pty_app import PtyApp

ENTER_ALT_SCREEN = b"\x1b[?1049h"


def make_dump(path: Path, n: int) -> None:
    with open(path, "w", encoding="ascii") as fh:
        batch: list[str] = []
        for i in range(1, n + 1):
            batch.append(f"goroutine {i} [r{i}]:\nmain.f()\n\t/x.go:1 +0x1\n\n")
            if len(batch) >= 20_000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:
        pass
    return out


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.app = self.child = self.total = 0.0
        self.stop = False

    def run(self) -> None:
        while not self.stop:
            app = rss_mb(self.pid)
            kids = sum(rss_mb(c) for c in children(self.pid))
            self.app, self.child = max(self.app, app), max(self.child, kids)
            self.total = max(self.total, app + kids)
            time.sleep(0.02)


def drain(app: PtyApp, seconds: float, until: bytes = b"") -> tuple[bytes, bool]:
    seen = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        chunk = app.read(0.05)
        if chunk is None:
            return seen, True
        seen += chunk
        if until and until in seen:
            break
    return seen, False


def run_once(path: Path, how: str, wait: float) -> dict[str, object]:
    started = time.monotonic()
    with PtyApp(str(path)) as app:
        sampler = Sampler(app.pid)
        sampler.start()
        drain(app, 120, ENTER_ALT_SCREEN)
        first = time.monotonic() - started
        ready = None
        if how == "ready":
            drain(app, 600, b"offline: 1 file")
            ready = time.monotonic() - started
        else:
            drain(app, wait)
        t0 = time.monotonic()
        if how in ("q", "ready"):
            os.write(app.fd, b"q")
        else:
            app.signal(signal.SIGTERM)
        status = None
        while status is None and time.monotonic() - t0 < 60:
            drain(app, 0.02)
            status = app.wait_exit(0.01)
        took = time.monotonic() - t0
        sampler.stop = True
    return {
        "how": how,
        "first_frame_s": round(first, 2),
        "ready_s": ready and round(ready, 1),
        "exit_s": round(took, 2),
        "exited": status is not None,
        "peak_app_mb": round(sampler.app),
        "peak_child_mb": round(sampler.child),
        "peak_sum_mb": round(sampler.total),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--goroutines", type=int, default=1_400_000)
    ap.add_argument("--wait", type=float, default=3.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reasons.txt"
        make_dump(path, args.goroutines)
        print(f"dump: {args.goroutines:,} goroutines, {path.stat().st_size / 2**20:.1f} MB")
        for how in ("q", "sigterm"):
            for _ in range(args.runs):
                print(run_once(path, how, args.wait), flush=True)
        print(run_once(path, "ready", args.wait), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
