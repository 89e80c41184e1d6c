"""Group a debug=2 dump straight from its text, without a Goroutine object per goroutine.

The aggregate path for big dumps (100k goroutines, 36 MB): one regex pass strips argument
values, +0x offsets and creator ids from the whole text, so goroutines with the same stack
share the same block text; each distinct stack is parsed once (with the debug2 parser, so
both paths agree); per goroutine only the header is matched. Produces exactly what
``group_goroutines(parse_debug2(text))`` produces.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from tui import limits
from tui.goroutines.debug2 import SERVING_FUNC, Header, _parse_block, normalise_newlines, parse_header, split_blocks
from tui.goroutines.grouping import (
    DEFAULT_BUCKETS,
    Accumulator,
    CellKey,
    ReasonGroup,
    StackInfo,
    build_groups,
    check_buckets,
    normalise_reason,
    stack_signature,
)

# Argument lists (except "(...)", which marks an inlined frame), " +0x1d" offsets and
# " in goroutine 12" at line ends. Headers end with ':' so they are never touched.
_NORMALISE = re.compile(r"\((?!\.\.\.\))[^()\n]*\)(?=\n)| \+0x[0-9a-fA-F]+(?=\n)| in goroutine \d+(?=\n)")
_FAST_HEADER = re.compile(r"goroutine (\d+) \[([^\],]+)(?:, (\d+) minutes)?(?:, locked to thread)?\]:")
_SLOW_SUFFIXES = ("(leaked)", "(scan)", "(durable)")


@dataclass(frozen=True, slots=True)
class GroupedDump:
    groups: tuple[ReasonGroup, ...]
    total: int  # goroutines in the text (kept + dropped)
    truncated: bool
    dropped: int  # over the max_goroutines limit: counted, not grouped
    serving: int  # goroutines serving the dump, left out of the groups


def group_debug2_text(text: str, *, buckets: tuple[int, ...] = DEFAULT_BUCKETS, include_serving: bool = False,
                      max_goroutines: int = limits.MAX_GOROUTINES) -> GroupedDump:
    """Group a goroutine?debug=2 dump. Raises ParseError if the text holds no goroutine header."""
    edges = check_buckets(buckets)
    text = normalise_newlines(text)
    blocks, ended_cleanly = split_blocks(_NORMALISE.sub("", text))
    last_index = len(blocks) - 1
    while last_index >= 0 and not blocks[last_index].strip():
        last_index -= 1
    cells: dict[CellKey, Accumulator] = {}
    stacks: dict[str, StackInfo] = {}
    parsed: dict[tuple[str, str], tuple[str, StackInfo, bool]] = {}
    fast_match = _FAST_HEADER.match
    kept = dropped = serving = 0
    truncated = not ended_cleanly
    for index in range(last_index + 1):
        block = blocks[index]
        nl = block.find("\n")
        if nl < 0:
            nl = len(block)
        m = fast_match(block, 0, nl)
        if m is not None and m.end() == nl and not m.group(2).endswith(_SLOW_SUFFIXES):
            gid = int(m.group(1))
            status = m.group(2)
            minutes = int(m.group(3)) if m.group(3) else None
            leaked = False
            labels: tuple = ()
        else:
            head = parse_header(block[:nl][: limits.MAX_TEXT_LINE * 4])
            if head is None:
                continue
            gid, status, minutes, leaked, labels = head.id, head.status, head.minutes, head.leaked, head.labels
        if kept >= max_goroutines:
            dropped += 1
            continue
        kept += 1
        stack_text = block[nl + 1 :].rstrip("\n")
        entry = parsed.get((status, stack_text)) if index != last_index else None
        if entry is None:
            lines = stack_text.split("\n") if stack_text else []
            g, cut_off = _parse_block(lines, Header(0), last=index == last_index)
            truncated = truncated or cut_off
            elided = g.elided is not None
            signature = stack_signature(g.frames, g.created_by, elided)
            info = stacks.get(signature)
            if info is None:
                info = stacks[signature] = StackInfo(g.frames, g.created_by, elided)
            is_serving_stack = any(f.func == SERVING_FUNC for f in info.frames)
            entry = (normalise_reason(status, info.frames), info, is_serving_stack)
            if index != last_index:
                parsed[(status, stack_text)] = entry
        reason, info, is_serving_stack = entry
        if is_serving_stack and status == "running" and not include_serving:
            serving += 1
            continue
        key = (reason, leaked, bisect_right(edges, minutes or 0), info.hash)
        acc = cells.get(key)
        if acc is None:
            acc = cells[key] = Accumulator(info)
        acc.add(minutes, gid, labels)
    return GroupedDump(groups=build_groups(cells, edges), total=kept + dropped, truncated=truncated,
                       dropped=dropped, serving=serving)
