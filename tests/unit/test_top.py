import pytest

from tests.unit.pprof_builder import Builder
from tui.core.errors import ParseError
from tui.heap.decode import decode_profile
from tui.heap.top import top

ONE = (("inuse_space", "bytes"),)


def prof(samples, types=ONE, **kw):
    b = Builder(types)
    for frames, values in samples:
        b.sample(frames, values, **kw)
    return decode_profile(b.bytes())


def rows(report):
    return {r.key: (r.flat, r.cum) for r in report.rows}


def test_flat_is_leaf_cum_is_every_stack_containing():
    p = prof([(["a", "b", "main"], [100]), (["b", "main"], [50]), (["c", "main"], [10])])
    r = top(p)
    assert rows(r) == {"a": (100, 100), "b": (50, 150), "c": (10, 10), "main": (0, 160)}
    assert r.total == 160
    assert [row.key for row in r.rows] == ["a", "b", "c", "main"]
    assert r.rows[0].flat_pct == pytest.approx(62.5)
    assert [round(row.sum_pct, 4) for row in r.rows] == [62.5, 93.75, 100.0, 100.0]
    assert r.rows[-1].cum_pct == pytest.approx(100.0)


def test_recursion_counts_cum_once_per_sample():
    p = prof([(["f", "f", "f", "main"], [7]), (["g", "f", "main"], [3])])
    r = rows(top(p))
    assert r["f"] == (7, 10)  # not 7*3 + 3
    assert r["main"] == (0, 10)


def test_inlined_frames_are_their_own_functions():
    # One location: inlined "small" (innermost) inside "outer".
    p = prof([(["small+outer", "main"], [40]), (["outer", "main"], [2])])
    r = top(p)
    assert rows(r) == {"small": (40, 40), "outer": (2, 42), "main": (0, 42)}
    inline = {row.key: row.inline for row in r.rows}
    assert inline["small"] == "inline" and inline["outer"] == ""


def test_zero_total_has_no_division_by_zero():
    p = prof([(["a", "main"], [0]), (["b", "main"], [0])])
    r = top(p)
    assert r.total == 0 and r.rows == ()


def test_negative_values_sort_by_absolute_value():
    p = prof([(["shrink", "main"], [-500]), (["grow", "main"], [200]), (["tiny", "main"], [1])])
    r = top(p)
    assert [row.key for row in r.rows] == ["shrink", "grow", "tiny", "main"]
    assert rows(r)["shrink"] == (-500, -500)
    assert rows(r)["main"] == (0, -299)
    assert r.total == 701  # pprof: sum of |value|
    assert r.rows[0].flat_pct == pytest.approx(-500 / 701 * 100)


def test_ties_sort_by_name_then_cum():
    p = prof([(["b", "x"], [5]), (["a", "y"], [5]), (["c", "a", "z"], [1])])
    keys = [row.key for row in top(p).rows]
    assert keys[:2] == ["a", "b"]
    cum_keys = [row.key for row in top(p, sort="cum").rows]
    assert cum_keys[0] == "a"  # cum 6


def test_focus_and_ignore_filter_samples_and_total():
    p = prof([(["a", "handler", "main"], [100]), (["b", "gc", "main"], [30]), (["c", "main"], [5])])
    f = top(p, focus="handler")
    assert rows(f) == {"a": (100, 100), "handler": (0, 100), "main": (0, 100)}
    assert f.total == 135  # pprof: percentages stay relative to the whole profile
    assert f.rows[0].flat_pct == pytest.approx(100 / 135 * 100)
    i = top(p, ignore="^gc$")
    assert "b" not in rows(i) and rows(i)["main"] == (0, 105)
    both = top(p, focus="main", ignore="handler|gc")
    assert rows(both) == {"c": (5, 5), "main": (0, 5)}
    with pytest.raises(ParseError, match="focus"):
        top(p, focus="(")


def test_focus_matches_file_names_too():
    b = Builder(ONE)
    b.funcs["a"] = b.func("a", "/src/pkg/cache.go")
    b.sample(["a", "main"], [10])
    b.sample(["other", "main"], [3])
    r = top(decode_profile(b.bytes()), focus="cache\\.go")
    assert rows(r) == {"a": (10, 10), "main": (0, 10)}


