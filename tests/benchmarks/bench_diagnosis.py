#!/usr/bin/env python3
"""Diagnosis benchmark: does the leak tracker name real leaks, soon, and stay quiet otherwise?

Usage: python3 tests/benchmarks/bench_diagnosis.py [--record | --no-record] [--minutes 10]
           [--seeds N] [--go PATH ...] [--go-versions] [--recordings DIR ...] [SCENARIO ...]

Each scenario (tests/benchmarks/diagnosis_scenarios.py) is one Go program invocation, recorded
by `pprof-tui record` at default settings per Go toolchain and seed (record_diagnosis.py, >= 10
minutes, into tests/benchmarks/data/diagnosis/<go1.X>/seed<N>/, gitignored). Missing or stale
recordings are made first (--no-record: scored as "not recorded" instead; --record: all made
again). Every recording is then played through the app's own leak tracker by
`pprof-tui check DIR --json` (as fast as it goes, first --minutes of it), and scored:

  expected               the verdict that names the leak (kind + label prefix of the service's own
                         code, or a known-shape hint), or "no failing verdict"
  first correct verdict  seconds from the first poll to the first matching verdict, or "missed"
                         ("symptom" when only a verdict on the internals fired, e.g. net/http.)
  other verdicts         label@first seen; FAIL when it fails the check (its "fails" field), else
                         note; "flapped N×" when it vanished and came back; "cleared" when it was
                         gone by the end (check's present_at_end / cleared_at_s)
  goal met?              leaks named within their limit (fast ones 2 min, others 3, the staircase
                         10, the slow leak within the run); no failing verdict on a no-leak
                         scenario; no failing verdict labelled `runtime.`; no verdict flapping

Then one line per scenario over all its runs, and the totals the issue's goal is stated in.
--recordings DIR... scores other recordings (real daemons, e.g. tests/fixtures/real/*) as no-leak
scenarios. --code DIR runs the checks with another checkout's tui (the recordings replay with any
version: a before/after table is two runs); answers are kept in --cache (by recording, tui sources
and minutes), so scoring again after a change re-runs only what changed.
Prints tables; asserts nothing; exit status 0 even when goals are missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.diagnosis_scenarios import BY_NAME, SCENARIOS, Expect, Scenario  # noqa: E402
from tests.benchmarks.record_diagnosis import (  # noqa: E402
    DATA_DIR,
    DEFAULT_SECONDS,
    Toolchain,
    add_matrix_args,
    chosen_gos,
    chosen_seeds,
    plan,
    record,
    recording_dir,
)

FAIL_ON = "growing,leaked,stuck"
CHECK_TIMEOUT_S = 1800.0
MAX_LABEL = 64
RUNTIME_PREFIX = "runtime."
CACHE_DIR = ROOT / "tests" / "benchmarks" / "data" / "check-cache"


def verdict_hint(v: dict) -> str:
    """The known-shape hint of a `check --json` verdict ("" when the check has none)."""
    hint = v.get("hint")
    if isinstance(hint, dict):  # tolerate a structured hint: its text
        hint = hint.get("text") or hint.get("hint") or ""
    return hint if isinstance(hint, str) else ""


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
    fails: bool = True
    hint: str = ""
    cleared_at_s: float | None = None
    standing_says: bool | None = None  # check's own "standing" (newer checks), else derived

    @staticmethod
    def of(v: dict) -> Seen:
        cleared = v.get("cleared_at_s")
        return Seen(
            v["kind"],
            v["label"],
            v["first_seen_s"],
            v["appearances"],
            v["present_at_end"],
            v["rate_per_min"],
            v["unit"],
            bool(v.get("fails", True)),
            verdict_hint(v),
            float(cleared) if isinstance(cleared, (int, float)) else None,
            v["standing"] if isinstance(v.get("standing"), bool) else None,
        )

    @property
    def flapped(self) -> bool:
        return self.appearances >= 2

    @property
    def standing(self) -> bool:
        """Still there at the end of the run (not cleared)."""
        return self.present_at_end and self.cleared_at_s is None if self.standing_says is None else self.standing_says

    @property
    def runtime_labelled(self) -> bool:
        return self.fails and self.label.startswith(RUNTIME_PREFIX)

    def describe(self) -> str:
        label = self.label if len(self.label) <= MAX_LABEL else self.label[: MAX_LABEL - 1] + "…"
        text = f"{'FAIL' if self.fails else 'note'} {self.kind} {label}@{self.first_s:.0f}s"
        if self.flapped:
            text += f" flapped {self.appearances}×"
        elif not self.standing:
            text += " cleared" + (f"@{self.cleared_at_s:.0f}s" if self.cleared_at_s is not None else "")
        if self.hint:
            text += f" [{self.hint[:40]}]"
        return text


@dataclass(slots=True)
class Score:
    name: str  # the scenario, or the recording's path
    expect: Expect | None
    within_s: float | None
    run: str = ""  # go1.27/seed1
    first_correct: Seen | None = None
    correct: list[Seen] = field(default_factory=list)
    symptoms: list[Seen] = field(default_factory=list)
    false: list[Seen] = field(default_factory=list)
    seconds: float = 0.0
    polls: int = 0
    exit: int | None = None
    error: str = ""

    @property
    def every(self) -> list[Seen]:
        return [*self.correct, *self.symptoms, *self.false]

    @property
    def flaps(self) -> list[Seen]:
        return [v for v in self.every if v.flapped]

    @property
    def failing_false(self) -> list[Seen]:
        return [v for v in self.false if v.fails]

    @property
    def runtime_labelled(self) -> list[Seen]:
        return [v for v in self.every if v.runtime_labelled]

    def limit(self, window_s: float) -> float:
        return self.within_s if self.within_s is not None else window_s

    @property
    def named(self) -> bool:
        return self.first_correct is not None

    def in_time(self, window_s: float) -> bool:
        return self.first_correct is not None and self.first_correct.first_s <= self.limit(window_s)

    def goal(self, window_s: float) -> tuple[bool, str]:
        if self.error:
            return False, self.error if self.error in (NOT_RECORDED, NOT_SCORED) else "error"
        why = []
        if self.expect is None:
            if self.failing_false:
                why.append(f"{len(self.failing_false)} failing")
        elif self.first_correct is None:
            why.append("symptom only" if self.symptoms else "missed")
        elif not self.in_time(window_s):
            why.append(f"late (> {self.limit(window_s):.0f} s)")
        if self.runtime_labelled:
            why.append(f"{len(self.runtime_labelled)} runtime.")
        if self.flaps:
            why.append(f"{len(self.flaps)} flapped")
        return (not why), ", ".join(why)


NOT_RECORDED = "not recorded"
NOT_SCORED = "not scored yet"  # --cached-only: no cached answer for this code


class NotScored(Exception):
    """--cached-only, and the cache has no answer for this recording and code."""


def code_id(code: Path) -> str:
    """A digest of a checkout's tui/ sources: a cached check is reused only for the same code."""
    digest = hashlib.sha256()
    for path in sorted((code / "tui").rglob("*.py")):
        digest.update(str(path.relative_to(code)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def recording_id(directory: Path) -> str:
    """A recording's identity: its files' names, sizes and times (re-recorded: a new identity)."""
    parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(directory.iterdir()) if p.is_file()]
    return hashlib.sha256(f"{directory.resolve()}|{'|'.join(parts)}".encode()).hexdigest()[:16]


def check_recording(
    directory: Path,
    minutes: float,
    code: Path = ROOT,
    cache: Path | None = None,
    code_digest: str = "",
    cached_only: bool = False,
) -> tuple[dict, int]:
    """`pprof-tui check DIR --json` on the first `minutes` of a recording: its one target's entry, and the exit.
    `code`: the checkout whose `tui` runs the check (recordings replay with any version of the code).
    `cache`: where answers are kept by (recording, code, minutes), so a second scoring is quick."""
    if not directory.is_dir():
        raise FileNotFoundError(NOT_RECORDED)
    cached = None
    if cache is not None:
        key = f"{recording_id(directory)}-{code_digest or code_id(code)}-{minutes:g}"
        cached = cache / f"{key}.json"
        try:
            doc = json.loads(cached.read_text())
            return doc["target"], doc["exit"]
        except (OSError, ValueError, KeyError):
            pass
    if cached_only:
        raise NotScored(NOT_SCORED)
    target, status = _run_check(directory, minutes, code)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".partial")
        tmp.write_text(json.dumps({"recording": str(directory), "target": target, "exit": status}))
        tmp.rename(cached)
    return target, status


