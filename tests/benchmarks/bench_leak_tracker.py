#!/usr/bin/env python3
"""How long LeakTracker.report() takes with many groups / functions and full windows.

Usage: python3 tests/benchmarks/bench_leak_tracker.py [HEAP.pb.gz]  (prints numbers; asserts nothing)
With a profile (tests/benchmarks/gen_heap_profile.py), times a new heap profile instead.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.goroutines.match_keys import GroupObservation
from tui.leaks.tracker import LeakTracker


def main() -> None:
    rng = random.Random(1)
    for groups, dumps in ((50, 60), (300, 60), (512, 120)):
        tr = LeakTracker()
        for d in range(dumps):
            t = d * 10.0
            tr.observe_groups(
                t,
                [
                    GroupObservation(f"g{i}", "chan receive", 10 + rng.randint(0, 3), 0, 5, False, f"f{i}")
                    for i in range(groups)
                ],
            )
            tr.observe_function_values(t, {f"fn{i}": 1e6 + rng.randint(0, 1000) for i in range(40)})
            tr.observe_metrics(t, {"heap_inuse": 4e6 + rng.randint(0, 1e6), "num_gc": d, "goroutines": 10 * groups})
        tr.report()
        n = 5
        t0 = time.perf_counter()
        for _ in range(n):
            tr.report()
        per = (time.perf_counter() - t0) / n
        t = dumps * 10.0
        t0 = time.perf_counter()
        tr.observe_groups(
            t,
            [
                GroupObservation(f"g{i}", "chan receive", 10 + rng.randint(0, 3), 0, 5, False, f"f{i}")
                for i in range(groups)
            ],
        )
        tr.report()
        fresh = time.perf_counter() - t0
        print(
            f"{groups} groups x {dumps} dumps, 40 functions: report() {per * 1000:.1f} ms unchanged, "
            f"{fresh * 1000:.1f} ms after a new dump (every series recomputed)"
        )


if __name__ == "__main__" and len(sys.argv) == 1:
    main()


def bench_heap(path: str) -> None:
    """Cost of a new heap profile in the tracker: baseline diff + top + per-function values."""
    from tui.heap.decode import decode_profile

    profile = decode_profile(Path(path).read_bytes())
    tr = LeakTracker()
    tr.observe_heap_profile(0.0, profile)
    t0 = time.perf_counter()
    tr.observe_heap_profile(10.0, profile)
    tr.report()
    print(
        f"heap profile with {profile.num_samples:,} samples: observe + diff report {(time.perf_counter() - t0) * 1000:.0f} ms"
    )


if __name__ == "__main__" and len(sys.argv) > 1:
    bench_heap(sys.argv[1])  # a profile from tests/benchmarks/gen_heap_profile.py
