"""The problem line: why the target gives us nothing, whole and wrapped, on lines of its own under the
sparklines (at 80 columns the status line cuts an error after a few words: issue #25). Hidden while
there is no problem; repaints only when its text changes."""

from __future__ import annotations

from textual.widgets import Static

from tui.widgets.cells import literal

MAX_PROBLEM = 600  # characters of an error shown (it comes from the target: bounded)


class ProblemLine(Static):
    DEFAULT_CSS = """
    ProblemLine { height: auto; max-height: 6; padding: 0 1; color: $error; text-style: bold; display: none; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.text = ""

    def show(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self.update(literal(text, MAX_PROBLEM))
        self.display = bool(text)