def _run_check(directory: Path, minutes: float, code: Path) -> tuple[dict, int]:
    cmd = [sys.executable, "-m", "tui", "check", str(directory.resolve()), "--json", "--fail-on", FAIL_ON]
    cmd += ["--for", f"{minutes * 60:g}s"]
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    if done.returncode not in (0, 1):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"check exit {done.returncode}: {' / '.join(tail)}")
    doc = json.loads(done.stdout)
    (target,) = doc["targets"]
    if target["errors"]:
        raise RuntimeError("; ".join(target["errors"]))
    return target, done.returncode


def score(name: str, expect: Expect | None, within_s: float | None, target: dict, run: str = "") -> Score:
    s = Score(name, expect, within_s, run, seconds=target["seconds"], polls=target["polls"])
    for v in target["verdicts"]:
        seen = Seen.of(v)
        if expect is not None and expect.matches(seen.kind, seen.label, seen.hint):
            s.correct.append(seen)
        elif expect is not None and expect.symptom(seen.kind, seen.label):
            s.symptoms.append(seen)
        else:
            s.false.append(seen)
    for group in (s.correct, s.symptoms, s.false):
        group.sort(key=lambda v: v.first_s)
    s.first_correct = s.correct[0] if s.correct else None
    return s


def run_one(
    name: str,
    directory: Path,
    expect: Expect | None,
    within_s: float | None,
    minutes: float,
    run: str = "",
    code: Path = ROOT,
    cache: Path | None = None,
    code_digest: str = "",
    cached_only: bool = False,
) -> Score:
    try:
        target, status = check_recording(directory, minutes, code, cache, code_digest, cached_only)
        s = score(name, expect, within_s, target, run)
        s.exit = status
        return s
    except FileNotFoundError:
        return Score(name, expect, within_s, run, error=NOT_RECORDED)
    except NotScored:
        return Score(name, expect, within_s, run, error=NOT_SCORED)
    except (RuntimeError, ValueError, KeyError, OSError, subprocess.TimeoutExpired) as exc:
        return Score(name, expect, within_s, run, error=str(exc))


