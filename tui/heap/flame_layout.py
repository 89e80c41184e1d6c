"""A FlameTree laid out in terminal columns: per depth, the boxes (first column, end column, node).

``layout(tree, zoom, width)`` runs when the profile, the zoom or the width changes, never per key:
the zoomed frame's ancestors and itself span the whole width (the path you came down), its subtree
fills it below. Each level's nodes are in drawing order, so the zoomed subtree's part of a level is
one slice found by binary search on the left edges; boxes narrower than a column are not drawn.
Moving the cursor (``parent``, ``child``, ``sibling``) reads the boxes; nothing is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.heap.flame import ROOT, FlameTree
from tui.heap.flame_stacks import Int64s


@dataclass(frozen=True, slots=True)
class Row:
    starts: Int64s  # first column of each box
    ends: Int64s  # one past its last column
    nodes: Int64s  # its node


@dataclass(frozen=True, slots=True)
class FlameLayout:
    tree: FlameTree
    zoom: int
    width: int
    rows: tuple[Row, ...]  # row 0 is the root
    where: dict[int, tuple[int, int]]  # node -> (row, box index)

    def box(self, node: int) -> tuple[int, int, int] | None:
        """(row, first column, end column) of a drawn node."""
        at = self.where.get(node)
        if at is None:
            return None
        row = self.rows[at[0]]
        return at[0], int(row.starts[at[1]]), int(row.ends[at[1]])

    def parent(self, node: int) -> int:
        return int(self.tree.parent[node]) if node != ROOT else node

    def child(self, node: int) -> int:
        """The heaviest drawn child (the hot path), or ``node`` for a leaf."""
        at = self.where.get(node)
        if at is None or at[0] + 1 >= len(self.rows):
            return node
        below = self.rows[at[0] + 1]
        mine = np.flatnonzero(self.tree.parent[below.nodes] == node)
        if not len(mine):
            return node
        values = self.tree.values[below.nodes[mine]]
        return int(below.nodes[mine[int(np.argmax(values))]])

    def sibling(self, node: int, step: int) -> int:
        """The next drawn box left (-1) or right (+1) on the same row, whoever its parent is."""
        at = self.where.get(node)
        if at is None:
            return node
        row = self.rows[at[0]]
        i = at[1] + step
        return int(row.nodes[i]) if 0 <= i < len(row.nodes) else node

    def visible(self, node: int) -> int:
        """``node`` if it is drawn, else its nearest drawn ancestor (a frame narrower than a column)."""
        while node not in self.where and node != ROOT:
            node = int(self.tree.parent[node])
        return node


def layout(tree: FlameTree, zoom: int, width: int) -> FlameLayout:
    width = max(width, 1)
    rows: list[Row] = []
    # the path down to the zoomed frame: whole width
    path = []
    node = zoom
    while node >= 0:
        path.append(node)
        node = int(tree.parent[node])
    one = np.zeros(1, dtype=np.int64)
    for n in reversed(path):
        rows.append(Row(one, one + width, np.full(1, n, dtype=np.int64)))
    left = int(tree.x[zoom])
    span = tree.width_of(zoom)
    starts = tree.level_starts
    for d in range(int(tree.depth[zoom]) + 1, len(starts) - 1):
        if span <= 0:
            break
        a, b = int(starts[d]), int(starts[d + 1])
        xs = tree.x[a:b]
        lo = a + int(np.searchsorted(xs, left, "left"))
        hi = a + int(np.searchsorted(xs, left + span, "left"))
        if lo >= hi:
            break
        nodes = np.arange(lo, hi, dtype=np.int64)
        w = np.maximum(tree.values[lo:hi], 0)
        nodes, xs, w = nodes[w > 0], tree.x[lo:hi][w > 0], w[w > 0]
        # integer columns: floor(offset * width / span), exact in int arithmetic when it fits
        # (clipped: under a frame whose difference is negative, children may be wider than it)
        c0 = _columns(xs - left, width, span).clip(0, width)
        c1 = _columns(xs - left + w, width, span).clip(0, width)
        drawn = c1 > c0
        if not drawn.any():
            break
        rows.append(Row(c0[drawn], c1[drawn], nodes[drawn]))
    where = {int(n): (r, i) for r, row in enumerate(rows) for i, n in enumerate(row.nodes.tolist())}
    return FlameLayout(tree, zoom, width, tuple(rows), where)


def _columns(offsets: Int64s, width: int, span: int) -> Int64s:
    if span < 2**62 // max(width, 1):
        return (offsets * width) // span
    return np.floor(offsets / span * width).astype(np.int64)
