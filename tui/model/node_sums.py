"""Flat and cum per report node from per-stack values: the hot loop of ``top``.

A 200k-sample profile has ~2.3 million (stack, frame) pairs; summing them in Python
costs ~0.5 s, so the sums are vectorised with numpy (the reason numpy is a dependency,
see README "Dependencies"):

- every frame becomes an int64 key ``stack * nodes + node`` (inlined locations add one
  key per inlined line); sorting the keys and dropping repeats counts a node once per
  stack, as pprof counts cum once per sample even under recursion;
- ``bincount`` with float64 weights sums them. Every partial sum is an integer below
  2**53, so float64 is exact; profiles whose |values| add up to more use the plain
  Python sums of ``node_values_exact`` instead.
"""

from __future__ import annotations

import numpy as np

from tui.errors import ParseError
from tui.model.nodes import NodeMap
from tui.model.profile import Profile

EXACT_FLOAT_LIMIT = 2**53


def sum_per_stack(sample_stack, values, num_stacks: int, keep: list[bool] | None, abs_total: int) -> list[int]:
    """Per stack, the sum of its samples' values (samples of stacks with ``keep[s]`` false left out).

    ``abs_total`` is the sum of |values|: below 2**53 the sums are exact in float64.
    """
    if abs_total < EXACT_FLOAT_LIMIT:
        stacks = np.asarray(sample_stack, dtype=np.int64)
        weights = np.asarray(values, dtype=np.float64)
        if keep is not None:
            weights = weights * np.asarray(keep, dtype=bool)[stacks]
        return _ints(np.bincount(stacks, weights=weights, minlength=num_stacks))
    per_stack = [0] * num_stacks
    for s, v in zip(sample_stack, values):
        if v and (keep is None or keep[s]):
            per_stack[s] += v
    return per_stack


def node_values(profile: Profile, nodes: NodeMap, per_stack: list[int]):
    """(flat, cum, inline_only) per node: lists of ints and bools indexed like ``nodes.infos``."""
    if sum(map(abs, per_stack)) >= EXACT_FLOAT_LIMIT:
        return node_values_exact(profile, nodes, per_stack)
    n = len(nodes.infos)
    offs = np.frombuffer(profile.stack_offsets, dtype=np.int64)
    ids = profile.stack_id_array()
    locs = _LocationNodes(nodes)
    rows = locs.rows_of(ids)  # location row per frame
    lens = np.diff(offs)
    weights = np.array(per_stack, dtype=np.float64)
    nonempty = np.flatnonzero(lens)
    leaves = locs.first[rows[offs[nonempty]]]
    flat = np.bincount(leaves, weights=weights[nonempty], minlength=n)

    frame_stack = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    keys = frame_stack * n + locs.first[rows]
    if locs.has_extra:
        keys = np.concatenate((keys, locs.extra_keys(rows, frame_stack, n)))
    keys.sort(kind="stable")  # runs per stack: cheap to merge
    if len(keys) > 1:
        first_of_run = np.empty(len(keys), dtype=bool)
        first_of_run[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first_of_run[1:])
        keys = keys[first_of_run]
    stack_of, node_of = np.divmod(keys, n) if n else (keys, keys)
    cum = np.bincount(node_of, weights=weights[stack_of], minlength=n)

    live = nonempty[weights[nonempty] != 0]
    root_nodes = set(locs.last[rows[offs[live + 1] - 1]].tolist())
    return _ints(flat), _ints(cum), inline_only_nodes(nodes, root_nodes, n)


def _ints(sums: np.ndarray) -> list[int]:
    return sums.astype(np.int64).tolist()


