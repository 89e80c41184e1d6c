"""The goroutine tree from other angles: by a pprof label, by creator, by similar stack.

A pivot regroups the grouped tree (``fastgroup.group_debug2_text``
or ``grouping.group_stack_counts``) without going back to the dump, so it costs next to nothing
(the tree holds a few hundred stacks however many goroutines there are). Its result has the tree's
own shape, three levels, so the goroutine pane, the ``goroutines`` text and JSON, the ``/`` filter
and the drill-downs take it as they are:

- level 1 (``ReasonGroup``): the pivot's value; ``reason`` holds its title ("tenant=acme",
  "main.(*Spawner).run", ...), ``key`` its stable identity ("label:tenant=acme", ...);
- level 2 (``BucketGroup``): by label and by similar stack, the wait reason (" (leaked)" for
  Go's proven leaks: ``label``); by creator, the spawn chain above the creator ("← main.serve ←
  main.main", from Go 1.21's "created by f in goroutine N");
- level 3 (``StackGroup``): the stacks, each merged over its age buckets; ``source_keys`` are the
  reason tree's stack keys it stands for (growth marks and the leak tracker's series follow those);
  ``leaked`` as in the tree.

Keys are built from values, never positions, so a refresh keeps open nodes and the cursor.
Counts are exact: labels are counted per distinct label set (``StackGroup.label_counts``, at most
``grouping.MAX_LABEL_SETS`` per stack: the goroutines of the sets past it are "(labels not kept)"),
creators per creating goroutine (``StackGroup.creator_chains``). Ages of a stack split by label
are the stack's (a dump says minutes per goroutine, the tree keeps them per stack).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tui.core.names import RUNTIME_PLUMBING
from tui.goroutines.grouping import (
    CREATOR_CYCLE,
    CREATOR_GONE,
    CREATOR_NOT_KEPT,
    ReasonGroup,
    StackGroup,
)
from tui.goroutines.pivot_tree import (
    Placement,
    all_stacks,
    assemble,
    bucket_of,
    reason_key,
    reason_of,
    stack_hash,
)
from tui.goroutines.records import Frame, Labels

KINDS = ("reason", "label", "creator", "similar")
SIMILAR_LEVELS = ("exact", "func", "top")
DEFAULT_TOP = 5
NO_LABEL = "(none)"
LABELS_NOT_KEPT = "(labels not kept)"
OTHER_VALUES = "(other values)"
MAX_VALUES = 500  # label values shown as groups of their own (the biggest); the rest: OTHER_VALUES
NO_CREATOR = "(no creator: main or runtime)"
NO_CREATOR_ID = "(creator not in the dump: Go < 1.21)"
CREATOR_IS_ROOT = "← in main (or a runtime goroutine)"


@dataclass(frozen=True, slots=True)
class Pivot:
    """How to group: ``kind`` one of KINDS; ``label_key`` for "label"; ``level`` ("exact", "func"
    or "top" with ``top`` frames) for "similar"."""

    kind: str = "reason"
    label_key: str = ""
    level: str = "func"
    top: int = DEFAULT_TOP

    @property
    def spec(self) -> str:
        """As typed: ``reason``, ``label:KEY``, ``creator``, ``similar:func``, ``similar:top5``."""
        if self.kind == "label":
            return f"label:{self.label_key}"
        if self.kind == "similar":
            return f"similar:{self.level}{self.top if self.level == 'top' else ''}"
        return self.kind

    @property
    def title(self) -> str:
        """For the pane title and the text report's head."""
        if self.kind == "label":
            return f"by label {self.label_key}" if self.label_key else "by label (none in this dump)"
        if self.kind == "creator":
            return "by creator"
        if self.kind == "similar":
            what = {"exact": "identical", "func": "same functions", "top": f"same top {self.top} frames"}
            return f"by similar stack ({what.get(self.level, self.level)})"
        return "by reason"


def parse_pivot(text: str) -> Pivot:
    """``reason`` | ``label:KEY`` | ``creator`` | ``similar[:exact|func|topN]``; ValueError in words."""
    kind, _, arg = text.strip().partition(":")
    if kind == "label":
        if not arg:
            raise ValueError("label needs a key: label:KEY")
        return Pivot("label", label_key=arg)
    if kind == "similar":
        level = arg or "func"
        if level in ("exact", "func"):
            return Pivot("similar", level=level)
        if level.startswith("top"):
            digits = level[3:].lstrip(":") or str(DEFAULT_TOP)
            if digits.isdigit() and int(digits) > 0:
                return Pivot("similar", level="top", top=min(int(digits), 100))
        raise ValueError(f"unknown similarity {level!r}: exact, func or topN (top5)")
    if kind in ("reason", "creator") and not arg:
        return Pivot(kind)
    raise ValueError(f"unknown grouping {text!r}: reason, label:KEY, creator or similar[:exact|func|topN]")


