"""Parse goroutine?debug=1 / goroutineleak?debug=1 text (stacks grouped with counts)."""

from __future__ import annotations

import re

from tui.core import limits
from tui.core.errors import ParseError
from tui.goroutines.records import Frame, Labels, StackCounts, StackKind, StackRecord
from tui.goroutines.textparse import cut, parse_label_map

_TITLE = re.compile(r"(goroutine|goroutineleak) profile: total (\d+)\s*$")
_RECORD = re.compile(r"(\d+) @(?: 0x[0-9a-fA-F]+)*\s*$")
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
    text: str, *, max_frames: int = limits.MAX_FRAMES, max_line: int = limits.MAX_TEXT_LINE
) -> StackCounts:
    """Parse a debug=1 goroutine (or goroutineleak) profile. Raises ParseError if it is not one.

    Frames beyond ``max_frames`` per stack are dropped; names and paths are cut at ``max_line``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise ParseError("empty goroutine profile", kind="goroutine-debug1")
    title = _TITLE.match(lines[start].strip())
    if title is None:
        raise ParseError(
            "not a goroutine?debug=1 profile (no 'goroutine profile: total N' line)", kind="goroutine-debug1"
        )
    kind: StackKind = "goroutineleak" if title.group(1) == "goroutineleak" else "goroutine"
    total = int(title.group(2)[:20])
    records: list[StackRecord] = []
    count: int | None = None
    labels: Labels = ()
    frames: list[Frame] = []

    def flush() -> None:
        if count is not None:
            records.append(StackRecord(count=count, frames=tuple(frames), labels=labels))

    for raw in lines[start + 1 :]:
        line = cut(raw, max_line * 2)
        if not line.strip():
            continue
        m = _RECORD.match(line)
        if m is not None:
            flush()
            count, labels, frames = int(m.group(1)[:20]), (), []
            continue
        if count is None:
            continue
        if line.startswith(_LABELS_PREFIX):
            try:
                labels, _ = parse_label_map(line, len(_LABELS_PREFIX))
            except ParseError:
                labels = ()
            continue
        if line.startswith("#") and len(frames) < max_frames:
            frame = _parse_frame(line, max_line)
            if frame is not None:
                frames.append(frame)
    flush()
    return StackCounts(total=total, records=tuple(records), kind=kind)
