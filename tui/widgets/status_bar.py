"""One-line status: target, Go version, poll state, data ages, poll cost, last error."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui.widgets.cells import literal

STATE_STYLES = {
    "live": "bold green",
    "paused": "bold yellow",
    "catching up": "bold yellow",
    "reconnecting": "bold red",
    "error": "bold red",
    "offline": "bold cyan",
    "replay": "bold cyan",
    "finished": "bold magenta",
}


@dataclass(frozen=True, slots=True)
class StatusInfo:
    target: str
    state: str
    go_version: str = ""
    ages: tuple[tuple[str, str], ...] = ()  # (kind, "3s") — the tree may be older than the sparklines
    cost: str = ""
    error: str = ""
    notice: str = ""  # e.g. a recent target restart


def render_status(info: StatusInfo) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {info.state} ", style=STATE_STYLES.get(info.state, "bold") + " reverse")
    text.append(" ")
    text.append_text(literal(info.target, 60))
    if info.go_version:
        text.append(" ")
        text.append_text(literal(info.go_version, 20, style="dim"))
    for kind, age in info.ages:
        text.append(f"  {kind} ", style="dim")
        text.append(age)
    if info.cost:
        text.append("  ")
        text.append_text(literal(info.cost, 40, style="dim"))
    if info.notice:
        text.append("  ")
        text.append_text(literal(info.notice, 120, style="bold yellow"))
    if info.error:
        text.append("  ")
        text.append_text(literal(info.error, 200, style="bold red"))
    return text


class StatusBar(Static):
    DEFAULT_CSS = "StatusBar { height: 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.info: StatusInfo | None = None

    def show(self, info: StatusInfo) -> None:
        if info == self.info:
            return
        self.info = info
        self.update(render_status(info), layout=False)  # one line, full width: never resized by its text
