"""Text (``go tool pprof -top`` layout) and JSON rendering of a TopReport."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from datetime import datetime, timezone

from tui.core import textsafe
from tui.heap.profile import Profile
from tui.heap.top import TopReport
from tui.heap.units import choose_output_unit, format_duration, format_pct, format_value, scale

MAX_TEXT = 1000  # one name, file or comment from the profile


def header_lines(
    profile: Profile,
    report: TopReport,
    output_unit: str,
    *,
    focus: str | None,
    ignore: str | None,
    nodecount: int | None,
) -> list[str]:
    """pprof's ProfileLabels + reportLabels for a text report."""
    fmt = lambda v: format_value(v, report.unit, output_unit)  # noqa: E731
    lines: list[str] = []
    if profile.main_file:
        lines.append("File: " + posixpath.basename(profile.main_file))
    if profile.build_id:
        lines.append("Build ID: " + profile.build_id)
    lines.extend(c for c in profile.comments if not c.startswith("#"))
    lines.append("Type: " + report.sample_type)
    if profile.doc_url:
        lines.append("Doc: " + profile.doc_url)
    if profile.time_nanos:
        try:
            when = datetime.fromtimestamp(profile.time_nanos / 1e9, tz=timezone.utc).astimezone()
            lines.append("Time: " + when.strftime("%Y-%m-%d %H:%M:%S %Z"))
        except (OverflowError, OSError, ValueError):
            pass
    if profile.duration_nanos:
        # pprof: the total in nanoseconds when the unit is a time (cpu, delay: any of ns/us/ms/s/hrs),
        # as a share of the duration ("Total samples = 1.55s (31.07%)"; a block delay can pass 100%)
        ratio = ""
        total_nanos, total_unit = scale(report.total, report.unit, "nanoseconds")
        if total_unit == "ns" and int(total_nanos) != 0:
            ratio = f"({format_pct(int(total_nanos), profile.duration_nanos)})"
        lines.append(
            f"Duration: {format_duration(profile.duration_nanos)}, Total samples = {fmt(report.total)} {ratio}"
        )
    filters = [f"focus={focus}" if focus else "", f"ignore={ignore}" if ignore else ""]
    filters = [f for f in filters if f]
    if filters:
        lines.append("Active filters:")
        lines.extend("   " + (f[:80] + "…" if len(f) > 80 else f) for f in filters)
    lines.append(
        f"Showing nodes accounting for {fmt(report.shown_total)}, "
        f"{format_pct(report.shown_total, report.total).strip()} of {fmt(report.total)} total"
    )
    if report.total != 0:
        if report.dropped_nodes > 0:
            noun = "nodes" if report.dropped_nodes > 1 else "node"
            lines.append(f"Dropped {report.dropped_nodes} {noun} (cum <= {fmt(report.dropped_cutoff)})")
        if nodecount and 0 < nodecount < report.total_nodes:
            lines.append(f"Showing top {nodecount} nodes out of {report.total_nodes}")
    return lines


def render_text(
    profile: Profile,
    report: TopReport,
    *,
    source: str,
    focus: str | None = None,
    ignore: str | None = None,
    nodecount: int | None = None,
    sanitize: bool = False,
) -> str:
    del source
    # With `sanitize` (what `top` always asks) every whole line is cleaned: the profile's unit reaches
    # every value cell, its sample type, comments and names the header and rows (a crafted profile
    # must not be able to set the terminal title or the clipboard).
    output_unit = choose_output_unit(((r.flat, r.cum) for r in report.rows), report.total, report.unit)
    clean = textsafe.clean if sanitize else _as_is
    out = [
        clean(line)
        for line in header_lines(profile, report, output_unit, focus=focus, ignore=ignore, nodecount=nodecount)
    ]
    out.append(f"{'flat':>10} {'flat':>5}% {'sum':>5}% {'cum':>10} {'cum':>5}%")
    total = report.total
    running = 0
    for r in report.rows:
        running += r.flat
        inl = f" ({r.inline})" if r.inline else ""
        out.append(
            clean(
                f"{format_value(r.flat, report.unit, output_unit):>10} {format_pct(r.flat, total)} "
                f"{format_pct(running, total)} {format_value(r.cum, report.unit, output_unit):>10} "
                f"{format_pct(r.cum, total)}  {r.key}{inl}"
            )
        )
    return "\n".join(out) + "\n"


def render_json(
    profile: Profile,
    report: TopReport,
    *,
    source: str,
    focus: str | None = None,
    ignore: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Every string from the profile (or the command line) goes through `clean`, as in the text.
    ``notes``: the work limits the decode reached (also said on standard error)."""
    obj = {
        "source": textsafe.clean(source, MAX_TEXT),
        "limit_notes": [textsafe.clean(note, MAX_TEXT) for note in notes],
        "sample_type": textsafe.clean(report.sample_type, MAX_TEXT),
        "sample_types": [textsafe.clean(st.type, MAX_TEXT) for st in profile.sample_types],
        "unit": textsafe.clean(report.unit, MAX_TEXT),
        "granularity": report.granularity,
        "sort": report.sort,
        "time_nanos": profile.time_nanos,
        "duration_nanos": profile.duration_nanos,
        "focus": None if focus is None else textsafe.clean(focus, MAX_TEXT),
        "ignore": None if ignore is None else textsafe.clean(ignore, MAX_TEXT),
        "total": report.total,
        "shown_total": report.shown_total,
        "total_nodes": report.total_nodes,
        "dropped_nodes": report.dropped_nodes,
        "dropped_cutoff": report.dropped_cutoff,
        "rows": [
            {
                "key": textsafe.clean(r.key, MAX_TEXT),
                "name": textsafe.clean(r.name, MAX_TEXT),
                "file": textsafe.clean(r.file, MAX_TEXT),
                "line": r.line,
                "flat": r.flat,
                "flat_pct": round(r.flat_pct, 4),
                "sum_pct": round(r.sum_pct, 4),
                "cum": r.cum,
                "cum_pct": round(r.cum_pct, 4),
                "inline": r.inline,
            }
            for r in report.rows
        ],
    }
    return json.dumps(obj, indent=1) + "\n"


def _as_is(text: str) -> str:
    return text
