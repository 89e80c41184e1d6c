"""Group goroutines by wait reason -> wait-duration bucket -> identical stack.

Identical stack = same function names and file:line for every frame (argument values,
+0x offsets and the creator's goroutine id ignored) plus the same created-by site.
Keys are stable strings (across polls and processes): ``reason``, ``reason|bucket``,
``reason|bucket|<sha1 of the stack signature>``.

For debug=1 / proto counts (no wait reasons, no ages) the reason is *inferred* from the
runtime frames at the top of the stack (``runtime.chansend`` -> "chan send", ...:
``tui.goroutines.reasons``); ``ReasonGroup.inferred`` says so, and stacks we cannot map are
grouped under "unknown". Age buckets: ``tui.goroutines.buckets``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.goroutines.buckets import bucket_bounds, bucket_label
from tui.goroutines.reasons import infer_reason
from tui.goroutines.records import Frame, Labels, StackCounts

MAX_SAMPLE_IDS = 5
MAX_LABELS_SEEN = 16
MAX_RAW_REASONS = 4
MAX_LABEL_SETS = 64  # distinct label sets counted per stack group (the rest: LabelCounts' gap)
MAX_CREATOR_IDS = 64  # distinct creating goroutines counted per stack group (the rest: "(not kept)")
MAX_SPAWN_DEPTH = 8  # creators followed up the spawn tree ("created by f in goroutine N", Go 1.21+)
# Spawn-chain ends (tui.goroutines.pivots shows them as text):
CREATOR_GONE = "(creator exited)"  # the creating goroutine is not in the dump
CREATOR_CYCLE = "(cycle)"  # ids reused: the chain came back to a goroutine already on it
CREATOR_NOT_KEPT = "(creator not kept)"  # more distinct creators than MAX_CREATOR_IDS (or the fast path's bound)
NOT_KEPT_ID = -1  # Accumulator.creators: the goroutines whose creator id was not kept


@dataclass(frozen=True, slots=True)
class StackGroup:
    key: str
    reason: str
    count: int
    frames: tuple[Frame, ...]  # normalised: no args, no offsets
    created_by: Frame | None
    labels_seen: Labels  # distinct (key, value) pairs, at most MAX_LABELS_SEEN
    sample_ids: tuple[int, ...]  # first goroutine ids seen (debug=2 only)
    min_minutes: int | None  # None when ages are unknown (debug=1/proto)
    max_minutes: int | None
    leaked: bool
    elided: bool = False  # Go elided frames from this stack
    signature: str = ""  # the hashed text: "func file:line" lines
    # the wait reasons Go printed where ours differs (Go 1.19's "semacquire" shown as "sync.Mutex.Lock"):
    # `goroutines --match` and the / filter find a stack by either
    raw_reasons: tuple[str, ...] = ()
    # goroutines per distinct label set (() = unlabelled), biggest first; at most MAX_LABEL_SETS:
    # goroutines of the sets left out are count - sum of these (tui.goroutines.pivots says so)
    label_counts: tuple[tuple[Labels, int], ...] = ()
    # the spawn tree above ``created_by`` (Go 1.21+ "in goroutine N"): the creating goroutine's own
    # created-by function, then its creator's, ... (ending in CREATOR_GONE / CREATOR_CYCLE when so),
    # with the goroutines per chain, biggest first. () for a goroutine the dump gives no creator id.
    creator_chains: tuple[tuple[tuple[str, ...], int], ...] = ()
    # the tree keys (reason|bucket|hash) this group stands for: itself in the reason tree; the
    # stacks a pivot (tui.goroutines.pivots) merged into it
    source_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BucketGroup:
    key: str
    label: str  # "<1m", "1–5m", "1–4h", "≥4h"; "age unknown" for debug=1/proto
    lo: int | None  # minutes, inclusive
    hi: int | None  # minutes, exclusive; None = no upper bound
    count: int
    min_minutes: int | None
    max_minutes: int | None
    stacks: tuple[StackGroup, ...]


@dataclass(frozen=True, slots=True)
class ReasonGroup:
    key: str  # reason, plus " (leaked)" for proven leaks
    reason: str
    count: int
    leaked: bool
    buckets: tuple[BucketGroup, ...]
    min_minutes: int | None = None
    max_minutes: int | None = None
    inferred: bool = False  # reason derived from the stack (debug=1/proto), not printed by Go
    raw_reasons: tuple[str, ...] = ()  # what Go printed where it differs from ``reason`` (its stacks' raw_reasons)


# --- stacks -------------------------------------------------------------------------------


def normalise_frame(frame: Frame) -> Frame:
    return Frame(func=frame.func, file=frame.file, line=frame.line, inlined=frame.inlined)


def stack_signature(frames: Iterable[Frame], created_by: Frame | None, elided: bool) -> str:
    parts = [f"{f.func} {f.file}:{f.line}" for f in frames]
    if elided:
        parts.append("...frames elided...")
    if created_by is not None:
        parts.append(f"created by {created_by.func} {created_by.file}:{created_by.line}")
    return "\n".join(parts)


def signature_hash(signature: str) -> str:
    return hashlib.sha1(signature.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class StackInfo:
    """One distinct stack: normalised frames, signature and its hash (computed once)."""

    __slots__ = ("created_by", "elided", "frames", "hash", "signature")

    def __init__(self, frames: Iterable[Frame], created_by: Frame | None, elided: bool) -> None:
        self.frames = tuple(normalise_frame(f) for f in frames)
        self.created_by = normalise_frame(created_by) if created_by is not None else None
        self.elided = elided
        self.signature = stack_signature(self.frames, self.created_by, elided)
        self.hash = signature_hash(self.signature)


class Accumulator:
    """Running totals for one (reason, leaked, bucket, stack) cell."""

    __slots__ = ("count", "creators", "ids", "label_sets", "labels", "max", "min", "raw", "stack")

    def __init__(self, stack: StackInfo) -> None:
        self.stack = stack
        self.count = 0
        self.min: int | None = None
        self.max: int | None = None
        self.ids: list[int] = []
        self.labels: dict[tuple[str, str], None] = {}
        self.raw: dict[str, None] = {}  # wait reasons as Go printed them, where ours differs
        self.label_sets: dict[Labels, int] = {}
        self.creators: dict[int, int] = {}  # creating goroutine id -> goroutines it created here

    def add(
        self,
        minutes: int | None,
        gid: int | None,
        labels: Labels,
        count: int = 1,
        raw_reason: str | None = None,
        creator_id: int | None = None,
    ) -> None:
        """Count ``count`` goroutines; ``raw_reason``: the status Go printed, kept when the
        cell's reason (normalise_reason) differs from it; ``creator_id``: "in goroutine N"."""
        self.count += count
        sets = self.label_sets
        if labels in sets:
            sets[labels] += count
        elif len(sets) < MAX_LABEL_SETS:
            sets[labels] = count
        if creator_id is not None:
            creators = self.creators
            if creator_id in creators:
                creators[creator_id] += count
            elif len(creators) < MAX_CREATOR_IDS:
                creators[creator_id] = count
            else:
                creators[NOT_KEPT_ID] = creators.get(NOT_KEPT_ID, 0) + count
        if raw_reason is not None and raw_reason not in self.raw and len(self.raw) < MAX_RAW_REASONS:
            self.raw[raw_reason] = None
        if minutes is not None:
            if self.min is None or minutes < self.min:
                self.min = minutes
            if self.max is None or minutes > self.max:
                self.max = minutes
        if gid is not None and len(self.ids) < MAX_SAMPLE_IDS:
            self.ids.append(gid)
        if labels and len(self.labels) < MAX_LABELS_SEEN:
            for pair in labels:
                if len(self.labels) >= MAX_LABELS_SEEN:
                    break
                self.labels[pair] = None


