"""Vectorised id -> row lookup for profile ids (uint64, usually 1..n but not always)."""

from __future__ import annotations

import numpy as np


class IdIndex:
    """Rows of ``ids`` (a uint64 array, one id per row): a lookup table when the ids are
    dense, else a binary search over the sorted ids."""

    __slots__ = ("_order", "_sorted", "_table", "ids")

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self._table = self._order = self._sorted = None
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

    def lookup(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(row per wanted id, mask of the unknown ones or None when all are known)."""
        if not len(wanted):
            return np.zeros(0, dtype=np.int64), None
        if not len(self.ids):
            return np.zeros(len(wanted), dtype=np.int64), np.ones(len(wanted), dtype=bool)
        if self._table is not None:
            rows = self._table[np.minimum(wanted, np.uint64(len(self._table) - 1))]
            bad = rows < 0
        else:
            pos = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
            rows = self._order[pos]
            bad = self.ids[rows] != wanted
        return rows, (bad if bad.any() else None)

    def find(self, wanted: np.ndarray) -> np.ndarray | None:
        """Rows of ``wanted``, or None if any id is unknown."""
        rows, bad = self.lookup(wanted)
        return None if bad is not None else rows

    def first_unknown(self, wanted: np.ndarray) -> int | None:
        _, bad = self.lookup(wanted)
        return None if bad is None else int(wanted[np.flatnonzero(bad)[0]])
