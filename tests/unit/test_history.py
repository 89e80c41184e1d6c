import math

import pytest

from tui.model.history import DEFAULT_LEVELS, History, Series
from tui.service.restart import RestartDetector


def bound(levels=DEFAULT_LEVELS):
    return sum(cap + 1 for _, cap in levels)  # +1: a pending bucket per level


def test_24h_at_1s_is_bounded_and_spans_the_whole_watch():
    s = Series()
    for t in range(86_400):
        s.push(float(t), float(t % 100))
    assert s.stored_count() <= bound()
    pts = s.points()
    assert len(pts) <= bound()
    # oldest retained point still covers the start of the watch (2-min buckets keep 24 h)
    assert pts[0].t < 300
    assert pts[-1].t == 86_399
    # time-ordered, no duplicates
    ts = [p.t for p in pts]
    assert ts == sorted(ts) and len(set(ts)) == len(ts)


def test_history_memory_flat_with_many_series():
    h = History(max_series=10)
    for t in range(2000):
        h.push_many(float(t), {f"group:{t % 50}": 1.0, "goroutines": t})
    assert len(h.keys()) <= 10
    assert "goroutines" in set(h.keys())
    assert h.stored_count() <= 10 * bound()


def test_buckets_keep_mean_min_max():
    s = Series(levels=((0.0, 3), (10.0, 5)))
    for t, v in enumerate([1, 5, 3, 9, 2, 8, 4, 6, 7, 0, 100, 50, 60]):  # t=10 closes bucket [0, 10)
        s.push(float(t), float(v))
    pts = s.points()
    assert len(pts) == 4  # one bucket, then the 3 raw points (t=10..12); no double counting
    bucket = pts[0]
    assert bucket.n == 10 and bucket.lo == 0 and bucket.hi == 9 and bucket.value == pytest.approx(4.5)
    assert [p.value for p in pts[1:]] == [100, 50, 60]


def test_nan_and_out_of_order_points_are_dropped():
    s = Series()
    s.push(1.0, 1.0)
    s.push(0.5, 2.0)
    s.push(2.0, math.nan)
    assert [p.value for p in s.points()] == [1.0]


def test_view_is_read_only_snapshot():
    h = History()
    h.push("goroutines", 1.0, 10)
    view = h.view()
    h.push("goroutines", 2.0, 11)
    assert view.values("goroutines") == (10.0,)
    assert h.view().values("goroutines") == (10.0, 11.0)
    with pytest.raises(TypeError):
        view.series["x"] = ()  # type: ignore[index]


def test_restart_keeps_old_segment_and_starts_fresh():
    h = History(max_segments=2)
    for t in range(5):
        h.push("goroutines", float(t), 100 + t)
    h.restart(5.0, "NumGC went backwards")
    h.push("goroutines", 6.0, 3)
    view = h.view()
    assert view.values("goroutines") == (3.0,)
    assert view.segment_start == 6.0
    (seg,) = view.segments
    assert seg.reason == "NumGC went backwards" and seg.start == 0.0 and seg.end == 5.0
    assert [p.value for p in seg.series["goroutines"]] == [100, 101, 102, 103, 104]
    for i in range(3):
        h.restart(10.0 + i, f"r{i}")
        h.push("goroutines", 11.0 + i, 1)
    assert [s.reason for s in h.view().segments] == ["r1", "r2"]


def test_restart_detector_signals():
    d = RestartDetector()
    assert d.observe_cmdline(b"/app\x00-a") is None
    assert d.observe_cmdline(b"/app\x00-a") is None
    assert d.observe_cmdline(b"/app\x00-b") == "command line changed"
    assert d.observe_memstats(1000, 5) is None
    assert d.observe_memstats(2000, 6) is None
    assert "TotalAlloc went backwards" in d.observe_memstats(500, 7)
    # baselines reset: the new low values are the new normal
    assert d.observe_memstats(600, 7) is None
    assert "NumGC went backwards" in d.observe_memstats(700, 1)
    assert d.observe_goroutines({1: "", 7: "main.start"}) is None
    assert d.observe_goroutines({1: "", 7: "main.start", 9: "main.x"}) is None
    assert "ids were reset" in d.observe_goroutines({1: "", 7: "net/http.(*Server).Serve"})


def test_one_restart_is_reported_once():
    d = RestartDetector()
    d.observe_cmdline(b"a")
    d.observe_memstats(10_000, 50)
    assert d.observe_cmdline(b"b")
    # the old process' counters are forgotten: lower numbers are no second restart
    assert d.observe_memstats(10, 1) is None


def test_views_share_the_rings_and_see_only_their_moment():
    h = History(levels=((0.0, 12), (10.0, 4)))
    for t in range(8):
        h.push("g", float(t), float(t))
    view = h.view()
    for t in range(8, 12):  # fills the raw ring; t = 10 closes the first 10 s bucket
        h.push("g", float(t), float(t))
    assert view.values("g") == tuple(float(t) for t in range(8))  # read later: still its moment
    assert h.view().values("g")[-1] == 11.0


def test_a_view_older_than_the_ring_loses_its_oldest_points_never_shows_newer_ones():
    h = History(levels=((0.0, 5),))
    for t in range(5):
        h.push("g", float(t), float(t))
    view = h.view()
    for t in range(5, 8):  # overwrite the 3 oldest slots
        h.push("g", float(t), float(t))
    assert view.values("g") == (3.0, 4.0)


def test_values_last_reads_only_the_newest_points():
    h = History()
    for t in range(1000):
        h.push("g", float(t), float(t))
    view = h.view()
    assert view.values("g", last=3) == (997.0, 998.0, 999.0)
    assert view.values("g", last=0) == ()
    assert view.values("g", last=10**6) == view.values("g")  # more than stored: everything
    assert view.values("missing", last=5) == ()


def test_a_view_costs_no_copy_of_the_points():
    h = History()
    for t in range(600):
        h.push("g", float(t), 1.0)
    frozen = h.view().series.frozen("g")
    assert frozen.rings[0] is h.series("g")._rings[0]
