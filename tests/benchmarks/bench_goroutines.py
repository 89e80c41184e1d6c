"""Whole-process time: `python3 -m tui goroutines FILE` vs `panicparse` on a 100k-goroutine dump.

    python3 tests/benchmarks/make_big_dump.py        # once: captures the dump from tests/target
    python3 tests/benchmarks/bench_goroutines.py [--runs 7] [FILE]

Both tools run in the same session, interleaved, output to /dev/null; the median of the
runs is reported and the ratio ours/panicparse (target: <= 0.4).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "tests" / "benchmarks" / "data" / "goroutines_100k_debug2.txt"


def time_once(cmd: list[str]) -> float:
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.run(cmd, stdout=devnull, stderr=subprocess.PIPE, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:500]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not args.file.is_file():
        print(f"{args.file} missing: run tests/benchmarks/make_big_dump.py first", file=sys.stderr)
        return 2
    panicparse = shutil.which("panicparse")
    if panicparse is None:
        print("panicparse not found on PATH", file=sys.stderr)
        return 2
    ours_cmd = [sys.executable, "-m", "tui", "goroutines", str(args.file)]
    theirs_cmd = [panicparse, "-aggressive", "-parse=false", "-rebase=false", str(args.file)]
    time_once(ours_cmd)  # warm the page cache and .pyc files
    time_once(theirs_cmd)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(time_once(ours_cmd))
        theirs.append(time_once(theirs_cmd))
    size = args.file.stat().st_size
    count = args.file.read_bytes().count(b"\ngoroutine ") + 1
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    print(f"dump: {args.file.name}, {size / 1e6:.1f} MB, {count:,} goroutines, {args.runs} runs each")
    print(f"pprof-tui goroutines : median {m_ours:.3f} s  (min {min(ours):.3f}, max {max(ours):.3f})")
    print(f"panicparse           : median {m_theirs:.3f} s  (min {min(theirs):.3f}, max {max(theirs):.3f})")
    print(f"ratio ours/panicparse: {m_ours / m_theirs:.2f}  (target <= 0.40)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
