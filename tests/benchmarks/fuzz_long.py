"""Long fuzz run of every parser: mutated real captures + random bytes, >= 100,000 inputs each.

    nice python3 tests/benchmarks/fuzz_long.py [--inputs 100000] [--seed 1] [--only NAME] [--save DIR]

Prints, per parser: inputs run, how many decoded / raised ParseError / LimitExceeded, the
problems found (uncaught exception types, malformed messages) with a count, and the slowest
inputs (seconds, size). Exit status 1 if any problem was found. Problem inputs (and the
slowest input of each parser) are written to --save DIR for replay.

Last full run (seed 1, 2 shared cores, nice): 100,000 inputs per parser, 0 problems, 827 s in all.
  decode_profile+top        ok 14,749  ParseError 81,114  LimitExceeded 4,137   slowest 16 ms (22 kB)
  decode_goroutine_profile  ok 27,866  ParseError 72,134                        slowest 14 ms (24 kB)
  (the two decode rows re-run in session 2, after the columnar/numpy decode: 116 s; invalid UTF-8
  names now decode with U+FFFD instead of raising, hence more "ok")
  parse_debug2+group        ok 88,552  ParseError 11,448                        slowest 19 ms (196 kB)
  group_debug2_text         ok 88,417  ParseError 11,583                        slowest 171 ms (15 MB)
  parse_debug1+group        ok 43,513  ParseError 56,487                        slowest 347 ms (245 MB)
  parse_memstats            ok 49,323  ParseError 50,677                        slowest 15 ms (15 MB)
  parse_index               ok 62,389  ParseError 37,611                        slowest 19 ms (15 MB)
  detect_kind               ok 100,000                                          slowest 2.4 ms
Before the fixes of this script's first commit, a 10 kB index page took 19 s (catastrophic backtracking).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.setrecursionlimit(10_000)  # the default; set so results do not depend on the caller

from tests.unit.fuzz_support import ALLOWED, TARGETS, Target, load_seeds, make_input, run_checked  # noqa: E402


def fuzz(target: Target, inputs: int, seed: int, save: Path | None) -> tuple[Counter[str], list]:
    rng = random.Random(f"{seed}:{target.name}")
    seeds = load_seeds(target.seed_names)
    outcomes: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    slowest: list[tuple[float, int, bytes]] = []
    t_total = 0.0
    for n in range(inputs):
        data = make_input(target, seeds, rng)
        t0 = time.perf_counter()
        try:
            target.run(data)
            outcome = "ok"
        except ALLOWED as exc:
            outcome = type(exc).__name__
        except BaseException:
            outcome = "problem"
        took = time.perf_counter() - t0
        t_total += took
        outcomes[outcome] += 1
        problem = run_checked(target, data) if outcome != "ok" else None
        if problem:
            key = problem.split(":")[0] if problem.startswith("uncaught") else problem[:100]
            if problems[key] == 0 and save:
                (save / f"{target.name}-{len(problems)}.bin").write_bytes(data)
            problems[key] += 1
        if len(slowest) < 3 or took > slowest[-1][0]:
            slowest.append((took, len(data), data))
            slowest.sort(key=lambda x: -x[0])
            del slowest[3:]
        if (n + 1) % 20_000 == 0:
            print(f"  {target.name}: {n + 1:,} inputs, {t_total:.0f} s", flush=True)
    if save and slowest:
        (save / f"{target.name}-slowest.bin").write_bytes(slowest[0][2])
    outcomes["seconds"] = round(t_total)  # type: ignore[assignment]
    return outcomes | Counter({"problem:" + k: v for k, v in problems.items()}), slowest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", help="run only targets whose name contains this")
    ap.add_argument("--save", type=Path, help="directory for problem and slowest inputs")
    args = ap.parse_args()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    bad = 0
    started = time.time()
    for target in TARGETS:
        if args.only and args.only not in target.name:
            continue
        outcomes, slowest = fuzz(target, args.inputs, args.seed, args.save)
        problems = {k[8:]: v for k, v in outcomes.items() if k.startswith("problem:")}
        bad += sum(problems.values())
        print(
            f"{target.name}: {args.inputs:,} inputs in {outcomes['seconds']} s: "
            f"ok {outcomes['ok']:,}, ParseError {outcomes['ParseError']:,}, "
            f"LimitExceeded {outcomes['LimitExceeded']:,}, problems {sum(problems.values())}"
        )
        for what, count in sorted(problems.items(), key=lambda kv: -kv[1]):
            print(f"    PROBLEM x{count}: {what}")
        print("    slowest: " + ", ".join(f"{t * 1000:.1f} ms ({size:,} B)" for t, size, _ in slowest), flush=True)
    print(f"total: {time.time() - started:.0f} s, problems: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
