"""bytes (gzip'd or raw profile.proto) -> tui.heap.profile.Profile.

Fast path: the upb views of tui.heap.upb_views (no Python object per sample or frame).
Slow path: the plain gencode, used when the fast path's consistency checks fail
(unpacked repeated fields, empty stacks, ...). Every reference (string index,
location id, function id) is checked: bad input raises ParseError, never KeyError.

Work is bounded as well as bytes (tui.core.limits, ``decode_profile``'s docstring): tables are
counted before anything is built from them, samples past ``max_samples`` are left out (a big
body is walked first, tui.core.protoscan, so they are never parsed), values are counted before
they are expanded, and the result says what was left out (``Profile.notes``).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt
from google.protobuf.message import DecodeError, Message

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.core.gc_pause import gc_paused
from tui.core.gunzip import gunzip, is_gzip
from tui.core.limits import LimitNote
from tui.core.protoscan import FieldScan, scan_fields
from tui.heap import upb_views as views
from tui.heap.packed import decode_int64s, decode_uint64_array, encode_uint64s, varints_before
from tui.heap.profile import (
    FunctionTable,
    Label,
    LocationTable,
    Profile,
    ProfileCache,
    ValueType,
    frozen_mapping,
)

_M = TypeVar("_M", bound=Message)
if TYPE_CHECKING:
    # Sample columns: (interned stacks' packed ids, stack offsets, stack per sample,
    # values per sample type, the stacks' ids decoded or None).
    _Columns = tuple[bytes, array[int], array[int], tuple[array[int], ...], npt.NDArray[np.uint64] | None]
    _LabelSets = tuple[tuple[Label, ...], ...]


# Profiles that decompress to more than this are walked before they are parsed
# (tui.core.protoscan: counts per field, samples past the limit left out): upb builds every
# element of a field before anyone can count them (a 190 MB profile of 10 M samples took
# 2.3 GB). Below it the parse stays small and the counts are checked right after it.
SCAN_ABOVE = 4 * limits.MiB
# profile.proto field numbers of the Profile message
_SAMPLE_TYPE, _SAMPLE, _MAPPING, _LOCATION, _FUNCTION, _STRING, _COMMENT = 1, 2, 3, 4, 5, 6, 13


class _Bounds:
    """The work limits of one decode (tui.core.limits) and the refusals they make."""

    __slots__ = ("frames", "label_bytes", "lines", "samples", "strings", "tables")

    def __init__(self, max_samples: int, max_locations: int) -> None:
        self.samples = max(1, max_samples)
        self.frames = self.samples * limits.FRAMES_PER_SAMPLE  # location ids in the distinct stacks
        self.label_bytes = self.samples * 16  # Go writes one numeric label (~7 bytes) a heap sample
        self.tables = max(1, max_locations)  # locations, functions, mappings, comments (each)
        self.strings = self.tables * limits.TABLE_FACTOR
        self.lines = self.tables * limits.TABLE_FACTOR

    @staticmethod
    def refuse(what: str, count: int, limit: int, flag: str = "--max-locations") -> LimitExceeded:
        return LimitExceeded(f"profile: {limits.over_limit_message(what, count, limit, flag)}")

    def check_tables(self, counts: Mapping[str, int]) -> None:
        """LimitExceeded for a table over its bound (samples point into them: they are never cut)."""
        if counts["sample types"] > limits.MAX_SAMPLE_TYPES:
            raise self.refuse("sample types", counts["sample types"], limits.MAX_SAMPLE_TYPES, "(a fixed bound)")
        for what in ("locations", "functions", "mappings", "comments"):
            if counts[what] > self.tables:
                raise self.refuse(what, counts[what], self.tables)
        if counts["strings"] > self.strings:
            raise self.refuse("strings", counts["strings"], self.strings)


def decode_profile(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    labels: bool = True,
    validate_stacks: bool = True,
    max_samples: int = limits.MAX_SAMPLES,
    max_locations: int = limits.MAX_LOCATIONS,
) -> Profile:
    """Decode a pprof profile.

    ``labels=False`` skips sample labels (faster; top needs none). ``validate_stacks=False``
    skips checking that every stack's location ids exist (costly on big profiles); only
    for callers that check it themselves (tui.heap.top does, raising ParseError).

    Work is bounded (tui.core.limits): the first ``max_samples`` samples are kept and the rest
    counted (``Profile.notes`` says so, as it says when labels over their bound were left out);
    more than ``max_locations`` locations, functions, mappings or comments (strings, location
    lines: 4x that), more than 64 sample types, or distinct stacks holding more than 16 location
    ids a kept sample raise LimitExceeded.
    """
    with gc_paused():
        return _decode(data, max_decompressed, labels, validate_stacks, _Bounds(max_samples, max_locations))


def _scan(data: bytes, bounds: _Bounds) -> FieldScan:
    """Walk the profile's fields: refuse tables over their bounds, leave out samples past the limit."""
    scan = scan_fields(data, {_SAMPLE: bounds.samples}, what="profile")
    bounds.check_tables(
        {
            "sample types": scan.count(_SAMPLE_TYPE),
            "locations": scan.count(_LOCATION),
            "functions": scan.count(_FUNCTION),
            "mappings": scan.count(_MAPPING),
            "comments": scan.count(_COMMENT),
            "strings": scan.count(_STRING),
        }
    )
    return scan


