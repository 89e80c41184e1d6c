"""The tables of a profile.proto decode (tui.heap.decode): its work bounds, the string table, functions
and locations (with their lines) — each parsed as one merged message by the upb views, every reference
checked (bad input raises ParseError, never KeyError)."""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from itertools import accumulate, chain, compress
from operator import attrgetter
from typing import TypeVar

from google.protobuf.message import DecodeError, Message

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.core.protoscan import scan_fields
from tui.heap import upb_views as views
from tui.heap.profile import FunctionTable, LocationTable, frozen_mapping

_M = TypeVar("_M", bound=Message)


class DecodeBounds:
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


def texts(raw: Sequence[bytes]) -> list[str]:
    """The string table as text: UTF-8, invalid bytes shown as U+FFFD (as Go's pprof keeps
    them: the profile is not rejected for a name it cannot print)."""
    try:
        return list(map(bytes.decode, raw))
    except UnicodeDecodeError:
        return [b.decode("utf-8", "replace") for b in raw]


class Strings:
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


def merged_columns(
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
                parsed = parse_each(raw, single)
            column = list(map(attrgetter(name), parsed))
        columns.append(tuple(column))
    return columns


def parse_each(raw: list[bytes], view: type[_M]) -> list[_M]:
    try:
        return list(map(view.FromString, raw))
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad {_what(view)} ({short_error(exc)})", kind="profile") from None


def parse_merged(blob: bytes, view: type[_M]) -> _M:
    try:
        return view.FromString(blob)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ParseError(f"profile: bad {_what(view)} ({short_error(exc)})", kind="profile") from None


def _what(view: type[Message]) -> str:
    """ "location" for MergedLocation / RawLineLocation, "line" for Line, ..."""
    return view.DESCRIPTOR.name.removeprefix("Merged").removeprefix("RawLine").lower()


def function_table(msg: views.FastProfile, st: Strings) -> FunctionTable:
    raw = list(msg.function)
    if not raw:
        return FunctionTable((), (), (), (), (), frozen_mapping({}))
    merged = parse_merged(b"".join(raw), views.MergedFunction)
    ids, names, sys_names, files, starts = merged_columns(
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
LINE_MARK = b"\xff" * 10 + b"\x01"
_LOCATION_END = b"\x22" + bytes([len(LINE_MARK)]) + LINE_MARK


def location_table(
    msg: views.FastProfile, st: Strings, mapping_files: dict[int, str], functions: FunctionTable, bounds: DecodeBounds
) -> LocationTable:
    raw = list(msg.location)
    if not raw:
        return LocationTable.from_lines((), (), (), ())
    if sum(map(len, raw)) > 2 * bounds.lines:  # could hold more lines than the bound (a line is >= 2 bytes)
        lines = scan_fields(b"".join(raw), what="profile locations").count(4)  # Location.line = 4
        if lines > bounds.lines:
            raise bounds.refuse("location lines", lines, bounds.lines)
    merged = parse_merged(_LOCATION_END.join(raw) + _LOCATION_END, views.MergedLocation)
    ids, addresses, mapping_ids = merged_columns(raw, merged, views.RawLineLocation, ("id", "address", "mapping_id"))
    if len(mapping_files) <= 1:
        only = next(iter(mapping_files.values()), "")
        mfiles = [only if m in mapping_files else "" for m in mapping_ids]
    else:
        mfiles = [mapping_files.get(m, "") for m in mapping_ids]
    marked = merged.line
    is_mark = bytes(map(LINE_MARK.__eq__, marked))
    counts = list(map(len, is_mark.split(b"\x01")))[:-1]
    if len(counts) == len(raw):
        line_blobs = list(compress(marked, map(LINE_MARK.__ne__, marked)))
    else:  # a location carried a line equal to the mark: parse them one by one
        per_location = [m.line for m in parse_each(raw, views.RawLineLocation)]
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
    merged = parse_merged(b"".join(line_blobs), views.MergedLine)
    return merged_columns(line_blobs, merged, views.Line, ("function_id", "line"))


def short_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Error parsing message" in text and ":" in text:
        text = text.rsplit(":", 1)[1].strip()  # drop upb's internal message type name
    return text[:120]
