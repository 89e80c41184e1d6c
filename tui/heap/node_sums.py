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

from collections.abc import Sequence
from typing import cast

import numpy as np
import numpy.typing as npt

from tui.core.errors import ParseError
from tui.heap.id_index import IdIndex
from tui.heap.nodes import NodeMap
from tui.heap.profile import Profile

EXACT_FLOAT_LIMIT = 2**53

# Per node: flat, cum, and whether it only ever appears inlined (indexed like NodeMap.infos).
NodeValues = tuple[list[int], list[int], list[bool]]
# The (stack, node) keys: 32-bit when they fit (half the memory to sort).
_Key = np.uint32 | np.int64


def sum_per_stack(
    sample_stack: Sequence[int], values: Sequence[int], num_stacks: int, keep: list[bool] | None, abs_total: int
) -> list[int]:
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


def node_values(profile: Profile, nodes: NodeMap, per_stack: list[int]) -> NodeValues:
    """(flat, cum, inline_only) per node: lists of ints and bools indexed like ``nodes.infos``."""
    if sum(map(abs, per_stack)) >= EXACT_FLOAT_LIMIT:
        return node_values_exact(profile, nodes, per_stack)
    n = len(nodes.infos)
    offs = np.frombuffer(profile.stack_offsets, dtype=np.int64)
    ids = profile.stack_id_array()
    rows = location_rows(nodes, ids)  # location row per frame
    starts, node_ids = nodes.node_starts, nodes.node_ids
    first = node_ids[starts[:-1]]
    lens = np.diff(offs)
    weights = np.array(per_stack, dtype=np.float64)
    nonempty = np.flatnonzero(lens)
    flat = np.bincount(first[rows[offs[nonempty]]], weights=weights[nonempty], minlength=n)

    # Keys fit 32 bits on all but huge profiles: half the memory to sort.
    key_type: type[_Key] = np.uint32 if len(lens) * max(n, 1) < 2**32 else np.int64
    # (numpy's stubs lose the dtype of arange(dtype=<one of two types>))
    frame_stack = cast("npt.NDArray[_Key]", np.repeat(np.arange(len(lens), dtype=key_type), lens))
    keys = frame_stack * key_type(n) + first[rows].astype(key_type)
    per_location = np.diff(starts)
    if (per_location > 1).any():  # inlined locations: one key per inlined caller line too
        keys = np.concatenate((keys, _inlined_keys(nodes, rows, frame_stack, key_type(n))))
    del frame_stack
    keys.sort()  # quicksort: numpy sorts 32-bit ints with SIMD (~7 ms for 2.5 million)
    if len(keys) > 1:
        first_of_run = np.empty(len(keys), dtype=bool)
        first_of_run[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first_of_run[1:])
        keys = keys[first_of_run]
    stack_of, node_of = np.divmod(keys, key_type(n)) if n else (keys, keys)
    cum = np.bincount(node_of, weights=weights[stack_of], minlength=n)

    live = nonempty[weights[nonempty] != 0]
    roots = node_ids[starts[1:] - 1][rows[offs[live + 1] - 1]]
    return _ints(flat), _ints(cum), inline_only_nodes(nodes, roots, n)


def _ints(sums: npt.NDArray[np.float64] | npt.NDArray[np.intp]) -> list[int]:
    """bincount's sums (float64 with weights: numpy's stubs say intp) as ints."""
    return sums.astype(np.int64).tolist()


def location_rows(nodes: NodeMap, ids: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Location row of every stack frame; ParseError naming the first unknown id."""
    loc_ids = np.fromiter(nodes.location_ids, dtype=np.uint64, count=len(nodes.location_ids))
    rows, bad = IdIndex(loc_ids).lookup(ids)
    if bad is not None:
        first = int(ids[np.flatnonzero(bad)[0]])
        raise ParseError(f"profile: sample references unknown location id {first}", kind="profile")
    return rows


def _inlined_keys(
    nodes: NodeMap, rows: npt.NDArray[np.int64], frame_stack: npt.NDArray[_Key], n: _Key
) -> npt.NDArray[_Key]:
    """Keys of the inlined callers' lines (all but a location's innermost) of every frame."""
    starts, node_ids = nodes.node_starts, nodes.node_ids
    more = np.diff(starts) - 1
    sel = np.flatnonzero(more[rows] > 0)
    sel_rows = rows[sel]
    counts = more[sel_rows]
    callers = node_ids[index_runs(starts[sel_rows] + 1, counts)]
    return np.repeat(frame_stack[sel], counts) * n + callers.astype(frame_stack.dtype)


def index_runs(begin: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The indexes begin[i], begin[i] + 1, ..., begin[i] + counts[i] - 1 for every i, in one array."""
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(begin, counts) + within


def node_values_exact(profile: Profile, nodes: NodeMap, per_stack: list[int]) -> NodeValues:
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
        seg = ids[offs[s] : offs[s + 1]]
        flat[loc_node[seg[0]]] += v
        seen: set[int] = set()
        for lid in seg:
            seen.update(nodes.nodes_of(lid))
        for nd in seen:
            cum[nd] += v
        root_nodes.add(nodes.nodes_of(seg[-1])[-1])
    return flat, cum, inline_only_nodes(nodes, list(root_nodes), n)


def inline_only_nodes(nodes: NodeMap, roots: Sequence[int] | npt.NDArray[np.int64], n: int) -> list[bool]:
    """Nodes that appear only as inlined lines, never as a location's caller line below
    another frame (pprof would label them "(inline)"). ``roots``: the outermost nodes of
    the stacks' root frames (a caller line there is below nothing)."""
    starts, node_ids = nodes.node_starts, nodes.node_ids
    per_location = np.diff(starts)
    inlined = np.flatnonzero(per_location > 1)
    if not len(inlined):
        return [False] * n
    seen = np.zeros(n, dtype=bool)
    # Every line of an inlined location but its outermost (the caller) is inlined code.
    seen[node_ids[index_runs(starts[inlined], per_location[inlined] - 1)]] = True
    # A node that is some location's caller line, below another frame, is not inline-only.
    outermost = node_ids[starts[1:] - 1]
    seen[outermost[~np.isin(outermost, np.asarray(roots, dtype=np.int64))]] = False
    return seen.tolist()
