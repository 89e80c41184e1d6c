"""`M`: every family of the service's /metrics page with its type and help text, filterable; Enter pins
the family under the cursor as a sparkline (its natural statistic: a histogram's p99, a counter's
rate, a gauge's value). `--metric SPEC` pins with labels and a statistic of one's choosing.

It never fetches: the app feeds it each snapshot (`show_snapshot`); a pin goes up as `MetricsPicker.Pin`
(the app hands it to the source). Names and help come from the target: shown literally."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui.core.filters import filter_pattern
from tui.screens.filter_box import open_filter, submitted_filter
from tui.widgets.cells import SortCell, literal
from tui.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.metrics.state import MetricsState
    from tui.model.snapshot import Snapshot

TYPE_WIDTH = 9
NAME_WIDTH = 44
COLUMNS: list[tuple[str, str, int | None]] = [
    ("w", "", 1),
    ("type", "type", TYPE_WIDTH),
    ("name", "family", NAME_WIDTH),
    ("help", "help", None),
]


def picker_rows(state: MetricsState | None, text: str) -> list[tuple[str, str, str, str, bool]]:
    """(key, type, name, help, watched) of every family whose name or help the filter finds."""
    if state is None:
        return []
    matcher = filter_pattern(text) if text else None
    watched = {w.spec.family for w in state.watched}
    return [
        (f.name, f.type, f.name, f.help, f.name in watched)
        for f in state.families
        if matcher is None or matcher.search(f.name) or matcher.search(f.help)
    ]


def status_text(state: MetricsState | None, shown: int, text: str) -> str:
    if state is None:
        return "metrics off (--no-metrics)"
    if not state.families:
        return state.status or "no /metrics page yet"
    line = f"{shown} of {len(state.families)} families · enter: watch as a sparkline · /: filter"
    if state.dropped_families:
        line += f" · {state.dropped_families} more not listed"
    return line + (f" · filter {text}" if text else "")


class MetricsPicker(Screen):
    DEFAULT_CSS = """
    MetricsPicker > #metrics-status { height: 1; background: $panel; text-style: bold; }
    MetricsPicker > KeyedTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("enter", "pin", "watch"),
        Binding("slash", "metrics_filter", "filter"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    class Pin(Message):
        """Watch this family (a `--metric` spec) as a sparkline."""

        def __init__(self, spec: str) -> None:
            super().__init__()
            self.spec = spec

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        super().__init__()
        self.state: MetricsState | None = snapshot.metrics if snapshot is not None else None
        self.filter = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="metrics-status")
        yield KeyedTable(COLUMNS, id="metrics-table")
        yield Input(placeholder="filter families: text, or re:REGEX (enter: apply, esc: cancel)", id="metrics-filter")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#metrics-filter", Input).display = False
        self.query_one(KeyedTable).focus()
        self._refresh_view()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.metrics is not self.state:
            self.state = snapshot.metrics
            self._refresh_view()

    def _refresh_view(self) -> None:
        rows = picker_rows(self.state, self.filter)
        self.query_one("#metrics-status", Static).update(literal(status_text(self.state, len(rows), self.filter), 500))
        self.query_one(KeyedTable).sync_rows(
            [
                (
                    key,
                    (
                        SortCell(literal("●" if watched else " ", 1, "bold"), watched),
                        SortCell(literal(kind, TYPE_WIDTH, "dim"), kind),
                        SortCell(literal(name, 200), name),
                        SortCell(literal(help_text, 300, "dim"), help_text),
                    ),
                )
                for key, kind, name, help_text, watched in rows
            ]
        )

    def action_back(self) -> None:
        box = self.query_one("#metrics-filter", Input)
        if box.display:
            box.display = False
            self.query_one(KeyedTable).focus()
            return
        self.app.pop_screen()

    def action_metrics_filter(self) -> None:
        open_filter(self.query_one("#metrics-filter", Input), self.filter)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        pattern = submitted_filter(self, event)
        if pattern is None:
            return
        self.filter = pattern
        self.query_one(KeyedTable).focus()
        self._refresh_view()

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter on the table (it takes the key before the screen's binding)
        self.action_pin()

    def action_pin(self) -> None:
        key = self.query_one(KeyedTable).cursor_key
        if key is None:
            return
        self.post_message(self.Pin(key))
        self.notify(f"watching {key[:60]}", timeout=3, markup=False)  # a name from the target