def parse_label_filter(text: str) -> tuple[str, str]:
    """``key=value`` -> (key, value); ValueError in words."""
    key, eq, value = text.partition("=")
    if not eq or not key:
        raise ValueError(f"not key=value: {text!r}")
    return key, value


# --- labels -----------------------------------------------------------------------------------


def label_keys(groups: Iterable[ReasonGroup]) -> tuple[str, ...]:
    """The label keys of the tree's goroutines, most goroutines first (then by name)."""
    counts: dict[str, int] = {}
    for stack in all_stacks(groups):
        for labels, n in stack.label_counts:
            for key, _ in labels:
                counts[key] = counts.get(key, 0) + n
    return tuple(sorted(counts, key=lambda k: (-counts[k], k)))


def _value_counts(stack: StackGroup, key: str) -> dict[str, int]:
    """Goroutines of ``stack`` per value of label ``key`` (NO_LABEL without it)."""
    counts: dict[str, int] = {}
    kept = 0
    for labels, n in stack.label_counts:
        kept += n
        title = _value_title(labels, key)
        counts[title] = counts.get(title, 0) + n
    if stack.count > kept:
        counts[LABELS_NOT_KEPT] = counts.get(LABELS_NOT_KEPT, 0) + stack.count - kept
    return counts


def _matching(stack: StackGroup, filters: Sequence[tuple[str, str]]) -> tuple[tuple[Labels, int], ...]:
    return tuple((labels, n) for labels, n in stack.label_counts if all(pair in labels for pair in filters))


def filter_labels(groups: Sequence[ReasonGroup], filters: Sequence[tuple[str, str]]) -> tuple[ReasonGroup, ...]:
    """Only the goroutines whose labels hold every ``(key, value)`` of ``filters``: stacks keep the
    count of their matching label sets, groups left empty go. Any tree shape (reason tree, pivot)."""
    if not filters:
        return tuple(groups)
    result = []
    for rg in groups:
        buckets = []
        for bg in rg.buckets:
            stacks = []
            for sg in bg.stacks:
                kept = _matching(sg, filters)
                count = sum(n for _, n in kept)
                if count:
                    stacks.append(_share(sg, count, kept))
            if stacks:
                buckets.append(bucket_of(bg.key, bg.label, stacks, lo=bg.lo, hi=bg.hi))
        if buckets:
            result.append(reason_of(rg.key, rg.reason, buckets, leaked=rg.leaked, inferred=rg.inferred))
    result.sort(key=lambda r: (-r.count, r.key))
    return tuple(result)


def _share(sg: StackGroup, count: int, label_counts: tuple[tuple[Labels, int], ...]) -> StackGroup:
    """``sg`` cut to ``count`` of its goroutines (those of ``label_counts``). Its sample goroutine
    ids are kept only when they are all of that share (the whole stack)."""
    if count == sg.count:
        return replace(sg, label_counts=label_counts)
    seen = tuple(dict.fromkeys(pair for labels, _ in label_counts for pair in labels))
    return replace(sg, count=count, label_counts=label_counts, labels_seen=seen, sample_ids=(), creator_chains=())


def _value_title(labels: Labels, key: str) -> str:
    value = next((v for k, v in labels if k == key), None)
    return NO_LABEL if value is None else f"{key}={value}"


def _by_label(groups: Sequence[ReasonGroup], key: str) -> Iterable[Placement]:
    """Each stack's goroutines under the value of ``key`` they carry; past the MAX_VALUES biggest
    values (a request id as a label), under OTHER_VALUES."""
    per_stack = [(sg, _value_counts(sg, key)) for sg in all_stacks(groups)]
    totals: dict[str, int] = {}
    for _, values in per_stack:
        for title, n in values.items():
            totals[title] = totals.get(title, 0) + n
    shown = set(sorted(totals, key=lambda t: (-totals[t], t))[:MAX_VALUES])
    for sg, values in per_stack:
        merged: dict[str, int] = {}
        for title, n in values.items():
            title = title if title in shown else OTHER_VALUES
            merged[title] = merged.get(title, 0) + n
        for title, n in merged.items():
            if len(merged) == 1:
                share = sg
            else:
                kept = tuple(
                    (lab, c)
                    for lab, c in sg.label_counts
                    if (t := _value_title(lab, key)) == title or (title == OTHER_VALUES and t not in shown)
                )
                share = _share(sg, n, kept)
            yield f"label:{title}", title, reason_key(sg), share


