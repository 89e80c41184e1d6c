"""Group a debug=2 dump straight from its text, without a Goroutine object per goroutine.

The aggregate path for big dumps (100k goroutines, 20-36 MB), used by the poller. The text is
read a piece at a time (about a megabyte, cut before a goroutine header), so what it costs
beyond the text itself is one piece and the groups, however many goroutines there are. In each
piece two regex passes strip argument values and creator goroutine ids, so goroutines with the
same stack share the same block text after their id; blocks are counted per key by a Counter
(in C); each distinct header and each distinct stack is parsed once, with the debug2 parser, so
both paths agree: the result equals the reference path's (one Goroutine record per goroutine, then grouped:
``tests/oracles/reference.py``, the tests' oracle) for anything Go
writes (not for lines of junk that end in " in goroutine N", and not in which goroutines are
left out when a limit is hit).

Work is bounded (tui.core.limits): the first ``max_stacks`` distinct stacks are grouped, holding
at most FRAMES_PER_STACK x ``max_stacks`` frames; goroutines on any other stack are counted,
not grouped (``dropped``), and ``notes`` says so. A stack past the limit is never parsed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tui.core import limits
from tui.core.limits import LimitNote
from tui.goroutines.buckets import DEFAULT_BUCKETS, check_buckets
from tui.goroutines.debug2 import (
    BLOCK_SPLIT,
    FIRST_HEADER,
    SERVING_FUNC,
    Header,
    normalise_newlines,
    parse_block,
    parse_header,
    split_blocks,
)
from tui.goroutines.grouping import (
    MAX_SAMPLE_IDS,
    NOT_KEPT_ID,
    Accumulator,
    CellKey,
    ReasonGroup,
    StackInfo,
    build_groups,
    stack_signature,
)
from tui.goroutines.reasons import normalise_reason
from tui.goroutines.spawn_chain import IN_GOROUTINE, resolve_spawn, split_creator
from tui.goroutines.work_limits import ReasonLimit, StackLimit

# Argument lists (except "(...)", which marks an inlined frame), at line ends. Headers end with
# ':' so they are never touched. The +0x offsets stay: they are the same for every goroutine at
# the same call site. " in goroutine 12" of created-by lines stays in the key (goroutines of one
# stack are counted per creator, for the spawn tree) and is cut from the stack text (_split_creator).
_ARGS = re.compile(r"\((?!\.\.\.\))[^()\n]*\)\n")
_CREATOR_ID = re.compile(r" in goroutine \d+\n")
# A piece whose blocks make more distinct keys than this (goroutines of one stack started by many
# goroutines: a handler per request that starts one) is keyed without creator ids, as before
# creators were counted, and so are the pieces after it: their goroutines' creators are "(creator
# not kept)". Bounds the work per key, and keys a dump once more at most.
_MAX_KEYS_PER_PIECE = 512
_GOROUTINE_ID = re.compile(r"goroutine (\d+)")
_DIGITS = "0123456789"
# Where a piece may end: before a header line.
_NEXT_HEADER = re.compile(r"\n(?=goroutine \d+ )")
PIECE = 1 << 20  # characters per piece (about a megabyte): a short hold of the GIL each
_HEADER_CACHE = 4096  # distinct header texts remembered (they repeat: reason, minutes)
# A block's key is its text with the goroutine id replaced by NUL (pieces holding a NUL are keyed
# block by block).
_HEAD_ID = re.compile(r"\ngoroutine \d+")  # a literal start: far faster than (?m)^
_KEY_PREFIX = "goroutine \0"


@dataclass(frozen=True, slots=True)
class GroupedDump:
    groups: tuple[ReasonGroup, ...]
    total: int  # goroutines in the text (grouped, serving and dropped)
    truncated: bool
    dropped: int  # counted, not grouped: over max_goroutines, or on a stack past max_stacks
    serving: int  # goroutines serving the dump, left out of the groups
    notes: tuple[LimitNote, ...] = ()  # the limits reached, if any


def _pieces(text: str, start: int, size: int) -> Iterator[tuple[str, bool]]:
    """``text[start:]`` in pieces of about ``size`` characters, each cut before a header line.
    Yields (piece, is_last)."""
    n = len(text)
    while True:
        m = _NEXT_HEADER.search(text, start + size) if n - start > size else None
        if m is None:
            yield text[start:], True
            return
        yield text[start : m.end()], False
        start = m.end()


def _blocks(piece: str, last_piece: bool, *, odd: bool) -> tuple[list[str], str | None]:
    """Split a (normalised) piece into goroutine blocks. The very last block of the dump is
    returned apart: it may be cut off, and never shares a key."""
    blocks = [b for b in BLOCK_SPLIT.split(piece) if b] if odd else piece.split("\n\n")
    while blocks and not blocks[-1].strip():
        blocks.pop()
    if last_piece:
        return blocks, (blocks.pop() if blocks else None)
    if blocks and blocks[-1].endswith("\n"):  # the next header followed without a blank line
        blocks[-1] = blocks[-1][:-1]
    return blocks, None


def _key(block: str) -> str:
    """A block's key, one block at a time (odd pieces): as _HEAD_ID.sub makes it."""
    if block.startswith("goroutine ") and block[10:11].isdigit():
        return _KEY_PREFIX + block[10:].lstrip(_DIGITS)
    return "\0" + block


