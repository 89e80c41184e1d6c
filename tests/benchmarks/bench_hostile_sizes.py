"""Peak memory and time on hostile inputs within the byte limits (issue 15, "work is bounded by
bytes, not by what the bytes make us do").

    python3 tests/benchmarks/bench_hostile_sizes.py [--keep DIR] [--only NAME ...]

Generates, in a temporary directory:

- ``distinct``: a 72 MB goroutine?debug=2 dump of 1.28 M goroutines, each on its own stack
  (was 68 s and 3.3 GB for `pprof-tui goroutines`, 3.3-4.7 GB in the app);
- ``heap10m``: a heap profile of 10 M samples, 1.6 MB gzipped, 199 MB inflated (was 2.3 GB for `top`);
- ``many``: 2 M goroutines on 50 stacks, 68 MB (was 911 MB);
- ``deep`` (extra): 4,852 goroutines of 100 distinct frames each, 70 MB (the frames bound);
- ``debug1`` (extra): a 70 MB goroutine?debug=1 text of 900k distinct stacks.

For each, at the default limits: the text command (`python -m tui goroutines FILE` / `top FILE`)
as a subprocess, and the app's own parser (`tui.model.parsers.default_parsers()`, what the poller
and its parse worker call) in a fresh child process. Each run reports its peak RSS (the child's
``ru_maxrss`` from ``os.wait4``), its wall time, and the limit note it printed. Goal: <= 500 MB
and <= 10 s each, or a clear limit message within that.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOAL_MB = 500
GOAL_SECONDS = 10.0


# ---- inputs -------------------------------------------------------------------------------------


def _write_blocks(path: Path, blocks) -> None:
    with open(path, "w", encoding="ascii") as fh:
        batch: list[str] = []
        for block in blocks:
            batch.append(block)
            if len(batch) >= 20_000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))


def make_distinct(path: Path, count: int = 1_280_000) -> None:
    _write_blocks(path, (f"goroutine {i} [select]:\nmain.f()\n\t/x.go:{i} +0x1\n\n" for i in range(1, count + 1)))


def make_many(path: Path, count: int = 2_000_000, stacks: int = 50) -> None:
    _write_blocks(path, (f"goroutine {i} [a]:\nf{i % stacks}()\n\tx:1\n\n" for i in range(1, count + 1)))


def make_deep(path: Path, size: int = 70_000_000) -> None:
    def blocks():
        i = written = 0
        while written < size:
            i += 1
            frames = "".join(
                f"github.com/some/long/package/path/pkg{i}.function{j}(0xc000123456)\n"
                f"\t/home/user/src/github.com/some/long/package/path/pkg{i}/file{j}.go:{j} +0x1d\n"
                for j in range(100)
            )
            block = f"goroutine {i} [chan receive, 5 minutes]:\n{frames}created by main.start in goroutine 1\n\t/m.go:1 +0x2\n\n"
            written += len(block)
            yield block

    _write_blocks(path, blocks())


def make_debug1(path: Path, records: int = 900_000) -> None:
    def blocks():
        yield f"goroutine profile: total {records}\n"
        for i in range(records):
            pc = 0x400000 + i
            yield f"1 @ 0x{pc:x}\n#\t0x{pc:x}\tmain.f{i}+0x1\t/src/m.go:{i}\n\n"

    _write_blocks(path, blocks())


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def make_heap(path: Path, samples: int = 10_000_000) -> None:
    """One location, one function, 10 M tiny samples (a "bytes" label each): 199 MB inflated."""
    sys.path.insert(0, str(ROOT))
    from tui.wire import profile_pb2

    p = profile_pb2.Profile()
    strings = ["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects", "inuse_space", "main.f", "x.go"]
    for t, u in ((1, 2), (3, 4), (5, 2), (6, 4)):
        p.sample_type.add(type=t, unit=u)
    p.function.add(id=1, name=7, system_name=7, filename=8)
    p.location.add(id=1, address=0x1000).line.add(function_id=1, line=1)
    p.string_table.extend(strings)
    rnd = random.Random(1)
    variants = []
    for i in range(64):
        a, b = rnd.randrange(1, 100), rnd.randrange(0, 100)
        values = _field(2, _varint(a) + _varint(a * 64) + _varint(b) + _varint(b * 64))
        label = _field(3, b"\x08\x04\x18" + _varint(64 * (i + 1)))  # key "bytes", num
        variants.append(_field(2, _field(1, b"\x01") + values + label))
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(p.SerializeToString())
        chunk = []
        for i in range(samples):
            chunk.append(variants[rnd.randrange(64)] if i % 97 == 0 else variants[i % 7])
            if len(chunk) >= 100_000:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))


CASES = {
    # name: (file name, maker, text command, parser of default_parsers())
    "distinct": ("distinct_debug2.txt", make_distinct, "goroutines", "goroutine_debug2"),
    "heap10m": ("heap_10m_samples.pb.gz", make_heap, "top", "heap"),
    "many": ("many_debug2.txt", make_many, "goroutines", "goroutine_debug2"),
    "deep": ("deep_debug2.txt", make_deep, "goroutines", "goroutine_debug2"),
    "debug1": ("distinct_debug1.txt", make_debug1, "goroutines", "goroutine_debug1"),
}


# ---- measuring ----------------------------------------------------------------------------------

_IN_APP = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from tui.model.parsers import default_parsers
parse = getattr(default_parsers(), sys.argv[2])
data = open(sys.argv[3], "rb").read()
started = time.perf_counter()
try:
    result = parse(data)
    notes = [str(n) for n in getattr(result, "notes", ())]
    error = ""
except Exception as exc:  # a LimitExceeded is an answer too
    notes, error = [], f"{type(exc).__name__}: {exc}"
print(json.dumps({"parse_seconds": time.perf_counter() - started, "notes": notes, "error": error}))
"""