def _parse_fast(data: bytes, bounds: _Bounds) -> views.FastProfile:
    msg = views.FastProfile()
    try:
        msg.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: not a valid profile.proto ({_short(exc)})", kind="profile") from None
    bounds.check_tables(
        {
            "sample types": len(msg.sample_type),
            "locations": len(msg.location),
            "functions": len(msg.function),
            "mappings": len(msg.mapping),
            "comments": len(msg.comment),
            "strings": len(msg.string_table),
        }
    )
    return msg


def _decode(data: bytes, max_decompressed: int, labels: bool, validate_stacks: bool, bounds: _Bounds) -> Profile:
    if is_gzip(data):
        data = gunzip(data, max_decompressed, what="profile", kind="profile")
    elif len(data) > max_decompressed:
        raise LimitExceeded(f"profile: {len(data)} bytes is over the {max_decompressed}-byte limit")
    scan: FieldScan | None = None
    if len(data) > SCAN_ABOVE:
        scan = _scan(data, bounds)
        data = scan.data
    msg = _parse_fast(data, bounds)
    if scan is None and len(msg.sample.location_id) > bounds.samples:
        scan = _scan(data, bounds)  # a small profile of many samples: cut, then parse again
        data = scan.data
        msg = _parse_fast(data, bounds)
    strings = _texts(msg.string_table)
    if strings and strings[0] != "":
        raise ParseError("profile: string_table[0] must be empty", kind="profile")
    st = _Strings(strings)
    sample_types = tuple(ValueType(st(v.type), st(v.unit)) for v in msg.sample_type)
    mapping_files = {m.id: st(m.filename) for m in msg.mapping}
    main_file = st(msg.mapping[0].filename) if len(msg.mapping) else ""
    build_id = st(msg.mapping[0].build_id) if len(msg.mapping) else ""
    functions = _functions(msg, st)
    locations = _locations(msg, st, mapping_files, functions, bounds)

    columns = _fast_samples(msg, len(sample_types), bounds)
    if columns is None:
        if scan is None:
            scan = _scan(data, bounds)  # the slow path builds objects a sample: cut first
            data = scan.data
        full = views.Profile()
        try:
            full.ParseFromString(data)
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise ParseError(f"profile: not a valid profile.proto ({_short(exc)})", kind="profile") from None
        columns = _slow_samples(full, len(sample_types), bounds)
        del full
    stack_blob, stack_offsets, sample_stack, values, id_array = columns
    if validate_stacks and stack_blob:
        if id_array is None:
            id_array = decode_uint64_array(stack_blob)
        if len(id_array) != stack_offsets[-1]:
            raise ParseError("profile: malformed sample location ids", kind="profile")
        used = np.unique(id_array)
        known = np.fromiter(locations.ids, dtype=np.uint64, count=len(locations.ids))
        missing = used[~np.isin(used, known)]
        if len(missing):
            raise ParseError(f"profile: sample references unknown location id {int(missing[0])}", kind="profile")

    notes: list[LimitNote] = []
    if scan is not None and scan.left_out[_SAMPLE]:
        notes.append(LimitNote("samples", bounds.samples, "--max-samples", scan.left_out[_SAMPLE], "samples"))
    label_sets: _LabelSets | None = None
    sample_label_set: tuple[int, ...] | None = None
    if labels:
        # The kept samples' bytes besides their stacks and values: their labels, at most. Parsing
        # labels builds objects a label: past the bound they are left out, not the profile.
        label_room = scan.sizes[_SAMPLE] if scan is not None else len(data)
        if label_room > bounds.label_bytes:  # could be: take what is not labels off
            label_room -= sum(map(len, msg.sample.location_id)) + sum(map(len, msg.sample.value))
            label_room -= 6 * len(sample_stack)  # a sample's tag and length, its ids' and values' (>= 2 each)
        if label_room > bounds.label_bytes:
            notes.append(
                LimitNote(
                    "bytes of sample labels",
                    bounds.label_bytes,
                    "--max-samples",
                    detail=f"up to {label_room:,}",
                    kept="leaving every label out",
                )
            )
        else:
            label_sets, sample_label_set = _labels(data, len(sample_stack), st)

    default = len(sample_types) - 1
    if msg.default_sample_type:
        name = st(msg.default_sample_type)
        for i, t in enumerate(sample_types):
            if t.type == name:
                default = i
                break
    period_type = ValueType(st(msg.period_type.type), st(msg.period_type.unit)) if msg.HasField("period_type") else None
    return Profile(
        sample_types=sample_types,
        default_sample_index=max(default, 0),
        period_type=period_type,
        period=msg.period,
        time_nanos=msg.time_nanos,
        duration_nanos=msg.duration_nanos,
        comments=tuple(st(c) for c in msg.comment),
        doc_url=st(msg.doc_url),
        main_file=main_file,
        build_id=build_id,
        functions=functions,
        locations=locations,
        stack_blob=stack_blob,
        stack_offsets=stack_offsets,
        sample_stack=sample_stack,
        values=values,
        label_sets=label_sets,
        sample_label_set=sample_label_set,
        notes=tuple(notes),
        _cache=ProfileCache(id_array=id_array),
    )