def _keys_of(norm: str, last_piece: bool) -> tuple[list[str], str | None, list[str] | None]:
    """(block keys, the dump's last block's key, the blocks with their ids when split one by one)."""
    odd = "\n\n\n" in norm or norm.count("\ngoroutine ") != norm.count("\n\ngoroutine ")
    if odd or "\0" in norm:
        blocks, last = _blocks(norm, last_piece, odd=odd)
        keys = [_key(b) for b in blocks]
        last_key = None if last is None else _key(last)
        return keys, last_key, blocks if last is None else [*blocks, last]
    keys, last_key = _blocks(_HEAD_ID.sub("\n" + _KEY_PREFIX, "\n" + norm)[1:], last_piece, odd=False)
    return keys, last_key, None


class _Grouper:
    """The groups so far and the limits: fed one piece of the dump at a time, in order."""

    def __init__(
        self,
        edges: tuple[int, ...],
        include_serving: bool,
        max_goroutines: int,
        max_stacks: int,
        max_frames: int,
        max_line: int,
    ) -> None:
        self.edges = edges
        self.include_serving = include_serving
        self.max_goroutines = max_goroutines
        self.limit = StackLimit(max_stacks)
        self.reasons = ReasonLimit()
        self.max_frames = max_frames
        self.max_line = max_line
        self.accs: dict[CellKey, Accumulator] = {}
        self.stacks: dict[str, StackInfo] = {}  # signature -> stack
        # hash of a normalised stack text -> its stack. Not the text: on a dump of distinct deep
        # stacks the texts would double what the stacks take (a 64-bit SipHash, salted per process:
        # two texts meeting by chance are as likely as nothing at all).
        self.by_text: dict[int, StackInfo] = {}
        self.headers: dict[str, Header | None] = {}
        self.kept = self.dropped = self.serving = 0
        self.truncated = False
        self.keep_creators = True  # False once a piece had too many creators (_MAX_KEYS_PER_PIECE)

    def header(self, rest: str) -> Header | None:
        """The header of a block whose text after ``goroutine <id>`` starts with ``rest``."""
        head = self.headers.get(rest, False)
        if head is False:
            if len(self.headers) >= _HEADER_CACHE:
                self.headers.clear()
            head = self.headers[rest] = parse_header(("goroutine 0" + rest)[: self.max_line * 4])
        return head  # type: ignore[return-value]

    def stack(self, stack_text: str, head: Header, *, last: bool) -> StackInfo | None:
        """The stack of a block (parsed once per distinct text); None past the limits."""
        info = None if last else self.by_text.get(hash(stack_text))
        if info is not None:
            return info
        if self.limit.full and not last:
            return None  # a stack past the limit is not even parsed (the dump's last block is: one)
        lines = stack_text.split("\n") if stack_text else []
        while lines and not lines[-1]:
            lines.pop()
        g, cut_off = parse_block(lines, head, last=last, max_frames=self.max_frames, max_line=self.max_line)
        self.truncated = self.truncated or cut_off
        elided = g.elided is not None
        signature = stack_signature(g.frames, g.created_by, elided)
        info = self.stacks.get(signature)
        if info is None:
            if not self.limit.new_stack(len(g.frames) + (g.created_by is not None)):
                return None
            info = self.stacks[signature] = StackInfo(g.frames, g.created_by, elided)
        if not last:
            self.by_text[hash(stack_text)] = info
        return info

    def add_piece(self, piece: str, last_piece: bool) -> None:
        norm = _ARGS.sub("\n", piece)
        del piece
        # Key: the block with its goroutine id taken out ("goroutine \0 [chan send]:\n..."), by one
        # regex pass in C. A block that does not start with a header keeps its text, so it never
        # borrows a valid block's key (it fails to parse, like in parse_debug2). Odd pieces (a
        # header right after a stack line, more than one blank line, a NUL anywhere) per block.
        creators_kept = self.keep_creators
        if not creators_kept:
            norm = _CREATOR_ID.sub("\n", norm)
        keys, last_key, id_blocks = _keys_of(norm, last_piece)
        counts = Counter(keys)
        if creators_kept and len(counts) > _MAX_KEYS_PER_PIECE and IN_GOROUTINE in norm:
            # too many creators: key this piece and the rest of the dump without them
            self.keep_creators = creators_kept = False
            norm = _CREATOR_ID.sub("\n", norm)
            keys, last_key, id_blocks = _keys_of(norm, last_piece)
            counts = Counter(keys)
        want: dict[str | None, CellKey] = {}  # keys whose cell still wants sample goroutine ids
        entries: list[tuple[str | None, int]] = list(counts.items())
        del counts
        if last_key is not None:
            entries.append((None, 1))
        for key, count in entries:
            text = last_key if key is None else key
            assert text is not None
            if not text.startswith(_KEY_PREFIX):
                continue  # not a goroutine block ("[originating from goroutine N]:" ancestry, junk)
            nl = text.find("\n")
            nl = len(text) if nl < 0 else nl
            head = self.header(text[len(_KEY_PREFIX) : nl])
            if head is None:
                continue
            room = max(0, self.max_goroutines - self.kept)
            if count > room:
                self.dropped += count - room
                count = room
                if count == 0:
                    continue
            stack_text, creator_id = split_creator(text[nl + 1 :])
            info = self.stack(stack_text, head, last=key is None)
            if info is None:
                self.limit.left_out += count
                continue
            if (
                not self.include_serving
                and head.status == "running"
                and any(f.func == SERVING_FUNC for f in info.frames)
            ):
                self.kept += count
                self.serving += count
                continue
            cell = (
                self.reasons.reason(normalise_reason(head.status, info.frames), count),
                head.leaked,
                bisect_right(self.edges, head.minutes or 0),
                info.hash,
            )
            acc = self.accs.get(cell)
            if acc is None:
                if not self.limit.new_entry():  # a cell per reason and age: bounded too
                    self.limit.left_out += count
                    continue
                acc = self.accs[cell] = Accumulator(info)
            self.kept += count
            if not creators_kept and info.created_by is not None:
                creator_id = NOT_KEPT_ID
            acc.add(head.minutes, None, head.labels, count, raw_reason=head.status, creator_id=creator_id)
            if len(acc.ids) < MAX_SAMPLE_IDS:
                want[key] = cell
        if want:
            if id_blocks is None:  # the blocks with their ids, split as the keys were
                id_blocks, last = _blocks(norm, last_piece, odd=False)
                if last is not None:
                    id_blocks.append(last)
            self.sample_ids(want, keys, last_key is not None, id_blocks)

    def sample_ids(
        self, want: dict[str | None, CellKey], keys: list[str], has_last: bool, id_blocks: list[str]
    ) -> None:
        """The first goroutine ids of each cell that has fewer than MAX_SAMPLE_IDS, in document order
        (the blocks of ``keys``, then the dump's last block when ``has_last``)."""
        found: dict[CellKey, list[int]] = {}
        for index, key in enumerate(keys):
            cell = want.get(key)
            if cell is not None:
                seen = found.setdefault(cell, [])
                if len(seen) < MAX_SAMPLE_IDS:
                    seen.append(index)
        if has_last and None in want:
            found.setdefault(want[None], []).append(len(keys))
        for cell, indices in found.items():
            acc = self.accs[cell]
            for i in sorted(indices)[: MAX_SAMPLE_IDS - len(acc.ids)]:
                m = _GOROUTINE_ID.match(id_blocks[i])
                acc.ids.append(int(m.group(1)[:20]) if m else 0)  # a 5000-digit id is no ValueError

    def notes(self) -> tuple[LimitNote, ...]:
        notes = [note] if (note := self.limit.note()) is not None else []
        if (note := self.reasons.note()) is not None:
            notes.append(note)
        if self.dropped:
            notes.append(LimitNote("goroutines", self.max_goroutines, "--max-goroutines", self.dropped, "goroutines"))
        return tuple(notes)


