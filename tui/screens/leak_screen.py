"""`L`: the leak report — verdicts, memory reconciliation, growing goroutine groups, heap growth
since the baseline. Updates live while open; `b` pins a new heap baseline."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from tui.core.bytesize import format_bytes
from tui.core.textsafe import clean
from tui.heap.units import format_value
from tui.leaks.growth import verdict_title
from tui.screens.drill_base import DrillScreen
from tui.widgets.findings import KIND_STYLE, MIN_WATCH_SECONDS, rate_text
from tui.widgets.sparklines import bars

TOP_N = 10


def _metric_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "bytes":
        return format_bytes(value)
    if unit == "fraction":
        return f"{value * 100:.2f}%"
    return f"{value:,.0f}"


def _watched(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _verdict_lines(text: Text, verdicts, *, context: bool = False) -> None:
    for v in verdicts:
        title = verdict_title(v)
        text.append("  ")
        text.append(f" {title} ", style="dim reverse" if context else KIND_STYLE.get(title, "bold"))
        text.append(" ")
        text.append(clean(v.label, 200), style="" if context else "bold")
        if v.rate_per_min:
            text.append(f"  {rate_text(v.rate_per_min, v.unit)}")
        text.append(f"\n      {clean(v.evidence, 400)}\n", style="dim")


def report_text(report, now: float) -> Text:
    text = Text()
    text.append("verdicts\n", style="bold underline")
    started = report.watch_started
    span = max(report.time - started, 0.0) if started is not None else 0.0
    if not report.verdicts:
        if span < MIN_WATCH_SECONDS:
            need = f"{MIN_WATCH_SECONDS / 60:g} min"
            text.append(f"  nothing flagged yet: verdicts need ≥ {need} of polls ({span:.0f} s so far)\n", style="dim")
        else:
            text.append(f"  nothing flagged in {_watched(span)} of watching\n", style="dim")
    _verdict_lines(text, report.verdicts)
    if report.context:
        text.append("\ncontext: waiting since before the watch, not alarms\n", style="bold underline")
        _verdict_lines(text, report.context, context=True)

    rec = report.reconciliation
    text.append("\nmemory\n", style="bold underline")
    text.append("  ")
    text.append(clean(rec.sentence, 400), style="bold")
    text.append("\n")
    if report.pprof_own:
        text.append(
            f"  pprof's own: {format_bytes(report.pprof_own)} of the heap profile is the target serving our polls"
            " (left out of every verdict; marked p in the heap table)\n",
            style="dim",
        )
    for m in rec.metrics:
        mark = "↑" if m.growing else " "
        text.append(f"  {clean(m.label, 20):<14}{_metric_value(m.current, m.unit):>12}  ")
        text.append(f"{rate_text(m.rate_per_min, m.unit):>14} {mark} ", style="bold yellow" if m.growing else "")
        text.append(bars(m.values, 24), style="cyan")
        text.append("\n")

    text.append("\ngoroutine groups by growth\n", style="bold underline")
    if not report.groups:
        text.append("  no goroutine data yet\n", style="dim")
    for g in report.groups[:TOP_N]:
        text.append(f"  {g.count:>8,}  {rate_text(g.rate_per_min, 'goroutines'):>10} {g.mark or ' '} ")
        text.append(bars(g.spark, 16), style="cyan")
        text.append("  ")
        text.append(clean(g.label, 80), style="bold" if g.verdict else "")
        text.append(f"  [{clean(g.reason, 40)}]", style="dim")
        if g.oldest_minutes:
            text.append(f"  oldest {g.oldest_minutes} min", style="dim")
        if g.verdict:
            text.append(f"  {g.verdict}", style=KIND_STYLE.get(g.verdict, "bold"))
        text.append("\n")

    text.append("\nheap since the baseline", style="bold underline")
    diff = report.heap_diff
    if report.baseline_at is not None:
        text.append(
            f"  (pinned {max(now - report.baseline_at, 0):.0f} s ago: {clean(report.baseline_reason, 60)}; b: pin now)",
            style="dim",
        )
    text.append("\n")
    if report.floor_growth:
        # what the findings judge: the rise of each function's floor (what it never gave back since)
        text.append("  held since the baseline (floor rise, as the findings judge it):\n", style="dim")
        for name, rise in report.floor_growth[:TOP_N]:
            text.append(f"  +{format_bytes(rise):>10}  ")
            text.append(clean(name, 100) + "\n", style="bold")
        text.append("  the profiles' difference (go tool pprof -base):\n", style="dim")
    if diff is None:
        text.append("  waiting for a second heap profile\n", style="dim")
    else:
        unit = diff.report.unit
        rows = [r for r in diff.report.rows if r.flat or r.cum][:TOP_N]
        if not rows:
            text.append("  no change\n", style="dim")
        for r in rows:
            sign = "+" if r.flat > 0 else ""
            text.append(
                f"  Δflat {sign}{format_value(r.flat, unit):>10}  Δcum {'+' if r.cum > 0 else ''}"
                f"{format_value(r.cum, unit):>10}  "
            )
            text.append(clean(r.name, 100) + "\n", style="bold" if r.flat > 0 else "")
    growing = [f for f in report.functions if f.growing]
    if growing:
        text.append("  growing (their verdicts and evidence are above): ", style="dim")
        text.append(", ".join(clean(f.key, 60) for f in growing[:5]) + "\n", style="bold yellow")
    return text


class LeakScreen(DrillScreen):
    BINDINGS = [Binding("b", "app.pin_baseline", "pin baseline")]

    def __init__(self, report, now: float) -> None:
        self.report = report
        self.now = now
        self.title_text = " leak report"
        super().__init__()

    def show_report(self, report, now: float) -> None:
        self.report, self.now = report, now
        self.query_one("#drill-text", Static).update(self.body())

    def body(self) -> Text:
        if self.report is None:
            return Text("no data yet: the first polls are on their way")
        return report_text(self.report, self.now)

    def copy_text(self) -> str:
        return self.body().plain
