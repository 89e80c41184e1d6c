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

import json
import math
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError

MAGIC = b"PTR1"
PREFIX = struct.Struct(">4sIII")
MAX_HEADER_BYTES = 64 * 1024
MAX_RECORD_BODY = limits.MAX_BODY_BYTES  # stored (possibly compressed) body
MAX_BODY_DECODED = limits.MAX_DECOMPRESSED_BYTES
META_NAME = "meta.json"
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

    def read_body(self) -> bytes:
        with self.segment.open("rb") as fh:
            fh.seek(self.body_offset)
            stored = fh.read(self.body_len)
        if len(stored) != self.body_len:
            raise ParseError("recording: segment shrank while reading", kind="recording")
        return decode_body(self.header, stored)


@dataclass(frozen=True, slots=True)
class SegmentScan:
    records: tuple[RecordRef, ...]
    valid_bytes: int  # offset just after the last valid record
    torn: bool  # bytes after the last valid record (a torn or corrupt tail, or a senseless header)


def scan_stream(fh: BinaryIO, segment: Any = None) -> SegmentScan:
    """Read records until the end or the first torn/corrupt one (never raises on bad bytes)."""
    """A record whose header makes no sense (not JSON, a time that is not a finite number...) ends
    the scan like a torn tail: what follows it is not trusted."""
    records: list[RecordRef] = []
    offset = 0
    while True:
        prefix = fh.read(PREFIX.size)
        if not prefix:
            return SegmentScan(tuple(records), offset, False)
        if len(prefix) < PREFIX.size:
            return SegmentScan(tuple(records), offset, True)
        magic, head_len, body_len, crc = PREFIX.unpack(prefix)
        if magic != MAGIC or head_len > MAX_HEADER_BYTES or body_len > MAX_RECORD_BODY:
            return SegmentScan(tuple(records), offset, True)
        head = fh.read(head_len)
        body = fh.read(body_len)
        if len(head) < head_len or len(body) < body_len or zlib.crc32(body, zlib.crc32(head)) != crc:
            return SegmentScan(tuple(records), offset, True)
        try:
            header = RecordHeader.from_json(head)
        except ParseError:
            return SegmentScan(tuple(records), offset, True)
        body_offset = offset + PREFIX.size + head_len
        records.append(RecordRef(header, segment, body_offset, body_len))
        offset = body_offset + body_len


def scan_segment(segment: Any) -> SegmentScan:
    with segment.open("rb") as fh:
        return scan_stream(fh, segment)


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
    try:
        names = {e.name for e in directory.iterdir()}
    except (OSError, NotADirectoryError):
        return False
    return META_NAME in names or any(segment_number(n) is not None for n in names)


@dataclass(frozen=True, slots=True)
class Recording:
    meta: dict[str, Any]
    records: tuple[RecordRef, ...]  # in file order (= time order)
    torn_segments: int
    bad_records: int = 0  # skipped: a time far out of order

    @property
    def problems(self) -> str:
        """One line on what was skipped ("" when nothing was)."""
        parts = []
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


def read_meta(directory: Any) -> dict[str, Any]:
    """meta.json, checked (see check_meta); {} when there is none."""
    for entry in directory.iterdir():
        if entry.name == META_NAME:
            if not entry.is_file():
                raise ParseError("recording: meta.json is not a regular file", kind="recording")
            try:
                with entry.open("rb") as fh:
                    raw = fh.read(MAX_HEADER_BYTES + 1)
            except OSError as exc:
                raise ParseError(f"recording: meta.json: {exc.strerror or 'unreadable'}", kind="recording") from None
            if len(raw) > MAX_HEADER_BYTES:
                raise ParseError(f"recording: meta.json is over {MAX_HEADER_BYTES} bytes", kind="recording")
            try:
                meta = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise ParseError("recording: meta.json is not valid JSON", kind="recording") from None
            if not isinstance(meta, dict):
                raise ParseError("recording: meta.json is not an object", kind="recording")
            check_meta(meta)
            return meta
    return {}


