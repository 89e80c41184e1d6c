"""Shared shape of the drill-down screens: a scrollable literal text, esc back, c copy.

The body is a `tui.widgets.hanging.Doc` (or a plain Text): logical lines that wrap under their
label at any width, never back at column 1."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.widgets.hanging import Doc


class DrillScreen(Screen):
    """Subclasses implement ``body() -> Text`` and ``copy_text() -> str``."""

    DEFAULT_CSS = """
    DrillScreen > #drill-title { height: auto; max-height: 4; background: $panel; text-style: bold; }
    DrillScreen > VerticalScroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("c", "copy", "copy stack"),
        Binding("j", "scroll_down", show=False),
        Binding("k", "scroll_up", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]
    title_text = ""

    def compose(self) -> ComposeResult:
        # wraps rather than cuts: the title holds the whole function name (the tables shorten it),
        # its continuation under its first letter
        title = Doc()
        title.add(self.title_text, hang=len(self.title_text) - len(self.title_text.lstrip(" ")))
        yield Static(title, id="drill-title")
        with VerticalScroll(id="drill-body"):
            yield Static(self.body(), id="drill-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def body(self) -> Text | Doc:  # pragma: no cover - abstract
        raise NotImplementedError

    def copy_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_copy(self) -> None:
        text = self.copy_text()
        self.app.copy_to_clipboard(text)
        self.notify(f"copied {len(text.splitlines())} lines to the clipboard (OSC 52)", timeout=3)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)
