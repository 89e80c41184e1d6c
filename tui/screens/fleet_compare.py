"""One replica against the median of its siblings (`c` on the fleet view): every goroutine group and
heap function side by side — this target's value, the siblings' median, their ratio —, the flagged
outliers first, then the biggest differences either way. Data comes down through `show_comparison`
(computed in the app's fleet worker: `tui.fleet.compare`); `esc` goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.fleet.compare import CompareRow, Comparison
from tui.fleet.outliers import GOROUTINES, HEAP
from tui.widgets.cells import SortCell, literal, number_cell
from tui.widgets.keyed_table import KeyedTable

COLUMNS = (
    ("kind", "kind", 5),
    ("this", "this", 10),
    ("siblings", "median", 10),
    ("ratio", "ratio", 9),
    ("what", "goroutine group / heap function", None),
)
KIND_TEXT = {GOROUTINES: "gor"}
KIND_NAME = {GOROUTINES: "goroutines", HEAP: "heap"}


def title_for(comparison: Comparison | None, target: str) -> str:
    """ "pod-2 vs the median of its siblings (goroutines: 2, heap: 2)"."""
    if comparison is None:
        return f"{target} vs its siblings: waiting for data"
    counts = ", ".join(f"{KIND_NAME.get(kind, kind)}: {n}" for kind, n in comparison.siblings.items())
    head = f"{target} vs the median of its siblings ({counts})" if counts else f"{target}: no sibling answered yet"
    if comparison.missing:
        head += f" · no {', '.join(KIND_NAME.get(k, k) for k in comparison.missing)} data here yet"
    return head


def _cells(row: CompareRow) -> tuple[SortCell, ...]:
    style = "bold red" if row.flagged else ""
    return (
        SortCell(Text(KIND_TEXT.get(row.kind, row.kind), style=style), row.kind),
        number_cell(row.value, row.value_text(), style),
        number_cell(row.siblings_median, row.amount(row.siblings_median)),
        number_cell(row.ratio or 0.0, row.ratio_text(), style),
        SortCell(literal(row.label, 300, style), row.key),
    )


def row_key(row: CompareRow) -> str:
    return f"{row.kind}\0{row.key}"


class FleetCompareScreen(Screen[None]):
    DEFAULT_CSS = """
    FleetCompareScreen KeyedTable { height: 1fr; }
    FleetCompareScreen .compare-line { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "back"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title", classes="compare-line")
        yield KeyedTable(COLUMNS, id="compare")
        yield Static(id="compare-more", classes="compare-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(KeyedTable).focus()
        self._show()

    def show_comparison(self, comparison: Comparison) -> None:
        if comparison.target != self.target:
            return
        self.comparison = comparison
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        comparison = self.comparison
        self.query_one("#compare-title", Static).update(literal(title_for(comparison, self.target), 400))
        rows = comparison.rows if comparison is not None else ()
        self.query_one(KeyedTable).sync_rows([(row_key(r), _cells(r)) for r in rows])
        more = sum(comparison.more.values()) if comparison is not None else 0
        flagged = sum(1 for r in rows if r.flagged)
        tail = f"{flagged} flagged (red) · ratio = this / siblings' median"
        if any(r.upper_bound for r in rows):  # `≤3.50MB`: said what it means
            tail += " · ≤ at most (not in its top)"  # its heap top list's smallest value
        if more:
            tail += f" · {more:,} smaller differences not listed"
        self.query_one("#compare-more", Static).update(Text(tail, no_wrap=True, overflow="ellipsis"))

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()
