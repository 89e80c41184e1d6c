"""The samples of a profile.proto decode (tui.heap.decode): stacks interned by their packed bytes, values
as columns (the fast path over the merged-sample view, the slow one over the plain gencode), and sample
labels as interned sets."""

from __future__ import annotations

from array import array
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from google.protobuf.message import DecodeError

from tui.core import limits
from tui.core.errors import ParseError
from tui.heap import upb_views as views
from tui.heap.decode_tables import DecodeBounds, Strings, short_error
from tui.heap.packed import decode_int64s, decode_uint64_array, encode_uint64s, varints_before
from tui.heap.profile import Label

if TYPE_CHECKING:
    # Sample columns: (interned stacks' packed ids, stack offsets, stack per sample,
    # values per sample type, the stacks' ids decoded or None).
    Columns = tuple[bytes, array[int], array[int], tuple[array[int], ...], npt.NDArray[np.uint64] | None]
    LabelSets = tuple[tuple[Label, ...], ...]


def count_varints(blob: bytes) -> int:
    """How many varints ``blob`` holds (bytes without the continuation bit), a few MB at a time."""
    step = 16 * limits.MiB
    view = memoryview(blob)
    return sum(
        int(np.count_nonzero(np.frombuffer(view[i : i + step], dtype=np.uint8) < 0x80))
        for i in range(0, len(blob), step)
    )


def fast_samples(msg: views.FastProfile, ntypes: int, bounds: DecodeBounds) -> Columns | None:
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
    if len(value_blob) < n * ntypes or count_varints(value_blob) != n * ntypes:
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
        frames = count_varints(stack_blob)
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


def slow_samples(full: views.Profile, ntypes: int, bounds: DecodeBounds) -> Columns:
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


def sample_labels(data: bytes, nsamples: int, st: Strings) -> tuple[LabelSets, tuple[int, ...]]:
    view = views.LabelsProfile()
    try:
        view.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad sample labels ({short_error(exc)})", kind="profile") from None
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
            raise ParseError(f"profile: bad sample label ({short_error(exc)})", kind="profile") from None
        label_sets.append(
            tuple(Label(st(lb.key), st(lb.str), lb.num, st(lb.num_unit), is_numeric=lb.str == 0) for lb in parsed)
        )
    return tuple(label_sets), sample_label_set
