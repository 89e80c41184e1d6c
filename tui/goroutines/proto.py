"""Decode a goroutine (or goroutineleak) profile.proto into StackCounts.

Work is bounded like the heap decoder's (tui.heap.decode) and the text parsers' (tui.goroutines.
work_limits): a body that decompresses to more than SCAN_ABOVE bytes is walked first
(tui.core.protoscan), so samples past what ``max_stacks`` can keep are never parsed and tables
over ``max_locations`` are refused; frames are built only for the locations of kept stacks.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.core.gunzip import gunzip, is_gzip
from tui.core.limits import LimitNote
from tui.core.protoscan import scan_fields
from tui.goroutines.records import Frame, Labels, StackCounts, StackKind, StackRecord
from tui.goroutines.textparse import cut
from tui.goroutines.work_limits import StackLimit
from tui.heap.upb_views import Profile as ProfileView  # string_table as bytes: Go writes any bytes

SCAN_ABOVE = 4 * limits.MiB  # as tui.heap.decode: smaller bodies are parsed, then counted
_SAMPLE, _MAPPING, _LOCATION, _FUNCTION, _STRING = 2, 3, 4, 5, 6


def _check_tables(counts: dict[str, int], max_locations: int) -> None:
    bounds = {"locations": max_locations, "functions": max_locations, "mappings": max_locations}
    bounds["strings"] = max_locations * limits.TABLE_FACTOR
    for what, limit in bounds.items():
        if counts[what] > limit:
            message = limits.over_limit_message(what, counts[what], limit, "--max-locations")
            raise LimitExceeded(f"goroutine profile: {message}")


def _parse_profile(
    data: bytes, max_decompressed: int, keep_samples: int, max_locations: int
) -> tuple[ProfileView, int]:
    """The parsed profile and how many samples were left unread (past ``keep_samples``)."""
    raw = gunzip(data, max_decompressed, what="goroutine profile", kind="profile") if is_gzip(data) else data
    unread = 0
    if len(raw) > SCAN_ABOVE:
        scan = scan_fields(raw, {_SAMPLE: keep_samples}, what="goroutine profile")
        _check_tables(
            {
                "locations": scan.count(_LOCATION),
                "functions": scan.count(_FUNCTION),
                "mappings": scan.count(_MAPPING),
                "strings": scan.count(_STRING),
            },
            max_locations,
        )
        raw, unread = scan.data, scan.left_out[_SAMPLE]
    prof = ProfileView()
    try:
        prof.ParseFromString(raw)
    except (DecodeError, RecursionError, ValueError) as exc:
        raise ParseError(f"not a profile.proto: {str(exc)[:120]}", kind="profile") from None
    _check_tables(
        {
            "locations": len(prof.location),
            "functions": len(prof.function),
            "mappings": len(prof.mapping),
            "strings": len(prof.string_table),
        },
        max_locations,
    )
    return prof, unread


def decode_goroutine_profile(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
    max_locations: int = limits.MAX_LOCATIONS,
) -> StackCounts:
    """Decode goroutine?debug=0 bytes (gzip'd or raw). Raises ParseError on anything else,
    LimitExceeded for tables over ``max_locations``.

    One record per sample (a distinct stack and label set); samples sharing a stack share its
    frames. The first ``max_stacks`` distinct stacks are kept; the goroutines of the other samples
    are counted (``dropped``), and ``notes`` says so."""
    if not data:
        raise ParseError("empty goroutine profile", kind="profile")
    limit = StackLimit(max_stacks)
    prof, unread = _parse_profile(data, max_decompressed, limit.budget, max(1, max_locations))
    strings = prof.string_table

    def s(index: int) -> str:  # invalid UTF-8 (a label value, a name) as U+FFFD, as `top` and go tool pprof
        return cut(strings[index].decode("utf-8", "replace"), max_line) if 0 <= index < len(strings) else ""

    if len(prof.sample_type) < 1:
        raise ParseError("profile has no sample type", kind="profile")
    type_name = s(prof.sample_type[0].type)
    if type_name not in ("goroutine", "goroutineleak"):
        raise ParseError(f"not a goroutine profile (sample type {type_name[:60]!r})", kind="profile")
    functions = {f.id: f for f in prof.function}
    location_rows = {loc_id: row for row, loc_id in enumerate(loc.id for loc in prof.location)}
    location_frames: dict[int, tuple[Frame, ...]] = {}  # built on first use, by a kept stack

    def frames_of(loc_id: int) -> tuple[Frame, ...]:
        frames = location_frames.get(loc_id)
        if frames is not None:
            return frames
        row = location_rows.get(loc_id)
        if row is None:
            frames = (Frame(func="?"),)
        else:
            loc = prof.location[row]
            lines = loc.line[:max_frames]  # a stack never shows more
            n = len(loc.line)
            built = []
            for i, ln in enumerate(lines):
                fn = functions.get(ln.function_id)
                built.append(
                    Frame(
                        func=s(fn.name) if fn else "?",
                        file=s(fn.filename) if fn else "",
                        line=int(ln.line),
                        inlined=i < n - 1,
                    )
                )
            frames = tuple(built) or (Frame(func=f"0x{loc.address:x}"),)
        location_frames[loc_id] = frames
        return frames

    stacks: dict[tuple[int, ...], tuple[Frame, ...]] = {}
    records = []
    total = 0
    for sample in prof.sample:
        count = int(sample.value[0]) if sample.value else 0
        total += count
        ids = tuple(sample.location_id[:max_frames])  # each id is at least one frame
        stack = stacks.get(ids)
        if stack is None:
            if limit.full:
                limit.left_out += count
                continue
            frames: list[Frame] = []
            for loc_id in ids:
                frames.extend(frames_of(loc_id))
                if len(frames) >= max_frames:
                    del frames[max_frames:]
                    break
            if not limit.new_stack(len(frames)):
                limit.left_out += count
                continue
            stack = stacks[ids] = tuple(frames)
        elif not limit.new_entry():
            limit.left_out += count
            continue
        labels: Labels = tuple((s(lb.key), s(lb.str)) for lb in sample.label[:64] if lb.str)
        records.append(StackRecord(count=count, frames=stack, labels=labels))
    kind: StackKind = "goroutineleak" if type_name == "goroutineleak" else "goroutine"
    notes = []
    note = limit.note()
    if unread:
        note = LimitNote(
            "distinct stacks",
            limit.stacks,
            "--max-stacks",
            limit.left_out,
            "goroutines",
            detail=f"{unread:,} more samples not read",
        )
    if note is not None:
        notes.append(note)
    return StackCounts(total=total, records=tuple(records), kind=kind, dropped=limit.left_out, notes=tuple(notes))
