"""Each goroutine pivot (tui.goroutines.pivots) of a 100,000-goroutine debug=2 dump vs the reason
tree's grouping (goal: grouping + pivot within 1.5x the grouping alone).

The dump: tests/benchmarks/data/goroutines_100k_debug2.txt, captured from tests/target by
make_big_dump.py (`python3 tests/benchmarks/make_big_dump.py`). Not collected by pytest.

    python3 tests/benchmarks/bench_pivots.py [--runs 5] [--dump FILE]
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui.goroutines.fastgroup import group_debug2_text  # noqa: E402
from tui.goroutines.pivots import label_keys, parse_pivot, pivot_groups  # noqa: E402

DEFAULT_DUMP = ROOT / "tests" / "benchmarks" / "data" / "goroutines_100k_debug2.txt"
GOAL = 1.5
PIVOTS = ("label:KEY", "creator", "similar:exact", "similar:func", "similar:top3")


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.dump.exists():
        print(f"no dump at {args.dump}: run tests/benchmarks/make_big_dump.py first", file=sys.stderr)
        return 2
    text = args.dump.read_text()
    grouped = group_debug2_text(text)
    groups = grouped.groups
    stacks = sum(len(b.stacks) for g in groups for b in g.buckets)
    print(f"{grouped.total:,} goroutines, {len(text) / 2**20:.1f} MiB, {stacks} stacks in the reason tree")
    base = median_time(lambda: group_debug2_text(text), args.runs)
    print(f"{'reason (grouping)':<22} {base * 1000:8.1f} ms   1.00x")
    keys = label_keys(groups)
    worst = 0.0
    for spec in PIVOTS:
        if spec == "label:KEY":
            spec = f"label:{keys[0] if keys else 'none'}"
        pivot = parse_pivot(spec)
        alone = median_time(lambda pivot=pivot: pivot_groups(groups, pivot), args.runs * 4)
        both = median_time(lambda pivot=pivot: pivot_groups(group_debug2_text(text).groups, pivot), args.runs)
        ratio = both / base
        worst = max(worst, ratio)
        print(f"{spec:<22} {both * 1000:8.1f} ms   {ratio:.2f}x   (the pivot alone {alone * 1000:.2f} ms)")
    print(f"worst {worst:.2f}x: {'within' if worst <= GOAL else 'OVER'} the {GOAL}x goal")
    # The creators' worst case: every goroutine started by a goroutine of its own (a handler per
    # request starting one), so a key per goroutine until fastgroup stops keying by creator.
    ids = itertools.count(10**7)
    own = re.sub(r" in goroutine \d+\n", lambda m: f" in goroutine {next(ids)}\n", text)
    alone = median_time(lambda: group_debug2_text(own), args.runs)
    print(f"every goroutine its own creator: grouping {alone * 1000:.1f} ms")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
