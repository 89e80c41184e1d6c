"""Building a pivoted goroutine tree (tui.goroutines.pivots): placements — (level-1 key, title, level-2
label, a stack's share) — assembled into the tree's three levels, the shares of one stack merged back into
one group, counts and ages summed, keys built from values only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from tui.goroutines.grouping import (
    MAX_SAMPLE_IDS,
    BucketGroup,
    ReasonGroup,
    StackGroup,
    max_known,
    min_known,
    raw_reasons_of,
)
from tui.goroutines.records import Labels


def all_stacks(groups: Iterable[ReasonGroup]) -> Iterable[StackGroup]:
    for rg in groups:
        for bg in rg.buckets:
            yield from bg.stacks


def stack_hash(sg: StackGroup) -> str:
    return sg.key.rsplit("|", 1)[-1]


def reason_key(sg: StackGroup) -> str:
    return f"{sg.reason} (leaked)" if sg.leaked else sg.reason


def merge_shares(key: str, parts: Sequence[StackGroup]) -> StackGroup:
    """One stack's shares (several age buckets, or label shares) as one group."""
    first = parts[0]
    if len(parts) == 1:
        return replace(first, key=key)
    labels: dict[Labels, int] = {}
    chains: dict[tuple[str, ...], int] = {}
    for p in parts:
        for lab, n in p.label_counts:
            labels[lab] = labels.get(lab, 0) + n
        for chain, n in p.creator_chains:
            chains[chain] = chains.get(chain, 0) + n
    return replace(
        first,
        key=key,
        count=sum(p.count for p in parts),
        labels_seen=tuple(dict.fromkeys(pair for p in parts for pair in p.labels_seen)),
        sample_ids=tuple(i for p in parts for i in p.sample_ids)[:MAX_SAMPLE_IDS],
        min_minutes=min_known(p.min_minutes for p in parts),
        max_minutes=max_known(p.max_minutes for p in parts),
        elided=any(p.elided for p in parts),
        raw_reasons=tuple(dict.fromkeys(r for p in parts for r in p.raw_reasons)),
        label_counts=tuple(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        creator_chains=tuple(sorted(chains.items(), key=lambda kv: (-kv[1], kv[0]))),
        source_keys=tuple(dict.fromkeys(k for p in parts for k in (p.source_keys or (p.key,)))),
    )


def bucket_of(
    key: str, label: str, stacks: Sequence[StackGroup], *, lo: int | None = None, hi: int | None = None
) -> BucketGroup:
    ordered = tuple(sorted(stacks, key=lambda s: (-s.count, s.key)))
    return BucketGroup(
        key=key,
        label=label,
        lo=lo,
        hi=hi,
        count=sum(s.count for s in ordered),
        min_minutes=min_known(s.min_minutes for s in ordered),
        max_minutes=max_known(s.max_minutes for s in ordered),
        stacks=ordered,
    )


def reason_of(
    key: str, title: str, buckets: Sequence[BucketGroup], *, leaked: bool = False, inferred: bool = False
) -> ReasonGroup:
    ordered = tuple(sorted(buckets, key=lambda b: (-b.count, b.key)))
    return ReasonGroup(
        key=key,
        reason=title,
        count=sum(b.count for b in ordered),
        leaked=leaked,
        buckets=ordered,
        min_minutes=min_known(b.min_minutes for b in ordered),
        max_minutes=max_known(b.max_minutes for b in ordered),
        inferred=inferred,
        raw_reasons=raw_reasons_of(s for b in ordered for s in b.stacks),
    )


# (level-1 key, level-1 title, level-2 label, stack share) -> the three levels
Placement = tuple[str, str, str, StackGroup]


def assemble(placements: Iterable[Placement], inferred: bool) -> tuple[ReasonGroup, ...]:
    # level-1 key -> (title, level-2 label -> stack key -> shares)
    tree: dict[str, tuple[str, dict[str, dict[str, list[StackGroup]]]]] = {}
    for key1, title, label2, share in placements:
        level2 = tree.setdefault(key1, (title, {}))[1]
        level2.setdefault(label2, {}).setdefault(f"{reason_key(share)}|{stack_hash(share)}", []).append(share)
    result = []
    for key1, (title, level2) in tree.items():
        buckets = []
        for label2, stacks in level2.items():
            key2 = f"{key1}|{label2}"
            buckets.append(bucket_of(key2, label2, [merge_shares(f"{key2}|{k}", parts) for k, parts in stacks.items()]))
        leaked = sum(s.count for b in buckets for s in b.stacks if s.leaked)
        total = sum(b.count for b in buckets)
        if leaked:
            title = f"{title}  ({leaked:,} leaked)" if leaked < total else f"{title}  (all leaked)"
        result.append(reason_of(key1, title, buckets, inferred=inferred))
    result.sort(key=lambda r: (-r.count, r.key))
    return tuple(result)
