"""The README.md of one bundle: what fired, when, the evidence sentences, and the exact commands that
open each file. Every command in its ```sh block runs as written from inside the bundle directory
(tests/e2e/test_evidence_live.py runs them); names from the target are quoted for the shell."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.textsafe import clean
from tui.evidence.render import MAX_TEXT, utc, verdict_line

if TYPE_CHECKING:
    from tui.evidence.trigger import Fired
    from tui.leaks.report import LeakReport

HEAP_BASE = "heap-baseline.pb.gz"
HEAP_NOW = "heap-now.pb.gz"
GOROUTINES_PROTO = "goroutines.pb.gz"
GOROUTINES_DEBUG2 = "goroutines-debug2.txt.gz"
CPU = "cpu.pb.gz"
FLAME_HEAP = "flame-heap.svg"
FLAME_HEAP_DIFF = "flame-heap-diff.svg"
FLAME_CPU = "flame-cpu.svg"
MEMSTATS_BASE = "memstats-baseline.txt"
MEMSTATS_NOW = "memstats-now.txt"
STACKS = "stacks.txt"
FINDINGS_TXT = "findings.txt"
FINDINGS_JSON = "findings.json"
SERIES = "series.csv"
README = "README.md"

WHAT = {
    HEAP_BASE: "heap profile at the baseline (raw pprof proto, gzip'd)",
    HEAP_NOW: "heap profile at capture (raw pprof proto, gzip'd)",
    GOROUTINES_PROTO: "goroutine profile at capture (pprof proto: stacks with counts)",
    GOROUTINES_DEBUG2: "full goroutine dump (goroutine?debug=2: every goroutine, wait reason, minutes, creator)",
    CPU: "the newest CPU window (profile?seconds=N)",
    MEMSTATS_BASE: "runtime.MemStats at the baseline",
    MEMSTATS_NOW: "runtime.MemStats at capture",
    STACKS: "the full stacks of each verdict's goroutine group / allocation site",
    FINDINGS_TXT: "every verdict, the memory and GC findings, goroutine groups and heap functions",
    FINDINGS_JSON: "the same as JSON",
    SERIES: "the sparklines' series (goroutines, MemStats, groups, functions) as CSV",
    FLAME_HEAP: "flame graph of the heap now (inuse_space; a static SVG: open it in a browser, hover a frame for its numbers)",
    FLAME_HEAP_DIFF: "differential flame graph: the heap now against the baseline (orange grew, blue shrank, grey the same)",
    FLAME_CPU: "flame graph of the newest CPU window",
}


@dataclass(frozen=True, slots=True)
class ReadmeFacts:
    target: str
    wall: float
    why: str  # "verdict" or "asked"
    fired: Sequence[Fired]
    report: LeakReport | None
    files: Sequence[str]  # names written
    goroutine_dump: str  # "debug=2, 40 s old" / "proto" / "none"
    notes: Sequence[str]  # what was left out, and why
    baseline_ago: float | None


def _regex(name: str) -> str:
    """A pprof focus regex matching exactly one function name, quoted for the shell."""
    return shlex.quote("^" + re.escape(name) + "$")


def commands(facts: ReadmeFacts) -> list[str]:
    files = set(facts.files)
    cmds: list[str] = []
    if HEAP_NOW in files:
        if HEAP_BASE in files:
            cmds += ["# what grew since the baseline (inuse_space; -sample_index=inuse_objects for counts)"]
            cmds += [f"go tool pprof -top -base {HEAP_BASE} {HEAP_NOW}"]
        cmds += ["# the heap now", f"go tool pprof -top {HEAP_NOW}"]
        for f in facts.fired:
            if f.verdict.unit == "bytes":
                cmds += [f"# who allocates {clean(f.verdict.key, 120)}"]
                cmds += [f"go tool pprof -peek {_regex(f.verdict.key)} {HEAP_NOW}"]
        base = f"-base {HEAP_BASE} " if HEAP_BASE in files else ""
        cmds += [
            "# in the browser (flame graph: View > Flame Graph)",
            f"go tool pprof -http=127.0.0.1:0 {base}{HEAP_NOW}",
        ]
    if GOROUTINES_PROTO in files:
        cmds += ["# goroutines by stack", f"go tool pprof -top {GOROUTINES_PROTO}"]
        cmds += [f"go tool pprof -traces {GOROUTINES_PROTO}"]
    if GOROUTINES_DEBUG2 in files:
        cmds += ["# the full dump (every goroutine)", f"gunzip -c {GOROUTINES_DEBUG2} | less"]
    if CPU in files:
        cmds += ["# CPU of the newest window", f"go tool pprof -top {CPU}"]
    return cmds


def readme(facts: ReadmeFacts) -> str:
    lines: list[str] = []
    fired = list(facts.fired)
    title = verdict_line(fired[0].verdict) if fired else "captured by hand"
    lines += [f"# Incident bundle: {title}", ""]
    lines += [f"- target: `{clean(facts.target, MAX_TEXT)}`", f"- captured: {utc(facts.wall)}"]
    lines += ["- why: " + ("a verdict failed" if facts.why == "verdict" else "asked for (E, r)")]
    if facts.baseline_ago is not None:
        lines += [f"- heap baseline: {facts.baseline_ago:.0f} s before the capture"]
    lines += [f"- goroutine dump: {facts.goroutine_dump}", ""]
    if fired:
        lines += ["## What fired", ""]
        for f in fired:
            v = f.verdict
            since = ""
            if facts.report is not None:
                since = f"; its evidence starts {max(facts.report.time - v.since, 0):.0f} s before the capture"
            lines += [f"- **{clean(verdict_line(v), MAX_TEXT)}** ({f.why}{since})"]
            lines += [f"  - {clean(v.evidence, MAX_TEXT)}"]
        lines.append("")
    if facts.report is not None:
        lines += [f"Memory: {clean(facts.report.reconciliation.sentence, MAX_TEXT)}", ""]
        if facts.report.gc is not None:
            lines += [f"GC: {clean(facts.report.gc.sentence, MAX_TEXT)}", ""]
    lines += ["## Files", "", "| file | what |", "|---|---|"]
    for name in facts.files:
        if name in WHAT:
            lines.append(f"| `{name}` | {WHAT[name]} |")
    lines.append("")
    if facts.notes:
        lines += ["Left out:", ""] + [f"- {clean(n, MAX_TEXT)}" for n in facts.notes] + [""]
    cmds = commands(facts)
    if cmds:
        lines += ["## Open them", "", "From this directory (`go` 1.19 or newer):", "", "```sh", *cmds, "```", ""]
    lines += ["Pack it for a ticket (secrets masked): `pprof-tui bundle . --tar ../bundle.tar.gz`", ""]
    return "\n".join(lines)
