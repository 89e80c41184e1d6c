"""Messages shared by the screens and the app (a screen's own messages are nested in its class)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.heap.flame import FlameTree
    from tui.heap.flame_export import FlameTitle
    from tui.screens.flame_presenter import FlameSpec


class WorkFailed(Message):
    """A thread worker failed: the app tells the user (``notify``), the UI keeps running.

    Posted by the worker to the node that started it; it bubbles up to the app."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what  # e.g. "heap table"
        self.error = error


class OpenFlame(Message):
    """`f`: open the flame view of a profile (the heap table's, the CPU window, a contention profile,
    the goroutines by stack); the app pushes it and feeds it snapshots and leak reports."""

    def __init__(self, spec: FlameSpec) -> None:
        super().__init__()
        self.spec = spec


class ExportFlame(Message):
    """`e` on a flame view: the app writes it as .svg, .html and .folded (masked with its secrets)."""

    def __init__(self, tree: FlameTree, title: FlameTitle) -> None:
        super().__init__()
        self.tree = tree
        self.title = title


class BundleWritten(Message):
    """An incident bundle was written (posted from the evidence writer's thread; tui/evidence)."""

    def __init__(self, path: object) -> None:
        super().__init__()
        self.path = path