def measure(cmd: list[str], timeout: float = 600.0) -> dict:
    """Run ``cmd``; its wall time, peak RSS (MB), exit status, stdout size and stderr."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else b"")),
        threading.Thread(target=lambda: err.append(proc.stderr.read() if proc.stderr else b"")),
    ]
    for r in readers:
        r.start()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "stdout": out[0] if out else b"",
        "stderr": (err[0] if err else b"").decode(errors="replace"),
    }


def verdict(rss_mb: float, seconds: float) -> str:
    ok = rss_mb <= GOAL_MB and seconds <= GOAL_SECONDS
    return "met" if ok else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="write the inputs here (kept) instead of a temporary directory")
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="run these cases only")
    args = ap.parse_args()
    names = args.only or list(CASES)
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        print(f"{'case':9} {'size':>9}  {'run':34} {'peak RSS':>9} {'time':>7}  goal    note")
        for name in names:
            file_name, make, command, parser = CASES[name]
            path = where / file_name
            if not path.exists():
                make(path)
            size = f"{path.stat().st_size / 1e6:.1f} MB"
            runs = [
                (f"python -m tui {command} FILE", [sys.executable, "-m", "tui", command, str(path)]),
                (f"default_parsers().{parser}", [sys.executable, "-c", _IN_APP, str(ROOT), parser, str(path)]),
            ]
            for label, cmd in runs:
                r = measure(cmd)
                if label.startswith("default_parsers"):
                    doc = json.loads(r["stdout"] or b"{}") if r["rc"] == 0 else {}
                    note = "; ".join(doc.get("notes", ())) or doc.get("error", "") or r["stderr"].strip()[-200:]
                else:
                    note = r["stderr"].strip().replace("\n", " | ")[:200] or f"(exit {r['rc']}, no note)"
                print(
                    f"{name:9} {size:>9}  {label:34} {r['rss_mb']:7.0f} MB {r['seconds']:6.1f}s  "
                    f"{verdict(r['rss_mb'], r['seconds']):6}  {note}"
                )
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
