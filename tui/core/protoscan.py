"""Count the top-level fields of a protobuf message without parsing it, and cut a repeated field
to its first N occurrences (stdlib only).

A parser (upb) builds every element of a repeated field before anyone can count them: a 190 MB
profile of 10 M tiny samples takes gigabytes to parse. This walk costs no memory (one step per
top-level field, ~0.1 µs each) and says how many samples, locations, functions, strings, ... a
profile holds, so the decoders can refuse or cut it before parsing.

Only the wire types Go's pprof decoder accepts (varint, 64-bit, length-delimited, 32-bit) are
walked; groups or a field running past the end are a ParseError, as they are for `go tool pprof`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.errors import ParseError

FIELDS = 32  # field numbers counted (profile.proto uses 1-15); higher ones are walked, not counted
# Fields of a number no profile has (0 is invalid; 16-31 unused): a body of them is junk, not a profile.
# 72 MB of zeros (a sparse recording) was 36 M fields of number 0, walked one by one for 20 s.
MAX_UNKNOWN_FIELDS = 100_000
KNOWN_FIELDS = 16


@dataclass(frozen=True, slots=True)
class FieldScan:
    """What one walk found. ``counts[f]``: occurrences of field ``f`` (< FIELDS); ``sizes[f]``: the bytes of
    those kept (tag and length included).

    ``data`` is the message with the occurrences past ``keep_first`` left out (the input itself
    when nothing was left out); ``left_out[f]`` counts them."""

    counts: tuple[int, ...]
    sizes: tuple[int, ...]
    data: bytes
    left_out: tuple[int, ...]

    def count(self, field: int) -> int:
        return self.counts[field] if 0 <= field < FIELDS else 0


def _varint(data: bytes, p: int, n: int, what: str) -> tuple[int, int]:
    value = shift = 0
    while p < n:
        b = data[p]
        p += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, p
        shift += 7
        if shift >= 70:
            break
    raise ParseError(f"{what}: not a valid profile.proto (bad varint)", kind="profile")


def _skip_run(data: bytes, p: int, tag: int, room: int) -> tuple[int, int]:
    """Step over a run of fields with this one-byte ``tag`` and a 1- or 2-byte length, at most
    ``room`` of them (-1: no limit), in the tight loop that keeps the scan ~150 ns a field.
    Returns where the run ended and how many fields it held; a longer length ends the run (the
    caller's general path reads it), and running off the end stops it (the caller checks)."""
    run = 0
    try:
        while run != room and data[p] == tag:
            length = data[p + 1]
            if length & 0x80:  # a two-byte length (128 bytes to 16 kB): samples of deep stacks
                high = data[p + 2]
                if high & 0x80:
                    break
                p += (length & 0x7F | high << 7) + 3
            else:
                p += length + 2
            run += 1
    except IndexError:
        pass
    return p, run


def scan_fields(data: bytes, keep_first: dict[int, int] | None = None, *, what: str = "profile") -> FieldScan:
    """Walk the top-level fields of ``data``; leave out the occurrences of field ``f`` past the first
    ``keep_first[f]`` (the other fields, wherever they are, are kept byte for byte)."""
    keep = [-1] * FIELDS
    for field, limit in (keep_first or {}).items():
        if 0 <= field < FIELDS:
            keep[field] = limit
    counts = [0] * FIELDS
    sizes = [0] * FIELDS
    n = len(data)
    p = 0
    spans: list[tuple[int, int]] = []
    span_start = 0
    unknown = 0
    while p < n:
        start = p
        tag = data[p]
        p += 1
        if tag >= 0x80:
            tag, p = _varint(data, start, n, what)
        wire = tag & 7
        if wire == 2:
            if p < n and data[p] < 0x80:
                p += 1 + data[p]
            else:
                length, p = _varint(data, p, n, what)
                p += length
        elif wire == 0:
            while p < n and data[p] >= 0x80:
                p += 1
            p += 1
        elif wire == 1:
            p += 8
        elif wire == 5:
            p += 4
        else:
            raise ParseError(f"{what}: not a valid profile.proto (wire type {wire})", kind="profile")
        if p > n:
            raise ParseError(f"{what}: not a valid profile.proto (a field runs past the end)", kind="profile")
        field = tag >> 3
        if field == 0:
            raise ParseError(f"{what}: not a valid profile.proto (field number 0)", kind="profile")
        if field >= KNOWN_FIELDS:
            unknown += 1
            if unknown > MAX_UNKNOWN_FIELDS:
                raise ParseError(
                    f"{what}: not a valid profile.proto (over {MAX_UNKNOWN_FIELDS:,} fields of unknown numbers)",
                    kind="profile",
                )
            if field >= FIELDS:
                continue
        counts[field] += 1
        limit = keep[field]
        if 0 <= limit < counts[field]:
            if span_start < start:
                spans.append((span_start, start))
            span_start = p
        else:
            sizes[field] += p - start
        if wire == 2 and tag < 0x80 and p + 1 < n and data[p] == tag:
            run_start = p
            # A run of one field with short lengths (samples, locations, strings): the hot loops
            # (~150 ns a field). An IndexError is the end of the data (checked below).
            if limit < 0 or counts[field] < limit:
                room = limit - counts[field] if limit >= 0 else -1  # -1: no limit (run never reaches it)
                p, run = _skip_run(data, p, tag, room)
                counts[field] += run
                sizes[field] += p - run_start
                dropping = run == room and p < n and data[p] == tag
                if dropping and span_start < p:
                    spans.append((span_start, p))  # the next one is the first past the limit
            else:
                dropping = True  # this one was left out (span_start is past it): so are the next
            if dropping:
                p, run = _skip_run(data, p, tag, -1)
                counts[field] += run
                span_start = p
            if p > n:
                raise ParseError(f"{what}: not a valid profile.proto (a field runs past the end)", kind="profile")
    left_out = [max(0, c - k) if k >= 0 else 0 for c, k in zip(counts, keep)]
    if any(left_out):
        if span_start < n:
            spans.append((span_start, n))
        view = memoryview(data)
        data = b"".join(view[a:b] for a, b in spans)
    return FieldScan(tuple(counts), tuple(sizes), data, tuple(left_out))
