"""Parse a goroutine?debug=2 dump (runtime.Stack(all) text) into Goroutine records.

Tolerant by design: unknown header parts become ``extra_markers``, unknown lines are
skipped, a block cut off at the end is kept as far as it parses (``truncated``).
Only text that contains no goroutine header at all is a ParseError.
"""

from __future__ import annotations

import re

from tui.core import limits
from tui.core.errors import ParseError
from tui.goroutines.records import ELIDED_UNKNOWN, Frame, Goroutine, Labels
from tui.goroutines.textparse import cut, make_frame, parse_file_line, parse_label_map

SERVING_FUNC = "runtime/pprof.writeGoroutineStacks"

_HEADER_START = re.compile(r"goroutine (\d+)((?: [a-z]+=\S*)*) \[")
FIRST_HEADER = re.compile(r"(?m)^goroutine \d+ ")
BLOCK_SPLIT = re.compile(r"\n\n+|\n(?=goroutine \d+ )")
_MINUTES = re.compile(r"(\d+) minutes?")
_ELIDED = re.compile(r"\.\.\.(\d+) frames elided\.\.\.")
_CREATED_BY = re.compile(r"created by (.*?)(?: in goroutine (\d+))?$")
_STATUS_SUFFIXES = (" (leaked)", " (scan)", " (durable)")


class Header:
    """Fields of one goroutine header line (mutable scratch, not a record)."""

    __slots__ = ("durable", "extra", "id", "labels", "leaked", "locked", "minutes", "status")

    def __init__(self, gid: int) -> None:
        self.id = gid
        self.status = ""
        self.minutes: int | None = None
        self.locked = False
        self.leaked = False
        self.durable = False
        self.labels: Labels = ()
        self.extra: list[str] = []


def parse_header(line: str) -> Header | None:
    """Parse ``goroutine 7 [chan send, 31 minutes] {k: v}:``; None if the line is no header."""
    m = _HEADER_START.match(line)
    if m is None:
        return None
    head = Header(int(m.group(1)[:20]))
    for token in m.group(2).split():
        if not token.startswith(("gp=", "m=", "mp=")):
            head.extra.append(cut(token, 200))
    pos = m.end()
    # Go 1.26 GODEBUG=tracebacklabels=1: "[chan receive, 2 minutes labels:{"k": "v"}]" (also seen
    # after a comma). Cut the label map out first: its values may hold ',' and ']'.
    at = line.find("labels:{", pos)
    if at >= 0:
        try:
            head.labels, end = parse_label_map(line, at + len("labels:"))
            line = line[:at].rstrip(", ") + line[end:]
        except ParseError:
            pass
    n = len(line)
    # The reason: up to the first ',' or ']' (reasons never contain either).
    end = pos
    while end < n and line[end] not in ",]":
        end += 1
    status = line[pos:end]
    changed = True
    while changed:
        changed = False
        for suffix in _STATUS_SUFFIXES:
            if status.endswith(suffix):
                status = status[: -len(suffix)]
                if suffix == " (leaked)":
                    head.leaked = True
                elif suffix == " (durable)":
                    head.durable = True
                else:
                    head.extra.append(suffix.strip(" ()"))
                changed = True
    head.status = cut(status, 200)
    pos = end
    while pos < n and line[pos] == ",":
        pos += 1
        while pos < n and line[pos] == " ":
            pos += 1
        end = pos
        while end < n and line[end] not in ",]":
            end += 1
        part = line[pos:end].strip()
        pos = end
        mm = _MINUTES.fullmatch(part)
        if mm is not None:
            head.minutes = int(mm.group(1)[:12])
        elif part == "locked to thread":
            head.locked = True
        elif part:
            head.extra.append(cut(part, 200))
    if pos < n and line[pos] == "]":
        pos += 1
    rest = line[pos:]
    if rest.startswith(" {"):  # Go 1.27 labels after the brackets
        try:
            head.labels, end = parse_label_map(line, pos + 1)
            rest = line[end:]
        except ParseError:
            pass
    rest = rest.rstrip()
    if rest.endswith(":"):
        rest = rest[:-1]
    if rest.strip():
        head.extra.append(cut(rest.strip(), 200))
    return head


def parse_block(
    lines: list[str],
    head: Header,
    *,
    last: bool,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
) -> tuple[Goroutine, bool]:
    """Build a Goroutine from a header and its stack lines. Returns (goroutine, looks_truncated).

    Frames beyond ``max_frames`` are counted as elided; names and paths are cut at ``max_line``."""
    frames: list[Frame] = []
    created_by: Frame | None = None
    creator_id: int | None = None
    elided: int | None = None
    truncated = False
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line or line[0] == "\t":
            i += 1  # stray file line or empty: nothing to pair it with
            continue
        if line.startswith("..."):
            m = _ELIDED.fullmatch(line)
            if m is not None:
                elided = (elided or 0) + int(m.group(1)[:12])
            elif "elided" in line:
                elided = ELIDED_UNKNOWN
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < n else None
        file_line = nxt if nxt is not None and parse_file_line(nxt) is not None else None
        if file_line is None and last and i + 1 >= n:
            truncated = True  # a function line whose file line was cut off
            break
        if line.startswith("created by "):
            m = _CREATED_BY.match(line)
            assert m is not None  # the pattern accepts any text after the prefix
            created_by = make_frame(m.group(1), file_line, max_line)
            if m.group(2):
                creator_id = int(m.group(2)[:20])
        elif len(frames) < max_frames:
            frames.append(make_frame(line, file_line, max_line))
        else:
            elided = (elided if elided and elided > 0 else 0) + 1
        i += 2 if file_line is not None else 1
    is_serving = head.status == "running" and any(f.func == SERVING_FUNC for f in frames)
    g = Goroutine(
        id=head.id,
        status=head.status,
        wait_minutes=head.minutes,
        locked_to_thread=head.locked,
        leaked=head.leaked,
        durable=head.durable,
        labels=head.labels,
        frames=tuple(frames),
        created_by=created_by,
        creator_id=creator_id,
        elided=elided,
        extra_markers=tuple(head.extra),
        is_serving=is_serving,
    )
    return g, truncated


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n") if "\r" in text else text


def split_blocks(text: str) -> tuple[list[str], bool]:
    """Split a dump into goroutine blocks. Returns (blocks, ended_cleanly).

    Text before the first header (a panic message, say) is skipped.
    """
    m = FIRST_HEADER.search(text)
    if m is None:
        stripped = text.strip()
        if not stripped:
            raise ParseError("empty goroutine dump", kind="goroutine-debug2")
        raise ParseError("not a goroutine?debug=2 dump (no 'goroutine N [...]' header)", kind="goroutine-debug2")
    body = text[m.start() :]
    ended_cleanly = body.endswith("\n")
    return BLOCK_SPLIT.split(body), ended_cleanly
