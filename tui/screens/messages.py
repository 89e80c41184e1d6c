"""Messages shared by the screens and the app (a screen's own messages are nested in its class)."""

from __future__ import annotations

from textual.message import Message


class WorkFailed(Message):
    """A thread worker failed: the app tells the user (``notify``), the UI keeps running.

    Posted by the worker to the node that started it; it bubbles up to the app."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what  # e.g. "heap table"
        self.error = error
