"""A DataTable updated by row key: live refreshes keep the cursor on the same row.

Never clear-and-refill: rows that left are removed, new rows are added, and only
cells whose shown text changed are updated. The order follows the caller's
sequence; the cursor is moved back to the row *key* it was on.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets._data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist, RowKey

from tui.widgets.cells import SortCell
from tui.widgets.render_caches import bound_table_caches

Row = tuple[str, tuple[SortCell, ...]]


def _shown(cell: object) -> str:
    if isinstance(cell, SortCell):
        return cell.text.plain + "\0" + str(cell.text.style)
    if isinstance(cell, Text):
        return cell.plain + "\0" + str(cell.style)
    return str(cell)


class KeyedTable(DataTable):
    """DataTable whose rows are identified by stable string keys."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str, int | None]],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, name=name, id=id, classes=classes)
        self._column_spec = tuple(columns)
        self._shown_text: dict[str, tuple[str, ...]] = {}
        self._order: tuple[str, ...] = ()
        self._cursor_after_clear: str | None = None  # the row the cursor was on before set_columns
        self.cell_updates = 0  # cells touched by the last sync (for tests and benchmarks)

    def on_mount(self) -> None:
        self._add_columns()
        self.fit_last_column()
        bound_table_caches(self)

    def _add_columns(self) -> None:
        for key, label, width in self._column_spec:
            self.add_column(Text(label, justify="right" if width else "left"), key=key, width=width)

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c[0] for c in self._column_spec)

    def set_columns(self, columns: Sequence[tuple[str, str, int | None]]) -> bool:
        """Show these columns instead (the table is emptied: sync the rows again, with cells for
        these columns; the cursor goes back to its row). False when they are the ones shown."""
        columns = tuple(columns)
        if columns == self._column_spec:
            return False
        self._cursor_after_clear = self.cursor_key or self._cursor_after_clear
        self.clear(columns=True)
        self._shown_text.clear()
        self._order = ()
        self._column_spec = columns
        self._add_columns()
        return True

    def on_resize(self) -> None:
        self.fit_last_column()
        bound_table_caches(self)

    def fit_last_column(self) -> None:
        """Give the last (text) column exactly the width left over: long names are cut with an
        ellipsis instead of making the whole table scroll sideways."""
        if not self.columns:
            return
        fixed = sum((width or 0) + 2 * self.cell_padding for _, _, width in self._column_spec[:-1])
        room = self.size.width - fixed - 2 * self.cell_padding - self.styles.scrollbar_size_vertical
        column = list(self.columns.values())[-1]
        room = max(room, 10)
        if column.width != room or column.auto_width:
            column.auto_width = False
            column.width = room
            self._require_update_dimensions = True
            self.refresh()

    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except (CellDoesNotExist, RowDoesNotExist):
            return None

    @property
    def keys_in_order(self) -> tuple[str, ...]:
        return self._order

    def sync_rows(self, rows: Sequence[Row]) -> None:
        """Make the table show ``rows`` in that order, touching as little as possible."""
        cursor_key = self.cursor_key or self._cursor_after_clear
        self._cursor_after_clear = None
        cursor_row = self.cursor_row
        wanted = {key for key, _ in rows}
        updates = 0
        for key in [k for k in self._shown_text if k not in wanted]:
            self.remove_row(key)
            del self._shown_text[key]
            updates += 1
        column_keys = [c[0] for c in self._column_spec]
        for key, cells in rows:
            shown = tuple(_shown(c) for c in cells)
            old = self._shown_text.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                updates += len(cells)
            elif old != shown:
                for index, (col, cell, before, after) in enumerate(zip(column_keys, cells, old, shown)):
                    if before != after:
                        self._set_cell(key, col, index, cell)
                        updates += 1
            self._shown_text[key] = shown
        order = tuple(key for key, _ in rows)
        if order != self._order:
            rank = {key: i for i, key in enumerate(order)}
            last_col = column_keys[-1]
            self.sort(last_col, key=lambda cell: rank.get(cell.raw, len(rank)))
            self._order = order
        self.cell_updates = updates
        self._restore_cursor(cursor_key, cursor_row)

    def _set_cell(self, key: str, column: str, column_index: int, cell: SortCell) -> None:
        """Like DataTable.update_cell, but repaint only that cell, not the whole table.

        (update_cell refreshes the whole widget: on a slow SSH link every live update would
        resend every visible row.) Relies on DataTable internals of the pinned textual version.
        """
        self._data[RowKey(key)][ColumnKey(column)] = cell
        self._update_count += 1
        self.refresh_coordinate(Coordinate(self.get_row_index(key), column_index))

    def _restore_cursor(self, key: str | None, old_row: int) -> None:
        if not self.row_count:
            return
        if key is not None and key in self._shown_text:
            row = self.get_row_index(key)
        else:
            row = min(max(old_row, 0), self.row_count - 1)
        if row != self.cursor_row:
            self.move_cursor(row=row, animate=False, scroll=False)
