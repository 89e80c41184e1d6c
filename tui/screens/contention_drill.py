"""`enter` on a contention row: the heap drill-down (callers, callees, heaviest stacks: tui.heap.peek)
on the shown mutex/block profile. Its own module so that peek is imported only on `enter`."""

from __future__ import annotations

from tui.screens.heap_drill import HeapDrillScreen


class ContentionDrillScreen(HeapDrillScreen):
    NO_CALLEES = "(none: the wait is recorded in this function)"