class _LocationNodes:
    """Per location row: its innermost node (``first``), outermost node (``last``), and
    for inlined locations the nodes of the other lines (``extra_*``, flattened)."""

    def __init__(self, nodes: NodeMap) -> None:
        count = len(nodes.loc_node)
        self.ids = np.fromiter(nodes.loc_node.keys(), dtype=np.uint64, count=count)
        self.first = np.fromiter(nodes.loc_node.values(), dtype=np.int64, count=count)
        self.last = self.first.copy()
        self.has_extra = bool(nodes.loc_extra)
        if self.has_extra:
            row_of = dict(zip(nodes.loc_node, range(count)))
            self.extra_count = np.zeros(count, dtype=np.int64)
            extra_rows = [row_of[lid] for lid in nodes.loc_extra]
            more = list(nodes.loc_extra.values())
            self.extra_count[extra_rows] = list(map(len, more))
            self.extra_start = np.zeros(count, dtype=np.int64)
            self.extra_start[1:] = np.cumsum(self.extra_count)[:-1]
            self.extra_nodes = np.fromiter((nd for m in more for nd in m), dtype=np.int64,
                                           count=int(self.extra_count.sum()))
            self.last[extra_rows] = [m[-1] for m in more]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Location row of every id; ParseError naming the first unknown id."""
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        if not len(self.ids):
            return self._unknown(ids, np.zeros(len(ids), dtype=bool))
        top = int(self.ids.max())
        if top <= 4 * len(self.ids) + 16:  # dense ids: a lookup table
            table = np.full(top + 2, -1, dtype=np.int64)
            table[self.ids] = np.arange(len(self.ids))
            rows = table[np.minimum(ids, top + 1)]
            bad = rows < 0
        else:
            order = np.argsort(self.ids, kind="stable")
            pos = np.minimum(np.searchsorted(self.ids[order], ids), len(order) - 1)
            rows = order[pos]
            bad = self.ids[rows] != ids
        if bad.any():
            return self._unknown(ids, bad)
        return rows

    @staticmethod
    def _unknown(ids: np.ndarray, bad: np.ndarray) -> np.ndarray:
        first = int(ids[np.flatnonzero(bad)[0]]) if bad.any() else int(ids[0])
        raise ParseError(f"profile: sample references unknown location id {first}", kind="profile")

    def extra_keys(self, rows: np.ndarray, frame_stack: np.ndarray, n: int) -> np.ndarray:
        """Keys of the inlined callers' lines of every frame at an inlined location."""
        sel = np.flatnonzero(self.extra_count[rows])
        sel_rows = rows[sel]
        counts = self.extra_count[sel_rows]
        total = int(counts.sum())
        run_start = np.repeat(np.cumsum(counts) - counts, counts)
        within = np.arange(total, dtype=np.int64) - run_start
        extra = self.extra_nodes[np.repeat(self.extra_start[sel_rows], counts) + within]
        return np.repeat(frame_stack[sel], counts) * n + extra


def node_values_exact(profile: Profile, nodes: NodeMap, per_stack: list[int]):
    """The same sums in Python ints, for values too big for float64 (|sum| >= 2**53)."""
    n = len(nodes.infos)
    offs = profile.stack_offsets
    ids = profile.stack_ids
    loc_node = nodes.loc_node
    unknown = next((lid for lid in ids if lid not in loc_node), None)
    if unknown is not None:
        raise ParseError(f"profile: sample references unknown location id {unknown}", kind="profile")
    flat = [0] * n
    cum = [0] * n
    root_nodes: set[int] = set()
    for s, v in enumerate(per_stack):
        if not v or offs[s] == offs[s + 1]:
            continue
        seg = ids[offs[s]:offs[s + 1]]
        flat[loc_node[seg[0]]] += v
        seen: set[int] = set()
        for lid in seg:
            seen.update(nodes.nodes_of(lid))
        for nd in seen:
            cum[nd] += v
        root_nodes.add(nodes.nodes_of(seg[-1])[-1])
    return flat, cum, inline_only_nodes(nodes, root_nodes, n)


def inline_only_nodes(nodes: NodeMap, root_nodes: set[int], n: int) -> list[bool]:
    """Nodes that appear only as inlined lines, never as a location's caller line below
    another frame (pprof would label them "(inline)")."""
    inline_seen = [False] * n
    for lid, more in nodes.loc_extra.items():
        inline_seen[nodes.loc_node[lid]] = True
        for m in more[:-1]:
            inline_seen[m] = True
    if not any(inline_seen):
        return inline_seen
    for lid, nd in nodes.loc_node.items():
        more = nodes.loc_extra.get(lid)
        last = more[-1] if more else nd
        if last not in root_nodes:
            inline_seen[last] = False
    return inline_seen
