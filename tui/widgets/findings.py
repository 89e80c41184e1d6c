"""One line under the sparklines: what the leak tracker concluded, in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.core.bytesize import format_bytes
from tui.widgets.cells import literal

if TYPE_CHECKING:
    from tui.leaks.tracker import LeakReport

KIND_STYLE = {"leaked": "bold reverse red", "growing": "bold yellow", "stuck": "bold magenta"}


def rate_text(rate: float | None, unit: str) -> str:
    if rate is None:
        return ""
    if unit == "bytes":
        return f"{'+' if rate >= 0 else '-'}{format_bytes(abs(rate))}/min"
    return f"{rate:+.0f}/min"


def findings_text(report: LeakReport) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    verdicts = report.verdicts
    if not verdicts:
        text.append(" ✓ ", style="bold green")
        text.append_text(literal(report.reconciliation.sentence, 300))
        return text
    for i, v in enumerate(verdicts[:3]):
        if i:
            text.append("  ")
        text.append(f" {v.kind} ", style=KIND_STYLE.get(v.kind, "bold"))
        text.append(" ")
        text.append_text(literal(v.label, 60))
        rate = rate_text(v.rate_per_min, v.unit) if v.rate_per_min else ""
        if rate:
            text.append(f" {rate}", style="bold")
    if len(verdicts) > 3:
        text.append(f"  +{len(verdicts) - 3} more", style="dim")
    text.append("  (L: leak report)", style="dim")
    return text


class FindingsBar(Static):
    DEFAULT_CSS = "FindingsBar { height: 1; }"

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.plain = ""

    def show(self, report: LeakReport) -> None:
        text = findings_text(report)
        if text.plain != self.plain:
            self.plain = text.plain
            self.update(text)
