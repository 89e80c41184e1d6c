#!/usr/bin/env python3
"""Diagnosis benchmark: does the leak tracker name real leaks, soon, and stay quiet otherwise?

Usage: python3 tests/benchmarks/bench_diagnosis.py [--record] [--minutes 10] [--recordings DIR ...]

Each scenario (tests/benchmarks/diagnosis_scenarios.py) is one tests/target invocation, recorded
once by `pprof-tui record` at default settings (record_diagnosis.py: all at once, >= 10 minutes,
into tests/benchmarks/data/diagnosis/, gitignored). Missing or stale recordings are made first;
--record re-records all of them. Every recording is then played through the app's own leak
tracker by `pprof-tui check DIR --json` (as fast as it goes, first --minutes of it), and scored:

  expected               the verdict that names the leak (kind + label prefix), or "no verdict"
  first correct verdict  seconds from the first poll to the first matching verdict, or "missed"
  false verdicts         every other verdict: label@first seen, and "flapped N×" when it vanished
                         and came back (a flapping correct verdict is marked in its own column)
  goal met?              fast leaks (>= 1 MB/min, >= 100 goroutines/min) named within 2 min; the
                         staircase within 10; the slow leak within the run; no verdict at all on a
                         no-leak scenario; no verdict flapping anywhere

--recordings DIR... scores other recordings (real daemons, e.g. tests/fixtures/real/*-idle) as
no-leak scenarios. Prints a table; asserts nothing; exit status 0 even when goals are missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.diagnosis_scenarios import SCENARIOS, Expect, Scenario  # noqa: E402
from tests.benchmarks.record_diagnosis import DATA_DIR, DEFAULT_SECONDS, record, recorded  # noqa: E402

FAIL_ON = "growing,leaked,stuck"
CHECK_TIMEOUT_S = 1800.0
MAX_LABEL = 64


@dataclass(frozen=True, slots=True)
class Seen:
    """One verdict (kind, key) over the run, as `pprof-tui check --json` reports it."""

    kind: str
    label: str
    first_s: float
    appearances: int
    present_at_end: bool
    rate_per_min: float
    unit: str

    @property
    def flapped(self) -> bool:
        return self.appearances >= 2

    def describe(self) -> str:
        label = self.label if len(self.label) <= MAX_LABEL else self.label[: MAX_LABEL - 1] + "…"
        text = f"{self.kind} {label}@{self.first_s:.0f}s"
        if self.flapped:
            text += f" flapped {self.appearances}×"
        elif not self.present_at_end:
            text += " (gone by the end)"
        return text


@dataclass(slots=True)
class Score:
    name: str
    expect: Expect | None
    within_s: float | None
    first_correct: Seen | None = None
    correct: list[Seen] = field(default_factory=list)
    false: list[Seen] = field(default_factory=list)
    seconds: float = 0.0
    polls: int = 0
    error: str = ""

    @property
    def flaps(self) -> list[Seen]:
        return [v for v in (*self.correct, *self.false) if v.flapped]

    def goal(self, window_s: float) -> tuple[bool, str]:
        if self.error:
            return False, "error"
        why = []
        if self.expect is None:
            if self.false:
                why.append(f"{len(self.false)} false")
        else:
            limit = self.within_s if self.within_s is not None else window_s
            if self.first_correct is None:
                why.append("missed")
            elif self.first_correct.first_s > limit:
                why.append(f"late (> {limit:.0f} s)")
        if self.flaps:
            why.append(f"{len(self.flaps)} flapped")
        return (not why), ", ".join(why)


def check_recording(directory: Path, minutes: float) -> dict:
    """`pprof-tui check DIR --json` on the first `minutes` of a recording: its one target's entry."""
    if not directory.is_dir():
        raise RuntimeError(f"{directory}: not a directory (no recording)")
    cmd = [sys.executable, "-m", "tui", "check", str(directory), "--json", "--fail-on", FAIL_ON]
    cmd += ["--for", f"{minutes * 60:g}s"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    if done.returncode not in (0, 1):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"check exit {done.returncode}: {' / '.join(tail)}")
    doc = json.loads(done.stdout)
    (target,) = doc["targets"]
    if target["errors"]:
        raise RuntimeError("; ".join(target["errors"]))
    return target


