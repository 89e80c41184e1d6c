"""The decoded profile: frozen records, stored column-wise for speed.

A profile with 200k samples and 20k functions must not cost one Python object per
frame per sample, so:
- stacks are interned: ``stack_ids`` (flat location ids, leaf first) + ``stack_offsets``;
  each sample points at one stack by index (``sample_stack``);
- values are one int64 column (``array('q')``, or a tuple for built profiles) per sample
  type (``values[type_index][sample]``);
- label sets are interned the same way (``label_sets`` + ``sample_label_set``), or
  None when the profile was decoded without labels;
- functions and locations are column tables; ``Function``/``Location`` records are
  built on demand.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, islice, repeat
from operator import sub
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from tui.core.errors import ParseError
from tui.core.limits import LimitNote

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class ValueType:
    type: str
    unit: str


@dataclass(frozen=True, slots=True)
class Function:
    id: int
    name: str
    system_name: str
    filename: str
    start_line: int


@dataclass(frozen=True, slots=True)
class Line:
    function_id: int  # 0: no function (unsymbolized)
    line: int


@dataclass(frozen=True, slots=True)
class Location:
    id: int
    address: int
    mapping_file: str
    lines: tuple[Line, ...]  # inlined code: innermost first, the last line is the caller


@dataclass(frozen=True, slots=True)
class Label:
    key: str
    str_value: str = ""
    num: int = 0
    num_unit: str = ""
    is_numeric: bool = False


@dataclass(frozen=True, slots=True)
class Sample:
    location_ids: tuple[int, ...]  # leaf first
    values: tuple[int, ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True, slots=True)
class FunctionTable:
    ids: tuple[int, ...]
    names: tuple[str, ...]
    system_names: tuple[str, ...]
    filenames: tuple[str, ...]
    start_lines: tuple[int, ...]
    row_of: Mapping[int, int]  # function id -> row

    def get(self, function_id: int) -> Function | None:
        row = self.row_of.get(function_id)
        if row is None:
            return None
        return Function(
            function_id, self.names[row], self.system_names[row], self.filenames[row], self.start_lines[row]
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(slots=True)
class LocationCache:
    """What a LocationTable builds once, on first use (not part of its value)."""

    lines: tuple[tuple[tuple[int, int], ...], ...] | None = None
    row_of: Mapping[int, int] | None = None


@dataclass(frozen=True, slots=True)
class LocationTable:
    """Locations as columns; their lines flattened (innermost first within a location):
    row r's lines are ``line_functions/line_numbers[line_starts[r]:line_starts[r + 1]]``."""

    ids: tuple[int, ...]
    addresses: tuple[int, ...]
    mapping_files: tuple[str, ...]
    line_starts: array[int]  # array('q'), one more than rows
    line_functions: array[int]  # array('Q'): function id per line (0: no function)
    line_numbers: array[int]  # array('q')
    _cache: LocationCache = field(default_factory=LocationCache, compare=False, repr=False, hash=False)

    @classmethod
    def from_lines(
        cls,
        ids: Iterable[int],
        addresses: Iterable[int],
        mapping_files: Iterable[str],
        lines: Sequence[Sequence[tuple[int, int]]],
    ) -> LocationTable:
        starts = array("q", [0])
        starts.extend(accumulate(map(len, lines)))
        flat = list(chain.from_iterable(lines))
        return cls(
            tuple(ids),
            tuple(addresses),
            tuple(mapping_files),
            starts,
            array("Q", [f for f, _ in flat]),
            array("q", [n for _, n in flat]),
        )

    @property
    def lines(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per row: ((function_id, line), ...), built once on first use."""
        lines = self._cache.lines
        if lines is None:
            pairs = iter(list(zip(self.line_functions, self.line_numbers)))
            counts = map(sub, self.line_starts[1:], self.line_starts[:-1])
            lines = self._cache.lines = tuple(map(tuple, map(islice, repeat(pairs), counts)))
        return lines

    @property
    def row_of(self) -> Mapping[int, int]:
        """location id -> row, built once on first use."""
        rows = self._cache.row_of
        if rows is None:
            rows = self._cache.row_of = frozen_mapping(dict(zip(self.ids, range(len(self.ids)))))
        return rows

    def get(self, location_id: int) -> Location | None:
        row = self.row_of.get(location_id)
        if row is None:
            return None
        return Location(
            location_id, self.addresses[row], self.mapping_files[row], tuple(Line(f, n) for f, n in self.lines[row])
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(slots=True)
class ProfileCache:
    """What a Profile decodes once, on first use (not part of its value)."""

    id_array: npt.NDArray[np.uint64] | None = None  # every interned stack's location ids
    ids: array[int] | None = None  # the same as array('Q')


@dataclass(frozen=True, slots=True)
class Profile:
    sample_types: tuple[ValueType, ...]
    default_sample_index: int
    period_type: ValueType | None
    period: int
    time_nanos: int
    duration_nanos: int
    comments: tuple[str, ...]
    doc_url: str
    main_file: str  # mapping[0].filename (the binary), "" if none
    build_id: str
    functions: FunctionTable
    locations: LocationTable
    stack_blob: bytes  # every interned stack's location ids as concatenated packed varints
    stack_offsets: array[int]  # array('q'): stack i is ids[offsets[i]:offsets[i+1]] (ids, not bytes)
    sample_stack: Sequence[int]  # per sample: stack index
    values: tuple[Sequence[int], ...]  # per sample type: per sample value
    label_sets: tuple[tuple[Label, ...], ...] | None
    sample_label_set: tuple[int, ...] | None
    notes: tuple[LimitNote, ...] = ()  # work limits the decode reached (the first N samples kept, ...)
    _cache: ProfileCache = field(default_factory=ProfileCache, compare=False, repr=False, hash=False)

    def stack_id_array(self) -> npt.NDArray[np.uint64]:
        """numpy uint64 array of every interned stack's location ids (decoded once)."""
        ids = self._cache.id_array
        if ids is None:
            from tui.heap.packed import decode_uint64_array

            ids = decode_uint64_array(self.stack_blob)
            if len(ids) != self.stack_offsets[-1]:
                raise ParseError("profile: stack location ids do not match their offsets", kind="profile")
            self._cache.id_array = ids
        return ids

    @property
    def stack_ids(self) -> array[int]:
        """array('Q') of every interned stack's location ids (built once, on first use)."""
        ids = self._cache.ids
        if ids is None:
            ids = self._cache.ids = array("Q")
            ids.frombytes(self.stack_id_array().tobytes())  # both native uint64
        return ids

    @property
    def num_samples(self) -> int:
        return len(self.sample_stack)

    @property
    def num_stacks(self) -> int:
        return len(self.stack_offsets) - 1

    def stack(self, index: int) -> tuple[int, ...]:
        """Location ids of interned stack ``index``, leaf first."""
        return tuple(self.stack_ids[self.stack_offsets[index] : self.stack_offsets[index + 1]])

    def labels_of(self, sample: int) -> tuple[Label, ...]:
        if self.label_sets is None or self.sample_label_set is None:
            return ()
        return self.label_sets[self.sample_label_set[sample]]

    @property
    def samples(self) -> Iterator[Sample]:
        """Samples as records (built on the fly; prefer the columns in hot code)."""
        ntypes = len(self.values)
        for i, s in enumerate(self.sample_stack):
            yield Sample(self.stack(s), tuple(self.values[t][i] for t in range(ntypes)), self.labels_of(i))

    def sample_index(self, spec: str | int | None) -> int:
        """Resolve a sample type name ("inuse_space") or index ("3", 3); None -> default."""
        if spec is None or spec == "":
            return self.default_sample_index
        if isinstance(spec, int) or (isinstance(spec, str) and spec.lstrip("-").isdigit()):
            i = int(spec)
            if 0 <= i < len(self.sample_types):
                return i
            raise ParseError(f"sample index {i} out of range (0-{len(self.sample_types) - 1})", kind="profile")
        names = [st.type for st in self.sample_types]
        if spec in names:
            return names.index(spec)
        raise ParseError(f"sample type {spec!r} not in profile (have: {', '.join(names) or 'none'})", kind="profile")

    def totals(self) -> dict[str, int]:
        """Plain sum of each sample type over all samples (e.g. inuse_space -> bytes)."""
        return {st.type: sum(v) for st, v in zip(self.sample_types, self.values)}


def frozen_mapping(d: dict[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(d)


def build_profile(
    *,
    sample_types: tuple[ValueType, ...],
    default_sample_index: int,
    stacks: list[tuple[int, ...]] | None = None,
    samples: list[tuple[int, tuple[int, ...], tuple[Label, ...]]] | None = None,
    functions: FunctionTable,
    locations: LocationTable,
    period_type: ValueType | None = None,
    period: int = 0,
    time_nanos: int = 0,
    duration_nanos: int = 0,
    comments: tuple[str, ...] = (),
    doc_url: str = "",
    main_file: str = "",
    build_id: str = "",
) -> Profile:
    """Assemble a Profile from stacks and (stack index, values, labels) rows (slow path, diff)."""
    stacks = stacks or []
    samples = samples or []
    from tui.heap.packed import encode_uint64s

    ids = array("Q")
    offsets = array("q", [0])
    for st in stacks:
        ids.extend(st)
        offsets.append(len(ids))
    blob = encode_uint64s(ids)
    ntypes = len(sample_types)
    label_index: dict[tuple[Label, ...], int] = {}
    sample_label = tuple(label_index.setdefault(lbl, len(label_index)) for _, _, lbl in samples)
    return Profile(
        sample_types=sample_types,
        default_sample_index=default_sample_index,
        period_type=period_type,
        period=int(period),
        time_nanos=int(time_nanos),
        duration_nanos=int(duration_nanos),
        comments=tuple(comments),
        doc_url=str(doc_url),
        main_file=str(main_file),
        build_id=str(build_id),
        functions=functions,
        locations=locations,
        stack_blob=blob,
        stack_offsets=offsets,
        sample_stack=tuple(s for s, _, _ in samples),
        values=tuple(tuple(v[t] for _, v, _ in samples) for t in range(ntypes)),
        label_sets=tuple(label_index),
        sample_label_set=sample_label,
    )