def _chain_text(chain: tuple[str, ...]) -> str:
    if not chain:
        return CREATOR_IS_ROOT
    if chain == (CREATOR_NOT_KEPT,):
        return CREATOR_NOT_KEPT
    return "← " + " ← ".join(chain)


def _by_creator(groups: Sequence[ReasonGroup]) -> Iterable[Placement]:
    for sg in all_stacks(groups):
        func = sg.created_by.func if sg.created_by is not None else ""
        title = func or NO_CREATOR
        key1 = f"creator:{func}"
        if not sg.creator_chains:
            yield key1, title, NO_CREATOR_ID if func else NO_CREATOR, sg
            continue
        kept = 0
        for chain, n in sg.creator_chains:
            kept += n
            share = sg if n == sg.count else replace(sg, count=n, sample_ids=(), creator_chains=((chain, n),))
            yield key1, title, _chain_text(chain), share
        if sg.count > kept:  # goroutines of creators past MAX_CREATOR_IDS
            yield key1, title, CREATOR_NOT_KEPT, replace(sg, count=sg.count - kept, sample_ids=(), creator_chains=())


def _leaf_frames(frames: Sequence[Frame]) -> Sequence[Frame]:
    """``frames`` without the leading wait plumbing (all of them if that is all there is)."""
    for i, frame in enumerate(frames):
        if not frame.func.startswith(RUNTIME_PLUMBING):
            return frames[i:]
    return frames


def similarity_key(sg: StackGroup, level: str, top: int = DEFAULT_TOP) -> str:
    """The stack's class at ``level``: "exact" its identity (frames, lines, created-by); "func" its
    function names (lines, arguments and the created-by site ignored); "top" its first ``top``
    function names past the wait plumbing."""
    if level == "exact":
        return stack_hash(sg)
    frames = _leaf_frames(sg.frames)
    names = [f.func for f in (frames[:top] if level == "top" else frames)]
    if level != "top" and sg.created_by is not None:
        names.append("created by " + sg.created_by.func)
    return hashlib.sha1("\n".join(names).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _similar_title(sg: StackGroup) -> str:
    frames = _leaf_frames(sg.frames)
    return frames[0].func if frames else "(no frames)"


def _by_similar(groups: Sequence[ReasonGroup], level: str, top: int) -> Iterable[Placement]:
    for sg in all_stacks(groups):
        key1 = f"similar:{level}{top if level == 'top' else ''}:{similarity_key(sg, level, top)}"
        yield key1, _similar_title(sg), reason_key(sg), sg


def pivot_groups(groups: Sequence[ReasonGroup], pivot: Pivot) -> tuple[ReasonGroup, ...]:
    """The tree ``groups`` regrouped by ``pivot`` (itself for "reason")."""
    inferred = any(g.inferred for g in groups)
    if pivot.kind == "reason":
        return tuple(groups)
    if pivot.kind == "label":
        result = assemble(_by_label(groups, pivot.label_key), inferred)
    elif pivot.kind == "creator":
        result = assemble(_by_creator(groups), inferred)
    elif pivot.kind == "similar":
        result = assemble(_by_similar(groups, pivot.level, pivot.top), inferred)
        result = tuple(_similar_titles(result))
    else:
        raise ValueError(f"unknown grouping {pivot.kind!r}")
    return result


def _similar_titles(groups: Iterable[ReasonGroup]) -> Iterable[ReasonGroup]:
    """A similar-stack group says how many distinct stacks it merged."""
    for rg in groups:
        distinct = len({stack_hash(s) for b in rg.buckets for s in b.stacks})
        yield replace(rg, reason=f"{rg.reason}  ({distinct} stacks)") if distinct > 1 else rg


def chain_lines(sg: StackGroup) -> list[str]:
    """The spawn chains of a stack as text lines ("12 × ← main.serve ← main.main"), for drill-downs."""
    return [f"{n:,} × {_chain_text(chain)}" for chain, n in sg.creator_chains]


__all__ = [
    "CREATOR_CYCLE",
    "CREATOR_GONE",
    "KINDS",
    "Pivot",
    "chain_lines",
    "filter_labels",
    "label_keys",
    "parse_label_filter",
    "parse_pivot",
    "pivot_groups",
    "similarity_key",
]
