"""Crafted recordings (issue #31): shapes a hostile file or a hostile target's answers could take.

``CRAFTED`` maps a name to a function writing that recording into an empty directory. Each is small
on disk (the "huge" ones are sparse files) and built in well under a second; `check` and `replay`
must end on every one with a clear message (tests/unit/test_hostile_recordings3.py;
tests/benchmarks/bench_crafted_recordings.py times them).
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.unit.pprof_builder import Builder
from tui.recording.format import MAGIC, MAX_RECORD_BODY, PREFIX, RecordHeader, encode_record, segment_name
from tui.recording.writer import RecordingWriter

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "go1.27"
INDEX = (FIX / "index.html").read_bytes()
DEBUG2 = (FIX / "goroutine_debug2.txt").read_bytes()


def header(t: float, ep: str, **kw) -> RecordHeader:
    values = dict(t=t, dt=0.01, wall=1.7e9 + (t % 1e9), ep=ep, status=200, elapsed=0.01, wire=10)
    values.update(kw)
    return RecordHeader(**values)  # type: ignore[arg-type]


def heap_body(value: int = 1000, func: str = "main.leak") -> bytes:
    b = Builder((("inuse_space", "bytes"),))
    b.sample([func, "main.main"], [value])
    return b.bytes(gz=True)


def _writer(d: Path) -> RecordingWriter:
    return RecordingWriter(d, target="crafted:6060", interval=2.0, poll={"interval": 2.0, "stw_budget": 0.01})


def _ticks(d: Path, times, extra: Callable[[int, float], list[tuple[str, bytes]]] | None = None) -> None:
    w = _writer(d)
    for i, t in enumerate(times):
        w.append(header(float(t), "index"), INDEX)
        w.append(header(float(t) + 0.01, "heap"), heap_body(1000 * (i + 1)))
        for j, (ep, body) in enumerate(extra(i, t) if extra else ()):
            w.append(header(float(t) + 0.02 + j * 0.001, ep), body)
    w.close()


def time_jump(d: Path) -> None:
    """Record times jump by 10**9 s between two ticks."""
    _ticks(d, [100, 102, 104, 1e9 + 106, 1e9 + 108])


def many_jumps(d: Path) -> None:
    """Every tick 10**6 s after the one before (all within the time bound)."""
    _ticks(d, [100 + i * 1e6 for i in range(40)])


def tiny_steps(d: Path) -> None:
    """Ticks 1 ms apart: far more records than poll ticks of the recorded interval."""
    _ticks(d, [100 + i * 0.001 for i in range(300)])


def distinct_reasons(d: Path) -> None:
    """A goroutine dump of 20k goroutines, each in a wait reason of its own, on every tick."""
    dump = "".join(f"goroutine {i} [r{i}]:\nmain.f()\n\t/x.go:1 +0x1\n\n" for i in range(1, 20_001)).encode()
    _ticks(d, [100 + 2 * i for i in range(3)], lambda i, t: [("goroutine?debug=2", dump)])


def distinct_stacks_each_tick(d: Path) -> None:
    """Every dump on new stacks: distinct keys for the leak tracker on every tick."""

    def dump(i: int, t: float) -> list[tuple[str, bytes]]:
        text = "".join(f"goroutine {k} [chan receive]:\nmain.f{i}_{k}()\n\t/x.go:{k} +0x1\n\n" for k in range(1, 1501))
        return [("goroutine?debug=2", text.encode()), ("goroutine?debug=1", b"goroutine profile: total 1\n")]

    _ticks(d, [100 + 2 * i for i in range(12)], dump)


def hostile_heap(d: Path) -> None:
    """A heap of 5k distinct functions and samples, then a gzip bomb as the next heap."""
    b = Builder((("inuse_space", "bytes"),))
    for k in range(5_000):
        b.sample([f"pkg.f{k}", "main.main"], [k + 1])
    big = b.bytes(gz=True)
    bomb = gzip.compress(b"\0" * (257 * 1024 * 1024), 9)

    _ticks(d, [100 + 2 * i for i in range(3)], lambda i, t: [("heap", big if i == 1 else bomb)])


def garbage_bodies(d: Path) -> None:
    """Answers that are not what their endpoint serves: escapes, NULs, HTML, random bytes."""
    junk = [b"\x1b]0;pwned\x07" * 1000, b"\0" * 100_000, b"<html><body>login</body></html>", os.urandom(50_000)]
    _ticks(
        d,
        [100 + 2 * i for i in range(4)],
        lambda i, t: [(ep, junk[i]) for ep in ("goroutine?debug=2", "heap?debug=1", "goroutine?debug=1")],
    )


def sparse_huge_segment(d: Path) -> None:
    """Two segments of 16 records whose bodies are 72 MB of zeros: 2.4 GB in all, sparse on disk."""
    w = _writer(d)
    w.append(header(100.0, "index"), INDEX)
    w.close()
    zeros = bytes(MAX_RECORD_BODY)
    for seg in (2, 3):
        head = header(100.0 + seg, "heap").to_json()  # one header a segment: one CRC to compute
        crc = zlib.crc32(zeros, zlib.crc32(head))
        with open(d / segment_name(seg), "wb") as fh:
            for _ in range(16):
                fh.write(PREFIX.pack(MAGIC, len(head), len(zeros), crc) + head)
                fh.seek(len(zeros), os.SEEK_CUR)
            fh.truncate()


def truncated(d: Path) -> None:
    """The last record cut in half (a writer killed mid-write), then nothing."""
    _ticks(d, [100 + 2 * i for i in range(5)])
    seg = d / segment_name(1)
    data = seg.read_bytes()
    seg.write_bytes(data[: len(data) - 300])


def no_valid_record(d: Path) -> None:
    """meta.json and a segment of garbage: no record at all."""
    _ticks(d, [100])
    (d / segment_name(1)).write_bytes(b"PTR1" + os.urandom(5000))


def only_failures(d: Path) -> None:
    """Every record a failed fetch."""
    w = _writer(d)
    for i in range(5):
        w.append(header(100.0 + 2 * i, "index", status=0, err="unreachable \x1b[31m", etype="Unreachable"), b"")
    w.close()


def no_index(d: Path) -> None:
    """Heap answers only, far apart: no poll ticks recorded."""
    w = _writer(d)
    for i in range(5):
        w.append(header(100.0 + i * 1e8, "heap"), heap_body())
    w.close()


def huge_dt(d: Path) -> None:
    """Record costs (dt, elapsed) of 10**11 s."""
    w = _writer(d)
    for i in range(5):
        w.append(header(100.0 + 2 * i, "index", dt=1e11, elapsed=1e11), INDEX)
        w.append(header(100.0 + 2 * i + 0.01, "heap", dt=1e11), heap_body())
    w.close()


def many_endpoints(d: Path) -> None:
    """Thousands of distinct endpoint names."""
    w = _writer(d)
    for i in range(5):
        w.append(header(100.0 + 2 * i, "index"), INDEX)
        for k in range(1000):
            w.append(header(100.0 + 2 * i + 0.01, f"x{k}?debug={i}"), b"")
    w.close()


def many_segments(d: Path) -> None:
    """300 segments of one record each."""
    _ticks(d, [100])
    for n in range(2, 302):
        (d / segment_name(n)).write_bytes(encode_record(header(100.0 + n * 2, "index"), INDEX))


def deep_goroutine(d: Path) -> None:
    """A dump of one goroutine with 50k frames."""
    dump = "goroutine 1 [chan receive]:\n" + "main.f()\n\t/x.go:1 +0x1\n" * 50_000
    _ticks(d, [100, 102], lambda i, t: [("goroutine?debug=2", dump.encode())])


def debug2_of_a_real_target(d: Path) -> None:
    """A plain recording (the control): a real dump every tick."""
    _ticks(d, [100 + 2 * i for i in range(10)], lambda i, t: [("goroutine?debug=2", DEBUG2)])


CRAFTED: dict[str, Callable[[Path], None]] = {
    f.__name__: f
    for f in (
        time_jump,
        many_jumps,
        tiny_steps,
        distinct_reasons,
        distinct_stacks_each_tick,
        hostile_heap,
        garbage_bodies,
        sparse_huge_segment,
        truncated,
        no_valid_record,
        only_failures,
        no_index,
        huge_dt,
        many_endpoints,
        many_segments,
        deep_goroutine,
        debug2_of_a_real_target,
    )
}
