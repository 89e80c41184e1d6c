"""Renderable building blocks for untrusted target text.

Everything that came from a target (function names, files, labels, error bodies) is
turned into a ``rich.text.Text`` here, after control characters are made visible by
``tui.core.textsafe.clean``: no Rich markup is interpreted and no escape reaches the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from tui.core.textsafe import clean


def literal(value: object, max_len: int | None = 300, style: str = "") -> Text:
    """Untrusted text as a literal, single-line Text (markup never parsed)."""
    return Text(clean(str(value), max_len), style=style, no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True, slots=True)
class SortCell:
    """A DataTable cell that displays formatted text but sorts by its raw value."""

    text: Text
    raw: object

    def __rich__(self) -> Text:
        return self.text

    def __str__(self) -> str:  # used by DataTable's width measuring and by tests
        return self.text.plain


def number_cell(raw: float, shown: str, style: str = "") -> SortCell:
    return SortCell(Text(shown, style=style, justify="right", no_wrap=True), raw)
