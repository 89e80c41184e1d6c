"""The recording format: a directory of append-only segment files plus `meta.json` (stdlib only).

Each record is framed so that a reader stops cleanly at a torn tail (a process killed
mid-write loses at most the record being written):

    MAGIC (4 bytes, b"PTR1") | header length u32 | body length u32 | CRC32(header + body) u32
    | header (UTF-8 JSON) | body (raw, or zlib when header["enc"] == "zlib")

The header holds: `t` (the watcher's monotonic clock when the request started), `dt` (its
cost on that clock), `wall` (unix time), `ep` (endpoint relative to the pprof base, with its
query, e.g. "goroutine?debug=2"), `status`, `elapsed` (fetch time), `wire` (bytes received),
`ctype`, `enc`, and for failures `err` (the already-redacted one-line message) and `etype`.
Never a URL, a header, a token or the target's command line (stored as a sha256 digest).
Segments are named `seg-000001.rec`, ...; `meta.json` names the target (label only), the
tool version, the start time and the poll interval.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.recording.meta import META_NAME, read_meta

MAGIC = b"PTR1"
PREFIX = struct.Struct(">4sIII")
MAX_HEADER_BYTES = 64 * 1024
MAX_RECORD_BODY = limits.MAX_BODY_BYTES  # stored (possibly compressed) body
MAX_BODY_DECODED = limits.MAX_DECOMPRESSED_BYTES
SEGMENT_PREFIX = "seg-"
SEGMENT_SUFFIX = ".rec"
FORMAT_NAME = "pprof-tui-recording"
FORMAT_VERSION = 1
# Bodies at least this big are zlib-compressed when that saves space.
COMPRESS_MIN = 512
# Record times are monotonic-clock seconds: anything beyond this is not a time (and float steps
# of 0.1 s must still move the replay clock).
MAX_TIME = 1e12
# Records are written when the answer arrives, so one may start before the previous record's
# start (a long debug=2 dump next to quick polls); more than this backwards is not a recording.
MAX_BACKWARDS = 600.0
# The work of reading one recording: records kept and bytes scanned (a writer's default recording is at
# most 1 GiB: twice that; a 4-hour one holds ~50k records). Past either, the rest is not read and
# `Recording.problems` says so (a crafted 10 GB sparse segment of records was scanned for minutes).
MAX_SCAN_RECORDS = 400_000
MAX_SCAN_BYTES = 2 * 1024 * 1024 * 1024
# Opening a recording checks the CRC of bodies up to this size as it scans; a bigger body's CRC is
# checked when it is read (RecordRef.read_body): 2 GiB of 72 MB records took 17 s to scan.
LAZY_CRC_MIN = 1024 * 1024


class Entry(Protocol):
    """A file or a package resource (pathlib.Path and importlib Traversable both fit)."""

    name: str

    def iterdir(self) -> Iterator[Entry]: ...
    def open(self, mode: str = "r") -> Any: ...
    def is_file(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class RecordHeader:
    t: float  # watcher clock at request start
    dt: float  # cost on that clock (request start -> answer)
    wall: float
    ep: str
    status: int = 0
    elapsed: float = 0.0
    wire: int = 0
    ctype: str = ""
    enc: str = ""
    err: str = ""
    etype: str = ""
    redacted: str = ""  # "sha256" when the body is a digest of the real body

    def to_json(self) -> bytes:
        data = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in ("", None)}
        data.setdefault("t", self.t)
        data.setdefault("ep", self.ep)
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> RecordHeader:
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            values: dict[str, Any] = dict(
                t=float(data["t"]),
                dt=float(data.get("dt", 0.0)),
                wall=float(data.get("wall", 0.0)),
                ep=str(data["ep"]),
                status=int(data.get("status", 0)),
                elapsed=float(data.get("elapsed", 0.0)),
                wire=int(data.get("wire", 0)),
                ctype=str(data.get("ctype", "")),
                enc=str(data.get("enc", "")),
                err=str(data.get("err", "")),
                etype=str(data.get("etype", "")),
                redacted=str(data.get("redacted", "")),
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError, OverflowError) as exc:
            raise ParseError(f"recording: bad record header ({str(exc)[:200]})", kind="recording") from None
        header = cls(**values)
        for name in ("t", "dt", "wall", "elapsed"):
            value = getattr(header, name)
            if not math.isfinite(value) or abs(value) > (MAX_TIME if name != "wall" else 1e11):
                raise ParseError(f"recording: bad record header ({name} is {value!r})", kind="recording")
        if header.dt < 0 or header.elapsed < 0:
            raise ParseError("recording: bad record header (negative cost)", kind="recording")
        return header

    @property
    def failed(self) -> bool:
        return bool(self.err)


def encode_record(header: RecordHeader, body: bytes, *, compress: bool = True) -> bytes:
    """One framed record, ready for a single write()."""
    enc = ""
    if compress and len(body) >= COMPRESS_MIN:
        packed = zlib.compress(body, 6)
        if len(packed) < len(body):
            body, enc = packed, "zlib"
    if enc != header.enc:
        header = _with(header, enc=enc)
    head = header.to_json()
    if len(head) > MAX_HEADER_BYTES:
        raise LimitExceeded("recording: record header too big")
    if len(body) > MAX_RECORD_BODY:
        raise LimitExceeded(f"recording: body of {len(body)} bytes is over the {MAX_RECORD_BODY}-byte limit")
    crc = zlib.crc32(body, zlib.crc32(head))
    return PREFIX.pack(MAGIC, len(head), len(body), crc) + head + body


def _with(header: RecordHeader, **changes: Any) -> RecordHeader:
    values = {k: getattr(header, k) for k in header.__slots__}
    values.update(changes)
    return RecordHeader(**values)


def decode_body(header: RecordHeader, stored: bytes) -> bytes:
    """The body as the watcher saw it (bounded decompression)."""
    if header.enc == "":
        return stored
    if header.enc != "zlib":
        raise ParseError(f"recording: unknown body encoding {header.enc[:20]!r}", kind="recording")
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(stored, MAX_BODY_DECODED)
    except zlib.error as exc:
        raise ParseError(f"recording: body does not decompress ({exc})", kind="recording") from None
    if inflater.unconsumed_tail:
        raise LimitExceeded(f"recording: body over the {MAX_BODY_DECODED}-byte limit once decompressed")
    return out


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where one valid record lives; the body is read on demand."""

    header: RecordHeader
    segment: Any  # Entry
    body_offset: int
    body_len: int
    crc_check: tuple[bytes, int] | None = None  # (header bytes, CRC) when the scan left the CRC to the read

    def read_body(self) -> bytes:
        with self.segment.open("rb") as fh:
            fh.seek(self.body_offset)
            stored = fh.read(self.body_len)
        if len(stored) != self.body_len:
            raise ParseError("recording: segment shrank while reading", kind="recording")
        if self.crc_check is not None:
            head, crc = self.crc_check
            if zlib.crc32(stored, zlib.crc32(head)) != crc:
                raise ParseError("recording: record does not match its CRC (corrupt)", kind="recording")
        return decode_body(self.header, stored)


