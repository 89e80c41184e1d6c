"""The text files of a bundle: findings (text and JSON), the sparkline series (CSV), the verdicts'
full stacks. Pure functions of a LeakReport and a Snapshot; every string from the target goes
through `clean` (control characters made visible, length bounded) on its way into a file.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tui.core.bytesize import format_bytes
from tui.core.textsafe import clean
from tui.goroutines.match_keys import match_key
from tui.leaks.growth import Verdict, verdict_title

if TYPE_CHECKING:
    from tui.evidence.trigger import Fired
    from tui.goroutines.records import Frame
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot

MAX_TEXT = 300
MAX_ROWS = 100  # groups and functions listed in findings
MAX_POINTS = 720  # newest points per series in series.csv (24 min of 2 s polls)
MAX_STACKS = 50  # stack groups written per verdict
MAX_TRACES = 20  # heap stacks written per heap verdict


def amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_bytes(value)
    text = f"{value:,.0f}"
    unit = clean(unit, 40)
    if text == "1" and unit.endswith("s"):
        unit = unit[:-1]
    return f"{text} {unit}" if unit else text


def rate(verdict: Verdict) -> str:
    if not verdict.rate_per_min:
        return "steady"
    sign = "+" if verdict.rate_per_min > 0 else "-"
    value = abs(verdict.rate_per_min)
    return f"{sign}{format_bytes(value) if verdict.unit == 'bytes' else f'{value:,.0f}'}/min"


def utc(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(wall))


def verdict_line(v: Verdict) -> str:
    return f"{verdict_title(v)} {clean(v.label, MAX_TEXT)}  {rate(v)}, {amount(v.current, v.unit)} now"


def verdict_json(v: Verdict, now: float | None = None) -> dict[str, object]:
    doc: dict[str, object] = {
        "kind": v.kind,
        "title": verdict_title(v),
        "key": clean(v.key, MAX_TEXT),
        "label": clean(v.label, MAX_TEXT),
        "unit": clean(v.unit, 40),
        "rate_per_min": round(v.rate_per_min, 3),
        "current": v.current,
        "evidence": clean(v.evidence, MAX_TEXT),
    }
    if now is not None:
        doc["since_s_ago"] = round(now - v.since, 1)
    return doc


def findings_text(report: LeakReport | None, fired: Sequence[Fired], target: str, wall: float) -> str:
    lines = [f"target: {clean(target, MAX_TEXT)}", f"captured: {utc(wall)}", ""]
    if fired:
        lines.append("fired:")
        for f in fired:
            lines += [f"  {verdict_line(f.verdict)}  ({f.why})", f"    {clean(f.verdict.evidence, MAX_TEXT)}"]
    else:
        lines.append("fired: nothing (captured by hand)")
    if report is None:
        return "\n".join([*lines, "", "no leak report yet"]) + "\n"
    lines += ["", "all verdicts of the newest report:"]
    lines += [f"  {verdict_line(v)}\n    {clean(v.evidence, MAX_TEXT)}" for v in report.verdicts] or ["  none"]
    if report.context:
        lines += ["", "waiting since before the watch (context, not alarms):"]
        lines += [f"  {verdict_line(v)}" for v in report.context]
    lines += ["", f"memory: {clean(report.reconciliation.sentence, MAX_TEXT)}"]
    if report.gc is not None:
        lines += [f"gc: {clean(report.gc.sentence, MAX_TEXT)}", f"    {clean(report.gc.evidence, MAX_TEXT)}"]
    if report.floor_growth:
        lines += ["", "heap floor growth since the baseline:"]
        lines += [f"  {format_bytes(b):>10}  {clean(f, MAX_TEXT)}" for f, b in report.floor_growth[:MAX_ROWS]]
    if report.groups:
        lines += ["", "goroutine groups (fastest growing first):", "  count      rate/min  verdict   reason / code"]
        for g in report.groups[:MAX_ROWS]:
            per_min = f"{g.rate_per_min:+,.1f}" if g.rate_per_min is not None else "?"
            lines.append(
                f"  {g.count:<9,d}  {per_min:>8}  {g.verdict or '-':8}  [{clean(g.reason, 80)}] {clean(g.label, MAX_TEXT)}"
            )
    if report.functions:
        lines += ["", "heap functions (fastest growing first):", "  inuse        rate/min    function"]
        for fn in report.functions[:MAX_ROWS]:
            per_min = f"{format_bytes(fn.rate_per_min)}" if fn.rate_per_min is not None else "?"
            lines.append(f"  {format_bytes(fn.current):>10}  {per_min:>10}  {clean(fn.key, MAX_TEXT)}")
    return "\n".join(lines) + "\n"


def findings_json(report: LeakReport | None, fired: Sequence[Fired], target: str, wall: float) -> str:
    now = report.time if report is not None else None
    doc: dict[str, object] = {
        "target": clean(target, MAX_TEXT),
        "captured_at": round(wall, 3),
        "captured_utc": utc(wall),
        "fired": [{**verdict_json(f.verdict, now), "why": f.why} for f in fired],
    }
    if report is not None:
        doc.update(
            {
                "verdicts": [verdict_json(v, now) for v in report.verdicts],
                "context": [verdict_json(v, now) for v in report.context],
                "memory": clean(report.reconciliation.sentence, MAX_TEXT),
                "memory_verdict": report.reconciliation.verdict,
                "gc": None
                if report.gc is None
                else {"kind": report.gc.kind, "sentence": clean(report.gc.sentence, MAX_TEXT)},
                "baseline_s_ago": None if report.baseline_at is None else round(report.time - report.baseline_at, 1),
                "baseline_reason": clean(report.baseline_reason, MAX_TEXT),
                "floor_growth": [[clean(f, MAX_TEXT), b] for f, b in report.floor_growth[:MAX_ROWS]],
                "groups": [
                    {
                        "key": g.key,
                        "label": clean(g.label, MAX_TEXT),
                        "reason": clean(g.reason, 80),
                        "count": g.count,
                        "rate_per_min": g.rate_per_min,
                        "verdict": g.verdict,
                    }
                    for g in report.groups[:MAX_ROWS]
                ],
                "functions": [
                    {"function": clean(f.key, MAX_TEXT), "inuse": f.current, "rate_per_min": f.rate_per_min}
                    for f in report.functions[:MAX_ROWS]
                ],
            }
        )
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def series_csv(snapshot: Snapshot | None, wall: float) -> str:
    """Every history series (the sparklines' data): its newest MAX_POINTS points, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("series", "utc", "seconds_before_capture", "value", "min", "max"))
    history = snapshot.history if snapshot is not None else None
    if history is None or snapshot is None:
        return out.getvalue()
    for key in sorted(history.series):
        for p in history.get(key)[-MAX_POINTS:]:
            ago = snapshot.time - p.t
            writer.writerow(
                (clean(key, 200), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall - ago)), f"{ago:.1f}")
                + tuple(f"{x:.6g}" for x in (p.value, p.lo, p.hi))
            )
    return out.getvalue()