def test_line_granularity_splits_by_line():
    b = Builder(ONE)
    b.sample(["a", "main"], [10], lines=[11, 50])
    b.sample(["a", "main"], [5], lines=[12, 50])
    b.sample(["a", "main"], [1], lines=[12, 51])
    r = top(decode_profile(b.bytes()), granularity="lines")
    assert rows(r) == {
        "a /src/a.go:11": (10, 10),
        "a /src/a.go:12": (6, 6),
        "main /src/main.go:50": (0, 15),
        "main /src/main.go:51": (0, 1),
    }
    row = next(x for x in r.rows if x.key == "a /src/a.go:12")
    assert (row.name, row.file, row.line) == ("a", "/src/a.go", 12)
    # Function granularity merges the lines.
    assert rows(top(decode_profile(b.bytes()))) == {"a": (16, 16), "main": (0, 16)}


def test_same_name_in_two_files_is_one_function_node():
    b = Builder(ONE)
    b.func("dup", "/x/one.go")
    b.sample(["dup", "main"], [4])
    b.funcs["dup"] = b.func("dup", "/x/two.go")  # second function id, same name
    b.locs.clear()
    b.sample(["dup", "main"], [6])
    assert rows(top(decode_profile(b.bytes())))["dup"] == (10, 10)


def test_nodecount_and_dropped_nodes_like_pprof():
    samples = [([f"big{i}", "main"], [1000]) for i in range(5)]
    samples += [([f"small{i}", "main"], [1]) for i in range(20)]
    p = prof(samples)
    r = top(p)
    # cutoff = int(5020 * 0.005) = 25: the 20 "small" nodes (cum 1) are dropped.
    assert r.dropped_nodes == 20 and r.dropped_cutoff == 25
    assert r.total_nodes == 6 and len(r.rows) == 6
    assert r.shown_total == 5000
    n = top(p, nodecount=2)
    assert [row.key for row in n.rows] == ["big0", "big1"] and n.total_nodes == 6
    assert n.shown_total == 2000
    assert n.rows[-1].sum_pct == pytest.approx(2000 / 5020 * 100)
    everything = top(p, node_fraction=0)
    assert everything.dropped_nodes == 0 and len(everything.rows) == 26


def test_labels_do_not_change_top():
    b = Builder(ONE)
    b.sample(["a", "main"], [3], labels={"k": "v1"})
    b.sample(["a", "main"], [4], labels={"k": "v2"}, numlabels={"bytes": 16})
    p = decode_profile(b.bytes())
    assert rows(top(p)) == {"a": (7, 7), "main": (0, 7)}
    assert {lb.str_value for s in p.samples for lb in s.labels if lb.key == "k"} == {"v1", "v2"}


def test_sample_index_by_name_and_number():
    b = Builder()
    b.sample(["a", "main"], [1, 10, 2, 20])
    p = decode_profile(b.bytes())
    assert top(p).sample_type == "inuse_space" and top(p).total == 20
    assert top(p, "alloc_objects").total == 1
    assert top(p, "1").total == 10
    assert top(p, 2).unit == "count"


def test_unsymbolized_location_is_named_after_the_binary():
    b = Builder(ONE, mapping_file="/usr/bin/server")
    loc = b.p.location.add(id=99, mapping_id=1, address=0x4000)
    del loc
    b.p.sample.add(location_id=[99, b.loc("main")], value=[8])
    r = top(decode_profile(b.bytes()))
    assert rows(r)["[server]"] == (8, 8)


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("version", ["go1.19", "go1.27"])
@pytest.mark.parametrize("index", ["inuse_space", "alloc_objects"])
def test_real_heap_capture_totals_are_consistent(version, index):
    path = FIXTURES / version / "heap.pb.gz"
    if not path.exists():
        pytest.skip(f"fixture {path} not recorded")
    p = decode_profile(path.read_bytes())
    r = top(p, index, node_fraction=0)
    i = p.sample_index(index)
    assert r.total == sum(abs(v) for v in p.values[i])
    assert sum(row.flat for row in r.rows) == sum(p.values[i])  # every sample has a leaf
    assert max(row.cum for row in r.rows) <= r.total
    assert all(row.flat <= row.cum for row in r.rows)
    keys = [row.key for row in r.rows]
    assert len(keys) == len(set(keys))
    lines = top(p, index, granularity="lines", node_fraction=0)
    assert sum(row.flat for row in lines.rows) == sum(row.flat for row in r.rows)


def test_leaky_cache_is_the_top_inuse_function_in_go127_capture():
    path = FIXTURES / "go1.27" / "heap.pb.gz"
    if not path.exists():
        pytest.skip("fixture not recorded")
    r = top(decode_profile(path.read_bytes()))
    assert r.sample_type == "inuse_space"
    assert r.rows[0].key == "main.(*LFUCache).increment"
