"""Hand-made heap profiles for UI tests, encoded with the real gencode and decoded by our decoder."""

from __future__ import annotations

import gzip
from collections.abc import Sequence

from tui.heap.decode import decode_profile
from tui.wire import profile_pb2

HEAP_TYPES = (
    ("alloc_objects", "count"),
    ("alloc_space", "bytes"),
    ("inuse_objects", "count"),
    ("inuse_space", "bytes"),
)

Frame = tuple[str, str, int]  # (function, file, line)


def encode(samples: Sequence[tuple[Sequence[Frame], Sequence[int]]], types=HEAP_TYPES) -> bytes:
    """samples: (stack leaf-first, values per sample type) -> gzip'd profile.proto."""
    p = profile_pb2.Profile()
    strings: dict[str, int] = {"": 0}

    def s(text: str) -> int:
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    for t, u in types:
        vt = p.sample_type.add()
        vt.type, vt.unit = s(t), s(u)
    functions: dict[tuple[str, str], int] = {}
    locations: dict[Frame, int] = {}
    for stack, values in samples:
        ids = []
        for name, file, line in stack:
            if (name, file) not in functions:
                fn = p.function.add()
                fn.id = len(functions) + 1
                fn.name, fn.system_name, fn.filename = s(name), s(name), s(file)
                functions[(name, file)] = fn.id
            if (name, file, line) not in locations:
                loc = p.location.add()
                loc.id = len(locations) + 1
                ln = loc.line.add()
                ln.function_id, ln.line = functions[(name, file)], line
                locations[(name, file, line)] = loc.id
            ids.append(locations[(name, file, line)])
        sample = p.sample.add()
        sample.location_id.extend(ids)
        sample.value.extend(values)
    p.string_table.extend(strings)
    p.period = 512 * 1024
    return gzip.compress(p.SerializeToString())


def flat_profile(weights: dict[str, int]):
    """One sample per function, called from main.main: flat inuse_space = weight."""
    samples = [
        (((name, "/src/app/x.go", 10 + i), ("main.main", "/src/app/main.go", 5)), (1, w, 1, w))
        for i, (name, w) in enumerate(weights.items())
    ]
    return decode_profile(encode(samples))