def _texts(raw: Sequence[bytes]) -> list[str]:
    """The string table as text: UTF-8, invalid bytes shown as U+FFFD (as Go's pprof keeps
    them: the profile is not rejected for a name it cannot print)."""
    try:
        return list(map(bytes.decode, raw))
    except UnicodeDecodeError:
        return [b.decode("utf-8", "replace") for b in raw]


class _Strings:
    """string_table lookup that raises ParseError on a bad index."""

    __slots__ = ("n", "table")

    def __init__(self, table: list[str]) -> None:
        self.table = table
        self.n = len(table)

    def __call__(self, index: int) -> str:
        if 0 <= index < self.n:
            return self.table[index]
        if index == 0:
            return ""
        raise ParseError(f"profile: string index {index} out of range ({self.n} strings)", kind="profile")

    def check(self, indexes: list[int] | tuple[int, ...]) -> None:
        if indexes and (max(indexes) >= max(self.n, 1) or min(indexes) < 0):
            bad = next(i for i in indexes if not 0 <= i < max(self.n, 1))
            self(bad)


def _merged_columns(
    raw: list[bytes], merged: Message, single: type[Message], fields: tuple[str, ...]
) -> list[tuple[int, ...]]:
    """Per field, one value per raw message: from ``merged`` (all messages parsed as one,
    their repeated fields collected in order) when the field has one value per message;
    else each message is parsed with the ``single`` view (absent = 0, last one wins).

    Writers leave zero fields out (proto3), so a column that does not line up is common
    enough (line 0, start_line 0); a writer that repeats a field in one message and leaves
    it out of another would line up wrongly, which no known writer does.
    """
    columns: list[tuple[int, ...]] = []
    parsed: list[Message] | None = None
    for name in fields:
        column = getattr(merged, name)
        if len(column) != len(raw):
            if parsed is None:
                parsed = _parse_each(raw, single)
            column = list(map(attrgetter(name), parsed))
        columns.append(tuple(column))
    return columns


def _parse_each(raw: list[bytes], view: type[_M]) -> list[_M]:
    try:
        return list(map(view.FromString, raw))
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad {_what(view)} ({_short(exc)})", kind="profile") from None


def _parse_merged(blob: bytes, view: type[_M]) -> _M:
    try:
        return view.FromString(blob)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad {_what(view)} ({_short(exc)})", kind="profile") from None


def _what(view: type[Message]) -> str:
    """ "location" for MergedLocation / RawLineLocation, "line" for Line, ..."""
    return view.DESCRIPTOR.name.removeprefix("Merged").removeprefix("RawLine").lower()