# Cell key: (reason, leaked, bucket index or -1 for "age unknown", stack hash)
CellKey = tuple[str, bool, int, str]


def min_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def max_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def raw_reasons_of(stacks: Iterable[StackGroup]) -> tuple[str, ...]:
    """The distinct raw reasons of ``stacks``, in order of first appearance."""
    return tuple(dict.fromkeys(r for s in stacks for r in s.raw_reasons))


Spawn = Mapping[int, tuple[str, int | None]]  # goroutine id -> (its created-by function, its creator's id)


def spawn_chain(creator_id: int, spawn: Spawn) -> tuple[str, ...]:
    """The created-by functions up the spawn tree from goroutine ``creator_id``: its own creator
    function, its creator's, ...; ends in CREATOR_GONE when a creator is not in the dump, in
    CREATOR_CYCLE when ids come round (reused), at a goroutine with no creator (main, runtime) or
    after MAX_SPAWN_DEPTH steps."""
    chain: list[str] = []
    seen = {creator_id}
    gid: int | None = creator_id
    while gid is not None and len(chain) < MAX_SPAWN_DEPTH:
        entry = spawn.get(gid)
        if entry is None:
            chain.append(CREATOR_GONE)
            break
        func, gid = entry
        if not func:
            break  # no "created by": main or a runtime goroutine
        chain.append(func)
        if gid is not None and gid in seen:
            chain.append(CREATOR_CYCLE)
            break
        if gid is not None:
            seen.add(gid)
    return tuple(chain)


def _chains(acc: Accumulator, spawn: Spawn | None) -> tuple[tuple[tuple[str, ...], int], ...]:
    if not acc.creators or spawn is None:
        return ()
    counts: dict[tuple[str, ...], int] = {}
    for cid, n in acc.creators.items():
        chain = (CREATOR_NOT_KEPT,) if cid == NOT_KEPT_ID else spawn_chain(cid, spawn)
        counts[chain] = counts.get(chain, 0) + n
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _label_counts(acc: Accumulator) -> tuple[tuple[Labels, int], ...]:
    return tuple(sorted(acc.label_sets.items(), key=lambda kv: (-kv[1], kv[0])))