def _first_cell(s: Score) -> list[str]:
    if s.error:
        return [s.error if s.error in (NOT_RECORDED, NOT_SCORED) else f"error: {s.error}"[:80]]
    if s.expect is None:
        return ["-"]
    if s.first_correct is None:
        if s.symptoms:
            v = s.symptoms[0]
            return [f"missed; symptom {v.kind} {v.label[:40]} @{v.first_s:.0f}s"]
        return ["missed"]
    v = s.first_correct
    text = f"{v.first_s:.0f} s {v.kind}"
    if v.flapped:
        text += f" (flapped {v.appearances}×)"
    elif not v.standing:
        text += " (cleared by the end)"
    if v.hint:
        text += f" [{v.hint[:40]}]"
    more = [
        f"  then {c.kind} @{c.first_s:.0f}s" + (f" flapped {c.appearances}×" if c.flapped else "")
        for c in s.correct[1:4]
    ]
    return [text, *more]


def _expected_cell(s: Score) -> list[str]:
    if s.expect is None:
        return ["no failing verdict"]
    limit = f" ≤{s.within_s:.0f}s" if s.within_s is not None else ""
    return [f"{'/'.join(s.expect.kinds)} {label}…{limit}" for label in s.expect.labels[:2]]


def markdown_table(header: list[str], rows: list[list[list[str]]]) -> str:
    """A pipe table; a cell of several lines spans rows."""
    widths = [max(len(header[i]), *(len(line) for row in rows for line in row[i])) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        for i in range(max(len(cell) for cell in row)):
            out.append(line([cell[i] if i < len(cell) else "" for cell in row]))
    return "\n".join(out)


def render_table(scores: list[Score], window_s: float) -> str:
    header = ["scenario", "run", "expected", "first correct verdict", "other verdicts", "exit", "goal met?"]
    rows: list[list[list[str]]] = []
    for s in scores:
        ok, why = s.goal(window_s)
        rows.append(
            [
                [s.name],
                [s.run or "-"],
                _expected_cell(s),
                _first_cell(s),
                [v.describe() for v in (*s.symptoms[:3], *s.false[:6])] or ["none"],
                ["-" if s.exit is None else str(s.exit)],
                ["yes" if ok else f"NO: {why}"],
            ]
        )
    return markdown_table(header, rows)


def render_summary(scores: list[Score], window_s: float) -> str:
    """One row per scenario over its runs (toolchains x seeds)."""
    by_name: dict[str, list[Score]] = {}
    for s in scores:
        by_name.setdefault(s.name, []).append(s)
    header = [
        "scenario",
        "runs",
        "goal met",
        "named in time",
        "first correct (s)",
        "failing false",
        "runtime.",
        "flaps",
    ]
    rows = []
    for name, group in by_name.items():
        done = [s for s in group if not s.error]
        leak = group[0].expect is not None
        firsts = sorted(s.first_correct.first_s for s in done if s.first_correct is not None)
        rows.append(
            [
                [name],
                [f"{len(done)}/{len(group)}"],
                [f"{sum(1 for s in done if s.goal(window_s)[0])}/{len(done)}"],
                [f"{sum(1 for s in done if s.in_time(window_s))}/{len(done)}" if leak else "-"],
                [", ".join(f"{t:.0f}" for t in firsts) if firsts else ("-" if not leak else "missed")],
                [str(sum(len(s.failing_false) for s in done))],
                [str(sum(len(s.runtime_labelled) for s in done))],
                [str(sum(len(s.flaps) for s in done))],
            ]
        )
    return markdown_table(header, rows)


def totals(scores: Iterable[Score], window_s: float) -> list[str]:
    """The issue's goal numbers over every run that was scored."""
    done = [s for s in scores if not s.error]
    healthy = [s for s in done if s.expect is None]
    leaks = [s for s in done if s.expect is not None]
    clean = [s for s in healthy if not s.failing_false]
    return [
        f"healthy runs with 0 failing verdicts: {len(clean)}/{len(healthy)}"
        f" ({sum(len(s.failing_false) for s in healthy)} failing verdicts in all;"
        f" {sum(1 for s in healthy if s.exit == 1)} checks exited 1)",
        f"leak runs named in time (own frame or hint): {sum(1 for s in leaks if s.in_time(window_s))}/{len(leaks)}"
        f" (named at all: {sum(1 for s in leaks if s.named)}; symptom only:"
        f" {sum(1 for s in leaks if not s.named and s.symptoms)}; missed: {sum(1 for s in leaks if not s.named and not s.symptoms)})",
        f"failing verdicts labelled runtime.: {sum(len(s.runtime_labelled) for s in done)}",
        f"flapping verdicts: {sum(len(s.flaps) for s in done)} in {sum(1 for s in done if s.flaps)} runs",
        f"verdicts that cleared before the end: {sum(1 for s in done for v in s.every if not v.standing)};"
        f" standing at the end: {sum(1 for s in done for v in s.every if v.standing)}",
        f"goals met: {sum(1 for s in done if s.goal(window_s)[0])}/{len(done)} runs"
        + (f" ({len(list(scores)) - len(done)} not scored)" if len(done) < len(list(scores)) else ""),
    ]


def commit_of(code: Path) -> str:
    """The commit a checkout is at ("" when it is not the top of one, e.g. an exported tree)."""
    top = subprocess.run(["git", "-C", str(code), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != code.resolve():
        return ""
    done = subprocess.run(["git", "-C", str(code), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip()[:80] if done.returncode == 0 else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="default: all")
    parser.add_argument("--record", action="store_true", help="record every scenario again first")
    parser.add_argument("--no-record", action="store_true", help="score only what is recorded")
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of each recording judged (default 10)")
    parser.add_argument(
        "--recordings", nargs="+", type=Path, default=[], metavar="DIR", help="more recordings, scored as no-leak ones"
    )
    parser.add_argument("--jobs", type=int, default=2, help="recordings checked at once (default 2)")
    parser.add_argument("--record-jobs", type=int, default=12, help="recordings made at once (default 12)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="scenario recordings (default %(default)s)")
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        metavar="DIR",
        help="a checkout whose tui runs the checks, e.g. an older commit's (default: this one)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=CACHE_DIR,
        metavar="DIR",
        help="checks kept by (recording, code, minutes) (default %(default)s; --no-cache: none)",
    )
    parser.add_argument("--no-cache", action="store_true", help="run every check again, keep nothing")
    parser.add_argument(
        "--cached-only", action="store_true", help="run no check: score what --cache holds (the rest: 'not scored yet')"
    )
    add_matrix_args(parser)
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.error("--minutes must be > 0")
    seeds = chosen_seeds(args)
    if not seeds or args.first_seed < 1:
        parser.error("need 1 <= --first-seed <= --seeds")
    unknown = [n for n in args.scenarios if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}: one of {', '.join(BY_NAME)}")
    window_s = args.minutes * 60
    seconds = max(DEFAULT_SECONDS, window_s + 60)
    chosen = [BY_NAME[n] for n in args.scenarios] or list(SCENARIOS)
    gos = chosen_gos(args)
    toolchains = [Toolchain.of(go) for go in gos]

    record_took = None
    todo = plan(chosen, toolchains, seeds, seconds, args.data_dir, force=args.record)
    if todo and not args.no_record:
        print(f"recording {len(todo)} run(s) for {seconds:g} s", file=sys.stderr)
        t0 = time.monotonic()
        try:
            ok = record(chosen, seconds, args.data_dir, gos=gos, seeds=seeds, jobs=args.record_jobs, force=args.record)
        except KeyboardInterrupt:
            return 130
        record_took = time.monotonic() - t0
        if not ok:
            print("some recordings failed: their rows say so", file=sys.stderr)

    jobs: list[tuple[str, str, Path, Scenario | None]] = [
        (s.name, f"{t.label}/seed{seed}", recording_dir(args.data_dir, t.label, seed) / s.name, s)
        for s in chosen
        for t in toolchains
        for seed in seeds
    ]
    jobs += [(str(d), "", d, None) for d in args.recordings]
    digest = code_id(args.code)
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(
                run_one,
                name,
                d,
                s.expect if s else None,
                s.within_s if s else None,
                args.minutes,
                run,
                args.code,
                None if args.no_cache else args.cache,
                digest,
                args.cached_only,
            )
            for name, run, d, s in jobs
        ]
        scores = [f.result() for f in futures]
    score_took = time.monotonic() - t0

    print(f"diagnosis benchmark: first {args.minutes:g} min of each recording, pprof-tui check --fail-on {FAIL_ON}")
    print(f"toolchains: {', '.join(f'{t.label} ({t.version})' for t in toolchains)}; seeds {seeds[0]}..{seeds[-1]}")
    print(
        f"code: {args.code.resolve()}"
        + (f" at {commit_of(args.code)}" if commit_of(args.code) else "")
        + f" (tui digest {digest})"
    )
    print()
    print(render_table(scores, window_s))
    print()
    print(render_summary(scores, window_s))
    print()
    for line in totals(scores, window_s):
        print(line)
    for t in toolchains if len(toolchains) > 1 else []:
        print(f"\n{t.label} only:")
        for line in totals([s for s in scores if s.run.startswith(f"{t.label}/")], window_s):
            print("  " + line)
    if args.recordings:
        print("\n--recordings only:")
        for line in totals([s for s in scores if not s.run], window_s):
            print("  " + line)
    print("judged: " + ", ".join(f"{s.name} {s.run} {s.seconds:.0f} s/{s.polls} polls" for s in scores if not s.error))
    if record_took is not None:
        print(f"recording took {record_took:.0f} s")
    print(f"scoring took {score_took:.0f} s ({max(1, args.jobs)} at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
