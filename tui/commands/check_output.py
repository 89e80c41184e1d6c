"""What `pprof-tui check` prints (text or JSON) and the exit status it returns.

A verdict counts toward `--fail-on` when it is STANDING: present at the end of the watch. One that
came and went is TRANSIENT (a cache that filled, buffers that surfaced late in the profile): listed
with when it cleared (`cleared_at_s` in JSON), and failing only with `--fail-on transient`. Every string that came from the target goes through
`clean` on its way out, in text and JSON alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.bytesize import format_bytes
from tui.core.textsafe import clean
from tui.evidence.trigger import fails
from tui.leaks.growth import Verdict

if TYPE_CHECKING:
    from tui.commands.check import Watched
    from tui.fleet.outliers import Outlier
    from tui.leaks.gc_pressure import GCFinding
    from tui.leaks.report import LeakReport
    from tui.leaks.verdict_log import VerdictHistory

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
MAX_TEXT = 300
OUTLIER = "outlier"
MIN_REPLICAS = 3  # a target and at least two siblings (tui/fleet/outliers.py Rule.min_siblings)


@dataclass(frozen=True, slots=True)
class Fleet:
    """Several targets compared at the end of the check."""

    compared: tuple[str, ...]  # the targets that had data to compare
    outliers: tuple[Outlier, ...]


def error_json(message: str, status: int) -> str:
    """The one JSON document of a check that could not start (a bad target, directory or argument)."""
    return json.dumps({"exit": status, "error": clean(message, MAX_TEXT), "targets": []}, indent=2) + "\n"


TRANSIENT = "transient"


def entry_fails(entry: VerdictHistory, fail_on: Sequence[str]) -> bool:
    """A verdict over the watch fails the check when its kind is named (evidence.trigger.fails) and it
    is standing at the end (or, with `--fail-on transient`, when it fired at all)."""
    return fails(entry.latest, fail_on) and (entry.standing or TRANSIENT in fail_on)


def exit_status(watches: Sequence[Watched], fail_on: Sequence[str], fleet: Fleet | None = None) -> int:
    if any(w.errors for w in watches):
        return EXIT_ERROR
    found = any(entry_fails(e, fail_on) for w in watches for e in w.log.entries())
    found = found or (OUTLIER in fail_on and fleet is not None and bool(fleet.outliers))
    return EXIT_FOUND if found else EXIT_CLEAN


def _fleet_text(fleet: Fleet, fail_on: Sequence[str]) -> list[str]:
    n = len(fleet.compared)
    if n < MIN_REPLICAS:
        return [f"replicas: {n} had data to compare; outliers need at least {MIN_REPLICAS}"]
    lines = [f"replicas: {n} compared, {len(fleet.outliers) or 'no'} outlier{'' if len(fleet.outliers) == 1 else 's'}"]
    mark = "FAIL" if OUTLIER in fail_on else "note"
    for o in fleet.outliers:
        sentence = f"{clean(o.target, MAX_TEXT)}: {o.amount(o.value)} in {clean(o.label, MAX_TEXT)}, "
        sentence += f"siblings median {o.amount(o.siblings_median)}"
        lines.append(f"  {mark} outlier  {sentence}")
    return lines


def _outlier_json(o: Outlier) -> dict[str, object]:
    return {
        "target": clean(o.target, MAX_TEXT),
        "kind": o.kind,
        "key": clean(o.key, MAX_TEXT),
        "label": clean(o.label, MAX_TEXT),
        "unit": o.unit,
        "value": o.value,
        "siblings_median": o.siblings_median,
        "siblings_mad": round(o.siblings_mad, 3),
        "siblings": o.siblings,
        "ratio": round(o.ratio, 3),
    }


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_bytes(value)
    count = f"{value:,.0f}"
    unit = clean(unit, 40)
    if count == "1" and unit.endswith("s"):
        unit = unit[:-1]  # "1 goroutine"
    return f"{count} {unit}" if unit else count


def _rate(verdict: Verdict) -> str:
    if not verdict.rate_per_min:
        return "steady"
    sign = "+" if verdict.rate_per_min > 0 else "-"
    amount = format_bytes(abs(verdict.rate_per_min)) if verdict.unit == "bytes" else f"{abs(verdict.rate_per_min):,.0f}"
    return f"{sign}{amount}/min"


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_text(watches: Sequence[Watched], fail_on: Sequence[str], fleet: Fleet | None = None) -> str:
    lines: list[str] = []
    for w in watches:
        span = (w.log.last_time or 0.0) - (w.log.started or 0.0)
        head = f"{clean(w.label, MAX_TEXT)}: watched {span:.0f} s, {w.polls} polls"
        lines.append(head + (f" ({w.failed_polls} failed)" if w.failed_polls else ""))
        lines += [f"  error: {clean(e, MAX_TEXT)}" for e in w.errors]
        entries = w.log.entries()
        unread = w.not_read()
        for kind, reason in unread.items():
            lines.append(f"  not read: {kind}" + (f" ({clean(reason, MAX_TEXT)})" if reason else ""))
        if not entries and not w.errors:
            found = "  nothing found in what was read" if unread else "  nothing found"
            if w.answered and span < w.min_span:  # --for 30s: no verdict could have fired
                found += f" (watched {span:.0f} s: verdicts need {w.min_span:g} s of polls)"
            lines.append(found)
        for e in entries:
            v = e.latest
            mark = "FAIL" if entry_fails(e, fail_on) else "note"
            when = f"first at {_clock(w.log.since_start(e.first_seen))}"
            if not e.present:
                cleared = e.cleared_at if e.cleared_at is not None else e.last_seen
                when += f", transient: cleared at {_clock(w.log.since_start(cleared))}"
            if e.flapped:
                when += f", came and went {e.appearances}×"
            lines.append(
                f"  {mark} {v.kind:8} {clean(v.label, MAX_TEXT)}  {_rate(v)}, {_amount(v.current, v.unit)} ({when})"
            )
            lines.append(f"       {clean(v.evidence, MAX_TEXT)}")
            if v.hint:
                lines.append(f"       hint: {clean(v.hint, MAX_TEXT)}")
        lines += [f"  bundle: {path}" for path in w.bundles()]
        report = w.last_report
        for d in report.drift if report is not None else ():
            lines.append(f"  note drift    {clean(d.label, MAX_TEXT)}  {_rate(d)}: {clean(d.evidence, MAX_TEXT)}")
        if report is not None and report.reconciliation.sentence and w.answered:
            own = f" (pprof's own, left out: {format_bytes(report.pprof_own)})" if report.pprof_own else ""
            lines.append(f"  memory: {clean(report.reconciliation.sentence, MAX_TEXT)}{own}")
        if report is not None and report.gc is not None and w.answered:
            lines.append(f"  gc: {clean(report.gc.sentence, MAX_TEXT)}")
            lines.append(f"       {clean(report.gc.evidence, MAX_TEXT)}")
        if report is not None and report.latency is not None and w.answered:
            lines.append(f"  latency: {clean(report.latency.sentence, MAX_TEXT)}")
    if fleet is not None:
        lines += _fleet_text(fleet, fail_on)
    status = exit_status(watches, fail_on, fleet)
    lines.append(
        {
            EXIT_CLEAN: f"result: nothing to fail on ({', '.join(fail_on)})",
            EXIT_FOUND: f"result: found ({', '.join(fail_on)}): exit 1",
            EXIT_ERROR: "result: error: exit 2",
        }[status]
    )
    return "\n".join(lines) + "\n"


def _gc_json(gc: GCFinding) -> dict[str, object]:
    """The GC finding (tui.leaks.gc_pressure); gc_cpu_since_start is cumulative since the process started."""
    return {
        "kind": gc.kind,
        "sentence": clean(gc.sentence, MAX_TEXT),
        "evidence": clean(gc.evidence, MAX_TEXT),
        "gc_per_min": round(gc.gc_per_min, 3),
        "gc_rising": gc.gc_rising,
        "gc_cpu_since_start": gc.gc_cpu_since_start,
        "gc_cpu_rising": gc.gc_cpu_rising,
        "live_heap_bytes": gc.live_heap,
        "live_heap_bytes_per_min": gc.live_heap_rate,
        "alloc_bytes_per_s": gc.alloc_rate,
    }


def _service_json(report: LeakReport) -> dict[str, object]:
    """The watched /metrics series (start and end of the window, slope a minute) and the latency link."""
    return {
        "series": [
            {
                "key": clean(t.key, MAX_TEXT),
                "label": clean(t.label, MAX_TEXT),
                "unit": t.unit,
                "start": t.start,
                "end": t.end,
                "minutes": round(t.minutes, 3),
                "trend_per_min": t.per_min,
                "points": t.points,
            }
            for t in report.service
        ],
        "latency_link": clean(report.latency.sentence, MAX_TEXT) if report.latency else None,
    }


def _entry_json(w: Watched, e: VerdictHistory, fail_on: Sequence[str]) -> dict[str, object]:
    v = e.latest
    return {
        "kind": v.kind,
        "key": clean(v.key, MAX_TEXT),
        "label": clean(v.label, MAX_TEXT),
        "unit": clean(v.unit, 40),
        "rate_per_min": round(v.rate_per_min, 3),
        "current": v.current,
        "evidence": clean(v.evidence, MAX_TEXT),
        "first_seen_s": round(w.log.since_start(e.first_seen), 3),
        "last_seen_s": round(w.log.since_start(e.last_seen), 3),
        "present_at_end": e.present,
        "standing": e.standing,
        "cleared_at_s": None if e.cleared_at is None else round(w.log.since_start(e.cleared_at), 3),
        "appearances": e.appearances,
        "hint": clean(v.hint, MAX_TEXT),
        "fails": entry_fails(e, fail_on),
    }


def _drift_json(v: Verdict) -> dict[str, object]:
    return {
        "key": clean(v.key, MAX_TEXT),
        "label": clean(v.label, MAX_TEXT),
        "rate_per_min": round(v.rate_per_min, 3),
        "current": v.current,
        "evidence": clean(v.evidence, MAX_TEXT),
    }


def render_json(watches: Sequence[Watched], fail_on: Sequence[str], status: int, fleet: Fleet | None = None) -> str:
    doc: dict[str, object] = {
        "fail_on": list(fail_on),
        "exit": status,
        "targets": [
            {
                "target": clean(w.label, MAX_TEXT),
                "seconds": round((w.log.last_time or 0.0) - (w.log.started or 0.0), 3),
                "polls": w.polls,
                "failed_polls": w.failed_polls,
                "errors": [clean(e, MAX_TEXT) for e in w.errors],
                "limit_notes": [clean(n, MAX_TEXT) for n in w.limit_notes.values()],
                "not_read": {kind: clean(reason, MAX_TEXT) for kind, reason in w.not_read().items()},
                "verdicts": [_entry_json(w, e, fail_on) for e in w.log.entries()],
                "drift": [_drift_json(d) for d in (w.last_report.drift if w.last_report else ())],
                # a target never read has no memory sentence (never "nothing growing")
                "memory": clean(w.last_report.reconciliation.sentence, MAX_TEXT)
                if w.last_report and w.answered
                else "",
                "gc": _gc_json(w.last_report.gc) if w.last_report and w.last_report.gc else None,
                "service": _service_json(w.last_report) if w.last_report else None,
                "bundles": w.bundles(),
            }
            for w in watches
        ],
    }
    if fleet is not None:
        doc["replicas"] = {
            "compared": [clean(t, MAX_TEXT) for t in fleet.compared],
            "outliers": [_outlier_json(o) for o in fleet.outliers],
        }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
