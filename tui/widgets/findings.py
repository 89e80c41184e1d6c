"""One line under the sparklines: what the leak tracker concluded, in words, fitted to the width.

Verdicts in order of severity (leaked and growing, growing, stuck, leaked but steady), held steady
across polls (tui/leaks/shown.py: a verdict stays until it has been gone HOLD_SECONDS; ties keep
the order they came in); as many as the width holds, then "+N more". The ✓ shows only when nothing
is flagged (nor held) AND the memory reconciliation says nothing grows: a memory trend without a
verdict gets "!", and before a minute of polls no verdict could have fired yet ("…"). GC pressure
(tui.leaks.gc_pressure) is told beside them: its sentence when nothing else is, else a short " GC ".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import Static

from tui.core.bytesize import format_bytes
from tui.core.textsafe import clean
from tui.leaks.gc_pressure import LIVE_HEAP, GCFinding
from tui.leaks.growth import GOROUTINE_DEFAULTS, HEAP_DEFAULTS, LEAKED_STEADY, verdict_title
from tui.leaks.shown import Shown, StableFindings

if TYPE_CHECKING:
    from tui.leaks.report import LeakReport

KIND_STYLE = {
    "leaked": "bold reverse red",
    "growing": "bold yellow",
    "stuck": "bold magenta",
    LEAKED_STEADY: "bold blue",  # a proven leak that does not grow: worth telling, not red
}
LABEL_MAX = 60  # cells of a label when there is room
LABEL_MIN = 24  # a second or later verdict is shown if its label keeps this many cells, else "+N more"
HINT = "  (L: leak report)"
BUNDLED = " ▣"  # after a verdict that has an incident bundle (E lists them; tui/evidence)
# no verdict can fire before this much watching (the shortest span a verdict needs)
MIN_WATCH_SECONDS = 60.0 * min(GOROUTINE_DEFAULTS.min_span_minutes, HEAP_DEFAULTS.min_span_minutes)


def rate_text(rate: float | None, unit: str) -> str:
    if rate is None:
        return ""
    if unit == "bytes":
        return f"{'+' if rate >= 0 else '-'}{format_bytes(abs(rate))}/min"
    return f"{rate:+.0f}/min"


def _cut(text: str, cells: int) -> str:
    """`text` in at most `cells` terminal cells, a cut shown by "…"."""
    t = Text(text)
    t.truncate(max(cells, 1), overflow="ellipsis")
    return t.plain


def short_label(label: str, cells: int) -> str:
    """A verdict label in `cells` cells: whole if it fits; else without the function's package path
    ("github.com/caddyserver/caddy/v2/cmd.cmdRun [select (no cases)]" -> "cmd.cmdRun [select (no
    cases)]"); else without the " [wait reason]" (the L report has it); else the function cut with "…"."""
    text = clean(label)
    if Text(text).cell_len <= cells:
        return text
    func, reason = text, ""
    if text.endswith("]") and " [" in text:
        i = text.rindex(" [")
        func, reason = text[:i], text[i:]
    stops = [i for i in (func.find("["), func.find("(")) if i >= 0]
    slash = func.rfind("/", 0, min(stops) if stops else len(func))
    func = func[slash + 1 :]
    if Text(func + reason).cell_len <= cells:
        return func + reason
    return _cut(func, cells)


def _segment(s: Shown, label_cells: int, bundled: bool = False) -> Text:
    v = s.verdict
    title = verdict_title(v)
    seg = Text(no_wrap=True)
    seg.append(f" {title} ", style=KIND_STYLE.get(title, "bold"))
    seg.append(" ")
    seg.append(short_label(v.label, label_cells), style="" if s.present else "dim")
    rate = rate_text(v.rate_per_min, v.unit) if v.rate_per_min else ""
    if rate:
        seg.append(f" {rate}", style="bold" if s.present else "dim")
    if bundled:
        seg.append(BUNDLED, style="bold cyan")
    return seg


def gc_texts(gc: GCFinding) -> tuple[str, ...]:
    """The GC finding from its whole sentence to its shortest form (the line takes the first that fits)."""
    times = f"{gc.gc_per_min:,.0f}×/min"
    if gc.kind == LIVE_HEAP:
        rate = f" +{format_bytes(gc.live_heap_rate)}/min" if gc.live_heap_rate is not None else ""
        medium = f"{times}, because the live heap grows{rate}"
        short = f"{times}, heap grows"
    else:
        alloc = f", allocating {format_bytes(gc.alloc_rate)}/s" if gc.alloc_rate is not None else ""
        medium = f"{times}: churn{alloc}, the live heap not growing"
        short = f"{times}, churn"
    return clean(gc.sentence, 300), medium, short


def gc_segment(report: LeakReport, room: int) -> Text | None:
    """The GC finding (tui.leaks.gc_pressure) in its longest form that fits in ``room`` cells (its
    shortest, "GC 553×/min, heap grows", when none does), or None when there is none."""
    gc = report.gc
    if gc is None:
        return None
    seg = Text(no_wrap=True)
    seg.append(" GC ", style="bold reverse yellow" if gc.kind == LIVE_HEAP else "bold cyan")
    seg.append(" ")
    texts = gc_texts(gc)
    seg.append(next((t for t in texts if seg.cell_len + Text(t).cell_len <= room), texts[-1]))
    return seg


def latency_segment(report: LeakReport, room: int) -> Text | None:
    """Latency rising with GC / the heap (tui.leaks.latency), cut to ``room`` cells; None without one."""
    link = report.latency
    if link is None:
        return None
    seg = Text(no_wrap=True, overflow="ellipsis")
    seg.append(" latency ", style="bold reverse magenta")
    seg.append(" ")
    seg.append(clean(link.sentence, 300))
    if seg.cell_len > room:
        seg.truncate(max(room, 12), overflow="ellipsis")
    return seg


