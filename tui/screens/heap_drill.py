"""Drill-down into one heap function: callers, callees and the heaviest stacks through it
(pprof `peek` and `traces`), with file:line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from tui.core.errors import ParseError
from tui.core.textsafe import clean
from tui.heap.peek import Neighbor, PeekReport, peek
from tui.heap.units import format_value
from tui.screens.drill_base import DrillScreen
from tui.screens.messages import WorkFailed

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopRow
    from tui.screens.presenters import HeapView


def _pct(value: int, total: int) -> str:
    return f"{value / total * 100:6.2f}%" if total else "   -  "


class HeapDrillScreen(DrillScreen):
    class PeekDone(Message, bubble=False):
        """The worker's answer: the peek report, or why there is none."""

        def __init__(self, result: PeekReport | None, error: str) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, heap: Profile, view: HeapView, row: TopRow) -> None:
        self.heap = heap
        self.view = view
        self.row = row
        names = [t.type for t in heap.sample_types]
        self.sample_index = (
            heap.sample_index(view.sample_type) if view.sample_type in names else heap.default_sample_index
        )
        self.unit = heap.sample_types[self.sample_index].unit.lower()
        self.result: PeekReport | None = None  # computed off the event loop: peek on a 200k-sample profile takes ~0.5 s
        self.error = ""
        self.title_text = f" {clean(row.name, 200)} · {view.sample_type}"
        super().__init__()

    def on_mount(self) -> None:
        super().on_mount()
        self._compute()

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False)
    def _compute(self) -> None:
        granularity = "lines" if self.view.line_mode else "functions"
        try:
            result = peek(self.heap, self.row.key, self.sample_index, granularity=granularity)
        except ParseError as exc:
            self.post_message(self.PeekDone(None, str(exc)))
            return
        except Exception as exc:  # a bad profile must never crash the UI
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
            self.post_message(self.PeekDone(None, error))
            self.post_message(WorkFailed("heap drill-down", error))
            return
        self.post_message(self.PeekDone(result, ""))

    def on_heap_drill_screen_peek_done(self, message: PeekDone) -> None:
        self.result, self.error = message.result, message.error
        self.query_one("#drill-text", Static).update(self.body())

    def _value(self, v: int) -> str:
        return format_value(v, self.unit)

    def _neighbours(self, text: Text, title: str, edges: Sequence[Neighbor], total: int, empty: str) -> None:
        text.append(f"\n{title} ({len(edges)})\n", style="bold")
        for edge in edges:
            text.append(f"  {self._value(edge.value):>9} {_pct(edge.value, total)}  ")
            text.append(clean(edge.name, 300) + "\n")
        if not edges:
            text.append(f"  {empty}\n", style="dim")

    def body(self) -> Text:
        p = self.result
        if p is None:
            return Text(clean(self.error, 500) if self.error else "computing callers, callees and stacks…")
        total = p.total
        text = Text()
        text.append("function  ", style="dim")
        text.append(clean(self.row.name, 500), style="bold")
        if self.row.file:
            where = f"{self.row.file}:{self.row.line}" if self.row.line else self.row.file
            text.append(f"\n          {clean(where, 500)}", style="cyan")
        text.append("\nflat      ", style="dim")
        text.append(f"{self._value(p.flat)} ({_pct(p.flat, total).strip()})")
        text.append("   cum ", style="dim")
        text.append(f"{self._value(p.cum)} ({_pct(p.cum, total).strip()})")
        text.append("\n")
        self._neighbours(text, "callers", p.callers, total, "(none: a root of the stacks)")
        self._neighbours(text, "callees", p.callees, total, "(none: allocates directly)")
        text.append(f"\nheaviest stacks through it ({len(p.traces)})\n", style="bold")
        for n, trace in enumerate(p.traces, 1):
            text.append(f"\n#{n}  {self._value(trace.value)} ({_pct(trace.value, total).strip()})\n", style="bold")
            for frame in trace.frames:
                text.append("    ")
                text.append(clean(frame.name, 300), style="bold" if frame.name == self.row.name else "")
                if frame.file:
                    text.append(f"  {clean(frame.file, 300)}:{frame.line}", style="cyan")
                text.append("\n")
        return text

    def copy_text(self) -> str:
        if self.result is None:
            return ""
        lines = [f"{clean(self.row.name, 500)} ({self.view.sample_type})"]
        for n, trace in enumerate(self.result.traces, 1):
            lines.append(f"#{n} {self._value(trace.value)}")
            for frame in trace.frames:
                where = f" {clean(frame.file, 500)}:{frame.line}" if frame.file else ""
                lines.append(f"    {clean(frame.name, 500)}{where}")
        return "\n".join(lines)
