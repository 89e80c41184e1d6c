from tests.unit.pprof_builder import Builder
from tui.heap.decode import decode_profile
from tui.heap.peek import peek
from tui.heap.top import top

ONE = (("inuse_space", "bytes"),)


def build():
    b = Builder(ONE)
    b.sample(["alloc", "cache.Get", "handler", "main"], [100])
    b.sample(["alloc", "cache.Get", "worker", "main"], [30])
    b.sample(["cache.Get", "handler", "main"], [5])
    b.sample(["alloc", "cache.Get", "cache.Get", "handler", "main"], [7])  # recursion
    b.sample(["other", "main"], [1000])
    return decode_profile(b.bytes())


def test_callers_callees_and_self():
    p = build()
    r = peek(p, "cache.Get")
    assert (r.flat, r.cum, r.total) == (5, 142, 1142)
    assert [(n.key, n.value) for n in r.callers] == [("handler", 112), ("worker", 30)]
    assert [(n.key, n.value) for n in r.callees] == [("alloc", 137)]
    row = next(x for x in top(p).rows if x.key == "cache.Get")
    assert (row.flat, row.cum) == (r.flat, r.cum)


def test_heaviest_traces_aggregate_identical_stacks():
    b = Builder(ONE)
    b.sample(["alloc", "get", "main"], [10], numlabels={"bytes": 8})
    b.sample(["alloc", "get", "main"], [15], numlabels={"bytes": 16})
    b.sample(["alloc", "get", "main"], [1], lines=[10, 99, 10])  # other line: other trace
    b.sample(["alloc", "put", "main"], [3])
    r = peek(decode_profile(b.bytes()), "alloc", max_traces=2)
    assert [(t.value, t.samples) for t in r.traces] == [(25, 1), (3, 1)]
    frames = r.traces[0].frames
    assert [(f.name, f.line) for f in frames] == [("alloc", 10), ("get", 10), ("main", 10)]
    assert frames[1].file == "/src/get.go"


def test_unknown_key_is_empty_report():
    r = peek(build(), "nope")
    assert r.cum == 0 and r.callers == () and r.traces == ()
