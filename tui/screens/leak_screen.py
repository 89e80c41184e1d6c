"""`L`: the leak report — verdicts, memory reconciliation, growing goroutine groups, heap growth
since the baseline. Updates live while open; `b` pins a new heap baseline."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from tui.core.bytesize import format_bytes
from tui.core.textsafe import clean
from tui.heap.units import format_value
from tui.leaks.growth import verdict_title
from tui.leaks.latency import trend_text
from tui.screens.drill_base import DrillScreen
from tui.widgets.findings import KIND_STYLE, MIN_WATCH_SECONDS, rate_text
from tui.widgets.hanging import Doc
from tui.widgets.sparklines import bars, spark_scale

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


def _verdict_lines(doc: Doc, verdicts, *, context: bool = False) -> None:
    for v in verdicts:
        title = verdict_title(v)
        line = Text("  ")
        line.append(f" {title} ", style="dim reverse" if context else KIND_STYLE.get(title, "bold"))
        line.append(" ")
        hang = line.cell_len  # continuation lines under the label
        line.append(clean(v.label, 200), style="" if context else "bold")
        if v.rate_per_min:
            line.append(f"  {rate_text(v.rate_per_min, v.unit)}")
        doc.add(line, hang)
        if v.hint:  # a known leak shape's fix (tui.leaks.shapes)
            doc.add(Text.assemble("      fix: ", (clean(v.hint, 200), "bold yellow")), 11)
        doc.add(Text(f"      {clean(v.evidence, 400)}", style="dim"), 6)


METRIC_BARS = 16  # sparkline width of a memory metric row: the row and its scale fit 80 columns
GROUP_BARS = 12
LABEL_MAX = 20


def _spark(line: Text, values, width: int, fmt) -> None:
    """Bars on their scale (tui.widgets.sparklines: a floor at zero, small changes flat) and the scale."""
    line.append(bars(values, width), style="cyan")
    scale = spark_scale(values, width).label(fmt)
    if scale:
        line.append(f" {scale}", style="dim")


def report_text(report, now: float) -> Doc:
    """The report as logical lines; each wraps under its label (tui.widgets.hanging)."""
    doc = Doc()
    doc.add("verdicts", style="bold underline")
    started = report.watch_started
    span = max(report.time - started, 0.0) if started is not None else 0.0
    if not report.verdicts:
        if span < MIN_WATCH_SECONDS:
            need = f"{MIN_WATCH_SECONDS / 60:g} min"
            doc.add(f"  nothing flagged yet: verdicts need ≥ {need} of polls ({span:.0f} s so far)", style="dim")
        else:
            doc.add(f"  nothing flagged in {_watched(span)} of watching", style="dim")
    _verdict_lines(doc, report.verdicts)
    if report.context:
        doc.add()
        doc.add("context: waiting since before the watch, not alarms", style="bold underline")
        _verdict_lines(doc, report.context, context=True)
    if report.drift:
        doc.add()
        doc.add("profile drift: the sampled heap rose, the live heap did not (not leaks)", style="bold underline")
        _verdict_lines(doc, report.drift, context=True)
    if report.angles:
        doc.add()
        doc.add("growing by label value or creator", style="bold underline")
        _verdict_lines(doc, report.angles)

    rec = report.reconciliation
    doc.add()
    doc.add("memory", style="bold underline")
    doc.add(Text.assemble("  ", (clean(rec.sentence, 400), "bold")), 2)
    if report.gc is not None:  # tui.leaks.gc_pressure: GC busy because the live heap grows, or churn
        doc.add(Text.assemble("  ", (clean(report.gc.sentence, 400), "bold")), 2)
        doc.add(f"  {clean(report.gc.evidence, 400)}", 2, style="dim")
    if report.service:  # tui.leaks.latency: the watched /metrics series, as on screen
        doc.add()
        doc.add("the service's own numbers (/metrics)", style="bold underline")
        if report.latency is not None:
            doc.add(Text.assemble("  ", (clean(report.latency.sentence, 400), "bold")), 2)
        for t in report.service:
            doc.add(f"  {clean(t.label, 120)}: {trend_text(t)}", 2)
    if report.pprof_own:
        doc.add(
            f"  pprof's own: {format_bytes(report.pprof_own)} of the heap profile is the target serving our polls"
            " (left out of every verdict and of the heap profile's row below; marked p in the heap table)",
            2,
            style="dim",
        )
    labels = [clean(m.label, LABEL_MAX) for m in rec.metrics]
    label_width = max((len(label) for label in labels), default=0) + 2  # every row in line with the longest
    for m, label in zip(rec.metrics, labels):
        mark = "↑" if m.growing else " "
        line = Text(f"  {label:<{label_width}}{_metric_value(m.current, m.unit):>9}  ")
        line.append(f"{rate_text(m.rate_per_min, m.unit):>14} {mark} ", style="bold yellow" if m.growing else "")
        _spark(line, m.values, METRIC_BARS, partial(_metric_value, unit=m.unit))
        doc.add(line, 2 + label_width)

    doc.add()
    doc.add(Text.assemble(("goroutine groups by growth", "bold underline"), ("  counts of the newest dump", "dim")))
    if not report.groups:
        doc.add("  no goroutine data yet", style="dim")
    for g in report.groups[:TOP_N]:
        line = Text(f"  {g.count:>8,}  {rate_text(g.rate_per_min, 'goroutines'):>10} {g.mark or ' '} ")
        hang = line.cell_len
        _spark(line, g.spark, GROUP_BARS, lambda v: f"{v:,.0f}")
        line.append("  ")
        line.append(clean(g.label, 80), style="bold" if g.verdict else "")
        line.append(f"  [{clean(g.reason, 40)}]", style="dim")
        if g.oldest_minutes:
            line.append(f"  oldest {g.oldest_minutes} min", style="dim")
        if g.verdict:
            line.append(f"  {g.verdict}", style=KIND_STYLE.get(g.verdict, "bold"))
        doc.add(line, hang)

    doc.add()
    head = doc.add(Text("heap since the baseline", style="bold underline"), 2)
    diff = report.heap_diff
    if report.baseline_at is not None:
        head.append(
            f"  (pinned {max(now - report.baseline_at, 0):.0f} s ago: {clean(report.baseline_reason, 60)}; b: pin now)",
            style="dim",
        )
    if report.floor_growth:
        # what the findings judge: the rise of each function's floor (what it never gave back since)
        doc.add("  held since the baseline (floor rise, as the findings judge it):", style="dim")
        for name, rise in report.floor_growth[:TOP_N]:
            line = Text(f"  +{format_bytes(rise):>10}  ")
            hang = line.cell_len
            line.append(clean(name, 100), style="bold")
            doc.add(line, hang)
        doc.add("  the profiles' difference (go tool pprof -base):", style="dim")
    if diff is None:
        doc.add("  waiting for a second heap profile", style="dim")
    else:
        unit = diff.report.unit
        rows = [r for r in diff.report.rows if r.flat or r.cum][:TOP_N]
        if not rows:
            doc.add("  no change", style="dim")
        for r in rows:
            sign = "+" if r.flat > 0 else ""
            line = Text(
                f"  Δflat {sign}{format_value(r.flat, unit):>10}  Δcum {'+' if r.cum > 0 else ''}"
                f"{format_value(r.cum, unit):>10}  "
            )
            hang = line.cell_len
            line.append(clean(r.name, 100), style="bold" if r.flat > 0 else "")
            doc.add(line, hang)
    growing = [f for f in report.functions if f.growing]
    if growing:
        line = Text("  growing (their verdicts and evidence are above): ", style="dim")
        line.append(", ".join(clean(f.key, 60) for f in growing[:5]), style="bold yellow")
        doc.add(line, 4)
    return doc


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

    def body(self) -> Text | Doc:
        if self.report is None:
            return Text("no data yet: the first polls are on their way")
        return report_text(self.report, self.now)

    def copy_text(self) -> str:
        return self.body().plain
