"""The one ring buffer (stdlib only): a fixed capacity of parallel numeric columns in arrays allocated
once, so a series that fills for hours neither grows nor keeps an object per point. The history's
levels (tui/model/history.py) and the leak tracker's windows (tui/leaks/window.py) are rings of it."""

from __future__ import annotations

from array import array

Number = float | int


class Ring:
    """``capacity`` rows of ``len(typecodes)`` columns ("d": float, "q": int); the oldest row is
    overwritten when full. Rows are addressed oldest first: 0 is the oldest, ``len - 1`` the newest."""

    __slots__ = ("cap", "columns", "size", "start", "total")

    def __init__(self, capacity: int, typecodes: str) -> None:
        self.cap = max(capacity, 0)
        self.columns: tuple[array[float] | array[int], ...] = tuple(
            array(code, bytes(array(code).itemsize * self.cap)) for code in typecodes
        )
        self.start = 0
        self.size = 0
        self.total = 0  # rows ever appended: the k-th append is row k (0-based) for views

    def __len__(self) -> int:
        return self.size

    def slot(self, row: int) -> int:
        """The array index of ``row`` (oldest first)."""
        return (self.start + row) % self.cap

    def append(self, *values: Number) -> None:
        if self.cap <= 0:
            return
        if self.size < self.cap:
            i = (self.start + self.size) % self.cap
            self.size += 1
        else:
            i = self.start
            self.start = (self.start + 1) % self.cap
        for column, value in zip(self.columns, values):
            column[i] = value  # type: ignore[assignment]
        self.total += 1

    def drop_oldest(self) -> None:
        if self.size:
            self.start = (self.start + 1) % self.cap
            self.size -= 1

    def value(self, column: int, row: int) -> Number:
        return self.columns[column][self.slot(row)]

    def set_value(self, column: int, row: int, value: Number) -> None:
        self.columns[column][self.slot(row)] = value  # type: ignore[assignment]

    def rows(self, column: int, begin: int = 0, end: int | None = None) -> array[float] | array[int]:
        """A copy of ``column``'s rows ``begin:end`` (oldest first; C-level slices: cheap)."""
        end = self.size if end is None else min(end, self.size)
        col = self.columns[column]
        if end <= begin:
            return col[0:0]
        first = (self.start + begin) % self.cap
        last = first + (end - begin)
        if last <= self.cap:
            return col[first:last]
        return col[first:] + col[: last - self.cap]  # type: ignore[operator]  # one column: one typecode
