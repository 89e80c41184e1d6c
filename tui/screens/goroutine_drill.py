"""Drill-down into one goroutine stack group: full stack, count, wait range, created-by, labels, ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.core.textsafe import clean
from tui.screens.drill_base import DrillScreen
from tui.widgets.goroutine_tree import minutes_range

if TYPE_CHECKING:
    from tui.goroutines.grouping import StackGroup
    from tui.goroutines.records import Frame


def frame_lines(frame: Frame) -> tuple[str, str]:
    where = f"{frame.file}:{frame.line}" if frame.file else ""
    return clean(frame.func, 500), clean(where, 500)


def stack_text(group: StackGroup) -> str:
    """Plain text of the stack as Go prints it (for the clipboard)."""
    lines = [f"{group.count} goroutines [{clean(group.reason, 200)}]"]
    for frame in group.frames:
        func, where = frame_lines(frame)
        lines.append(func)
        if where:
            lines.append("\t" + where)
    if group.elided:
        lines.append("...frames elided...")
    if group.created_by is not None:
        func, where = frame_lines(group.created_by)
        lines.append(f"created by {func}")
        if where:
            lines.append("\t" + where)
    return "\n".join(lines)


class GoroutineDrillScreen(DrillScreen):
    def __init__(self, group: StackGroup) -> None:
        self.group = group
        self.title_text = f" {group.count:,} goroutines · {clean(group.reason, 80)}"
        super().__init__()

    def body(self) -> Text:
        g = self.group
        text = Text()
        text.append("reason     ", style="dim")
        text.append(clean(g.reason, 200))
        if g.leaked:
            text.append("  LEAKED (proven by Go's goroutineleak profile)", style="bold reverse red")
        text.append("\ncount      ", style="dim")
        text.append(f"{g.count:,}")
        span = minutes_range(g.min_minutes, g.max_minutes)
        text.append("\nwaiting    ", style="dim")
        text.append(span or ("age unknown (no debug=2 dump)" if g.max_minutes is None else "< 1 min"))
        if g.labels_seen:
            text.append("\nlabels     ", style="dim")
            text.append(", ".join(f"{clean(k, 100)}={clean(v, 200)}" for k, v in g.labels_seen))
        if g.sample_ids:
            text.append("\ngoroutines ", style="dim")
            text.append(", ".join(str(i) for i in g.sample_ids) + (" …" if g.count > len(g.sample_ids) else ""))
        text.append("\n\nstack (innermost first)\n", style="bold")
        for frame in g.frames:
            func, where = frame_lines(frame)
            text.append("  ")
            text.append(func, style="bold" if not func.startswith("runtime.") else "")
            if frame.inlined:
                text.append(" (inlined)", style="dim")
            text.append("\n")
            if where:
                text.append(f"      {where}\n", style="cyan")
        if g.elided:
            text.append("  …frames elided by Go…\n", style="dim")
        if g.created_by is not None:
            func, where = frame_lines(g.created_by)
            text.append("\ncreated by ", style="dim")
            text.append(func, style="bold")
            if where:
                text.append(f"\n      {where}", style="cyan")
        return text

    def copy_text(self) -> str:
        return stack_text(self.group)
