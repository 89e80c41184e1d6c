"""The real parse step (default_parsers) on the recorded captures."""

import pytest

from tui.core.errors import ParseError
from tui.model.parsers import default_parsers, memstats_series

VERSIONS = ["go1.19", "go1.27"]


@pytest.mark.parametrize("version", VERSIONS)
def test_default_parsers_on_captures(version, fixture_path):
    p = default_parsers()
    read = lambda name: fixture_path(version, name).read_bytes()  # noqa: E731
    index = p.index(read("index.html"))
    assert index["goroutine"] > 0 and "heap" in index
    heap = p.heap(read("heap.pb.gz"))
    assert heap.totals["inuse_space"] > 0 and heap.totals["alloc_space"] >= heap.totals["inuse_space"]
    ms = p.memstats(read("heap_debug1.txt"))
    series = memstats_series(ms)
    assert series["mem.stack_inuse"] > 0 and series["mem.sys"] > series["mem.heap_inuse"] > 0
    assert "mem.num_gc" in series
    stacks = p.goroutine_debug1(read("goroutine_debug1.txt"))
    assert stacks.total > 0
    tree = p.goroutine_debug2(read("goroutine_debug2.txt"))
    assert 0 < len(tree.creators) <= tree.total  # sample ids of each stack group
    # every goroutine but the one serving the dump is in a group
    assert sum(g.count for g in tree.groups) == tree.total - 1
    assert any(c for c in tree.creators.values())


def test_default_parsers_reject_garbage():
    p = default_parsers()
    with pytest.raises(ParseError):
        p.heap(b"\x0a\xff\xff\xff\xff")
    with pytest.raises(ParseError):
        p.goroutine_debug2(b"no goroutines here")
