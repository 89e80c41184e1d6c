"""Group a debug=2 dump straight from its text, without a Goroutine object per goroutine.

The aggregate path for big dumps (100k goroutines, 20-36 MB): two regex passes over the
whole text strip argument values and creator goroutine ids, so goroutines with the same
stack share the same block text after their id; blocks are counted per key by a Counter
(in C), and each distinct key is parsed once with the debug2 parser, so both paths agree:
the result equals ``group_goroutines(parse_debug2(text))`` for anything Go writes (not for
lines of junk that end in " in goroutine N", and not in which goroutines are dropped when
``max_goroutines`` is hit).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from tui.core import limits
from tui.goroutines.debug2 import (
    BLOCK_SPLIT,
    FIRST_HEADER,
    SERVING_FUNC,
    normalise_newlines,
    parse_block,
    parse_header,
    split_blocks,
)
from tui.goroutines.grouping import (
    DEFAULT_BUCKETS,
    MAX_SAMPLE_IDS,
    Accumulator,
    CellKey,
    ReasonGroup,
    StackInfo,
    build_groups,
    check_buckets,
    normalise_reason,
    stack_signature,
)
from tui.goroutines.records import Labels

# Argument lists (except "(...)", which marks an inlined frame) and " in goroutine 12" of
# created-by lines, at line ends. Headers end with ':' so they are never touched. The +0x
# offsets stay: they are the same for every goroutine at the same call site.
_ARGS = re.compile(r"\((?!\.\.\.\))[^()\n]*\)\n")
_CREATOR_ID = re.compile(r" in goroutine \d+\n")
_GOROUTINE_ID = re.compile(r"goroutine (\d+)")


@dataclass(frozen=True, slots=True)
class GroupedDump:
    groups: tuple[ReasonGroup, ...]
    total: int  # goroutines in the text (kept + dropped)
    truncated: bool
    dropped: int  # over the max_goroutines limit: counted, not grouped
    serving: int  # goroutines serving the dump, left out of the groups


_DIGITS = "0123456789"
_INNER_HEADER = re.compile(r"\ngoroutine \d+ ")


_CHUNK = 1 << 20


def _sub_in_chunks(pattern: re.Pattern[str], text: str) -> str:
    """``pattern.sub("\\n", text)`` a megabyte at a time, cut after a newline.

    The patterns match within one line and end at its newline, so no match crosses a cut.
    Each chunk is one short C call: a thread running this lets the UI thread take the GIL
    between chunks (one pass over a 30 MB dump would hold it for a few hundred ms).
    """
    if len(text) <= _CHUNK:
        return pattern.sub("\n", text)
    out = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK)
        end = len(text) if end < 0 else end + 1
        out.append(pattern.sub("\n", text[start:end]))
        start = end
    return "".join(out)


def _keyed_blocks(body: str) -> tuple[list[str], str, list[str], Counter[str]]:
    """Split into blocks; return (blocks, last block, key per block but the last, key counts).

    The key is the block text after the goroutine id. Blocks are separated by blank lines;
    in odd dumps a header follows a stack directly: found among the distinct keys (cheap),
    then the text is re-split with a regex.
    """
    for attempt in range(2):
        blocks = body.split("\n\n") if attempt == 0 else BLOCK_SPLIT.split(body)
        if "\n\n\n" in body:
            blocks = [b for b in blocks if b]
        while blocks and not blocks[-1].strip():
            blocks.pop()
        last = blocks.pop() if blocks else ""
        # Key: the text after "goroutine <id>"; blocks that do not start so get a key of their
        # own (they fail to parse, like in parse_debug2, and never borrow a valid block's key).
        keys = [
            b[10:].lstrip(_DIGITS) if b[10:11].isdigit() and b.startswith("goroutine ") else "\0" + b for b in blocks
        ]
        counts = Counter(keys)
        if attempt == 0 and (_INNER_HEADER.search(last) or any(_INNER_HEADER.search(k) for k in counts)):
            continue
        break
    return blocks, last, keys, counts


def group_debug2_text(
    text: str,
    *,
    buckets: tuple[int, ...] = DEFAULT_BUCKETS,
    include_serving: bool = False,
    max_goroutines: int = limits.MAX_GOROUTINES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
) -> GroupedDump:
    """Group a goroutine?debug=2 dump. Raises ParseError if the text holds no goroutine header.

    Blocks are keyed by their text after the goroutine id (header rest + normalised stack);
    goroutines are counted per key in C (Counter); each distinct key is parsed once.
    """
    edges = check_buckets(buckets)
    text = normalise_newlines(text)
    first = FIRST_HEADER.search(text)
    if first is None:
        split_blocks(text)  # raises the right ParseError
    body = text[first.start() :] if first else text
    ended_cleanly = body.endswith("\n")
    body = _sub_in_chunks(_CREATOR_ID, _sub_in_chunks(_ARGS, body))
    blocks, last, keys, counts = _keyed_blocks(body)
    first_seen: dict[str, list[int]] = {}
    for index, block_key in enumerate(keys):
        seen = first_seen.get(block_key)
        if seen is None:
            first_seen[block_key] = [index]
        elif len(seen) < MAX_SAMPLE_IDS:
            seen.append(index)

    # One entry per distinct key, in document order: (first index, count, goroutine-like fields).
    cells: dict[CellKey, list[tuple[int, list[tuple[int, int]], int, int | None, Labels]]] = {}
    infos: dict[CellKey, StackInfo] = {}
    stacks: dict[str, StackInfo] = {}
    by_text: dict[str, StackInfo] = {}
    kept = dropped = serving = 0
    truncated = not ended_cleanly
    entries: list[tuple[str | None, int, list[str], list[int]]] = [
        (key, counts[key], [blocks[i] for i in idx], idx) for key, idx in first_seen.items()
    ]
    if last:
        entries.append((None, 1, [last], [len(blocks)]))
    for key, count, sample_blocks, indices in entries:
        block = sample_blocks[0]
        nl = block.find("\n")
        if nl < 0:
            nl = len(block)
        head = parse_header(block[:nl][: max_line * 4])
        if head is None:
            continue
        room = max(0, max_goroutines - kept)
        if count > room:
            dropped += count - room
            count = room
            if count == 0:
                continue
        kept += count
        stack_text = block[nl + 1 :]
        info = by_text.get(stack_text) if key is not None else None
        if info is None:  # distinct headers (unique labels, say) often share one stack text
            lines = stack_text.split("\n") if stack_text else []
            while lines and not lines[-1]:
                lines.pop()
            g, cut_off = parse_block(lines, head, last=key is None, max_frames=max_frames, max_line=max_line)
            truncated = truncated or cut_off
            elided = g.elided is not None
            signature = stack_signature(g.frames, g.created_by, elided)
            info = stacks.get(signature)
            if info is None:
                info = stacks[signature] = StackInfo(g.frames, g.created_by, elided)
            if key is not None:
                by_text[stack_text] = info
        if not include_serving and head.status == "running" and any(f.func == SERVING_FUNC for f in info.frames):
            serving += count
            continue
        ids = []
        for b in sample_blocks:
            m = _GOROUTINE_ID.match(b)
            ids.append(int(m.group(1)[:20]) if m else 0)  # like parse_header: a 5000-digit id is no ValueError
        cell = (
            normalise_reason(head.status, info.frames),
            head.leaked,
            bisect_right(edges, head.minutes or 0),
            info.hash,
        )
        cells.setdefault(cell, []).append((indices[0], list(zip(indices, ids)), count, head.minutes, head.labels))
        infos[cell] = info

    accs: dict[CellKey, Accumulator] = {}
    for cell, parts in cells.items():
        acc = accs[cell] = Accumulator(infos[cell])
        parts.sort(key=lambda p: p[0])
        for _, _, count, minutes, labels in parts:
            acc.add(minutes, None, labels, count)
        acc.ids = [gid for _, gid in sorted(pair for p in parts for pair in p[1])][:MAX_SAMPLE_IDS]
    return GroupedDump(
        groups=build_groups(accs, edges), total=kept + dropped, truncated=truncated, dropped=dropped, serving=serving
    )
