"""LeakTracker on hand-made observations and on real go1.27 captures (goroutineleak matching,
heap baseline diff, feeding Snapshots, restarts, bounds)."""

from types import MappingProxyType

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.match_keys import GroupObservation, from_reason_groups, from_stack_counts, match_key
from tui.goroutines.records import Frame, StackCounts, StackRecord
from tui.heap.decode import decode_profile
from tui.leaks import goroutine_side as G
from tui.leaks import tracker as L
from tui.leaks.growth import GROWING, LEAKED, STUCK
from tui.leaks.tracker import LeakTracker
from tui.leaks.window import MAX_POINTS
from tui.model import snapshot as snap

DELIVER = "main.(*Dispatcher).deliver"


def obs(key, count, reason="chan send", lo=None, hi=None, leaked=False):
    return GroupObservation(
        key=key, reason=reason, count=count, min_minutes=lo, max_minutes=hi, leaked=leaked, label=f"fn_{key}"
    )


def test_growing_group_is_flagged_and_steady_one_is_not():
    tr = LeakTracker()
    for i in range(13):
        tr.observe_groups(10.0 * i, [obs("leak", 5 + 10 * i), obs("pool", 64, "chan receive")])
    r = tr.report()
    assert [(v.kind, v.key) for v in r.verdicts] == [(GROWING, "leak")]
    assert r.verdicts[0].label == "fn_leak [chan send]"
    assert r.groups[0].key == "leak" and r.groups[0].mark == "↑" and r.groups[0].verdict == GROWING
    pool = next(g for g in r.groups if g.key == "pool")
    assert pool.mark == "→" and pool.verdict == "" and pool.spark[-1] == 64


def test_absent_group_counts_zero_and_is_forgotten_once_all_zero():
    tr = LeakTracker()
    tr.observe_groups(0.0, [obs("burst", 200)])
    tr.observe_groups(10.0, [])
    assert next(g for g in tr.report().groups if g.key == "burst").spark == (200.0, 0.0)
    # partial dumps (full=False) do not zero-fill
    tr.observe_groups(20.0, [obs("other", 1)], full=False)
    assert next(g for g in tr.report().groups if g.key == "burst").count == 0


def test_stuck_group_from_rising_wait_minutes():
    tr = LeakTracker()
    for i in range(6):
        tr.observe_groups(
            60.0 * i, [obs("stuck", 100, lo=12 + i, hi=40 + i), obs("idle", 8, "chan receive", lo=12 + i, hi=40 + i)]
        )
    r = tr.report()
    assert [(v.kind, v.key) for v in r.verdicts] == [(STUCK, "stuck")]
    assert r.groups and next(g for g in r.groups if g.key == "stuck").oldest_minutes == 45


def test_goroutineleak_profile_matches_the_debug2_groups_of_a_real_capture():
    dump = parse_debug2(fixture_path("go1.27", "goroutineleak_debug2.txt").read_text())
    leaks = parse_debug1(fixture_path("go1.27", "goroutineleak_debug1.txt").read_text())
    groups = from_reason_groups(group_goroutines(dump))
    tr = LeakTracker()
    tr.observe_groups(0.0, groups)
    tr.observe_leaks(1.0, from_stack_counts(leaks))
    r = tr.report()
    leaked = {v.label: v for v in r.verdicts if v.kind == LEAKED}
    assert set(leaked) == {
        f"{DELIVER} [chan send]",
        "main.parkNilChanReceive [chan receive (nil chan)]",
        "main.parkSelectNoCases [select (no cases)]",
    }
    assert leaked[f"{DELIVER} [chan send]"].current == 250
    assert r.verdicts[0].kind == LEAKED
    deliver = next(g for g in r.groups if g.label == DELIVER)
    assert deliver.verdict == LEAKED and deliver.tree_keys[0].startswith("chan send (leaked)|")


def test_match_key_ignores_leading_runtime_frames_and_creator():
    user = (Frame("main.deliver", file="/m.go", line=9), Frame("main.route", file="/m.go", line=5))
    runtime = (Frame("runtime.gopark", file="/p.go", line=1), Frame("runtime.chansend", file="/c.go", line=2))
    assert match_key(runtime + user) == match_key(user)
    assert match_key(runtime) != match_key(())  # all-runtime stacks keep their frames
    assert match_key(user) != match_key(user[:1])
    counts = StackCounts(3, (StackRecord(2, user), StackRecord(1, runtime + user)), kind="goroutineleak")
    (only,) = from_stack_counts(counts)
    assert only.count == 3 and only.leaked and only.label == "main.deliver"


