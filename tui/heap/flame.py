"""The flame graph's tree: stacks merged by their path from the root, laid out left to right.

``flame_tree(table, bases=())`` merges a ``StackTable``'s stacks into a tree of frames (node 0 is
the root, "all"), once per profile and sample type, vectorised: level by level, every stack still
that deep gets a key ``parent * names + name`` and ``np.unique`` numbers the distinct ones. Children
are numbered in name order, so each level's nodes are already in drawing order (left to right) and
each node's x offset is its parent's plus the values of the siblings before it. A 200k-sample,
20k-function profile takes ~0.2 s (tests/benchmarks/bench_flame.py); laying it out at a width
(``tui.heap.flame_layout``) is then a few slices per level.

A node's value is every sample whose stack passes through that path (a flame graph's cum: a
recursive function appears once per depth); ``self_values`` what ends there. Sums are int64,
exact. ``bases``: profiles to compare with (the pinned baseline, the previous window, or fleet
siblings, whose median per node is taken); base stacks are merged by frame names, so frames that
vanished since the base are nodes with a base value and no value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tui.heap.flame_stacks import Int64s, StackTable
from tui.heap.node_sums import EXACT_FLOAT_LIMIT

ROOT = 0


@dataclass(frozen=True, slots=True)
class FlameTree:
    names: tuple[str, ...]  # name index -> name ("" for the root)
    name_of: Int64s  # per node: its name index
    parent: Int64s  # per node (-1 for the root)
    depth: Int64s  # per node (0 for the root)
    values: Int64s  # per node: cum along its path
    self_values: Int64s  # per node: stacks ending there
    x: Int64s  # per node: left edge, in value units (widths are values clipped at 0)
    level_starts: Int64s  # nodes of depth d are level_starts[d]:level_starts[d + 1]
    base_values: Int64s | None  # per node, when built against bases
    sample_type: str
    unit: str
    total: int  # sum of |value| of the stacks (pprof's total)

    def __len__(self) -> int:
        return len(self.parent)

    @property
    def max_depth(self) -> int:
        return len(self.level_starts) - 2

    def width_of(self, node: int) -> int:
        return max(int(self.values[node]), 0)

    def name(self, node: int) -> str:
        return "all" if node == ROOT else self.names[self.name_of[node]]

    def path(self, node: int) -> tuple[str, ...]:
        """Frame names from the root's child down to ``node`` (() for the root)."""
        out: list[str] = []
        while node > ROOT:
            out.append(self.names[self.name_of[node]])
            node = int(self.parent[node])
        return tuple(reversed(out))

    def children(self, node: int) -> range:
        """Node ids of ``node``'s children (contiguous, in name order)."""
        d = int(self.depth[node]) + 1
        if d >= len(self.level_starts) - 1:
            return range(0)
        a, b = int(self.level_starts[d]), int(self.level_starts[d + 1])
        parents = self.parent[a:b]
        return range(a + int(np.searchsorted(parents, node, "left")), a + int(np.searchsorted(parents, node, "right")))

    def find(self, path: Sequence[str]) -> tuple[int, int]:
        """The node at ``path``, or its deepest existing ancestor: (node, how many names matched)."""
        node = ROOT
        for i, name in enumerate(path):
            nxt = next((c for c in self.children(node) if self.names[self.name_of[c]] == name), None)
            if nxt is None:
                return node, i
            node = nxt
        return node, len(path)

    def is_ancestor(self, a: int, b: int) -> bool:
        """Whether ``a`` is ``b`` or above it."""
        while b > a:
            b = int(self.parent[b])
        return a == b


def _sum(groups: Int64s, weights: npt.NDArray[np.int64] | npt.NDArray[np.float64], n: int, exact: bool) -> Int64s:
    """Per group, the sum of its weights; ``exact``: float64 sums are exact (every |weight| adds up
    below 2**53), else integer sums."""
    if exact:
        return np.bincount(groups, weights=weights, minlength=n).astype(np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, groups, weights.astype(np.int64))
    return out


