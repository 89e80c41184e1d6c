"""Decode a goroutine (or goroutineleak) profile.proto into StackCounts."""

from __future__ import annotations

from google.protobuf.message import DecodeError

from tui.core import limits
from tui.core.errors import ParseError
from tui.core.gunzip import gunzip, is_gzip
from tui.goroutines.records import Frame, StackCounts, StackKind, StackRecord
from tui.goroutines.textparse import cut
from tui.wire import profile_pb2


def _parse_profile(data: bytes, max_decompressed: int) -> profile_pb2.Profile:
    raw = gunzip(data, max_decompressed, what="goroutine profile", kind="profile") if is_gzip(data) else data
    prof = profile_pb2.Profile()
    try:
        prof.ParseFromString(raw)
    except (DecodeError, RecursionError, ValueError) as exc:
        raise ParseError(f"not a profile.proto: {str(exc)[:120]}", kind="profile") from None
    return prof


def decode_goroutine_profile(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
) -> StackCounts:
    """Decode goroutine?debug=0 bytes (gzip'd or raw). Raises ParseError on anything else."""
    if not data:
        raise ParseError("empty goroutine profile", kind="profile")
    prof = _parse_profile(data, max_decompressed)
    strings = prof.string_table

    def s(index: int) -> str:
        return cut(strings[index], max_line) if 0 <= index < len(strings) else ""

    if len(prof.sample_type) < 1:
        raise ParseError("profile has no sample type", kind="profile")
    type_name = s(prof.sample_type[0].type)
    if type_name not in ("goroutine", "goroutineleak"):
        raise ParseError(f"not a goroutine profile (sample type {type_name[:60]!r})", kind="profile")
    functions = {f.id: f for f in prof.function}
    locations: dict[int, tuple[Frame, ...]] = {}
    for loc in prof.location:
        frames = []
        n = len(loc.line)
        for i, ln in enumerate(loc.line):
            fn = functions.get(ln.function_id)
            frames.append(
                Frame(
                    func=s(fn.name) if fn else "?",
                    file=s(fn.filename) if fn else "",
                    line=int(ln.line),
                    inlined=i < n - 1,
                )
            )
        if not frames:
            frames.append(Frame(func=f"0x{loc.address:x}"))
        locations[loc.id] = tuple(frames)
    records = []
    total = 0
    for sample in prof.sample:
        count = int(sample.value[0]) if sample.value else 0
        total += count
        stack: list[Frame] = []
        for loc_id in sample.location_id:
            stack.extend(locations.get(loc_id, (Frame(func="?"),)))
            if len(stack) >= max_frames:
                del stack[max_frames:]
                break
        labels = tuple((s(lb.key), s(lb.str)) for lb in sample.label if lb.str)
        records.append(StackRecord(count=count, frames=tuple(stack), labels=labels))
    kind: StackKind = "goroutineleak" if type_name == "goroutineleak" else "goroutine"
    return StackCounts(total=total, records=tuple(records), kind=kind)
