"""Map a profile's locations to report nodes (functions or lines), like pprof's graph nodes.

functions: one node per function *name* (files are not part of the key, as in pprof);
lines: one node per (name, cleaned file, line). Inlined frames are nodes of their own.
A location without symbol information becomes "[binary]" or "<unknown>".
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from operator import itemgetter

from tui.errors import ParseError
from tui.model.profile import Profile

GRANULARITIES = ("functions", "lines")


@dataclass(frozen=True, slots=True)
class NodeInfo:
    key: str  # stable across polls: the printable name
    name: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class NodeMap:
    infos: tuple[NodeInfo, ...]
    loc_node: dict[int, int]  # location id -> node of its innermost line
    loc_extra: dict[int, tuple[int, ...]]  # inlined locations only: callers' nodes, innermost first

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
    funcs = profile.functions
    locs = profile.locations
    infos: list[NodeInfo] = []
    by_key: dict[str, int] = {}

    def node(info_key: str, name: str, file: str, line: int) -> int:
        idx = by_key.get(info_key)
        if idx is None:
            idx = by_key[info_key] = len(infos)
            infos.append(NodeInfo(info_key, name, file, line))
        return idx

    row_of = funcs.row_of
    names, files = funcs.names, funcs.filenames
    if granularity == "functions":
        func_node: dict[int, int] = {}
        for fid, row in row_of.items():
            name = names[row]
            if name:
                func_node[fid] = node(name, name, files[row], 0)

        def line_node(fid: int, _line: int, mfile: str) -> int:
            n = func_node.get(fid)
            if n is None:
                obj = _objname(mfile)
                n = node(obj, "", "", 0)
            return n

        first = list(map(itemgetter(0), filter(None, locs.lines)))
        fast = len(first) == len(locs.lines) and all(f in func_node for f, _ in first)
        if fast:
            loc_node = dict(zip(locs.ids, map(func_node.__getitem__, map(itemgetter(0), first))))
        else:
            loc_node = {}
    else:
        cache: dict[tuple[int, int], int] = {}

        def line_node(fid: int, line: int, mfile: str) -> int:
            n = cache.get((fid, line))
            if n is not None and fid in row_of:
                return n
            row = row_of.get(fid)
            name = names[row] if row is not None else ""
            file = clean_path(files[row]) if row is not None else ""
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

        loc_node = {}
        fast = False

    loc_extra: dict[int, tuple[int, ...]] = {}
    for lid, mfile, lines in zip(locs.ids, locs.mapping_files, locs.lines):
        if fast and len(lines) == 1:
            continue
        if not lines:
            loc_node[lid] = node(_objname(mfile), "", "", 0)
            continue
        ns = [line_node(f, ln, mfile) for f, ln in lines]
        loc_node[lid] = ns[0]
        if len(ns) > 1:
            loc_extra[lid] = tuple(ns[1:])
    return NodeMap(tuple(infos), loc_node, loc_extra)
