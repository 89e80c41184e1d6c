"""Whole-process time and peak RSS: `python3 -m tui top FILE` vs `go tool pprof -top FILE`.

    python3 tests/benchmarks/bench_top.py [FILE] [--runs 5]

Without FILE, generates the benchmark profile (gen_heap_profile.py) in a temp dir.
Prints the median wall time and the max peak RSS of each command, and our/go ratios.
The pprof binary is also run directly (`go tool -n pprof`), without the go wrapper.

Last run (2 cores, Go 1.27.3, the generated 200k-sample / 20k-function profile, 7 runs):
  pprof-tui top 0.415 s, peak RSS 218 MiB; go tool pprof -top 5.675 s, 653 MiB -> 0.073x time, 0.33x RSS
  (go tool pprof took 4.4-8.6 s across runs on this machine: 0.1x of its fastest is 0.44 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measure(cmd: list[str], runs: int) -> tuple[float, int]:
    """(median seconds, max peak RSS in KiB) over ``runs`` runs; stdout discarded."""
    times, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read() if proc.stderr else b""
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-500:]!r}")
        rss.append(usage.ru_maxrss)  # KiB on Linux; includes waited-for children
    return statistics.median(times), max(rss)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    tmp = None
    path = args.file
    if path is None:
        tmp = tempfile.mkdtemp(prefix="bench_top_")
        path = os.path.join(tmp, "heap.pb.gz")
        subprocess.run([sys.executable, str(ROOT / "tests/benchmarks/gen_heap_profile.py"), path], check=True)
    size = os.path.getsize(path)
    print(f"profile: {path} ({size / 1e6:.1f} MB)")
    ours = measure([sys.executable, "-m", "tui", "top", path], args.runs)
    print(f"pprof-tui top      : {ours[0]:7.3f} s  peak RSS {ours[1] / 1024:7.1f} MiB")
    go = shutil.which("go")
    if go is None:
        print("go not on PATH: no comparison")
        return 0
    measure([go, "tool", "pprof", "-top", path], 1)  # warm the tool build cache
    theirs = measure([go, "tool", "pprof", "-top", path], args.runs)
    print(f"go tool pprof -top : {theirs[0]:7.3f} s  peak RSS {theirs[1] / 1024:7.1f} MiB")
    tool = subprocess.run([go, "tool", "-n", "pprof"], capture_output=True, text=True).stdout.strip()
    direct = None
    if tool and os.path.exists(tool):
        direct = measure([tool, "-top", path], args.runs)
        print(f"pprof binary -top  : {direct[0]:7.3f} s  peak RSS {direct[1] / 1024:7.1f} MiB")
    print(f"ratio vs go tool pprof: time {ours[0] / theirs[0]:.3f}x, RSS {ours[1] / theirs[1]:.3f}x")
    if direct:
        print(f"ratio vs pprof binary : time {ours[0] / direct[0]:.3f}x, RSS {ours[1] / direct[1]:.3f}x")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
