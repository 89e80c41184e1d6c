"""The reference debug=2 path: one Goroutine record per goroutine (parse_debug2), then grouped
(group_goroutines). The app never runs it: tui/goroutines/fastgroup.py groups the text in one pass without the
records. The tests use this slow, obvious path as the oracle the fast path must equal, and to build
hand-made dumps' trees."""

from __future__ import annotations

from bisect import bisect_right

from tui.core import limits
from tui.core.limits import LimitNote
from tui.goroutines.buckets import DEFAULT_BUCKETS, check_buckets
from tui.goroutines.debug2 import normalise_newlines, parse_block, parse_header, split_blocks
from tui.goroutines.grouping import (
    Accumulator,
    CellKey,
    ReasonGroup,
    StackInfo,
    build_groups,
    stack_signature,
)
from tui.goroutines.reasons import normalise_reason
from tui.goroutines.records import Goroutine, GoroutineDump
from tui.goroutines.textparse import cut
from tui.goroutines.work_limits import StackLimit


def parse_debug2(
    text: str,
    *,
    max_goroutines: int = limits.MAX_GOROUTINES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
) -> GoroutineDump:
    """Parse a goroutine?debug=2 dump. Raises ParseError if there is no goroutine header at all.

    Goroutines beyond ``max_goroutines``, and those on a stack past the first ``max_stacks``
    distinct ones (tui.goroutines.work_limits), are counted (``dropped``), not kept; ``notes``
    says which limit. One object per goroutine: the tree of a big dump is built by
    tui.goroutines.fastgroup instead, which needs none."""
    text = normalise_newlines(text)
    blocks, ended_cleanly = split_blocks(text)
    goroutines: list[Goroutine] = []
    dropped = 0
    limit = StackLimit(max_stacks)
    signatures: set[tuple[tuple[str, str, int], ...]] = set()
    truncated = not ended_cleanly
    last_index = len(blocks) - 1
    while last_index >= 0 and not blocks[last_index].strip():
        last_index -= 1
    for index, block in enumerate(blocks):
        if index > last_index:
            break
        lines = block.split("\n")
        while lines and not lines[-1]:
            lines.pop()
        if not lines:
            continue
        head = parse_header(cut(lines[0], max_line * 4))
        if head is None:
            continue  # e.g. "[originating from goroutine N]:" ancestry blocks
        if len(goroutines) >= max_goroutines:
            dropped += 1
            continue
        is_last = index == last_index
        g, cut_off = parse_block(lines[1:], head, last=is_last, max_frames=max_frames, max_line=max_line)
        truncated = truncated or cut_off
        signature = tuple((f.func, f.file, f.line) for f in (*g.frames, *((g.created_by,) if g.created_by else ())))
        if signature not in signatures:
            if not limit.new_stack(len(signature)):
                limit.left_out += 1
                continue
            signatures.add(signature)
        goroutines.append(g)
    notes = tuple(n for n in (limit.note(), _goroutines_note(dropped, max_goroutines)) if n is not None)
    return GoroutineDump(
        goroutines=tuple(goroutines), truncated=truncated, dropped=dropped + limit.left_out, notes=notes
    )


def _goroutines_note(dropped: int, max_goroutines: int) -> LimitNote | None:
    if not dropped:
        return None
    return LimitNote("goroutines", max_goroutines, "--max-goroutines", dropped, "goroutines")


def group_goroutines(
    dump: GoroutineDump, *, buckets: tuple[int, ...] = DEFAULT_BUCKETS, include_serving: bool = False
) -> tuple[ReasonGroup, ...]:
    """Group a parsed debug=2 dump. The goroutine serving the dump is left out unless asked."""
    edges = check_buckets(buckets)
    cells: dict[CellKey, Accumulator] = {}
    stacks: dict[str, StackInfo] = {}
    spawn: dict[int, tuple[str, int | None]] = {
        g.id: (g.created_by.func if g.created_by is not None else "", g.creator_id) for g in dump.goroutines
    }
    for g in dump.goroutines:
        if g.is_serving and not include_serving:
            continue
        elided = g.elided is not None
        signature = stack_signature(g.frames, g.created_by, elided)
        info = stacks.get(signature)
        if info is None:
            info = stacks[signature] = StackInfo(g.frames, g.created_by, elided)
        reason = normalise_reason(g.status, info.frames)
        bucket = bisect_right(edges, g.wait_minutes or 0)
        key = (reason, g.leaked, bucket, info.hash)
        acc = cells.get(key)
        if acc is None:
            acc = cells[key] = Accumulator(info)
        acc.add(g.wait_minutes, g.id, g.labels, raw_reason=g.status, creator_id=g.creator_id)
    return build_groups(cells, edges, spawn=spawn)