def _frame_lines(frames: Iterable[Frame], created_by: Frame | None = None) -> list[str]:
    lines: list[str] = []
    for f in frames:
        lines += [f"{clean(f.func, MAX_TEXT)}()", f"\t{clean(f.location, MAX_TEXT)}"]
    if created_by is not None:
        lines += [f"created by {clean(created_by.func, MAX_TEXT)}", f"\t{clean(created_by.location, MAX_TEXT)}"]
    return lines


def goroutine_stacks(key: str, snapshot: Snapshot) -> list[str]:
    """The full stacks of goroutine group `key` (a match key): from the debug=2 tree (wait reason,
    ages, creator), else from the goroutine profile's records (counts only)."""
    out: list[str] = []
    for reason in snapshot.goroutine_groups:
        for bucket in reason.buckets:
            for stack in bucket.stacks:
                if len(out) < MAX_STACKS * 40 and match_key(stack.frames) == key:
                    lo, hi = stack.min_minutes, stack.max_minutes
                    ages = "" if hi is None else ", under 1 minute" if hi == 0 else f", {lo}–{hi} minutes"
                    out += [
                        f"{stack.count:,} goroutines [{clean(stack.reason, 80)}{ages}] ({clean(bucket.label, 20)}):"
                    ]
                    out += _frame_lines(stack.frames, stack.created_by) + [""]
    if out:
        return out
    counts = snapshot.goroutine_stacks
    for record in counts.records if counts is not None else ():
        if match_key(record.frames) == key:
            labels = " ".join(f"{clean(k, 80)}={clean(v, 80)}" for k, v in record.labels)
            out += [f"{record.count:,} goroutines (goroutine profile: no wait reason){' ' + labels if labels else ''}:"]
            out += _frame_lines(record.frames) + [""]
    return out


def heap_stacks(function: str, snapshot: Snapshot) -> list[str]:
    """The heaviest allocation stacks through `function` in the newest heap profile (pprof -peek's traces)."""
    if snapshot.heap is None:
        return []
    from tui.heap.peek import peek  # numpy: only when a heap verdict is written

    try:
        report = peek(snapshot.heap, function, max_traces=MAX_TRACES)
    except (KeyError, ValueError, IndexError):
        return []
    out: list[str] = []
    for trace in report.traces:
        out.append(f"{format_bytes(trace.value)} in use ({trace.samples} sampled stacks):")
        for node in trace.frames:
            out += [f"{clean(node.name, MAX_TEXT)}()", f"\t{clean(node.file, MAX_TEXT)}:{node.line}"]
        out.append("")
    return out


def stacks_text(fired: Sequence[Fired], snapshot: Snapshot | None) -> str:
    if snapshot is None:
        return ""
    parts: list[str] = []
    for f in fired:
        v = f.verdict
        parts.append(f"=== {verdict_line(v)}")
        parts.append(f"    key {clean(v.key, MAX_TEXT)}")
        parts.append("")
        found = heap_stacks(v.key, snapshot) if v.unit == "bytes" else goroutine_stacks(v.key, snapshot)
        parts += found or ["(no stacks of it in the newest data)", ""]
    return "\n".join(parts) + ("\n" if parts else "")
