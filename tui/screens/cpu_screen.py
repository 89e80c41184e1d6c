"""The live CPU top: "this window" and "since start" side by side, flat or cum, a filter, and a
drill-down into a function of the newest window (the heap drill: callers, callees, stacks).

It never fetches: the app feeds it each snapshot (`show_snapshot`); `C` (app.toggle_cpu) starts
and stops the windows; how often they run and why is the first line (`CpuState.status`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui.core.names import shorten_symbol
from tui.screens.cpu_presenter import CpuRow, cpu_rows, pct, seconds, window_line
from tui.screens.filter_box import open_filter, submitted_filter
from tui.widgets.cells import SortCell, literal, number_cell
from tui.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.model.cpu import CpuState
    from tui.model.snapshot import Snapshot

VALUE_WIDTH = 8
PCT_WIDTH = 6


def columns(sort: str) -> list[tuple[str, str, int | None]]:
    return [
        ("v", sort, VALUE_WIDTH),
        ("p", f"{sort}%", PCT_WIDTH),
        ("sv", f"Σ {sort}", VALUE_WIDTH),
        ("sp", "Σ%", PCT_WIDTH),
        ("name", "function (Σ: since start)", None),
    ]


class CpuScreen(Screen):
    DEFAULT_CSS = """
    CpuScreen > #cpu-status { height: 1; background: $panel; text-style: bold; }
    CpuScreen > #cpu-window { height: 2; color: $text-muted; }
    CpuScreen > KeyedTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("C", "app.toggle_cpu", "cpu on/off"),
        Binding("o", "cpu_sort", "flat/cum"),
        Binding("slash", "cpu_filter", "filter"),
        Binding("enter", "cpu_drill", "drill", show=False),
        Binding("f", "flame", "flame", show=False),  # in ? help and the palette: the footer is full at 80
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        super().__init__()
        self.state: CpuState | None = snapshot.cpu if snapshot is not None else None
        self.now = snapshot.time if snapshot is not None else 0.0
        self.sort = "flat"
        self.filter = ""
        self.rows: tuple[CpuRow, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("", id="cpu-status")
        yield Static("", id="cpu-window")
        yield KeyedTable(columns(self.sort), id="cpu-table")
        yield Input(
            placeholder="filter functions: text, or re:REGEX (enter: apply, empty: clear, esc: cancel)", id="cpu-filter"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cpu-filter", Input).display = False
        self.query_one(KeyedTable).focus()
        self._refresh_view()

    # ---- feed ------------------------------------------------------------------------
    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.state, self.now = snapshot.cpu, snapshot.time
        self._refresh_view()

    def _name_width(self, table: KeyedTable) -> int:
        """The name column's room: what the number columns, the padding and the scrollbar leave."""
        width = table.size.width or self.app.size.width
        fixed = 2 * (VALUE_WIDTH + PCT_WIDTH) + 4 * 2 + 2 + table.styles.scrollbar_size_vertical
        return max(width - fixed, 10)

    def on_resize(self) -> None:
        self._refresh_view()

    def _refresh_view(self) -> None:
        state = self.state
        status = state.status if state is not None else "CPU windows off — C: start"
        if self.filter:
            status += f" · filter {self.filter}"
        self.query_one("#cpu-status", Static).update(literal(status, 500))
        self.query_one("#cpu-window", Static).update(
            Text(window_line(state, self.now) if state is not None else "no window taken")
        )
        table = self.query_one(KeyedTable)
        if state is None:
            self.rows = ()
            table.sync_rows([])
            return
        self.rows = cpu_rows(state, sort=self.sort, text=self.filter)
        total = state.window.total if state.window is not None else 0
        width = self._name_width(table)
        out = []
        for r in self.rows:
            value, since = (r.cum, r.since_cum) if self.sort == "cum" else (r.flat, r.since_flat)
            name = shorten_symbol(r.name, width)
            cells: tuple[SortCell, ...] = (
                number_cell(value, seconds(value) if r.in_window else "-", "" if r.in_window else "dim"),
                number_cell(value, pct(value, total) if r.in_window else "", "dim"),
                number_cell(since, seconds(since)),
                number_cell(since, pct(since, state.since_total), "dim"),
                SortCell(literal(name, None, "" if r.in_window else "dim"), r.key),
            )
            out.append((r.key, cells))
        table.sync_rows(out)

    # ---- keys --------------------------------------------------------------------------
    def action_back(self) -> None:
        box = self.query_one("#cpu-filter", Input)
        if box.display:
            box.display = False
            self.query_one(KeyedTable).focus()
            return
        self.app.pop_screen()

    def action_cpu_sort(self) -> None:
        self.sort = "cum" if self.sort == "flat" else "flat"
        self.query_one(KeyedTable).set_columns(columns(self.sort))
        self._refresh_view()

    def action_cpu_filter(self) -> None:
        open_filter(self.query_one("#cpu-filter", Input), self.filter)

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
        event.stop()  # enter on the table (the table takes the key before the screen's binding)
        self.action_cpu_drill()

    def action_cpu_drill(self) -> None:
        """The heap drill-down over the newest window's profile (callers, callees, stacks)."""
        key = self.query_one(KeyedTable).cursor_key
        row = next((r for r in self.rows if r.key == key), None)
        state = self.state
        if row is None or state is None or state.window is None:
            return
        if not row.in_window:
            self.notify("not in the newest window: it ran only in earlier ones", timeout=3)
            return
        from tui.heap.top import TopRow
        from tui.model.cpu import CPU_SAMPLE_TYPE
        from tui.screens.heap_drill import HeapDrillScreen
        from tui.screens.presenters import HeapView

        top_row = TopRow(row.key, row.name, row.file, row.line, row.flat, 0.0, 0.0, row.cum, 0.0)
        self.app.push_screen(HeapDrillScreen(state.window.profile, HeapView(sample_type=CPU_SAMPLE_TYPE), top_row))

    def action_flame(self) -> None:
        """The flame view of the newest window (`d` there: against the window before)."""
        from tui.screens.flame_presenter import FlameSpec
        from tui.screens.messages import OpenFlame

        self.post_message(OpenFlame(FlameSpec("cpu", "cpu")))