# meta.json "poll" settings (tui.recording.writer.POLL_FIELDS): (low, high, low allowed?)
_POLL_RANGES: dict[str, tuple[float, float, bool]] = {
    "interval": (0.0, 86400.0, False),
    "stw_budget": (0.0, 1.0, False),
    "debug2_min_age": (0.0, 1e7, True),
    "debug2_max_age": (0.0, 1e7, True),
    "heap_every": (1, 1e6, True),
    "memstats_every": (1, 1e6, True),
    "goroutine_debug1_every": (1, 1e6, True),
    "cmdline_every": (1, 1e6, True),
    "contention_every": (1, 1e6, True),
    "backoff_base": (0.0, 1e6, True),
    "backoff_max": (0.0, 1e7, True),
    "request_timeout": (0.0, 1e6, False),
    "debug2_timeout": (0.0, 1e6, False),
}


def _bad_meta(field: str, why: str) -> ParseError:
    return ParseError(f"recording: meta.json: {field} {why}", kind="recording")


def _number(value: object, field: str, low: float, high: float, *, low_ok: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad_meta(field, f"must be a number (got {type(value).__name__})")
    if not math.isfinite(value):
        raise _bad_meta(field, f"must be a finite number (got {value!r})")
    if value < low or (value == low and not low_ok) or value > high:
        relation = ">=" if low_ok else ">"
        raise _bad_meta(field, f"must be {relation} {low:g} and <= {high:g} (got {value!r})")
    return float(value)


def check_meta(meta: dict[str, Any]) -> None:
    """Types and ranges of what a reader or a replay uses (a crafted meta.json is input like any
    other): ParseError naming the field. Unknown keys are left alone."""
    for name in ("target", "tool", "format"):
        if name in meta and not isinstance(meta[name], str):
            raise _bad_meta(name, "must be a string")
    if meta.get("interval") is not None:
        low, high, low_ok = _POLL_RANGES["interval"]
        _number(meta["interval"], "interval", low, high, low_ok=low_ok)
    if meta.get("started") is not None:
        _number(meta["started"], "started", 0.0, 1e11)
    if "version" in meta:
        _number(meta["version"], "version", 0, 1e6)
    poll = meta.get("poll")
    if poll is None:
        return
    if not isinstance(poll, dict):
        raise _bad_meta("poll", "must be an object")
    for name, (low, high, low_ok) in _POLL_RANGES.items():
        if poll.get(name) is not None:
            _number(poll[name], f"poll.{name}", low, high, low_ok=low_ok)
            if name.endswith("_every") and float(poll[name]) != int(poll[name]):
                raise _bad_meta(f"poll.{name}", "must be a whole number")
    if _pair_bad(poll, "debug2_min_age", "debug2_max_age") or _pair_bad(poll, "backoff_base", "backoff_max"):
        raise _bad_meta("poll", "has a minimum over its maximum (debug2_min_age/max_age or backoff_base/max)")


def _pair_bad(poll: dict[str, Any], low: str, high: str) -> bool:
    a, b = poll.get(low), poll.get(high)
    return a is not None and b is not None and a > b


def open_recording(directory: Any) -> Recording:
    """Scan every segment (stopping each at its torn tail, if any)."""
    if not is_recording(directory):
        raise ParseError(f"{getattr(directory, 'name', directory)}: not a pprof-tui recording", kind="recording")
    meta = read_meta(directory)
    records: list[RecordRef] = []
    torn = bad = 0
    latest = -math.inf
    for segment in list_segments(directory):
        scan = scan_segment(segment)
        torn += scan.torn
        for ref in scan.records:
            # Time order, give or take the records of one poll written as they were answered.
            if ref.header.t < latest - MAX_BACKWARDS:
                bad += 1
                continue
            latest = max(latest, ref.header.t)
            records.append(ref)
    return Recording(meta, tuple(records), torn, bad)
