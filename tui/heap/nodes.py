"""Map a profile's locations to report nodes (functions or lines), like pprof's graph nodes.

functions: one node per function *name* (files are not part of the key, as in pprof);
lines: one node per (name, cleaned file, line). Inlined frames are nodes of their own.
A location without symbol information becomes "[binary]" or "<unknown>".

The map is columns, like the location table: location row r's nodes (innermost first,
one per line; one node for a location without lines) are
``node_ids[node_starts[r]:node_starts[r + 1]]``. For the usual profile (every location
has lines of named functions) the function map is built with numpy, without a Python
object per location.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import numpy.typing as npt

from tui.core.errors import ParseError
from tui.heap.id_index import IdIndex
from tui.heap.profile import FunctionTable, LocationTable, Profile

GRANULARITIES = ("functions", "lines")


@dataclass(frozen=True, slots=True)
class NodeInfo:
    key: str  # stable across polls: the printable name
    name: str
    file: str
    line: int


class NodeInfos(Sequence[NodeInfo]):
    """NodeInfo records built on access from columns (a 20k-function profile reads a few)."""

    __slots__ = ("files", "keys", "lines", "names")

    def __init__(self, keys: Sequence[str], names: Sequence[str], files: Sequence[str], lines: Sequence[int]) -> None:
        self.keys, self.names, self.files, self.lines = keys, names, files, lines

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: int) -> NodeInfo:  # type: ignore[override]
        return NodeInfo(self.keys[i], self.names[i], self.files[i], self.lines[i])

    def __iter__(self) -> Iterator[NodeInfo]:
        return map(NodeInfo, self.keys, self.names, self.files, self.lines)


@dataclass(slots=True)
class NodeMapCache:
    """What a NodeMap builds once, on first use (not part of its value)."""

    loc_node: dict[int, int] | None = None
    loc_extra: dict[int, tuple[int, ...]] | None = None


@dataclass(frozen=True, slots=True)
class NodeMap:
    infos: Sequence[NodeInfo]
    location_ids: Sequence[int]  # the location table's ids, row order
    node_ids: npt.NDArray[np.int64]  # per location row, its nodes (see module doc)
    node_starts: npt.NDArray[np.int64]  # one more than rows
    _cache: NodeMapCache = field(default_factory=NodeMapCache, compare=False, repr=False, hash=False)

    @property
    def loc_node(self) -> dict[int, int]:
        """location id -> node of its innermost line (built once, on first use)."""
        d = self._cache.loc_node
        if d is None:
            first: list[int] = self.node_ids[self.node_starts[:-1]].tolist()
            d = self._cache.loc_node = dict(zip(self.location_ids, first))
        return d

    @property
    def loc_extra(self) -> dict[int, tuple[int, ...]]:
        """Inlined locations only: location id -> its callers' nodes, innermost first."""
        d = self._cache.loc_extra
        if d is None:
            starts: list[int] = self.node_starts.tolist()
            nodes: list[int] = self.node_ids.tolist()
            rows: list[int] = np.flatnonzero(np.diff(self.node_starts) > 1).tolist()
            d = self._cache.loc_extra = {
                self.location_ids[r]: tuple(nodes[starts[r] + 1 : starts[r + 1]]) for r in rows
            }
        return d

    def nodes_of(self, location_id: int) -> tuple[int, ...]:
        return (self.loc_node[location_id],) + self.loc_extra.get(location_id, ())


def clean_path(path: str) -> str:
    """Go's filepath.Clean for the forward-slash paths in profiles."""
    if not path:
        return path
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def _objname(mapping_file: str) -> str:
    return f"[{posixpath.basename(mapping_file)}]" if mapping_file else "<unknown>"


def map_nodes(profile: Profile, granularity: str = "functions") -> NodeMap:
    if granularity not in GRANULARITIES:
        raise ParseError(f"unknown granularity {granularity!r} (use functions or lines)", kind="usage")
    if granularity == "functions":
        fast = _function_nodes(profile.functions, profile.locations)
        if fast is not None:
            return fast
    return _nodes_per_location(profile.functions, profile.locations, granularity)


def _function_nodes(funcs: FunctionTable, locs: LocationTable) -> NodeMap | None:
    """Function nodes in bulk, or None when some location has no lines or a line has no
    named function (those need the per-location path's "[binary]" nodes)."""
    names = funcs.names
    starts = np.frombuffer(locs.line_starts, dtype=np.int64)
    if not names or not all(names) or (len(starts) > 1 and not np.diff(starts).all()):
        return None
    fids = np.frombuffer(locs.line_functions, dtype=np.uint64)
    rows = IdIndex(np.fromiter(funcs.ids, dtype=np.uint64, count=len(funcs.ids))).find(fids)
    if rows is None:
        return None  # function id 0 or unknown: the per-location path handles (or reports) it
    # One node per distinct name, numbered in the order of first appearance.
    index: dict[str, int] = {}
    func_node = np.fromiter(map(index.setdefault, names, map(len, repeat(index))), dtype=np.int64, count=len(names))
    first_row = dict(zip(reversed(names), range(len(names) - 1, -1, -1)))
    keys = tuple(index)
    files = tuple(map(funcs.filenames.__getitem__, map(first_row.__getitem__, keys)))
    infos = NodeInfos(keys, keys, files, (0,) * len(keys))
    return NodeMap(infos, locs.ids, func_node[rows], starts)


def _nodes_per_location(funcs: FunctionTable, locs: LocationTable, granularity: str) -> NodeMap:
    keys: list[str] = []
    names: list[str] = []
    files: list[str] = []
    lines: list[int] = []
    by_key: dict[str, int] = {}

    def node(key: str, name: str, file: str, line: int) -> int:
        idx = by_key.get(key)
        if idx is None:
            idx = by_key[key] = len(keys)
            keys.append(key)
            names.append(name)
            files.append(file)
            lines.append(line)
        return idx

    row_of = funcs.row_of
    fnames, ffiles = funcs.names, funcs.filenames
    cache: dict[tuple[int, int], int] = {}

    def line_node(fid: int, line: int, mfile: str) -> int:
        row = row_of.get(fid)
        if granularity == "functions":
            name = fnames[row] if row is not None else ""
            if row is None or not name:
                return node(_objname(mfile), "", "", 0)
            return node(name, name, ffiles[row], 0)
        n = cache.get((fid, line))
        if n is not None:
            return n
        name = fnames[row] if row is not None else ""
        file = clean_path(ffiles[row]) if row is not None else ""
        if line:
            key = f"{name} {file}:{line}" if name else f"{file}:{line}"
        elif file:
            key = f"{name} {file}" if name else file
        elif name:
            key = name
        else:
            key = _objname(mfile)
        n = node(key, name or ("" if file else key), file, line)
        if row is not None:
            cache[(fid, line)] = n
        return n

    node_ids: list[int] = []
    node_starts = [0]
    lstarts, lfuncs, lnums = locs.line_starts, locs.line_functions, locs.line_numbers
    for r, mfile in enumerate(locs.mapping_files):
        a, b = lstarts[r], lstarts[r + 1]
        if a == b:
            node_ids.append(node(_objname(mfile), "", "", 0))
        else:
            node_ids.extend(line_node(lfuncs[j], lnums[j], mfile) for j in range(a, b))
        node_starts.append(len(node_ids))
    return NodeMap(
        NodeInfos(keys, names, files, lines),
        locs.ids,
        np.array(node_ids, dtype=np.int64),
        np.array(node_starts, dtype=np.int64),
    )
