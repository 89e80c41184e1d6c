"""A one-line, muted info bar under a pane: repaints only when its text changes."""

from __future__ import annotations

from textual.widgets import Static

from tui.widgets.cells import literal


class InfoLine(Static):
    # a line too long for the pane ends in "…" (never cut without a mark)
    DEFAULT_CSS = (
        "InfoLine { height: 1; color: $text-muted; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }"
    )

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.text = ""

    def show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            # one line, always (height: 1): no layout pass, which would repaint the whole screen
            self.update(literal(text, 500), layout=False)