def build_groups(
    cells: dict[CellKey, Accumulator],
    edges: tuple[int, ...],
    *,
    inferred: bool = False,
    spawn: Spawn | None = None,
) -> tuple[ReasonGroup, ...]:
    """Fold accumulated cells into sorted ReasonGroup -> BucketGroup -> StackGroup trees.
    ``spawn`` resolves the cells' creator ids into spawn chains."""
    tree: dict[tuple[str, bool], dict[int, list[StackGroup]]] = {}
    for (reason, leaked, bucket, _), acc in cells.items():
        rkey = f"{reason} (leaked)" if leaked else reason
        blabel = bucket_label(bucket, edges) if bucket >= 0 else "age unknown"
        key = f"{rkey}|{blabel}|{acc.stack.hash}"
        sg = StackGroup(
            key=key,
            reason=reason,
            count=acc.count,
            frames=acc.stack.frames,
            created_by=acc.stack.created_by,
            labels_seen=tuple(acc.labels),
            sample_ids=tuple(acc.ids),
            min_minutes=(acc.min if acc.min is not None else 0) if bucket >= 0 else None,
            max_minutes=(acc.max if acc.max is not None else 0) if bucket >= 0 else None,
            leaked=leaked,
            elided=acc.stack.elided,
            signature=acc.stack.signature,
            raw_reasons=tuple(r for r in acc.raw if r != reason),
            label_counts=_label_counts(acc),
            creator_chains=_chains(acc, spawn),
            source_keys=(key,),
        )
        tree.setdefault((reason, leaked), {}).setdefault(bucket, []).append(sg)
    result = []
    for (reason, leaked), buckets in tree.items():
        rkey = f"{reason} (leaked)" if leaked else reason
        bgroups = []
        for bucket, stacks in buckets.items():
            stacks.sort(key=lambda g: (-g.count, g.key))
            blabel = bucket_label(bucket, edges) if bucket >= 0 else "age unknown"
            lo, hi = bucket_bounds(bucket, edges) if bucket >= 0 else (None, None)
            bgroups.append(
                BucketGroup(
                    key=f"{rkey}|{blabel}",
                    label=blabel,
                    lo=lo,
                    hi=hi,
                    count=sum(s.count for s in stacks),
                    min_minutes=min_known(s.min_minutes for s in stacks),
                    max_minutes=max_known(s.max_minutes for s in stacks),
                    stacks=tuple(stacks),
                )
            )
        # Oldest bucket first inside a reason: the long waits are what the user hunts.
        bgroups.sort(key=lambda b: -(b.lo if b.lo is not None else -1))
        result.append(
            ReasonGroup(
                key=rkey,
                reason=reason,
                count=sum(b.count for b in bgroups),
                leaked=leaked,
                buckets=tuple(bgroups),
                min_minutes=min_known(b.min_minutes for b in bgroups),
                max_minutes=max_known(b.max_minutes for b in bgroups),
                inferred=inferred,
                raw_reasons=raw_reasons_of(s for b in bgroups for s in b.stacks),
            )
        )
    result.sort(key=lambda r: (-r.count, r.key))
    return tuple(result)


def group_stack_counts(counts: StackCounts, leaks: StackCounts | None = None) -> tuple[ReasonGroup, ...]:
    """Group debug=1 / proto records: reason inferred from the stack, one "age unknown" bucket.

    ``leaks`` (goroutineleak?debug=1 or its proto) carries Go's proven-leaked marks in: as many
    goroutines of a stack as the leak profile counts under the same match key are grouped as
    leaked (the leak profile hides the runtime frames; the match key drops them)."""
    from tui.goroutines.match_keys import match_key

    leaked_left: dict[str, int] = {}
    if leaks is not None:
        for record in leaks.records:
            k = match_key(record.frames)
            leaked_left[k] = leaked_left.get(k, 0) + record.count
    cells: dict[CellKey, Accumulator] = {}
    all_leaked = counts.kind == "goroutineleak"

    def add(info: StackInfo, reason: str, leaked: bool, labels: Labels, n: int) -> None:
        key = (reason, leaked, -1, info.hash)
        acc = cells.get(key)
        if acc is None:
            acc = cells[key] = Accumulator(info)
        acc.add(None, None, labels, n)

    for record in counts.records:
        info = StackInfo(record.frames, None, False)
        reason = infer_reason(info.frames)
        proven = record.count if all_leaked else 0
        if leaked_left:
            k = match_key(record.frames)
            proven = min(record.count, leaked_left.get(k, 0))
            if proven:
                leaked_left[k] -= proven
        if proven:
            add(info, reason, True, record.labels, proven)
        if record.count > proven:
            add(info, reason, False, record.labels, record.count - proven)
    return build_groups(cells, (), inferred=True)