def test_heap_baseline_is_pinned_at_start_and_diff_is_zero_against_itself():
    profile = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    tr = LeakTracker()
    tr.observe_heap_profile(5.0, profile)
    r = tr.report()
    assert r.baseline_at == 5.0 and r.baseline_reason == "start"
    assert r.heap_diff is not None and r.heap_diff.report.rows == () and r.heap_diff.growing == ()
    assert any(f.current > 0 for f in r.functions)


def test_heap_diff_against_the_baseline_shows_the_growth_by_function():
    base = decode_profile(fixture_path("go1.19", "heap.pb.gz").read_bytes())
    cur = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    tr = LeakTracker()
    tr.observe_heap_profile(0.0, base)
    tr.observe_heap_profile(60.0, cur)
    d = tr.report().heap_diff
    assert d is not None and d.baseline_at == 0.0 and d.current_at == 60.0
    flats = [abs(r.flat) for r in d.report.rows]
    assert flats == sorted(flats, reverse=True) and flats[0] > 0
    assert d.report.sample_type == "inuse_space"
    tr.pin_baseline()
    assert tr.report().baseline_at == 60.0 and tr.report().heap_diff.report.rows == ()


def test_restart_clears_series_and_repins_on_the_next_profile():
    profile = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    tr = LeakTracker()
    tr.observe_heap_profile(0.0, profile)
    for i in range(13):
        tr.observe_groups(10.0 * i, [obs("leak", 5 + 10 * i)])
    assert tr.report().verdicts
    tr.restart("target restarted (pid changed)")
    r = tr.report()
    assert r.verdicts == () and r.groups == () and r.baseline_at is None
    assert r.baseline_reason == "target restarted (pid changed)"
    tr.observe_heap_profile(200.0, profile)
    assert tr.report().baseline_at == 200.0


def test_group_and_function_counts_are_bounded(monkeypatch):
    monkeypatch.setattr(G, "MAX_GROUPS", 8)
    monkeypatch.setattr(L, "MAX_FUNCTIONS", 4)
    tr = LeakTracker()
    for i in range(50):
        tr.observe_groups(float(i), [obs(f"g{i}", 1)], full=False)
        tr.observe_function_values(float(i), {f"f{i}": 100.0})
    r = tr.report()
    assert len(r.groups) == 8 and len(r.functions) == 4
    assert {g.key for g in r.groups} == {f"g{i}" for i in range(42, 50)}


def test_old_points_leave_the_window():
    tr = LeakTracker()
    for i in range(2000):
        tr.observe_metrics(float(i), {"goroutines": 10})
    assert len(tr._metrics["goroutines"].points) <= MAX_POINTS


def _snapshot(seq, t, **kw):
    ages = {kind: snap.DataAge(kind, at, 0.0) for kind, at in kw.pop("ages").items()}
    return snap.Snapshot(seq=seq, time=t, target="t", state=snap.LIVE, ages=MappingProxyType(ages), **kw)


def test_feed_takes_only_new_data_from_snapshots_and_restarts():
    dump = parse_debug2(fixture_path("go1.27", "goroutine_debug2.txt").read_text())
    groups = tuple(group_goroutines(dump))
    profile = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    leaks = parse_debug1(fixture_path("go1.27", "goroutineleak_debug1.txt").read_text())
    tr = LeakTracker()
    s1 = _snapshot(
        1,
        10.0,
        ages={snap.GOROUTINE_TREE: 9.0, snap.HEAP: 9.5, snap.GOROUTINE_LEAKS: 9.7},
        goroutine_groups=groups,
        heap=profile,
        heap_totals=MappingProxyType({"inuse_space": 1.0}),
        goroutine_leaks=leaks,
    )
    r1 = tr.feed(s1)
    assert r1.baseline_at == 9.5 and r1.leak_profile_at == 9.7
    assert r1.verdicts[0].kind == LEAKED and r1.verdicts[0].label.startswith(DELIVER)
    tr.feed(s1)  # same fetch times: nothing new
    assert all(len(g.spark) == 1 for g in tr.report().groups)
    s2 = _snapshot(
        2,
        20.0,
        ages={snap.GOROUTINE_TREE: 9.0},
        goroutine_groups=groups,
        restarts=(snap.RestartEvent(19.0, "pid changed"),),
    )
    r2 = tr.feed(s2)
    assert r2.groups == () and r2.baseline_at is None and "pid changed" in r2.baseline_reason


def test_sample_type_switch_restarts_function_series_and_diffs_the_new_type():
    profile = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    tr = LeakTracker()
    tr.observe_heap_profile(0.0, profile)
    tr.set_sample_type("alloc_space")
    assert tr.report().functions == ()
    assert tr.report().heap_diff.report.sample_type == "alloc_space"
    tr.observe_heap_profile(10.0, profile)
    assert tr.report().functions
