"""Drill-down into one goroutine stack group: full stack, count, wait range, created-by, labels, ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.core.durations import wait_minutes_range
from tui.core.names import RUNTIME_PREFIX
from tui.core.textsafe import clean
from tui.goroutines.pivots import chain_lines
from tui.screens.drill_base import DrillScreen
from tui.widgets.hanging import Doc

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


LABEL = 11  # "goroutines " and "created by ": values start here, and wrap back to here


class GoroutineDrillScreen(DrillScreen):
    def __init__(self, group: StackGroup) -> None:
        self.group = group
        self.title_text = f" {group.count:,} goroutine{'' if group.count == 1 else 's'} · {clean(group.reason, 80)}"
        super().__init__()

    def body(self) -> Doc:
        g = self.group
        doc = Doc()

        def field(label: str, value: str | Text, hang: int = LABEL) -> Text:
            return doc.add(Text.assemble((f"{label:<{LABEL}}", "dim"), value), hang)

        reason = field("reason", clean(g.reason, 200))
        if g.raw_reasons:
            reason.append(f"  (Go printed: {', '.join(clean(r, 60) for r in g.raw_reasons)})", style="dim")
        if g.leaked:
            reason.append("  LEAKED (proven by Go's goroutineleak profile)", style="bold reverse red")
        field("count", f"{g.count:,}")
        span = wait_minutes_range(g.min_minutes, g.max_minutes)
        field("waiting", span or ("age unknown (no debug=2 dump)" if g.max_minutes is None else "< 1 min"))
        if len(g.label_counts) > 1:  # goroutines per label set (pprof.Do labels)
            for i, (labels, n) in enumerate(g.label_counts):
                text = ", ".join(f"{clean(k, 100)}={clean(v, 200)}" for k, v in labels) or "(no labels)"
                field("labels" if i == 0 else "", f"{text}  ({n:,})")
        elif g.labels_seen:
            field("labels", ", ".join(f"{clean(k, 100)}={clean(v, 200)}" for k, v in g.labels_seen))
        if len(g.source_keys) > 1:
            field("merges", f"{len(g.source_keys)} groups of the reason tree (ages, reasons or alike stacks)")
        if g.sample_ids:
            field("goroutines", ", ".join(str(i) for i in g.sample_ids) + (" …" if g.count > len(g.sample_ids) else ""))
        doc.add()
        doc.add("stack (innermost first)", style="bold")
        for frame in g.frames:
            func, where = frame_lines(frame)
            line = doc.add(Text.assemble("  ", (func, "bold" if not func.startswith(RUNTIME_PREFIX) else "")), 6)
            if frame.inlined:
                line.append(" (inlined)", style="dim")
            if where:
                doc.add(Text(f"      {where}", style="cyan"), 8)
        if g.elided:
            doc.add("  …frames elided by Go…", style="dim")
        if g.created_by is not None:
            func, where = frame_lines(g.created_by)
            doc.add()
            field("created by", Text(func, style="bold"))
            if where:
                doc.add(Text(f"      {where}", style="cyan"), 8)
            for i, chain in enumerate(chain_lines(g)):  # the spawn tree above (Go 1.21+ "in goroutine N")
                field("spawned" if i == 0 else "", clean(chain, 500))
        return doc

    def copy_text(self) -> str:
        return stack_text(self.group)