def _functions(msg: views.FastProfile, st: _Strings) -> FunctionTable:
    raw = list(msg.function)
    if not raw:
        return FunctionTable((), (), (), (), (), frozen_mapping({}))
    merged = _parse_merged(b"".join(raw), views.MergedFunction)
    ids, names, sys_names, files, starts = _merged_columns(
        raw, merged, views.Function, ("id", "name", "system_name", "filename", "start_line")
    )
    table = st.table
    for col in (names, sys_names, files):
        st.check(col)
    if not table:
        table = [""]
    return FunctionTable(
        ids=ids,
        names=tuple(map(table.__getitem__, names)),
        system_names=tuple(map(table.__getitem__, sys_names)),
        filenames=tuple(map(table.__getitem__, files)),
        start_lines=starts,
        row_of=frozen_mapping(dict(zip(ids, range(len(ids))))),
    )


# Appended to every raw location before they are parsed as one: a Line field whose
# payload (an 11-byte varint) no valid Line has, so the lines column says where each
# location's lines end.
_LINE_MARK = b"\xff" * 10 + b"\x01"
_LOCATION_END = b"\x22" + bytes([len(_LINE_MARK)]) + _LINE_MARK


def _locations(
    msg: views.FastProfile, st: _Strings, mapping_files: dict[int, str], functions: FunctionTable, bounds: _Bounds
) -> LocationTable:
    raw = list(msg.location)
    if not raw:
        return LocationTable.from_lines((), (), (), ())
    if sum(map(len, raw)) > 2 * bounds.lines:  # could hold more lines than the bound (a line is >= 2 bytes)
        lines = scan_fields(b"".join(raw), what="profile locations").count(4)  # Location.line = 4
        if lines > bounds.lines:
            raise bounds.refuse("location lines", lines, bounds.lines)
    merged = _parse_merged(_LOCATION_END.join(raw) + _LOCATION_END, views.MergedLocation)
    ids, addresses, mapping_ids = _merged_columns(raw, merged, views.RawLineLocation, ("id", "address", "mapping_id"))
    if len(mapping_files) <= 1:
        only = next(iter(mapping_files.values()), "")
        mfiles = [only if m in mapping_files else "" for m in mapping_ids]
    else:
        mfiles = [mapping_files.get(m, "") for m in mapping_ids]
    marked = merged.line
    is_mark = bytes(map(_LINE_MARK.__eq__, marked))
    counts = list(map(len, is_mark.split(b"\x01")))[:-1]
    if len(counts) == len(raw):
        line_blobs = list(compress(marked, map(_LINE_MARK.__ne__, marked)))
    else:  # a location carried a line equal to the mark: parse them one by one
        per_location = [m.line for m in _parse_each(raw, views.RawLineLocation)]
        counts = list(map(len, per_location))
        line_blobs = list(chain.from_iterable(per_location))
    func_ids, line_numbers = _line_columns(line_blobs)
    used = set(func_ids)
    used.discard(0)
    missing = used.difference(functions.row_of)
    if missing:
        raise ParseError(f"profile: location references unknown function id {min(missing)}", kind="profile")
    starts = array("q", [0])
    starts.extend(accumulate(counts))
    return LocationTable(ids, addresses, tuple(mfiles), starts, array("Q", func_ids), array("q", line_numbers))


def _line_columns(line_blobs: list[bytes]) -> list[tuple[int, ...]]:
    """[function ids, line numbers] of raw Line messages."""
    merged = _parse_merged(b"".join(line_blobs), views.MergedLine)
    return _merged_columns(line_blobs, merged, views.Line, ("function_id", "line"))


def _count_varints(blob: bytes) -> int:
    """How many varints ``blob`` holds (bytes without the continuation bit), a few MB at a time."""
    step = 16 * limits.MiB
    view = memoryview(blob)
    return sum(
        int(np.count_nonzero(np.frombuffer(view[i : i + step], dtype=np.uint8) < 0x80))
        for i in range(0, len(blob), step)
    )