@dataclass(frozen=True, slots=True)
class SegmentScan:
    records: tuple[RecordRef, ...]
    valid_bytes: int  # offset just after the last valid record
    torn: bool  # bytes after the last valid record (a torn or corrupt tail, or a senseless header)
    stopped: bool = False  # the scan reached its bound of records or bytes (the rest was not read)


def scan_stream(
    fh: BinaryIO,
    segment: Any = None,
    *,
    max_records: int | None = None,
    max_bytes: int | None = None,
    lazy_crc_min: int | None = None,
) -> SegmentScan:
    """Read records until the end or the first torn/corrupt one (never raises on bad bytes).

    A record whose header makes no sense (not JSON, a time that is not a finite number...) ends
    the scan like a torn tail: what follows it is not trusted. Past ``max_records`` records or
    ``max_bytes`` bytes the scan stops (``SegmentScan.stopped``). Bodies of at least ``lazy_crc_min``
    bytes are stepped over (their CRC checked when read) when the file's size is known."""
    records: list[RecordRef] = []
    offset = 0
    size = _size(fh) if lazy_crc_min is not None else None
    while True:
        if (max_records is not None and len(records) >= max_records) or (max_bytes is not None and offset >= max_bytes):
            return SegmentScan(tuple(records), offset, False, stopped=True)
        prefix = fh.read(PREFIX.size)
        if not prefix:
            return SegmentScan(tuple(records), offset, False)
        if len(prefix) < PREFIX.size:
            return SegmentScan(tuple(records), offset, True)
        magic, head_len, body_len, crc = PREFIX.unpack(prefix)
        if magic != MAGIC or head_len > MAX_HEADER_BYTES or body_len > MAX_RECORD_BODY:
            return SegmentScan(tuple(records), offset, True)
        if max_bytes is not None and offset + PREFIX.size + head_len + body_len > max_bytes:
            return SegmentScan(tuple(records), offset, False, stopped=True)
        head = fh.read(head_len)
        body_offset = offset + PREFIX.size + head_len
        lazy = size is not None and lazy_crc_min is not None and body_len >= lazy_crc_min
        if lazy:
            assert size is not None
            if len(head) < head_len or body_offset + body_len > size:
                return SegmentScan(tuple(records), offset, True)
            fh.seek(body_len, 1)
        else:
            body = fh.read(body_len)
            if len(head) < head_len or len(body) < body_len or zlib.crc32(body, zlib.crc32(head)) != crc:
                return SegmentScan(tuple(records), offset, True)
            del body
        try:
            header = RecordHeader.from_json(head)
        except ParseError:
            return SegmentScan(tuple(records), offset, True)
        records.append(RecordRef(header, segment, body_offset, body_len, (head, crc) if lazy else None))
        offset = body_offset + body_len


