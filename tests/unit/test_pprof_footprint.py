"""The profiler's own footprint is decided by the stack: pprof's serving path, not leaf names."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from tests.unit.pprof_builder import Builder
from tui.heap.decode import decode_profile
from tui.heap.footprint import own_footprint, own_functions
from tui.leaks.heap_baseline import Baseline, function_values, heap_diff
from tui.leaks.tracker import LeakTracker
from tui.model.snapshot import HEAP, DataAge, Snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SERVE = ["net/http/pprof.handler.ServeHTTP", "net/http.HandlerFunc.ServeHTTP", "net/http.(*conn).serve"]


def _profile(flate_bytes: int, cache_bytes: int):
    b = Builder()
    # our poll: the target gzips the profile it writes for us
    b.sample(
        [
            "compress/flate.NewWriter",
            "compress/gzip.(*Writer).Write",
            "runtime/pprof.(*profileBuilder).flush",
            "runtime/pprof.writeHeapProto",
            *SERVE,
        ],
        [1, flate_bytes, 1, flate_bytes],
    )
    # the goroutine dump buffer, leaf in bytes: still ours by the stack
    b.sample(
        ["bytes.growSlice", "bytes.(*Buffer).Write", "runtime/pprof.writeGoroutineStacks", *SERVE], [1, 4096, 1, 4096]
    )
    # the service's own code under pprof.Do labels is the service's
    b.sample(
        ["main.(*LFUCache).increment", "main.(*LFUCache).Get", "runtime/pprof.Do", "main.handle"],
        [1, cache_bytes, 1, cache_bytes],
    )
    b.sample(["compress/flate.NewWriter", "main.compressReply", "main.handle"], [1, 700, 1, 700])
    return decode_profile(b.bytes(gz=True))


def test_own_footprint_is_the_stacks_through_pprof_serving():
    p = _profile(600_000, 1_000_000)
    assert own_footprint(p, "inuse_space") == 600_000 + 4096
    assert own_footprint(p, "inuse_objects") == 2


def test_growth_series_and_baseline_diff_leave_pprofs_own_out():
    before, after = _profile(100_000, 1_000_000), _profile(5_000_000, 3_000_000)
    values = function_values(after)
    assert "compress/flate.NewWriter" in values and values["compress/flate.NewWriter"] == 700  # the service's own call
    assert "bytes.growSlice" not in values and values["main.(*LFUCache).increment"] == 3_000_000
    diff = heap_diff(after, Baseline(before, 0.0, "start"), current_at=60.0)
    assert diff is not None and [name for name, _ in diff.growing] == ["main.(*LFUCache).increment"]
    shown = heap_diff(after, Baseline(before, 0.0, "start"), current_at=60.0, hide_pprof_own=False)
    assert shown is not None and shown.growing[0][0] == "compress/flate.NewWriter"


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_real_captures_have_pprof_allocations_in_alloc_space_only(version):
    # recorded after 150 s of polling: the writers' buffers were allocated and freed
    p = decode_profile((FIXTURES / version / "heap.pb.gz").read_bytes())
    assert own_footprint(p, "alloc_space") > 1_000_000
    assert own_footprint(p, "inuse_space") < p.totals()["inuse_space"] // 10


def test_functions_whose_bytes_are_pprofs_own_are_named_for_the_table():
    p = _profile(600_000, 1_000_000)
    # bytes.growSlice and the gzip writer hold only our polling's bytes; compress/flate.NewWriter is
    # also called by the service (700 B of 600,700): still nearly all ours, so marked too
    assert own_functions(p, "inuse_space") == frozenset({"bytes.growSlice", "compress/flate.NewWriter"})
    assert "main.(*LFUCache).increment" not in own_functions(p, "inuse_space")
    assert own_functions(_profile(1, 1_000_000), "inuse_space", share=0.99) == frozenset({"bytes.growSlice"})


def test_the_tracker_reports_pprofs_own_bytes_and_functions():
    tracker = LeakTracker()
    heap = _profile(600_000, 1_000_000)
    snapshot = Snapshot(
        seq=1,
        time=10.0,
        target="t",
        state="live",
        heap=heap,
        heap_totals=MappingProxyType(heap.totals()),
        ages=MappingProxyType({HEAP: DataAge(HEAP, 10.0, 10.0, "")}),
    )
    report = tracker.feed(snapshot)
    assert report.pprof_own == 604_096
    assert report.pprof_own_keys == frozenset({"bytes.growSlice", "compress/flate.NewWriter"})
