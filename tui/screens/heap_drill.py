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
from tui.widgets.hanging import Doc

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopRow
    from tui.screens.presenters import HeapView


def _pct(value: int, total: int) -> str:
    return f"{value / total * 100:6.2f}%" if total else "   -  "


class HeapDrillScreen(DrillScreen):
    NO_CALLEES = "(none: allocates directly)"  # what a leaf means (the contention drill says it its way)

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

    def _neighbours(self, doc: Doc, title: str, edges: Sequence[Neighbor], total: int, empty: str) -> None:
        doc.add()
        doc.add(f"{title} ({len(edges)})", style="bold")
        for edge in edges:
            line = Text(f"  {self._value(edge.value):>9} {_pct(edge.value, total)}  ")
            hang = line.cell_len  # a long name goes on under itself
            line.append(clean(edge.name, 300))
            doc.add(line, hang)
        if not edges:
            doc.add(f"  {empty}", style="dim")

    def body(self) -> Text | Doc:
        p = self.result
        if p is None:
            return Text(clean(self.error, 500) if self.error else "computing callers, callees and stacks…")
        total = p.total
        doc = Doc()
        doc.add(Text.assemble(("function  ", "dim"), (clean(self.row.name, 500), "bold")), 10)
        if self.row.file:
            where = f"{self.row.file}:{self.row.line}" if self.row.line else self.row.file
            doc.add(Text(f"          {clean(where, 500)}", style="cyan"), 10)
        doc.add(
            Text.assemble(
                ("flat      ", "dim"),
                f"{self._value(p.flat)} ({_pct(p.flat, total).strip()})",
                ("   cum ", "dim"),
                f"{self._value(p.cum)} ({_pct(p.cum, total).strip()})",
            ),
            10,
        )
        self._neighbours(doc, "callers", p.callers, total, "(none: a root of the stacks)")
        self._neighbours(doc, "callees", p.callees, total, self.NO_CALLEES)
        doc.add()
        doc.add(f"heaviest stacks through it ({len(p.traces)})", style="bold")
        for n, trace in enumerate(p.traces, 1):
            doc.add()
            doc.add(f"#{n}  {self._value(trace.value)} ({_pct(trace.value, total).strip()})", style="bold")
            for frame in trace.frames:
                line = Text("    ")
                line.append(clean(frame.name, 300), style="bold" if frame.name == self.row.name else "")
                if frame.file:
                    line.append(f"  {clean(frame.file, 300)}:{frame.line}", style="cyan")
                doc.add(line, 8)  # file:line, when it does not fit, goes on under the name
        return doc

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
