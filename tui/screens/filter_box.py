"""The `/` filter box of a table screen: opened on its current pattern, a submitted pattern checked
(a bad `re:` regex is said, and the box stays open) before the screen takes it."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Input

from tui.core.filters import filter_pattern
from tui.core.user_regex import UserPatternError


def open_filter(box: Input, current: str) -> None:
    box.value = current
    box.display = True
    box.focus()


def submitted_filter(screen: Screen[object], event: Input.Submitted) -> str | None:
    """The pattern to apply (the box hidden), or None when it is a bad regex (said; the box stays)."""
    event.stop()
    pattern = event.value.strip()
    if pattern:
        try:
            filter_pattern(pattern)
        except UserPatternError as exc:
            screen.notify(f"bad regex after re: ({exc})", severity="error")
            return None
    event.input.display = False
    return pattern
