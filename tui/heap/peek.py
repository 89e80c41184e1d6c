"""Drill-down on one node (function, or line in line mode): callers, callees, heaviest stacks.

Like pprof's -peek, values are counted once per sample: a caller's value is the sum of
the samples in which it calls the node directly (recursion counted once per sample).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.errors import ParseError
from tui.heap.nodes import NodeInfo, map_nodes
from tui.heap.profile import Profile
from tui.heap.top import FrameFilter, stack_totals


@dataclass(frozen=True, slots=True)
class Neighbor:
    key: str
    name: str
    value: int


@dataclass(frozen=True, slots=True)
class Trace:
    frames: tuple[NodeInfo, ...]  # leaf first, one per source line (inlined lines expanded)
    value: int
    samples: int  # how many (stack) records were merged into this trace


@dataclass(frozen=True, slots=True)
class PeekReport:
    key: str
    name: str
    flat: int
    cum: int
    total: int
    callers: tuple[Neighbor, ...]
    callees: tuple[Neighbor, ...]
    traces: tuple[Trace, ...]


def peek(
    profile: Profile,
    key: str,
    sample_index: int | str | None = None,
    *,
    granularity: str = "functions",
    focus: FrameFilter = None,
    ignore: FrameFilter = None,
    max_traces: int = 10,
) -> PeekReport:
    """Callers, callees and the ``max_traces`` heaviest stacks through node ``key``."""
    idx = profile.sample_index(sample_index)
    nodes = map_nodes(profile, granularity)
    target = next((i for i, info in enumerate(nodes.infos) if info.key == key), None)
    totals = stack_totals(profile, idx, focus, ignore)
    if target is None:
        return PeekReport(key, key, 0, 0, totals.total, (), (), ())
    flat = cum = 0
    callers: dict[int, int] = {}
    callees: dict[int, int] = {}
    traces: dict[tuple[int, ...], list[int]] = {}
    line_nodes = nodes if granularity == "lines" else map_nodes(profile, "lines")
    target_locs = {lid for lid in nodes.loc_node if target in nodes.nodes_of(lid)}
    offs = profile.stack_offsets
    ids = profile.stack_ids
    try:
        for s, v in enumerate(totals.values):
            if not v:
                continue
            seg = ids[offs[s] : offs[s + 1]]
            if target_locs.isdisjoint(seg):
                continue
            chain_: list[int] = []  # node ids, leaf first (inlined lines expanded)
            line_chain: list[int] = []
            for lid in seg:
                chain_.extend(nodes.nodes_of(lid))
                line_chain.extend(line_nodes.nodes_of(lid))
            cum += v
            if chain_[0] == target:
                flat += v
            seen_callers: set[int] = set()
            seen_callees: set[int] = set()
            for pos, nd in enumerate(chain_):
                if nd != target:
                    continue
                if pos + 1 < len(chain_) and chain_[pos + 1] != target:
                    seen_callers.add(chain_[pos + 1])
                if pos > 0 and chain_[pos - 1] != target:
                    seen_callees.add(chain_[pos - 1])
            for c in seen_callers:
                callers[c] = callers.get(c, 0) + v
            for c in seen_callees:
                callees[c] = callees.get(c, 0) + v
            acc = traces.setdefault(tuple(line_chain), [0, 0])
            acc[0] += v
            acc[1] += 1
    except KeyError as exc:
        raise ParseError(f"profile: sample references unknown location id {exc.args[0]}", kind="profile") from None
    infos = nodes.infos

    def neighbors(d: dict[int, int]) -> tuple[Neighbor, ...]:
        items = sorted(d.items(), key=lambda kv: (-abs(kv[1]), infos[kv[0]].key))
        return tuple(Neighbor(infos[i].key, infos[i].name or infos[i].key, v) for i, v in items)

    line_infos = line_nodes.infos
    top_traces = sorted(traces.items(), key=lambda kv: (-abs(kv[1][0]), [line_infos[i].key for i in kv[0]]))
    info = infos[target]
    return PeekReport(
        key=info.key,
        name=info.name or info.key,
        flat=flat,
        cum=cum,
        total=totals.total,
        callers=neighbors(callers),
        callees=neighbors(callees),
        traces=tuple(
            Trace(tuple(line_infos[i] for i in chain_), v, count)
            for chain_, (v, count) in top_traces[: max(0, max_traces)]
        ),
    )