def _unique(keys: Int64s) -> tuple[Int64s, Int64s]:
    """np.unique(keys, return_inverse=True), with numpy's fast unstable sort (its unique sorts
    stably for the inverse, 2-3x slower on a level of a million stacks)."""
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inv = np.empty(len(keys), dtype=np.int64)
    inv[order] = np.cumsum(new) - 1
    return ordered[new], inv


def _remap(table: StackTable, rank: dict[str, int]) -> Int64s:
    """The table's frames as ranks in the merged, sorted name list."""
    lookup = np.fromiter((rank[n] for n in table.names), dtype=np.int64, count=len(table.names))
    return lookup[table.frames] if len(table.frames) else table.frames


def flame_tree(table: StackTable, bases: Sequence[StackTable] = ()) -> FlameTree:
    """Merge ``table``'s stacks (and ``bases``', for a differential graph) into a FlameTree."""
    tables = (table, *bases)
    names = tuple(sorted(set().union(*(t.names for t in tables))))
    rank = {name: i for i, name in enumerate(names)}
    n_names = max(len(names), 1)
    frames = np.concatenate([_remap(t, rank) for t in tables])
    lens = np.concatenate([np.diff(t.offsets) for t in tables])
    shift = np.cumsum([0] + [len(t.frames) for t in tables[:-1]])
    ends = np.concatenate([t.offsets[1:] + s for t, s in zip(tables, shift)])
    # value columns: 0 = the table's, 1.. = each base's (zero for other tables' stacks)
    cols = np.zeros((len(tables), len(lens)), dtype=np.int64)
    at = 0
    for k, t in enumerate(tables):
        cols[k, at : at + t.num_stacks] = t.values
        at += t.num_stacks

    ncols = len(tables)
    # float64 sums are exact while every |value| adds up below 2**53 (bincount is several times
    # faster than an exact integer np.add.at): checked once for the whole table
    exact = int(np.abs(cols).sum()) < EXACT_FLOAT_LIMIT
    weights = cols.astype(np.float64) if exact else cols
    node_name: list[Int64s] = [np.zeros(1, dtype=np.int64)]
    node_parent: list[Int64s] = [np.full(1, -1, dtype=np.int64)]
    node_vals: list[list[Int64s]] = [[cols[k].sum(keepdims=True)] for k in range(ncols)]
    node_x: list[Int64s] = [np.zeros(1, dtype=np.int64)]
    level_starts = [0, 1]
    # Longest stacks first: the stacks still d deep are then a prefix (sliced, never compacted).
    order = np.argsort(-lens, kind="stable")
    lens, ends, weights = lens[order], ends[order], weights[:, order]
    deep = -lens  # ascending: the stacks longer than d are the first searchsorted(deep, -d) ones
    last = ends - 1  # each stack's root frame (frames are stored leaf first)
    cur_node = np.zeros(len(lens), dtype=np.int64)
    next_id = 1
    d = 0
    while (m := int(np.searchsorted(deep, -d, "left"))) > 0:
        uniq, inv = _unique(cur_node[:m] * n_names + frames[last[:m] - d])
        count = len(uniq)
        parents = uniq // n_names
        node_parent.append(parents)
        node_name.append(uniq - parents * n_names)
        for k in range(ncols):
            node_vals[k].append(_sum(inv, weights[k, :m], count, exact))
        node_x.append(_level_offsets(node_vals[0][-1], parents, node_x[-1], level_starts[-2]))
        cur_node = next_id + inv
        next_id += count
        level_starts.append(next_id)
        d += 1

    vals = [np.concatenate(v) for v in node_vals]
    parent = np.concatenate(node_parent)
    starts = np.asarray(level_starts, dtype=np.int64)
    depth = np.repeat(np.arange(len(starts) - 1, dtype=np.int64), np.diff(starts))
    # what ends at a node: its value less its children's (one sum over every node, not one per level)
    self_values = vals[0] - _sum(parent[1:], vals[0][1:], len(parent), exact)
    base = None
    if bases:
        base = vals[1] if len(bases) == 1 else np.median(np.stack(vals[1:]), axis=0).round().astype(np.int64)
    return FlameTree(
        names=names,
        name_of=np.concatenate(node_name),
        parent=parent,
        depth=depth,
        values=vals[0],
        self_values=self_values,
        x=np.concatenate(node_x),
        level_starts=starts,
        base_values=base,
        sample_type=table.sample_type,
        unit=table.unit,
        total=table.total(),
    )


