import pytest

from tests.unit.pprof_builder import Builder
from tui.core.errors import ParseError
from tui.heap.decode import decode_profile
from tui.heap.diff import diff
from tui.heap.top import top

ONE = (("inuse_space", "bytes"),)


def test_diff_matches_functions_by_name_not_id():
    cur = Builder(ONE)
    cur.sample(["leak", "main"], [900])
    cur.sample(["steady", "main"], [100])
    base = Builder(ONE)
    base.func("unrelated")  # shifts every id in the base
    base.sample(["steady", "main"], [100])
    base.sample(["leak", "main"], [300])
    base.sample(["gone", "main"], [50])
    d = diff(decode_profile(cur.bytes()), decode_profile(base.bytes()))
    r = {row.key: (row.flat, row.cum) for row in top(d).rows}
    assert r == {"leak": (600, 600), "gone": (-50, -50), "main": (0, 550)}
    assert top(d).total == 650  # |600| + |-50|; the cancelled steady sample is gone
    assert [row.key for row in top(d).rows][:2] == ["leak", "gone"]


def test_diff_keeps_samples_with_different_labels_apart():
    cur = Builder(ONE)
    cur.sample(["a", "main"], [100], numlabels={"bytes": 32})
    cur.sample(["a", "main"], [50], numlabels={"bytes": 64})
    base = Builder(ONE)
    base.sample(["a", "main"], [80], numlabels={"bytes": 32})
    base.sample(["a", "main"], [90], numlabels={"bytes": 64})
    d = diff(decode_profile(cur.bytes()), decode_profile(base.bytes()))
    r = top(d)
    assert {row.key: row.flat for row in r.rows}["a"] == -20
    assert r.total == 60  # +20 and -40 are separate samples, as pprof -base merges them


def test_negative_result_sorted_by_absolute_value():
    cur = Builder(ONE)
    cur.sample(["x", "main"], [10])
    base = Builder(ONE)
    base.sample(["x", "main"], [10])
    base.sample(["freed", "main"], [1000])
    d = diff(decode_profile(cur.bytes()), decode_profile(base.bytes()))
    rows = top(d).rows
    assert rows[0].key == "freed" and rows[0].flat == -1000


def test_diff_requires_same_sample_types():
    a = decode_profile(Builder(ONE).bytes())
    b = decode_profile(Builder((("alloc_space", "bytes"),)).bytes())
    with pytest.raises(ParseError, match="different sample types"):
        diff(a, b)


def test_diff_of_profile_with_itself_is_empty():
    b = Builder()
    b.sample(["a", "main"], [1, 2, 3, 4])
    p = decode_profile(b.bytes())
    d = diff(p, p)
    assert d.num_samples == 0 and top(d).total == 0