def _size(fh: BinaryIO) -> int | None:
    """The size of a real file (None for a stream or a package resource)."""
    try:
        return os.fstat(fh.fileno()).st_size
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return None


def scan_segment(segment: Any, *, max_records: int | None = None, max_bytes: int | None = None) -> SegmentScan:
    with segment.open("rb") as fh:
        return scan_stream(fh, segment, max_records=max_records, max_bytes=max_bytes, lazy_crc_min=LAZY_CRC_MIN)


def segment_name(number: int) -> str:
    return f"{SEGMENT_PREFIX}{number:06d}{SEGMENT_SUFFIX}"


def segment_number(name: str) -> int | None:
    if not (name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX)):
        return None
    digits = name[len(SEGMENT_PREFIX) : -len(SEGMENT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def list_segments(directory: Any) -> list[Any]:
    """Segment entries of a recording directory, oldest first."""
    found = [(segment_number(e.name), e) for e in directory.iterdir() if e.is_file()]
    numbered = [(n, e) for n, e in found if n is not None]
    return [e for _, e in sorted(numbered, key=lambda pair: pair[0])]


def is_recording(directory: Any) -> bool:
    """Segments, or a recording's meta.json (one just started): not a snapshot saved with `s`, whose
    meta.json names its files (`tui.recording.export.is_saved_snapshot`)."""
    try:
        names = {e.name for e in directory.iterdir()}
    except (OSError, NotADirectoryError):
        return False
    if any(segment_number(n) is not None for n in names):
        return True
    if META_NAME not in names:
        return False
    try:
        with (directory / META_NAME).open("rb") as fh:
            meta = json.loads(fh.read(1 << 20).decode("utf-8", "replace"))
    except (OSError, ValueError, TypeError, RecursionError):
        return True  # unreadable: let the reader say what is wrong with it
    return not (isinstance(meta, dict) and "files" in meta and meta.get("format") != FORMAT_NAME)


@dataclass(frozen=True, slots=True)
class Recording:
    meta: dict[str, Any]
    records: tuple[RecordRef, ...]  # in file order (= time order)
    torn_segments: int
    bad_records: int = 0  # skipped: a time far out of order
    stopped: str = ""  # the bound of records or bytes reached: what was read ("" when all of it)

    @property
    def problems(self) -> str:
        """One line on what was skipped ("" when nothing was)."""
        parts = [self.stopped] if self.stopped else []
        if self.bad_records:
            parts.append(f"{self.bad_records} record(s) out of time order skipped")
        if self.torn_segments:
            parts.append(f"{self.torn_segments} segment(s) cut at a torn or bad record")
        return "; ".join(parts)

    @property
    def label(self) -> str:
        return str(self.meta.get("target", "recording"))

    @property
    def interval(self) -> float | None:
        value = self.meta.get("interval")
        return float(value) if isinstance(value, (int, float)) and value > 0 else None

    def endpoints(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.header.ep for r in self.records))

    def latest(self, ep: str) -> RecordRef | None:
        """The newest successful record of an endpoint."""
        for ref in self.answers(ep):
            return ref
        return None

    def answers(self, ep: str) -> Iterator[RecordRef]:
        """The successful records of an endpoint, newest first."""
        for ref in reversed(self.records):
            if ref.header.ep == ep and not ref.header.failed:
                yield ref


def open_recording(
    directory: Any, *, max_records: int = MAX_SCAN_RECORDS, max_bytes: int = MAX_SCAN_BYTES
) -> Recording:
    """Scan every segment (stopping each at its torn tail, if any), oldest first, up to ``max_records``
    records and ``max_bytes`` bytes in all."""
    if not is_recording(directory):
        raise ParseError(f"{getattr(directory, 'name', directory)}: not a pprof-tui recording", kind="recording")
    meta = read_meta(directory)
    records: list[RecordRef] = []
    torn = bad = scanned = 0
    latest = -math.inf
    stopped = ""
    for segment in list_segments(directory):
        if len(records) >= max_records or scanned >= max_bytes:
            stopped = _stopped_note(len(records), scanned, max_records, max_bytes)
            break
        scan = scan_segment(segment, max_records=max_records - len(records), max_bytes=max_bytes - scanned)
        scanned += scan.valid_bytes
        if scan.stopped:
            stopped = _stopped_note(len(records) + len(scan.records), scanned, max_records, max_bytes)
        torn += scan.torn
        for ref in scan.records:
            # Time order, give or take the records of one poll written as they were answered.
            if ref.header.t < latest - MAX_BACKWARDS:
                bad += 1
                continue
            latest = max(latest, ref.header.t)
            records.append(ref)
        if stopped:
            break
    return Recording(meta, tuple(records), torn, bad, stopped)


def _stopped_note(records: int, scanned: int, max_records: int, max_bytes: int) -> str:
    bound = f"{max_records:,} records" if records >= max_records else f"{max_bytes / 2**30:g} GiB"
    return f"read stopped at {bound} (a bound on the work per recording): the rest is left out"