def group_debug2_text(
    text: str,
    *,
    buckets: tuple[int, ...] = DEFAULT_BUCKETS,
    include_serving: bool = False,
    max_goroutines: int = limits.MAX_GOROUTINES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
) -> GroupedDump:
    """Group a goroutine?debug=2 dump. Raises ParseError if the text holds no goroutine header.

    Blocks are keyed by their text after the goroutine id (header rest + normalised stack);
    goroutines are counted per key in C (Counter); each distinct header and stack is parsed once.
    """
    edges = check_buckets(buckets)
    text = normalise_newlines(text)
    first = FIRST_HEADER.search(text)
    if first is None:
        split_blocks(text)  # raises the right ParseError
    grouper = _Grouper(edges, include_serving, max_goroutines, max_stacks, max_frames, max_line)
    grouper.truncated = not text.endswith("\n")
    for piece, last_piece in _pieces(text, first.start() if first else 0, PIECE):
        grouper.add_piece(piece, last_piece)
    creators = {cid for acc in grouper.accs.values() for cid in acc.creators}
    spawn = resolve_spawn(text, creators, max_line=max_line) if creators else None
    return GroupedDump(
        groups=build_groups(grouper.accs, edges, spawn=spawn),
        total=grouper.kept + grouper.dropped + grouper.limit.left_out,
        truncated=grouper.truncated,
        dropped=grouper.dropped + grouper.limit.left_out,
        serving=grouper.serving,
        notes=grouper.notes(),
    )
