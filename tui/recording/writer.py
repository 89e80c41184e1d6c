"""Writing a recording: append-only segments with rotation, bounds and a background writer.

`RecordingWriter` appends framed records (see tui/recording/format.py) with one write()
each and a flush, fsyncs every `fsync_every` records or `fsync_seconds`, starts a new
segment past `segment_bytes` or `segment_seconds`, and deletes the oldest segments when the
total passes `max_bytes` or a segment's newest record is older than `max_age` seconds.
`BackgroundRecorder` runs a writer in a thread so compressing and writing a 30 MB dump never
adds to a poll's measured cost.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tui import __version__
from tui.core.errors import PprofTuiError
from tui.core.limits import MiB
from tui.core.masking import mask_secrets, secret_forms
from tui.recording.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    META_NAME,
    RecordHeader,
    encode_record,
    is_recording,
    segment_name,
)

log = logging.getLogger(__name__)
# Config fields that shape the poll schedule: kept in meta.json so a replay schedules like the watch did.
POLL_FIELDS = (
    "interval",
    "stw_budget",
    "debug2_min_age",
    "debug2_max_age",
    "heap_every",
    "memstats_every",
    "goroutine_debug1_every",
    "cmdline_every",
    "contention_every",
    "metrics_every",
    "backoff_base",
    "backoff_max",
    "request_timeout",
    "debug2_timeout",
)


def poll_settings(config: object) -> dict[str, float]:
    """The schedule-shaping numbers of a Config (nothing else: no target, no auth)."""
    out: dict[str, float] = {}
    for name in POLL_FIELDS:
        value = getattr(config, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value
    return out


class RecordingError(PprofTuiError):
    """The recording directory cannot be used."""


@dataclass(frozen=True, slots=True)
class RecordLimits:
    segment_bytes: int = 64 * MiB
    segment_seconds: float = 3600.0
    max_bytes: int = 1024 * MiB  # the whole recording; oldest segments go first
    max_age: float | None = None  # seconds of history kept (None = only max_bytes)
    fsync_every: int = 16
    fsync_seconds: float = 5.0
    compress: bool = True


def safe_label(label: str) -> str:
    """A target label with no userinfo, query or fragment (meta.json never names credentials)."""
    if "://" in label:
        parts = urllib.parse.urlsplit(label)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return host + parts.path
    label = label.split("?", 1)[0].split("#", 1)[0]
    return label.rsplit("@", 1)[-1]


@dataclass(slots=True)
class _Segment:
    number: int
    path: Path
    size: int
    opened_wall: float
    last_wall: float


class RecordingWriter:
    """Appends records to DIR (which must be new or empty). Not thread-safe: one writer thread."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        target: str,
        interval: float | None = None,
        limits: RecordLimits = RecordLimits(),
        wall: Callable[[], float] = time.time,
        poll: dict[str, float] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.directory = Path(directory)
        self._secrets = secret_forms(secrets)
        self.limits = limits
        self._wall = wall
        self.directory.mkdir(parents=True, exist_ok=True)
        if is_recording(self.directory):
            raise RecordingError(f"{self.directory}: already holds a recording; record into a new directory")
        self.meta = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "tool": f"pprof-tui {__version__}",
            "target": safe_label(target),
            "started": wall(),
            "interval": interval,
            "poll": dict(poll or {}),
            "limits": {
                "segment_bytes": limits.segment_bytes,
                "segment_seconds": limits.segment_seconds,
                "max_bytes": limits.max_bytes,
                "max_age": limits.max_age,
            },
        }
        self._write_meta()
        self._segments: list[_Segment] = []
        self._fh: BinaryIO | None = None
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self.records = 0
        self.dropped_segments = 0

    def _write_meta(self) -> None:
        tmp = self.directory / (META_NAME + ".tmp")
        tmp.write_text(json.dumps(self.meta, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, self.directory / META_NAME)

    def _open_segment(self) -> None:
        self._close_segment()
        number = self._segments[-1].number + 1 if self._segments else 1
        path = self.directory / segment_name(number)
        self._fh = open(path, "ab")
        now = self._wall()
        self._segments.append(_Segment(number, path, 0, now, now))

    def _close_segment(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def append(self, header: RecordHeader, body: bytes) -> None:
        if self._secrets:
            body = mask_secrets(body, self._secrets)
            if header.err:
                header = RecordHeader.from_json(mask_secrets(header.to_json(), self._secrets))
        data = encode_record(header, body, compress=self.limits.compress)
        now = self._wall()
        seg = self._segments[-1] if self._segments else None
        if (
            seg is None
            or self._fh is None
            or (
                seg.size
                and (
                    seg.size + len(data) > self.limits.segment_bytes
                    or now - seg.opened_wall >= self.limits.segment_seconds
                )
            )
        ):
            self._open_segment()
            seg = self._segments[-1]
        assert self._fh is not None
        self._fh.write(data)  # one write per record: a kill mid-record leaves one torn tail
        self._fh.flush()
        seg.size += len(data)
        seg.last_wall = now
        self.records += 1
        self._unsynced += 1
        if self._unsynced >= self.limits.fsync_every or time.monotonic() - self._last_sync >= self.limits.fsync_seconds:
            self.sync()
        self._enforce_bounds(now)

    def sync(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
        self._unsynced = 0
        self._last_sync = time.monotonic()

    def _enforce_bounds(self, now: float) -> None:
        def too_big() -> bool:
            return sum(s.size for s in self._segments) > self.limits.max_bytes

        def too_old(s: _Segment) -> bool:
            return self.limits.max_age is not None and now - s.last_wall > self.limits.max_age

        # never the segment being written
        while len(self._segments) > 1 and (too_big() or too_old(self._segments[0])):
            oldest = self._segments.pop(0)
            try:
                oldest.path.unlink()
            except FileNotFoundError:
                pass
            self.dropped_segments += 1

    @property
    def total_bytes(self) -> int:
        return sum(s.size for s in self._segments)

    def close(self) -> None:
        self._close_segment()


class BackgroundRecorder:
    """A RecordingWriter fed through a bounded queue by a daemon thread.

    `submit()` never blocks the event loop: when the writer is more than `max_pending`
    records behind, the record is dropped and counted (`dropped`).
    """

    def __init__(self, writer: RecordingWriter, *, max_pending: int = 64) -> None:
        self.writer = writer
        self.dropped = 0
        self.error = ""
        self._queue: queue.Queue[tuple[RecordHeader, bytes] | None] = queue.Queue(maxsize=max_pending)  # None: stop
        self._thread = threading.Thread(target=self._run, name="pprof-tui recorder", daemon=True)
        self._thread.start()
        self._closed = False

    def submit(self, header: RecordHeader, body: bytes) -> None:
        if self._closed:
            return
        try:
            self._queue.put_nowait((header, body))
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            header, body = item
            try:
                self.writer.append(header, body)
            except (OSError, PprofTuiError) as exc:
                self.error = f"recording stopped: {exc}"
                log.error("%s", self.error)
                self._closed = True
                break
        try:
            self.writer.close()
        except OSError as exc:
            self.error = self.error or f"recording: {exc}"

    def close(self, timeout: float | None = 30.0) -> None:
        """Write what is queued, fsync, close (idempotent)."""
        if self._thread.is_alive():
            self._closed = True
            self._queue.put(None)
            self._thread.join(timeout)
