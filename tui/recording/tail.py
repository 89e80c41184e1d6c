"""Following a recording while it is written (stdlib only).

`RecordingTail(dir).poll()` returns the records that landed since the last call, oldest first.
It remembers, per segment, the offset just after the last whole record it read, so:

- a torn last record (the writer is mid-write, or was killed) is left for the next poll, which
  reads it once it is whole (a record that never completes is left behind when a newer segment
  starts: the writer only appends to its newest segment);
- rotation: a new segment is read from its start; segments older than the newest one seen are
  never read again once a newer one exists and they are fully read;
- deletion of old segments (the writer's size/age bounds) is harmless: a vanished segment is
  forgotten, and a record of it read earlier fails later as a failed fetch (see ReplayClient);
- a segment that shrank (replaced, truncated) is not trusted: it is skipped from then on.

The caller polls (every ~0.5 s); nothing here sleeps or uses inotify, so a recording on a
shared or network disk works the same.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tui.core.errors import ParseError
from tui.recording.format import (
    MAX_BACKWARDS,
    RecordRef,
    list_segments,
    read_meta,
    scan_stream,
    segment_number,
)


class RecordingTail:
    """Incremental reader of a recording directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.meta: dict[str, Any] = {}
        self._offsets: dict[int, int] = {}  # segment number -> offset after its last whole record
        self._skipped: set[int] = set()  # segments that shrank under us
        self._newest = 0  # highest segment number seen
        self._latest_t = -math.inf
        self.records = 0
        self.bad_records = 0  # out of time order, skipped (as open_recording does)
        self.torn = False  # the last poll stopped at an incomplete record

    def poll(self) -> list[RecordRef]:
        """Records written since the last poll (none when the directory is gone)."""
        if not self.meta:
            try:
                self.meta = read_meta(self.directory)
            except (ParseError, OSError):
                self.meta = {}
        try:
            segments = list_segments(self.directory)
        except OSError:
            return []
        present = set()
        out: list[RecordRef] = []
        self.torn = False
        for segment in segments:
            number = segment_number(segment.name)
            if number is None or number in self._skipped:
                continue
            present.add(number)
            if number not in self._offsets and number < self._newest:
                continue  # appeared below segments already read: not the writer's order
            self._newest = max(self._newest, number)
            out.extend(self._read_segment(segment, number))
        for gone in set(self._offsets) - present:
            del self._offsets[gone]  # deleted by the writer's bounds
        return out

    def _read_segment(self, segment: Path, number: int) -> list[RecordRef]:
        start = self._offsets.get(number, 0)
        try:
            size = segment.stat().st_size
            if size < start:
                self._skipped.add(number)
                self._offsets.pop(number, None)
                return []
            if size == start:
                self._offsets[number] = start
                return []
            with segment.open("rb") as fh:
                fh.seek(start)
                scan = scan_stream(fh, segment)
        except OSError:
            return []
        self._offsets[number] = start + scan.valid_bytes
        self.torn = self.torn or scan.torn
        out = []
        for ref in scan.records:
            if ref.header.t < self._latest_t - MAX_BACKWARDS:
                self.bad_records += 1
                continue
            self._latest_t = max(self._latest_t, ref.header.t)
            out.append(RecordRef(ref.header, segment, ref.body_offset + start, ref.body_len))
        self.records += len(out)
        return out
