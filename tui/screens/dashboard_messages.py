"""What the dashboard says to the app (and its heap worker to itself). Handled as
`on_dashboard_<name>`; the dashboard owns its view state, the app acts on these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.goroutines.grouping import StackGroup
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport, TopRow
    from tui.screens.presenters import HeapView


class SampleTypeChanged(Message, namespace="dashboard"):
    """The heap sample type changed (keys 1-4): the leak tracker follows it."""

    def __init__(self, sample_type: str) -> None:
        super().__init__()
        self.sample_type = sample_type


class Back(Message, namespace="dashboard"):
    """`esc` with nothing to close: a fleet watch goes back to its fleet view (a single watch ignores it)."""


class DrillHeap(Message, namespace="dashboard"):
    """Open the drill-down of one heap table row (callers, callees, stacks)."""

    def __init__(self, heap: Profile, view: HeapView, row: TopRow) -> None:
        super().__init__()
        self.heap = heap
        self.view = view
        self.row = row


class DrillGoroutines(Message, namespace="dashboard"):
    """Open the drill-down of one goroutine stack group."""

    def __init__(self, group: StackGroup) -> None:
        super().__init__()
        self.group = group


class TopReady(Message, bubble=False, namespace="dashboard"):
    """The heap table's report for (heap, view), from the worker to the dashboard itself. Not
    replaceable: workers may finish out of order, and the handler keeps the one still wanted."""

    def __init__(self, heap: Profile, view: HeapView, report: TopReport) -> None:
        super().__init__()
        self.heap = heap
        self.view = view
        self.report = report
