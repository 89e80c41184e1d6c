"""Vectorised id -> row lookup for profile ids (uint64, usually 1..n but not always)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class IdIndex:
    """Rows of ``ids`` (a uint64 array, one id per row): a lookup table when the ids are
    dense, else a binary search over the sorted ids."""

    __slots__ = ("_order", "_sorted", "_table", "ids")

    def __init__(self, ids: npt.NDArray[np.uint64]) -> None:
        self.ids = ids
        self._table: npt.NDArray[np.int64] | None = None
        self._order: npt.NDArray[np.intp] | None = None
        self._sorted: npt.NDArray[np.uint64] | None = None
        if not len(ids):
            return
        top = int(ids.max())
        if top <= 4 * len(ids) + 16:
            table = np.full(top + 2, -1, dtype=np.int64)  # the last slot: every id past the top
            table[ids] = np.arange(len(ids), dtype=np.int64)
            self._table = table
        else:
            self._order = np.argsort(ids, kind="stable")
            self._sorted = ids[self._order]

    def lookup(self, wanted: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]:
        """(row per wanted id, mask of the unknown ones or None when all are known)."""
        if not len(wanted):
            return np.zeros(0, dtype=np.int64), None
        if not len(self.ids):
            return np.zeros(len(wanted), dtype=np.int64), np.ones(len(wanted), dtype=bool)
        table, order, sorted_ids = self._table, self._order, self._sorted
        if table is not None:
            rows = table[np.minimum(wanted, np.uint64(len(table) - 1))]
            bad = rows < 0
        else:
            assert order is not None and sorted_ids is not None  # set together in __init__
            pos = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
            rows = order[pos]
            bad = self.ids[rows] != wanted
        return rows, (bad if bad.any() else None)

    def find(self, wanted: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64] | None:
        """Rows of ``wanted``, or None if any id is unknown."""
        rows, bad = self.lookup(wanted)
        return None if bad is not None else rows

    def first_unknown(self, wanted: npt.NDArray[np.uint64]) -> int | None:
        _, bad = self.lookup(wanted)
        return None if bad is None else int(wanted[np.flatnonzero(bad)[0]])