def _level_offsets(values: Int64s, parents: Int64s, parent_x: Int64s, parent_start: int) -> Int64s:
    """Left edges of one level: a node's parent's edge plus the widths of the siblings before it
    (the level's nodes are grouped by parent, in order; widths are values clipped at 0)."""
    width = np.maximum(values, 0)
    run = np.cumsum(width) - width  # widths before each node in the level
    new_group = np.empty(len(parents), dtype=bool)
    new_group[:1] = True
    np.not_equal(parents[1:], parents[:-1], out=new_group[1:])
    group_run = run[new_group]  # the run at each group's first node
    group = np.cumsum(new_group) - 1
    return parent_x[parents - parent_start] + run - group_run[group]


def folded(tree: FlameTree) -> list[tuple[tuple[str, ...], int]]:
    """One (path from the root, value) per distinct stack: Brendan Gregg's folded stacks. The values
    add up to the sum of the stacks' values (a stack with no frames is the root's: path ())."""
    return [(tuple(tree.names[i] for i in row), value) for row, value in folded_ids(tree)]


def folded_ids(tree: FlameTree) -> list[tuple[list[int], int]]:
    """``folded`` with name indexes instead of names (the paths are read up the tree for every
    stack at once, one level a step)."""
    ends = np.flatnonzero(tree.self_values)
    if not len(ends):
        return []
    depth = tree.depth[ends]
    width = int(depth.max())
    grid = np.full((len(ends), width), -1, dtype=np.int64)
    node = ends.copy()
    rows = np.arange(len(ends))
    for _ in range(width):  # every stack one step up; column = depth - 1 of the node
        live = node > ROOT
        if not live.any():
            break
        grid[rows[live], tree.depth[node[live]] - 1] = tree.name_of[node[live]]
        node[live] = tree.parent[node[live]]
    values = tree.self_values[ends].tolist()
    lists = grid.tolist()
    return [(row[:d], v) for row, d, v in zip(lists, depth.tolist(), values)]


def matching_share(tree: FlameTree, matches: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.bool_], int]:
    """Per node, whether its name matches (``matches`` per name index), and the value of the matching
    nodes counted once per stack (a match below a match is inside it): the share a search says."""
    hit = matches[tree.name_of]
    hit[ROOT] = False
    covered = np.zeros(len(tree), dtype=bool)  # a matching node above
    starts = tree.level_starts
    for d in range(1, len(starts) - 1):
        a, b = int(starts[d]), int(starts[d + 1])
        par = tree.parent[a:b]
        covered[a:b] = covered[par] | hit[par]
    top = hit & ~covered
    return hit, int(np.maximum(tree.values[top], 0).sum())


def vanished(tree: FlameTree, limit: int = 50) -> list[tuple[tuple[str, ...], int]]:
    """Frames the base had and the profile no longer has (their highest such frame only), biggest
    first: (path, base value)."""
    if tree.base_values is None:
        return []
    gone = (tree.values <= 0) & (tree.base_values > 0)
    gone[ROOT] = False
    par = tree.parent.clip(min=0)
    top = np.flatnonzero(gone & ~gone[par])
    order = top[np.argsort(-tree.base_values[top], kind="stable")][:limit]
    return [(tree.path(n), int(tree.base_values[n])) for n in order.tolist()]
