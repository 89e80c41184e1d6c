"""Build small profile.proto messages for tests (with the project's gencode)."""

from __future__ import annotations

import gzip

from tui.wire import profile_pb2

HEAP_TYPES = (
    ("alloc_objects", "count"),
    ("alloc_space", "bytes"),
    ("inuse_objects", "count"),
    ("inuse_space", "bytes"),
)


class Builder:
    """funcs: name -> id (file "NAME.go"); locations: one per (frames) tuple.

    ``sample(["leaf", "caller", "main"], [values...])`` adds a sample whose stack is the
    given function names, leaf first; a frame written "a+b" is one location with inlined
    lines a (innermost) then b (caller).
    """

    def __init__(self, types=HEAP_TYPES, *, mapping_file: str = "/bin/app") -> None:
        self.p = profile_pb2.Profile()
        self.strings: dict[str, int] = {"": 0}
        for t, u in types:
            self.p.sample_type.add(type=self.s(t), unit=self.s(u))
        if mapping_file:
            self.p.mapping.add(id=1, filename=self.s(mapping_file))
        self.funcs: dict[str, int] = {}
        self.locs: dict[tuple[str, int], int] = {}

    def s(self, text: str) -> int:
        if text not in self.strings:
            self.strings[text] = len(self.strings)
        return self.strings[text]

    def func(self, name: str, file: str | None = None) -> int:
        key = name if file is None else f"{name}@{file}"
        if key not in self.funcs:
            fid = len(self.funcs) + 1
            self.funcs[key] = fid
            self.p.function.add(
                id=fid,
                name=self.s(name),
                system_name=self.s(name),
                filename=self.s(file or f"/src/{name}.go"),
                start_line=1,
            )
        return self.funcs[key]

    def loc(self, frame: str, line: int = 10) -> int:
        key = (frame, line)
        if key not in self.locs:
            lid = len(self.locs) + 1
            self.locs[key] = lid
            loc = self.p.location.add(id=lid, mapping_id=1, address=0x1000 + lid * 16)
            for i, name in enumerate(frame.split("+")):
                loc.line.add(function_id=self.func(name), line=line + i)
        return self.locs[key]

    def sample(self, frames, values, *, lines=None, labels=None, numlabels=None) -> None:
        lines = lines or [10] * len(frames)
        s = self.p.sample.add(location_id=[self.loc(f, ln) for f, ln in zip(frames, lines)], value=values)
        for k, v in (labels or {}).items():
            s.label.add(key=self.s(k), str=self.s(v))
        for k, v in (numlabels or {}).items():
            s.label.add(key=self.s(k), num=v)

    def bytes(self, *, gz: bool = False) -> bytes:
        del self.p.string_table[:]
        self.p.string_table.extend(sorted(self.strings, key=self.strings.__getitem__))
        raw = self.p.SerializeToString()
        return gzip.compress(raw) if gz else raw
