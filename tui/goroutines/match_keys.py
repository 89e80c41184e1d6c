"""Stable per-stack keys for goroutine growth series, shared by debug=2 groups, debug=1
counts and the goroutineleak profile (pure, stdlib only).

Matching rule (documented in docs/INTERNALS.md): a stack is identified by its frames'
``func file:line``, leaf first, after dropping the *leading* ``runtime.*`` frames (Go's
debug=1 writer hides them; debug=2 may show ``runtime.gopark`` & co. depending on the
version) — unless every frame is a runtime frame, then all are kept — and cut to the first
``MATCH_FRAMES`` frames (debug=1 records hold 32-128 PCs, debug=2 elides deep middles).
``created by`` is ignored (debug=1 does not print it), so two debug=2 stacks that differ only
in their creator share one series. The wait reason is *not* part of the key: debug=1 cannot
tell it, and a goroutine detected as leaked changes "chan send" into "chan send (leaked)".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.names import RUNTIME_PREFIX, WAIT_PLUMBING_PREFIXES
from tui.goroutines.records import Frame, StackCounts

MATCH_FRAMES = 24
GROUP_FUNCTIONS = 16
NO_FRAMES = "(no frames)"


@dataclass(frozen=True, slots=True)
class GroupObservation:
    """One stack group seen in one dump: the unit a growth series is made of."""

    key: str  # match_key(frames)
    reason: str  # "chan send", ...; inferred (often "unknown") for debug=1
    count: int
    min_minutes: int | None = None  # debug=2 only
    max_minutes: int | None = None
    leaked: bool = False  # marked "(leaked)" by Go, or listed by goroutineleak
    label: str = ""  # short display name: stack_label (the first frame past the wait plumbing)
    tree_keys: tuple[str, ...] = ()  # StackGroup keys in the debug=2 tree (reason|bucket|hash)
    # the functions of the stack outside the runtime, leaf first (at most GROUP_FUNCTIONS): what a heap
    # function must be to be these goroutines' own memory (tui/leaks/causes.py), and known leak shapes
    functions: tuple[str, ...] = ()


def match_frames(frames: Iterable[Frame]) -> tuple[tuple[str, str, int], ...]:
    """The (func, file, line) tuples a stack is matched on (see module docstring)."""
    all_frames = [(f.func, f.file, f.line) for f in frames]
    start = 0
    while start < len(all_frames) and all_frames[start][0].startswith(RUNTIME_PREFIX):
        start += 1
    kept = all_frames[start:] if start < len(all_frames) else all_frames
    return tuple(kept[:MATCH_FRAMES])


def match_key(frames: Iterable[Frame]) -> str:
    text = "\n".join(f"{func} {file}:{line}" for func, file, line in match_frames(frames))
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def stack_label(frames: Iterable[Frame]) -> str:
    """The group's display name: its first frame past the wait plumbing (WAIT_PLUMBING_PREFIXES);
    the first frame when every frame is plumbing; NO_FRAMES for an empty stack."""
    kept = match_frames(frames)
    for func, _, _ in kept:
        if not func.startswith(WAIT_PLUMBING_PREFIXES):
            return func
    return kept[0][0] if kept else NO_FRAMES


def stack_functions(frames: Iterable[Frame]) -> tuple[str, ...]:
    """The stack's distinct function names, leaf first, runtime frames left out (GROUP_FUNCTIONS at most)."""
    out: list[str] = []
    for f in frames:
        if f.func.startswith(RUNTIME_PREFIX) or f.func in out:
            continue
        out.append(f.func)
        if len(out) >= GROUP_FUNCTIONS:
            break
    return tuple(out)


class _Merged:
    """The observations of one key being merged: linear in their number (a dump with 150k distinct
    wait reasons on one stack was merged pairwise, each merge copying the tree keys so far)."""

    __slots__ = ("best", "count", "first", "functions", "label", "leaked", "maxs", "mins", "n", "tree_keys")

    def __init__(self, obs: GroupObservation) -> None:
        self.first = obs
        self.best = obs  # the biggest share names the reason (the first of equal ones)
        self.n = 1
        self.count = obs.count
        self.mins = [obs.min_minutes] if obs.min_minutes is not None else []
        self.maxs = [obs.max_minutes] if obs.max_minutes is not None else []
        self.leaked = obs.leaked
        self.label = obs.label
        self.functions = obs.functions
        self.tree_keys = dict.fromkeys(obs.tree_keys)

    def add(self, obs: GroupObservation) -> None:
        if obs.count > self.best.count:
            self.best = obs
        self.n += 1
        self.count += obs.count
        if obs.min_minutes is not None:
            self.mins.append(obs.min_minutes)
        if obs.max_minutes is not None:
            self.maxs.append(obs.max_minutes)
        self.leaked = self.leaked or obs.leaked
        self.label = self.label or obs.label
        self.functions = self.functions or obs.functions
        self.tree_keys.update(dict.fromkeys(obs.tree_keys))

    def result(self) -> GroupObservation:
        if self.n == 1:
            return self.first  # one observation: itself
        return GroupObservation(
            key=self.first.key,
            reason=self.best.reason,
            count=self.count,
            min_minutes=min(self.mins) if self.mins else None,
            max_minutes=max(self.maxs) if self.maxs else None,
            leaked=self.leaked,
            label=self.label,
            tree_keys=tuple(self.tree_keys),
            functions=self.functions,
        )


def _merge(into: dict[str, _Merged], obs: GroupObservation) -> None:
    old = into.get(obs.key)
    if old is None:
        into[obs.key] = _Merged(obs)
    else:
        old.add(obs)


def _merged(into: dict[str, _Merged]) -> tuple[GroupObservation, ...]:
    return tuple(m.result() for m in into.values())


def from_reason_groups(groups: Iterable[object]) -> tuple[GroupObservation, ...]:
    """Observations from the debug=2 tree (ReasonGroup -> BucketGroup -> StackGroup), merged by key."""
    out: dict[str, _Merged] = {}
    for rgroup in groups:
        for bucket in getattr(rgroup, "buckets", ()):
            for sg in getattr(bucket, "stacks", ()):
                frames = getattr(sg, "frames", ())
                _merge(
                    out,
                    GroupObservation(
                        key=match_key(frames),
                        reason=str(getattr(sg, "reason", "")),
                        count=int(getattr(sg, "count", 0)),
                        min_minutes=getattr(sg, "min_minutes", None),
                        max_minutes=getattr(sg, "max_minutes", None),
                        leaked=bool(getattr(sg, "leaked", False)),
                        label=stack_label(frames),
                        tree_keys=(str(getattr(sg, "key", "")),),
                        functions=stack_functions(frames),
                    ),
                )
    return _merged(out)


def from_stack_counts(counts: StackCounts) -> tuple[GroupObservation, ...]:
    """Observations from debug=1 / proto / goroutineleak counts (no ages; reason inferred)."""
    from tui.goroutines.reasons import infer_reason

    leaked = counts.kind == "goroutineleak"
    out: dict[str, _Merged] = {}
    for record in counts.records:
        _merge(
            out,
            GroupObservation(
                key=match_key(record.frames),
                reason=infer_reason(record.frames),
                count=int(record.count),
                leaked=leaked,
                label=stack_label(record.frames),
                functions=stack_functions(record.frames),
            ),
        )
    return _merged(out)