def _fast_samples(msg: views.FastProfile, ntypes: int, bounds: _Bounds) -> _Columns | None:
    """Columns from the merged-sample view, or None if the encoding is not the usual packed one.

    Stacks are interned by their packed bytes; their ids are decoded here once, into a
    numpy array kept with the profile. Values are counted before they are decoded.
    """
    if not msg.HasField("sample"):
        return b"", array("q", [0]), array("q"), tuple(array("q") for _ in range(ntypes)), None
    n = len(msg.sample.location_id)
    if ntypes == 0 or n == 0 or len(msg.sample.value) != n:
        return None  # e.g. unpacked ids or values: parsed as unknown fields by these views
    value_blob = b"".join(msg.sample.value)
    if len(value_blob) < n * ntypes or _count_varints(value_blob) != n * ntypes:
        return None
    allv = np.array(decode_int64s(value_blob), dtype=np.int64).reshape(n, ntypes)  # upb copies out in C
    del value_blob
    values = tuple(_int64_column(allv[:, t]) for t in range(ntypes))
    # Intern stacks by their packed bytes, in C: setdefault(blob, len(index)) gives a new
    # blob the next index (map evaluates len(index) just before each call).
    index: dict[bytes, int] = {}
    sample_stack = array("q", map(index.setdefault, msg.sample.location_id, map(len, repeat(index))))
    uniq = index.keys()
    stack_blob = b"".join(uniq)
    if len(stack_blob) > bounds.frames:  # fewer bytes than the bound: fewer ids too
        frames = _count_varints(stack_blob)
        if frames > bounds.frames:
            raise bounds.refuse("location ids in the distinct sample stacks", frames, bounds.frames, "--max-samples")
    byte_ends = np.cumsum(np.fromiter(map(len, uniq), dtype=np.int64, count=len(uniq)))
    del index, uniq
    raw = np.frombuffer(stack_blob, dtype=np.uint8)
    ends_of_nonempty = byte_ends[np.diff(byte_ends, prepend=0) > 0]
    if len(ends_of_nonempty) and (raw[ends_of_nonempty - 1] >= 0x80).any():
        raise ParseError("profile: sample location ids end in a truncated varint", kind="profile")
    ids = decode_uint64_array(stack_blob)
    stack_offsets = array("q", [0])
    stack_offsets.frombytes(varints_before(stack_blob, byte_ends).astype(np.int64).tobytes())
    return stack_blob, stack_offsets, sample_stack, values, ids


def _int64_column(column: npt.NDArray[np.int64]) -> array[int]:
    out = array("q")
    out.frombytes(np.ascontiguousarray(column, dtype=np.int64).tobytes())
    return out


def _slow_samples(full: views.Profile, ntypes: int, bounds: _Bounds) -> _Columns:
    stacks: dict[tuple[int, ...], int] = {}
    sample_stack = array("q")
    cols = [array("q") for _ in range(ntypes)]
    frames = 0
    for s in full.sample:
        vals = s.value
        if len(vals) != ntypes:
            raise ParseError(f"profile: sample has {len(vals)} values vs. {ntypes} sample types", kind="profile")
        key = tuple(s.location_id)
        index = stacks.get(key)
        if index is None:
            frames += len(key)
            if frames > bounds.frames:
                raise bounds.refuse(
                    "location ids in the distinct sample stacks", frames, bounds.frames, "--max-samples"
                )
            index = stacks[key] = len(stacks)
        sample_stack.append(index)
        for t in range(ntypes):
            cols[t].append(vals[t])
    ids = array("Q")
    offsets = array("q", [0])
    for key in stacks:
        ids.extend(key)
        offsets.append(len(ids))
    return encode_uint64s(ids), offsets, sample_stack, tuple(cols), None


def _labels(data: bytes, nsamples: int, st: _Strings) -> tuple[_LabelSets, tuple[int, ...]]:
    view = views.LabelsProfile()
    try:
        view.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad sample labels ({_short(exc)})", kind="profile") from None
    per_sample = list(map(tuple, map(attrgetter("label"), view.sample)))
    if len(per_sample) != nsamples:
        raise ParseError("profile: sample labels do not line up with samples", kind="profile")
    index: dict[tuple[bytes, ...], int] = {}
    sample_label_set = tuple(index.setdefault(k, len(index)) for k in per_sample)
    label_sets = []
    for raw in index:
        payload = b"".join(b"\x0a" + views.varint(len(x)) + x for x in raw)
        try:
            parsed = views.LabelList.FromString(payload).label
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise ParseError(f"profile: bad sample label ({_short(exc)})", kind="profile") from None
        label_sets.append(
            tuple(Label(st(lb.key), st(lb.str), lb.num, st(lb.num_unit), is_numeric=lb.str == 0) for lb in parsed)
        )
    return tuple(label_sets), sample_label_set


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Error parsing message" in text and ":" in text:
        text = text.rsplit(":", 1)[1].strip()  # drop upb's internal message type name
    return text[:120]


__all__ = ["decode_profile"]
