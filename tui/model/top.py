"""pprof -top: flat/cum per function (or line), with pprof's total, trimming and ordering.

Semantics (google/pprof internal/report + internal/graph):
- total = sum of |value| over every sample, *before* focus/ignore (pprof's default,
  relative_percentages=false), so filtered rows keep their share of the whole profile;
- flat = value at the leaf node (innermost inlined line of the leaf location);
  cum = value of every sample whose stack contains the node, once per sample;
- nodes with |cum| < |int(sum of all flats * node_fraction)| are dropped
  ("Dropped N nodes (cum <= total*node_fraction)"), then the first ``nodecount``;
- order: |flat| desc, name, |cum| desc (flat); |cum| desc, name, |flat| desc (cum);
- percentages are of the total; diffs (negative values) sort by absolute value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from tui.errors import ParseError
from tui.model.gcpause import gc_paused
from tui.model.nodes import NodeMap, map_nodes
from tui.model.profile import Profile

NODE_FRACTION = 0.005


@dataclass(frozen=True, slots=True)
class TopRow:
    key: str
    name: str
    file: str
    line: int
    flat: int
    flat_pct: float
    sum_pct: float
    cum: int
    cum_pct: float
    inline: str = ""  # "inline" when every call of the node was inlined, else ""


@dataclass(frozen=True, slots=True)
class TopReport:
    rows: tuple[TopRow, ...]
    total: int
    shown_total: int
    sample_type: str
    unit: str
    sample_index: int
    granularity: str
    sort: str
    total_nodes: int  # nodes left after the cum cutoff (pprof's "out of N")
    dropped_nodes: int
    dropped_cutoff: int  # |total * node_fraction| as pprof prints it
    node_fraction: float


@dataclass(slots=True)
class StackTotals:
    """Per interned stack: summed value of one sample type, after focus/ignore."""

    values: list[int]
    total: int  # sum of |value| over all samples (pprof: before focus/ignore)


def compile_regex(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ParseError(f"bad {what} regexp {pattern!r}: {exc}", kind="usage") from None


def matching_locations(profile: Profile, rx: re.Pattern[str]) -> set[int]:
    """Location ids with a line whose function name or file matches, or whose binary matches."""
    funcs = profile.functions
    row_of = funcs.row_of
    hit_funcs = {fid for fid, row in row_of.items()
                 if rx.search(funcs.names[row]) or rx.search(funcs.filenames[row])}
    hit_maps = {m for m in set(profile.locations.mapping_files) if m and rx.search(m)}
    out: set[int] = set()
    for lid, mfile, lines in zip(profile.locations.ids, profile.locations.mapping_files, profile.locations.lines):
        if mfile in hit_maps or any(f in hit_funcs for f, _ in lines):
            out.add(lid)
    return out


def stack_totals(profile: Profile, sample_index: int, focus: str | None = None,
                 ignore: str | None = None) -> StackTotals:
    """Sum one sample type per interned stack, keeping samples as pprof -focus/-ignore do."""
    vals = profile.values[sample_index]
    per_stack = [0] * profile.num_stacks
    focus_rx, ignore_rx = compile_regex(focus, "focus"), compile_regex(ignore, "ignore")
    if focus_rx is None and ignore_rx is None:
        for s, v in zip(profile.sample_stack, vals):
            if v:
                per_stack[s] += v
        return StackTotals(per_stack, sum(map(abs, vals)))
    ignored = matching_locations(profile, ignore_rx) if ignore_rx else set()
    focused = matching_locations(profile, focus_rx) if focus_rx else None
    ids, offs = profile.stack_ids, profile.stack_offsets
    keep = []
    for s in range(profile.num_stacks):
        seg = ids[offs[s]:offs[s + 1]]
        if ignored and not ignored.isdisjoint(seg):
            keep.append(False)
        elif focused is not None:
            keep.append(not focused.isdisjoint(seg))
        else:
            keep.append(True)
    for s, v in zip(profile.sample_stack, vals):
        if keep[s]:
            per_stack[s] += v
    # pprof computes the total before applying focus/ignore (percentages of all samples).
    return StackTotals(per_stack, sum(map(abs, vals)))


def location_lookup(mapping: dict[int, int]):
    """A fast ``id -> value`` callable: list indexing when ids are dense, else dict lookup."""
    if mapping and min(mapping) >= 0 and max(mapping) <= 4 * len(mapping) + 16:
        table: list[int | None] = [None] * (max(mapping) + 1)
        for k, v in mapping.items():
            table[k] = v
        return table.__getitem__, len(mapping) != len(table) - (0 if 0 in mapping else 1)
    return mapping.__getitem__, False


def node_values(profile: Profile, nodes: NodeMap, per_stack: list[int]):
    """(flat, cum, inline_only) per node from per-stack values.

    Every frame is mapped (one C-level pass) to an int code: its node, or for an inlined
    location a "combo" code (>= number of nodes) standing for all its lines' nodes. Each
    live stack becomes a frozenset of codes (cum counts a node once per sample, recursion
    or not); combos then credit their member nodes not already credited in that stack.
    """
    n = len(nodes.infos)
    loc_code = dict(nodes.loc_node)
    members: list[frozenset[int]] = []
    for lid, more in nodes.loc_extra.items():
        loc_code[lid] = n + len(members)
        members.append(frozenset((nodes.loc_node[lid],) + more))
    innermost = [nodes.loc_node[lid] for lid in nodes.loc_extra]
    combo_codes = frozenset(range(n, n + len(members)))
    offs = profile.stack_offsets
    lookup, has_gaps = location_lookup(loc_code)
    try:
        codes = list(map(lookup, profile.iter_stack_ids()))
        if has_gaps and None in codes:
            raise KeyError(profile.stack_ids[codes.index(None)])
    except (KeyError, IndexError) as exc:
        bad = exc.args[0] if isinstance(exc, KeyError) else "beyond the location table"
        raise ParseError(f"profile: sample references unknown location id {bad}", kind="profile") from None
    # Non-empty stacks with a non-zero value.
    live = [s for s, v in enumerate(per_stack) if v and offs[s] != offs[s + 1]]
    starts = list(map(offs.__getitem__, live))
    ends = list(map(offs.__getitem__, map((1).__add__, live)))
    vals = list(map(per_stack.__getitem__, live))
    flat = [0] * (n + len(members))
    cum = [0] * (n + len(members))  # combo slots collect junk, ignored
    for leaf, v in zip(map(codes.__getitem__, starts), vals):
        flat[leaf] += v
    for c, inner in enumerate(innermost):
        flat[inner] += flat[n + c]
    code_sets = map(frozenset, map(codes.__getitem__, map(slice, starts, ends)))
    for ns, v in zip(code_sets, vals):
        for nd in ns:
            cum[nd] += v
        if members and not combo_codes.isdisjoint(ns):
            credit = set()
            for c in combo_codes.intersection(ns):
                credit |= members[c - n]
            for nd in credit.difference(ns):
                cum[nd] += v
    root_codes = set(map(codes.__getitem__, map((-1).__add__, ends)))
    callers = [more[-1] for more in nodes.loc_extra.values()]
    root_nodes = {c if c < n else callers[c - n] for c in root_codes}
    return flat[:n], cum[:n], _inline_only(nodes, root_nodes, n)


def _inline_only(nodes: NodeMap, root_nodes: set[int], n: int) -> list[bool]:
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


def top(
    profile: Profile,
    sample_index: int | str | None = None,
    *,
    granularity: str = "functions",
    sort: str = "flat",
    focus: str | None = None,
    ignore: str | None = None,
    nodecount: int | None = None,
    node_fraction: float = NODE_FRACTION,
) -> TopReport:
    if not profile.sample_types:
        raise ParseError("profile has no sample types", kind="profile")
    if sort not in ("flat", "cum"):
        raise ParseError(f"unknown sort {sort!r} (use flat or cum)", kind="usage")
    idx = profile.sample_index(sample_index)
    with gc_paused():
        nodes = map_nodes(profile, granularity)
        totals = stack_totals(profile, idx, focus, ignore)
        flat, cum, inline_only = node_values(profile, nodes, totals.values)
    total = totals.total

    present = [i for i in range(len(flat)) if flat[i] or cum[i]]
    cutoff = abs(int(float(sum(flat[i] for i in present)) * node_fraction))
    kept = [i for i in present if abs(cum[i]) >= cutoff] if cutoff > 0 else present
    dropped = len(present) - len(kept)
    infos = nodes.infos
    if sort == "cum":
        kept.sort(key=lambda i: (-abs(cum[i]), infos[i].key, -abs(flat[i])))
    else:
        kept.sort(key=lambda i: (-abs(flat[i]), infos[i].key, -abs(cum[i])))
    total_nodes = len(kept)
    if nodecount is not None and nodecount > 0:
        kept = kept[:nodecount]

    rows = []
    running = 0
    for i in kept:
        info = infos[i]
        running += flat[i]
        # pprof also trims low-weight edges before labelling; we only claim "inline"
        # when every call of the node was inlined (never "partial-inline").
        label = "inline" if inline_only[i] else ""
        rows.append(TopRow(
            key=info.key, name=info.name or info.key, file=info.file, line=info.line,
            flat=flat[i], flat_pct=_pct(flat[i], total), sum_pct=_pct(running, total),
            cum=cum[i], cum_pct=_pct(cum[i], total), inline=label,
        ))
    st = profile.sample_types[idx]
    return TopReport(
        rows=tuple(rows),
        total=total,
        shown_total=running,
        sample_type=st.type,
        unit=st.unit.lower(),
        sample_index=idx,
        granularity=granularity,
        sort=sort,
        total_nodes=total_nodes,
        dropped_nodes=dropped,
        dropped_cutoff=abs(int(float(total) * node_fraction)),
        node_fraction=node_fraction,
    )


def _pct(value: int, total: int) -> float:
    return value / total * 100.0 if total else 0.0
