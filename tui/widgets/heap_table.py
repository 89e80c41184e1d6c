"""The heap top table: flat, flat%, sum%, cum, cum%, function (file:line in line mode).

Below NARROW columns (80×24) sum% and cum% are left out, so the function column gets the room it
needs to tell names apart (46 columns instead of 28 at 80)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.core.names import shorten_location, shorten_symbol
from tui.core.textsafe import clean
from tui.heap.units import format_shown
from tui.widgets.cells import SortCell, literal, number_cell
from tui.widgets.keyed_table import KeyedTable, Row

if TYPE_CHECKING:
    from tui.heap.top import TopReport, TopRow

COLUMNS = (
    ("flat", "flat", 9),
    ("flat_pct", "flat%", 7),
    ("sum_pct", "sum%", 7),
    ("cum", "cum", 9),
    ("cum_pct", "cum%", 7),
    ("function", "function", None),
)
NARROW = 100  # table widths below this show NARROW_COLUMNS
NARROW_COLUMNS = ("flat", "flat_pct", "cum", "function")


def columns_for(width: int) -> tuple[tuple[str, str, int | None], ...]:
    """The columns a table ``width`` cells wide shows."""
    if width and width < NARROW:
        return tuple(c for c in COLUMNS if c[0] in NARROW_COLUMNS)
    return COLUMNS


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def short_name(row: TopRow, width: int | None, *, line_mode: bool = False) -> str:
    """The function (and file:line in line mode) as the table shows it in ``width`` columns:
    cleaned, then shortened from the left of the import path (tui.core.names)."""
    name = clean(row.name)
    where = clean(f"{row.file}:{row.line}") if line_mode and row.file else ""
    if width is None:
        return f"{name} {where}" if where else name
    return shorten_location(name, where, width) if where else shorten_symbol(name, width)


def _value(value: int, unit: str) -> str:
    """A byte value as pprof writes it; an object count with thousands separators (README "Units")."""
    return f"{value:,}" if unit == "count" else format_shown(value, unit)


def report_rows(
    report: TopReport, *, line_mode: bool, marks: dict[str, str] | None = None, width: int | None = None
) -> list[Row]:
    """Cells for each row of a TopReport, in report order. The last cell's raw is the key.
    ``marks``: key -> a short mark shown before the name (e.g. "↑" for a rising function).
    ``width``: the function column's width (names are shortened to it; None: not shortened)."""
    marks = marks or {}
    unit = report.unit
    rows: list[Row] = []
    for r in report.rows:
        mark = marks.get(r.key, "")
        room = None if width is None else width - (len(mark) + 1 if mark else 0)
        name = short_name(r, room, line_mode=line_mode)
        rows.append(
            (
                r.key,
                (
                    number_cell(r.flat, _value(r.flat, unit)),
                    number_cell(r.flat_pct, _pct(r.flat_pct)),
                    number_cell(r.sum_pct, _pct(r.sum_pct)),
                    number_cell(r.cum, _value(r.cum, unit)),
                    number_cell(r.cum_pct, _pct(r.cum_pct)),
                    SortCell(_name_cell(name, mark), r.key),
                ),
            )
        )
    return rows


def _name_cell(name: str, mark: str) -> Text:
    """The mark goes first, so a narrow column never cuts it off."""
    if not mark:
        return literal(name)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{mark} ", style="bold yellow")  # the mark alone: the name keeps the table's style
    text.append_text(literal(name))
    return text


class HeapTable(KeyedTable):
    """Top functions of the current heap profile, updated in place by function key."""

    BORDER_TITLE = "heap"

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(COLUMNS, name=name, id=id, classes=classes)
        self.report: TopReport | None = None
        self.line_mode = False
        self.marks: dict[str, str] = {}
        self.name_width: int | None = None  # the function column's width, names are shortened to

    def fit_last_column(self) -> None:
        """The columns for the width (columns_for); the function column takes the width left over;
        names are shortened to it again when it changes."""
        if self.columns and self.set_columns(columns_for(self.size.width)):
            self.name_width = None  # the rows are gone: synced again below
        super().fit_last_column()
        if not self.columns:
            return
        width = list(self.columns.values())[-1].width
        if width != self.name_width or (self.report is not None and not self.keys_in_order):
            self.name_width = width
            if self.report is not None:
                self.sync_rows(self._rows())

    def _rows(self) -> list[Row]:
        assert self.report is not None
        rows = report_rows(self.report, line_mode=self.line_mode, marks=self.marks, width=self.name_width)
        shown = self.column_keys
        if len(shown) == len(COLUMNS):
            return rows
        keep = [i for i, c in enumerate(COLUMNS) if c[0] in shown]
        return [(key, tuple(cells[i] for i in keep)) for key, cells in rows]

    def show_report(self, report: TopReport, *, line_mode: bool) -> None:
        if line_mode != self.line_mode:
            # Keys differ between granularities: start from an empty table.
            self.clear()
            self._shown_text.clear()
            self._order = ()
        self.report = report
        self.line_mode = line_mode
        self.sync_rows(self._rows())

    def show_marks(self, marks: dict[str, str]) -> None:
        if marks != self.marks:
            self.marks = marks
            if self.report is not None:
                self.sync_rows(self._rows())

    @property
    def selected_row(self) -> TopRow | None:
        key = self.cursor_key
        if self.report is None or key is None:
            return None
        for row in self.report.rows:
            if row.key == key:
                return row
        return None
