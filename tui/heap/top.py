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

from dataclasses import dataclass

from tui.core.errors import ParseError
from tui.core.gc_pause import gc_paused
from tui.core.user_regex import TextMatcher, UserPatternError, compile_user_regex
from tui.heap.node_sums import node_values, sum_per_stack
from tui.heap.nodes import map_nodes
from tui.heap.profile import Profile

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


# A focus/ignore: a user's regex as typed (compiled as RE2: linear time on names the target
# chose), or a matcher of ours already compiled (tui.heap.footprint.PPROF_OWN).
FrameFilter = str | TextMatcher | None


def compile_regex(pattern: FrameFilter, what: str) -> TextMatcher | None:
    if not isinstance(pattern, str):
        return pattern  # None, or a matcher of ours
    if not pattern:
        return None
    try:
        return compile_user_regex(pattern)
    except UserPatternError as exc:
        raise ParseError(f"bad {what} regexp {pattern[:200]!r}: {exc}", kind="usage") from None


def matching_locations(profile: Profile, rx: TextMatcher) -> set[int]:
    """Location ids with a line whose function name or file matches, or whose binary matches."""
    funcs = profile.functions
    row_of = funcs.row_of
    hit_funcs = {fid for fid, row in row_of.items() if rx.search(funcs.names[row]) or rx.search(funcs.filenames[row])}
    hit_maps = {m for m in set(profile.locations.mapping_files) if m and rx.search(m)}
    out: set[int] = set()
    for lid, mfile, lines in zip(profile.locations.ids, profile.locations.mapping_files, profile.locations.lines):
        if mfile in hit_maps or any(f in hit_funcs for f, _ in lines):
            out.add(lid)
    return out


def stack_totals(
    profile: Profile, sample_index: int, focus: FrameFilter = None, ignore: FrameFilter = None
) -> StackTotals:
    """Sum one sample type per interned stack, keeping samples as pprof -focus/-ignore do."""
    vals = profile.values[sample_index]
    # pprof computes the total before applying focus/ignore (percentages of all samples).
    total = sum(map(abs, vals))
    focus_rx, ignore_rx = compile_regex(focus, "focus"), compile_regex(ignore, "ignore")
    keep = None
    if focus_rx is not None or ignore_rx is not None:
        ignored = matching_locations(profile, ignore_rx) if ignore_rx else set()
        focused = matching_locations(profile, focus_rx) if focus_rx else None
        ids, offs = profile.stack_ids, profile.stack_offsets
        keep = []
        for s in range(profile.num_stacks):
            seg = ids[offs[s] : offs[s + 1]]
            if ignored and not ignored.isdisjoint(seg):
                keep.append(False)
            elif focused is not None:
                keep.append(not focused.isdisjoint(seg))
            else:
                keep.append(True)
    return StackTotals(sum_per_stack(profile.sample_stack, vals, profile.num_stacks, keep, total), total)


def top(
    profile: Profile,
    sample_index: int | str | None = None,
    *,
    granularity: str = "functions",
    sort: str = "flat",
    focus: FrameFilter = None,
    ignore: FrameFilter = None,
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
        rows.append(
            TopRow(
                key=info.key,
                name=info.name or info.key,
                file=info.file,
                line=info.line,
                flat=flat[i],
                flat_pct=_pct(flat[i], total),
                sum_pct=_pct(running, total),
                cum=cum[i],
                cum_pct=_pct(cum[i], total),
                inline=label,
            )
        )
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
