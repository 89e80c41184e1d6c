"""Write a large, realistic Go-style heap profile for benchmarks.

Shape (defaults): ~200,000 samples, ~20,000 functions, stacks 10-40 frames drawn by
random walks over a layered call graph (so stacks share prefixes), ~10% inlined
locations, the four heap sample types, a "bytes" numeric label per sample (like
runtime/pprof: one bucket per stack and allocation size). Deterministic (seeded).

    python3 tests/benchmarks/gen_heap_profile.py OUT.pb.gz [--samples N] [--functions N]
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.wire import profile_pb2

SIZES = (8, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024, 2048, 4096, 8192, 32768)
LEVELS = 40


class _Strings:
    def __init__(self) -> None:
        self.table: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, s: str) -> int:
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.table)
            self.table.append(s)
        return i


def build(n_samples: int, n_functions: int, seed: int) -> profile_pb2.Profile:
    rnd = random.Random(seed)
    st = _Strings()
    prof = profile_pb2.Profile()
    for t, u in (
        ("alloc_objects", "count"),
        ("alloc_space", "bytes"),
        ("inuse_objects", "count"),
        ("inuse_space", "bytes"),
    ):
        prof.sample_type.add(type=st(t), unit=st(u))
    prof.period_type.type = st("space")
    prof.period_type.unit = st("bytes")
    prof.period = 512 * 1024
    prof.time_nanos = 1_700_000_000_000_000_000
    mapping = prof.mapping.add(
        id=1,
        memory_start=0x400000,
        memory_limit=0x2000000,
        filename=st("/usr/local/bin/bigservice"),
        has_functions=True,
    )
    del mapping

    # Functions, spread over call-graph levels; level 0 = roots.
    pkgs = [f"github.com/acme/svc{p}/internal/mod{p % 37}" for p in range(400)]
    level_of: list[int] = []
    for fid in range(1, n_functions + 1):
        pkg = pkgs[rnd.randrange(len(pkgs))]
        kind = rnd.random()
        if kind < 0.4:
            name = f"{pkg}.(*Type{fid % 97}).Method{fid}"
        elif kind < 0.5:
            name = f"{pkg}.handler{fid}.func{fid % 5 + 1}"
        else:
            name = f"{pkg}.fn{fid}"
        prof.function.add(
            id=fid,
            name=st(name),
            system_name=st(name),
            filename=st(f"/src/{pkg}/file{fid % 50}.go"),
            start_line=10 + fid % 300,
        )
        level_of.append(min(LEVELS - 1, int(rnd.random() ** 0.7 * LEVELS)))
    by_level: list[list[int]] = [[] for _ in range(LEVELS)]
    for i, lv in enumerate(level_of):
        by_level[lv].append(i + 1)
    for lv in range(LEVELS):
        if not by_level[lv]:
            by_level[lv].append(rnd.randrange(1, n_functions + 1))

    # Each function calls a few functions of the next levels (heavy-tailed choice).
    callees: dict[int, list[int]] = {}
    for fid in range(1, n_functions + 1):
        lv = level_of[fid - 1]
        out = []
        for _ in range(rnd.randint(2, 6)):
            nxt = min(LEVELS - 1, lv + 1 + int(rnd.random() ** 3 * 3))
            cands = by_level[nxt]
            out.append(cands[int(rnd.random() ** 2 * len(cands))])
        callees[fid] = out

    # Locations: one per (caller function, call line); ~10% carry an inlined callee line.
    loc_ids: dict[tuple[int, int], int] = {}
    addr = 0x401000

    def location(fid: int, callsite: int) -> int:
        nonlocal addr
        key = (fid, callsite)
        lid = loc_ids.get(key)
        if lid is None:
            lid = loc_ids[key] = len(loc_ids) + 1
            addr += 0x20 + rnd.randrange(0x200)
            loc = prof.location.add(id=lid, mapping_id=1, address=addr)
            if rnd.random() < 0.1:
                inl = rnd.randrange(1, n_functions + 1)
                loc.line.add(function_id=inl, line=20 + rnd.randrange(200))
            loc.line.add(function_id=fid, line=30 + callsite * 7)
        return lid

    roots = by_level[0][:50] or [1]
    samples_left = n_samples
    while samples_left > 0:
        depth = rnd.randint(10, 40)
        frames = [rnd.choice(roots)]
        while len(frames) < depth:
            frames.append(rnd.choice(callees[frames[-1]]))
        stack = [location(f, rnd.randrange(3)) for f in reversed(frames)]  # leaf first
        for _ in range(min(samples_left, rnd.choice((1, 1, 2, 2, 3, 4)))):
            size = rnd.choice(SIZES)
            allocs = 1 + int(rnd.paretovariate(1.2))
            inuse = rnd.randrange(allocs + 1)
            s = prof.sample.add(location_id=stack, value=[allocs, allocs * size, inuse, inuse * size])
            s.label.add(key=st("bytes"), num=size)
            samples_left -= 1
    prof.string_table.extend(st.table)
    return prof


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--samples", type=int, default=200_000)
    ap.add_argument("--functions", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    prof = build(args.samples, args.functions, args.seed)
    raw = prof.SerializeToString()
    Path(args.out).write_bytes(gzip.compress(raw, 6))
    print(
        f"{args.out}: {len(prof.sample)} samples, {len(prof.function)} functions, "
        f"{len(prof.location)} locations, {len(raw) / 1e6:.1f} MB raw, "
        f"{Path(args.out).stat().st_size / 1e6:.1f} MB gz"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