def score(name: str, expect: Expect | None, within_s: float | None, target: dict) -> Score:
    s = Score(name, expect, within_s, seconds=target["seconds"], polls=target["polls"])
    for v in target["verdicts"]:
        seen = Seen(
            v["kind"],
            v["label"],
            v["first_seen_s"],
            v["appearances"],
            v["present_at_end"],
            v["rate_per_min"],
            v["unit"],
        )
        if expect is not None and expect.matches(seen.kind, seen.label):
            s.correct.append(seen)
        else:
            s.false.append(seen)
    s.correct.sort(key=lambda v: v.first_s)
    s.false.sort(key=lambda v: v.first_s)
    s.first_correct = s.correct[0] if s.correct else None
    return s


def run_one(name: str, directory: Path, expect: Expect | None, within_s: float | None, minutes: float) -> Score:
    try:
        return score(name, expect, within_s, check_recording(directory, minutes))
    except (RuntimeError, ValueError, KeyError, OSError, subprocess.TimeoutExpired) as exc:
        return Score(name, expect, within_s, error=str(exc))


def _first_cell(s: Score) -> list[str]:
    if s.error:
        return [f"error: {s.error}"[:80]]
    if s.expect is None:
        return ["-"]
    if s.first_correct is None:
        return ["missed"]
    v = s.first_correct
    text = f"{v.first_s:.0f} s"
    if v.flapped:
        text += f" (flapped {v.appearances}×)"
    elif not v.present_at_end:
        text += " (gone by the end)"
    more = [
        f"  then {c.kind} @{c.first_s:.0f}s" + (f" flapped {c.appearances}×" if c.flapped else "")
        for c in s.correct[1:]
    ]
    return [text, *more]


def _expected_cell(s: Score) -> list[str]:
    if s.expect is None:
        return ["no verdict"]
    return [f"{'/'.join(s.expect.kinds)} {label}…" for label in s.expect.labels]


def render_table(scores: list[Score], window_s: float) -> str:
    header = ["scenario", "expected", "first correct verdict", "false verdicts (label@time, flaps)", "goal met?"]
    rows: list[list[list[str]]] = []
    for s in scores:
        ok, why = s.goal(window_s)
        rows.append(
            [
                [s.name],
                _expected_cell(s),
                _first_cell(s),
                [v.describe() for v in s.false] or ["none"],
                ["yes" if ok else f"NO: {why}"],
            ]
        )
    widths = [max(len(header[i]), *(len(line) for row in rows for line in row[i])) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        for i in range(max(len(cell) for cell in row)):
            out.append(line([cell[i] if i < len(cell) else "" for cell in row]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="record every scenario again first")
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of each recording judged (default 10)")
    parser.add_argument(
        "--recordings", nargs="+", type=Path, default=[], metavar="DIR", help="more recordings, scored as no-leak ones"
    )
    parser.add_argument("--jobs", type=int, default=2, help="recordings checked at once (default 2)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="scenario recordings (default %(default)s)")
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.error("--minutes must be > 0")
    window_s = args.minutes * 60
    seconds = max(DEFAULT_SECONDS, window_s + 60)

    todo = list(SCENARIOS) if args.record else [s for s in SCENARIOS if not recorded(s, seconds, args.data_dir)]
    record_took = None
    if todo:
        print(
            f"recording {len(todo)} scenario(s) for {seconds:g} s: {', '.join(s.name for s in todo)}", file=sys.stderr
        )
        t0 = time.monotonic()
        try:
            ok = record(todo, seconds, args.data_dir)
        except KeyboardInterrupt:
            return 130
        record_took = time.monotonic() - t0
        if not ok:
            print("some recordings failed: their rows say so", file=sys.stderr)

    jobs: list[tuple[str, Path, Scenario | None]] = [(s.name, args.data_dir / s.name, s) for s in SCENARIOS]
    jobs += [(str(d), d, None) for d in args.recordings]
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(run_one, name, d, s.expect if s else None, s.within_s if s else None, args.minutes)
            for name, d, s in jobs
        ]
        scores = [f.result() for f in futures]
    score_took = time.monotonic() - t0

    print(f"diagnosis benchmark: first {args.minutes:g} min of each recording, pprof-tui check --fail-on {FAIL_ON}")
    print(render_table(scores, window_s))
    met = sum(1 for s in scores if s.goal(window_s)[0])
    print(f"goals met: {met}/{len(scores)}")
    print("judged: " + ", ".join(f"{s.name} {s.seconds:.0f} s/{s.polls} polls" for s in scores if not s.error))
    if record_took is not None:
        print(f"recording took {record_took:.0f} s")
    print(f"scoring took {score_took:.0f} s ({max(1, args.jobs)} at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
