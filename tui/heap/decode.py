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

from typing import TYPE_CHECKING

import numpy as np
from google.protobuf.message import DecodeError

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.core.gc_pause import gc_paused
from tui.core.gunzip import gunzip, is_gzip
from tui.core.limits import LimitNote
from tui.core.protoscan import FieldScan, scan_fields
from tui.heap import upb_views as views
from tui.heap.decode_samples import fast_samples, sample_labels, slow_samples
from tui.heap.decode_tables import DecodeBounds, Strings, function_table, location_table, short_error, texts
from tui.heap.packed import decode_uint64_array
from tui.heap.profile import Profile, ProfileCache, ValueType

if TYPE_CHECKING:
    from tui.heap.decode_samples import LabelSets


# Profiles that decompress to more than this are walked before they are parsed
# (tui.core.protoscan: counts per field, samples past the limit left out): upb builds every
# element of a field before anyone can count them (a 190 MB profile of 10 M samples took
# 2.3 GB). Below it the parse stays small and the counts are checked right after it.
SCAN_ABOVE = 4 * limits.MiB
# profile.proto field numbers of the Profile message
_SAMPLE_TYPE, _SAMPLE, _MAPPING, _LOCATION, _FUNCTION, _STRING, _COMMENT = 1, 2, 3, 4, 5, 6, 13


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
        return _decode(data, max_decompressed, labels, validate_stacks, DecodeBounds(max_samples, max_locations))


def _scan(data: bytes, bounds: DecodeBounds) -> FieldScan:
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


def _parse_fast(data: bytes, bounds: DecodeBounds) -> views.FastProfile:
    msg = views.FastProfile()
    try:
        msg.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: not a valid profile.proto ({short_error(exc)})", kind="profile") from None
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


def _decode(data: bytes, max_decompressed: int, labels: bool, validate_stacks: bool, bounds: DecodeBounds) -> Profile:
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
    strings = texts(msg.string_table)
    if strings and strings[0] != "":
        raise ParseError("profile: string_table[0] must be empty", kind="profile")
    st = Strings(strings)
    sample_types = tuple(ValueType(st(v.type), st(v.unit)) for v in msg.sample_type)
    mapping_files = {m.id: st(m.filename) for m in msg.mapping}
    main_file = st(msg.mapping[0].filename) if len(msg.mapping) else ""
    build_id = st(msg.mapping[0].build_id) if len(msg.mapping) else ""
    functions = function_table(msg, st)
    locations = location_table(msg, st, mapping_files, functions, bounds)

    columns = fast_samples(msg, len(sample_types), bounds)
    if columns is None:
        if scan is None:
            scan = _scan(data, bounds)  # the slow path builds objects a sample: cut first
            data = scan.data
        full = views.Profile()
        try:
            full.ParseFromString(data)
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise ParseError(f"profile: not a valid profile.proto ({short_error(exc)})", kind="profile") from None
        columns = slow_samples(full, len(sample_types), bounds)
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
    label_sets: LabelSets | None = None
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
            label_sets, sample_label_set = sample_labels(data, len(sample_stack), st)

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


__all__ = ["decode_profile"]
