"""Parse goroutine?debug=1 / goroutineleak?debug=1 text (stacks grouped with counts)."""

from __future__ import annotations

import re

from tui.core import limits
from tui.core.errors import ParseError
from tui.goroutines.records import Frame, Labels, StackCounts, StackKind, StackRecord
from tui.goroutines.textparse import cut, iter_lines, parse_label_map
from tui.goroutines.work_limits import StackLimit

_TITLE = re.compile(r"(goroutine|goroutineleak) profile: total (\d+)\s*$")
_RECORD = re.compile(r"(\d+) @((?: 0x[0-9a-fA-F]+)*)\s*$")
_LABELS_PREFIX = "# labels: "
_FUNC_OFFSET = re.compile(r"(.*)\+0x([0-9a-fA-F]+)$")
_FILE_LINE = re.compile(r"(.*):(\d+)$")


def _parse_frame(line: str, max_line: int) -> Frame | None:
    """``#\\t0x684c64\\tmain.f+0x24\\t/src/main.go:40`` (tabwriter: runs of tabs/spaces)."""
    parts = line[1:].strip().split("\t")
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) < 2 or not parts[0].startswith("0x"):
        return None
    if len(parts) == 2:  # tabs collapsed to spaces: "0x.. func+0x.. file:line"
        pieces = parts[1].rsplit(" ", 1)
        func_part, file_part = (pieces[0].strip(), pieces[1]) if len(pieces) == 2 else (parts[1], "")
    else:
        func_part, file_part = parts[1], " ".join(parts[2:])
    m = _FUNC_OFFSET.match(func_part)
    func, offset = (m.group(1), int(m.group(2)[:16], 16)) if m else (func_part, None)
    fm = _FILE_LINE.match(file_part)
    file, lineno = (fm.group(1), int(fm.group(2)[:12])) if fm else (file_part, 0)
    return Frame(func=cut(func, max_line), file=cut(file, max_line), line=lineno, offset=offset)


def parse_debug1(
    text: str,
    *,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
) -> StackCounts:
    """Parse a debug=1 goroutine (or goroutineleak) profile. Raises ParseError if it is not one.

    Frames beyond ``max_frames`` per stack are dropped; names and paths are cut at ``max_line``.
    Records sharing a stack (their ``@ 0x..`` list) share its frames; the first ``max_stacks``
    distinct stacks are kept (tui.goroutines.work_limits), the goroutines of the other records are
    counted in ``total`` and ``dropped``, and ``notes`` says so. Lines are read one at a time."""
    lines = iter_lines(text.replace("\r\n", "\n") if "\r" in text else text)
    title = None
    for first in lines:
        if first.strip():
            title = _TITLE.match(first.strip())
            break
    else:
        raise ParseError("empty goroutine profile", kind="goroutine-debug1")
    if title is None:
        raise ParseError(
            "not a goroutine?debug=1 profile (no 'goroutine profile: total N' line)", kind="goroutine-debug1"
        )
    kind: StackKind = "goroutineleak" if title.group(1) == "goroutineleak" else "goroutine"
    total = int(title.group(2)[:20])
    limit = StackLimit(max_stacks)
    records: list[StackRecord] = []
    stacks: dict[str, tuple[Frame, ...]] = {}  # "@ 0x.." list -> the frames of a kept stack
    count: int | None = None
    labels: Labels = ()
    frames: list[Frame] | None = None  # frames being read; None when the record reuses a stack or is not kept
    shared: tuple[Frame, ...] | None = None
    pcs = ""

    def flush() -> None:
        if count is None:
            return
        if frames is not None:
            stack = tuple(frames)
            if not limit.new_stack(len(stack)):
                limit.left_out += count
                return
            if pcs:
                stacks[pcs] = stack
        elif shared is not None and limit.new_entry():
            stack = shared
        else:
            limit.left_out += count
            return
        records.append(StackRecord(count=count, frames=stack, labels=labels))

    for raw in lines:
        line = cut(raw, max_line * 2)
        if not line.strip():
            continue
        m = _RECORD.match(line)
        if m is not None:
            flush()
            count, labels = int(m.group(1)[:20]), ()
            pcs = m.group(2)
            if pcs and pcs in stacks:  # (a record without addresses is read for itself)
                frames, shared = None, stacks[pcs]
            elif limit.full:
                frames, shared = None, None  # past the limit: counted, not read
            else:
                frames, shared = [], None
            continue
        if count is None:
            continue
        if line.startswith(_LABELS_PREFIX):
            try:
                labels, _ = parse_label_map(line, len(_LABELS_PREFIX))
            except ParseError:
                labels = ()
            continue
        if frames is not None and line.startswith("#") and len(frames) < max_frames:
            frame = _parse_frame(line, max_line)
            if frame is not None:
                frames.append(frame)
    flush()
    note = limit.note()
    return StackCounts(
        total=total,
        records=tuple(records),
        kind=kind,
        dropped=limit.left_out,
        notes=() if note is None else (note,),
    )