def _with_latency(text: Text, report: LeakReport, width: int) -> None:
    seg = latency_segment(report, width - text.cell_len - 2 - len(HINT))
    if seg is not None and text.cell_len + 2 + min(seg.cell_len, 12) <= width:
        if text.cell_len:
            text.append("  ")
        text.append_text(seg)


def _quiet(report: LeakReport, width: int) -> Text:
    """Nothing flagged: a memory trend, still warming up, GC pressure, or the ✓."""
    text = Text(no_wrap=True, overflow="ellipsis")
    rec = report.reconciliation
    span = report.time - report.watch_started if report.watch_started is not None else 0.0
    gc = gc_segment(report, width if rec.verdict == "nothing" else 0)
    latency = latency_segment(report, width - len(HINT))
    if latency is not None and gc is None and rec.verdict == "nothing":  # what it costs the users comes first
        text.append_text(latency)
        if text.cell_len + len(HINT) <= width:
            text.append(HINT, style="dim")
        return text
    if gc is not None and rec.verdict == "nothing":
        text.append_text(gc)
    elif rec.verdict != "nothing":
        text.append(" ! ", style="bold reverse yellow")
        text.append(" ")
        text.append(clean(rec.sentence, 300))
    elif span < MIN_WATCH_SECONDS:
        text.append(" … ", style="dim")
        text.append(
            f"watching: verdicts need ≥ {MIN_WATCH_SECONDS / 60:g} min of polls ({max(span, 0):.0f} s so far)",
            style="dim",
        )
    else:
        text.append(" ✓ ", style="bold green")
        text.append(clean(rec.sentence, 300))
    if gc is not None and rec.verdict != "nothing" and text.cell_len + 2 + gc.cell_len <= width:
        text.append("  ")
        text.append_text(gc)
    _with_latency(text, report, width)
    if (rec.verdict != "nothing" or gc is not None or latency is not None) and text.cell_len + len(HINT) <= width:
        text.append(HINT, style="dim")
    return text


def _label_cap(naturals: list[int], room: int, floor: int) -> int | None:
    """The largest cap >= floor with sum(min(n, cap)) <= room (labels shortened evenly), or None."""
    for cap in range(max(naturals, default=0), floor - 1, -1):
        if sum(min(n, cap) for n in naturals) <= room:
            return cap
    return None


def findings_text(
    report: LeakReport,
    width: int = 80,
    shown: tuple[Shown, ...] | None = None,
    bundled: frozenset[str] = frozenset(),
) -> Text:
    """The line for `report` in `width` cells. `shown`: what StableFindings holds (held verdicts
    included); None = the report's own verdicts. As many verdicts as fit with labels of at least
    LABEL_MIN cells (the first one always, shortened as needed), in order, then "+N more".
    `bundled`: verdict keys with an incident bundle, marked with BUNDLED."""
    width = max(width, 20)
    if shown is None:
        shown = tuple(Shown(v, report.time, True) for v in report.verdicts)
    if not shown:
        text = _quiet(report, width)
    else:
        fixed = [_segment(s, 0, s.verdict.key in bundled).cell_len - 1 for s in shown]  # all but the label
        naturals = [Text(short_label(s.verdict.label, LABEL_MAX)).cell_len for s in shown]
        k, used = 1, fixed[0] + 1  # the first always; then as many as could fit at LABEL_MIN
        while k < len(shown) and used + 2 + fixed[k] + min(naturals[k], LABEL_MIN) <= width:
            used += 2 + fixed[k] + min(naturals[k], LABEL_MIN)
            k += 1
        while True:
            more = f"  +{len(shown) - k} more" if k < len(shown) else ""
            room = width - sum(fixed[:k]) - 2 * (k - 1) - len(more)
            cap = _label_cap(naturals[:k], room, LABEL_MIN if k > 1 else 1)
            if cap is not None or k == 1:
                break
            k -= 1
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, s in enumerate(shown[:k]):
            if i:
                text.append("  ")
            cells = min(naturals[i], cap if cap is not None else LABEL_MIN // 2)
            text.append_text(_segment(s, cells, s.verdict.key in bundled))
        if more:
            text.append(more, style="dim")
        gc = gc_segment(report, width - text.cell_len - 2 - len(HINT))
        if gc is not None and text.cell_len + 2 + gc.cell_len <= width:
            text.append("  ")
            text.append_text(gc)
        _with_latency(text, report, width)
        if text.cell_len + len(HINT) <= width:
            text.append(HINT, style="dim")
    text.truncate(width, overflow="ellipsis")
    return text


class FindingsBar(Static):
    DEFAULT_CSS = "FindingsBar { height: 1; }"

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.plain = ""
        self.stable = StableFindings()
        self.shown: tuple[Shown, ...] = ()
        self.bundled: frozenset[str] = frozenset()
        self._report: LeakReport | None = None

    def show(self, report: LeakReport) -> None:
        self._report = report
        self.shown = self.stable.update(report.verdicts, report.time)
        self._show_line()

    def show_bundled(self, keys: frozenset[str]) -> None:
        """Verdict keys that have an incident bundle (marked on the line)."""
        if keys != self.bundled:
            self.bundled = keys
            self._show_line()

    def on_resize(self, event: events.Resize) -> None:
        self._show_line()

    def _show_line(self) -> None:
        if self._report is None:
            return
        text = findings_text(self._report, self.content_size.width or 80, self.shown, self.bundled)
        if text.plain != self.plain:
            self.plain = text.plain
            self.update(text, layout=False)  # one line, full width: never resized by its text
