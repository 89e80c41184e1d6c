"""The dashboard's presenters (pure functions of a snapshot and a view), the leak feed's call queue,
and the source capabilities the app checks."""

from __future__ import annotations

import threading
from dataclasses import replace

from tests.tui.canned import FIXTURES, CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tui.core.filters import filter_pattern
from tui.goroutines.debug1 import parse_debug1
from tui.heap.top import TopReport, TopRow
from tui.leaks.feed import FeedCalls, LeakFeed
from tui.leaks.heap_baseline import HeapDiff
from tui.screens.presenters import TOP_ROWS, HeapView, diff_rows_for, goroutine_data, groups_for, top_for
from tui.sources.protocol import ReplayControls, Saveable

WEIGHTS = {"pkg.alpha": 5000, "pkg.beta": 3000, "other.gamma": 1000}


def test_top_for_filters_names_and_in_line_mode_file_and_line():
    heap = flat_profile(WEIGHTS)
    assert [r.name for r in top_for(heap, HeapView()).rows] == ["pkg.alpha", "pkg.beta", "other.gamma", "main.main"]
    assert [r.name for r in top_for(heap, HeapView(filter="re:^pkg")).rows] == ["pkg.alpha", "pkg.beta"]
    # x.go:11 is pkg.beta's line: found only in line mode
    assert top_for(heap, HeapView(filter="x.go:11")).rows == ()
    assert [r.name for r in top_for(heap, HeapView(filter="x.go:11", line_mode=True)).rows] == ["pkg.beta"]
    assert top_for(heap, HeapView(sample_type="alloc_space")).sample_type == "alloc_space"
    assert top_for(heap, HeapView(sample_type="no_such_type")).sample_type == "inuse_space"  # the default


def test_top_for_keeps_at_most_top_rows():
    heap = flat_profile({f"pkg.f{i}": 1000 + i for i in range(TOP_ROWS + 20)})
    report = top_for(heap, HeapView())
    assert len(report.rows) == TOP_ROWS and report.total_nodes > TOP_ROWS


def _row(name: str, file: str, line: int, flat: int, cum: int) -> TopRow:
    return TopRow(name, name, file, line, flat, 0.0, 0.0, cum, 0.0)


def test_diff_rows_use_the_same_filter_as_the_table_and_drop_unchanged_rows():
    rows = (
        _row("pkg.alpha", "/src/a.go", 10, 400, 400),
        _row("pkg.beta", "/src/b.go", 20, -100, -100),
        _row("pkg.same", "/src/c.go", 30, 0, 0),
        _row("other.gamma", "/src/b.go", 40, 50, 50),
    )
    report = TopReport(rows, 350, 350, "inuse_space", "bytes", 3, "functions", "flat", 4, 0, 0, 0.0)
    diff = HeapDiff(report, baseline_at=1.0, current_at=2.0, baseline_reason="start")
    assert [r.name for r in diff_rows_for(diff, HeapView(diff=True)).rows] == ["pkg.alpha", "pkg.beta", "other.gamma"]
    assert [r.name for r in diff_rows_for(diff, HeapView(diff=True, filter="re:^pkg")).rows] == [
        "pkg.alpha",
        "pkg.beta",
    ]
    # like the table: file:line counts in line mode only
    assert diff_rows_for(diff, HeapView(diff=True, filter="b.go")).rows == ()
    lines = diff_rows_for(diff, HeapView(diff=True, filter="b.go", line_mode=True))
    assert [r.name for r in lines.rows] == ["pkg.beta", "other.gamma"]
    # the same predicate as top_for's: every view keeps the same rows of the same table
    for view in (HeapView(filter="a"), HeapView(filter=r"re:\.go:[12]0", line_mode=True)):
        kept = {r.name for r in diff_rows_for(diff, replace(view, diff=True)).rows}
        assert kept == {r.name for r in rows if (r.flat or r.cum) and _matches(view, r)}


def _matches(view: HeapView, row: TopRow) -> bool:
    pattern = filter_pattern(view.filter)  # literal; a regex after "re:"
    return bool(pattern.search(row.name) or (view.line_mode and pattern.search(f"{row.file}:{row.line}")))


def test_groups_for_dump_first_then_stack_counts_leaks_first_and_filtered():
    snapshot = make_snapshot(1)
    groups = groups_for(snapshot, "")
    assert groups[0].reason == "chan send"
    assert [g.reason for g in groups_for(snapshot, "Cond")] == ["sync.Cond.Wait"]
    assert goroutine_data(snapshot) is snapshot.goroutine_groups

    stacks = parse_debug1((FIXTURES / "go1.27" / "goroutine_debug1.txt").read_text())
    from_counts = replace(snapshot, goroutine_groups=(), goroutine_stacks=stacks)
    assert goroutine_data(from_counts) is stacks
    counted = groups_for(from_counts, "")
    assert sum(g.count for g in counted) == stacks.total
    assert all(b.label == "age unknown" for g in counted for b in g.buckets)

    leaked = replace(counted[-1], leaked=True)
    with_leak = replace(snapshot, goroutine_groups=(*counted[:-1], leaked))
    assert groups_for(with_leak, "")[0] is leaked  # proven leaks first, the rest in their order
    assert groups_for(replace(snapshot, goroutine_groups=()), "") == ()  # no goroutine data yet


def test_feed_calls_run_in_order_by_one_drainer_at_a_time():
    calls = FeedCalls()
    seen: list[int] = []

    def call(n: int):
        def run(feed: LeakFeed):
            seen.append(n)
            return None

        return run

    assert calls.put(call(1)) is True  # nobody drains yet: start a drainer
    assert calls.put(call(2)) is False  # the drainer will get to it
    feed = LeakFeed()
    while (next_call := calls.take()) is not None:
        next_call(feed)
    assert seen == [1, 2]
    assert calls.put(call(3)) is True  # the drainer ended: the next call needs a new one
    calls.close()
    assert calls.take() is None and calls.put(call(4)) is False and len(calls) == 0


def test_feed_calls_from_many_threads_keep_each_threads_order():
    calls = FeedCalls()
    drainers = 0
    lock = threading.Lock()

    def producer(tag: int) -> None:
        nonlocal drainers
        for i in range(200):
            if calls.put(lambda feed, item=(tag, i): item):
                with lock:
                    drainers += 1

    threads = [threading.Thread(target=producer, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert drainers == 1  # nothing took: one drainer was asked for, once
    got = []
    while (c := calls.take()) is not None:
        got.append(c(LeakFeed()))
    for tag in range(4):
        assert [i for t, i in got if t == tag] == list(range(200))


def test_source_capabilities_are_checked_by_protocol():
    from tui.commands.demo import demo_source
    from tui.sources.offline import OfflineSource

    replay = demo_source(speed=1.0)
    assert isinstance(replay, ReplayControls) and isinstance(replay, Saveable)
    offline = OfflineSource([str(FIXTURES / "go1.27" / "heap.pb.gz")])
    assert isinstance(offline, Saveable) and not isinstance(offline, ReplayControls)
    canned = CannedSource()
    assert not isinstance(canned, Saveable) and not isinstance(canned, ReplayControls)


def test_goroutine_counts_of_different_moments_say_which_is_which():
    """The tree is the newest debug=2 dump (rare: it stops the world); the "gorout." sparkline and
    "now" are the index page's count of this poll. When they differ the info line says both, and
    how old the dump is; when they agree, one number."""
    from tui.model.history import History
    from tui.screens.presenters import tree_counts, tree_pane_info

    fresh = make_snapshot(1)  # the go1.27 dump: 306 goroutines, one of them serving the dump
    tree, now = tree_counts(fresh)
    assert tree == sum(g.count for g in fresh.goroutine_groups) == 305 and now == 306
    info = tree_pane_info(fresh)
    assert info.startswith("305 goroutines in the tree, 306 now · dump 4 s old")
    # the same moment: one number
    same = make_snapshot(1, goroutine_total=305)
    assert tree_pane_info(same).startswith("305 goroutines · dump 4 s old")
    # an old dump and a grown count: the dump's count with its age, then the count now
    history = History()
    for i in range(5):
        history.push_many(float(i), {"goroutines": 305 + 1000 * i})
    old = make_snapshot(2, goroutine_total=4305, tree_age=190.0, history=history)
    info = tree_pane_info(old, "main.(*Dispatcher).deliver")
    assert info.startswith("main.(*Dispatcher).deliver · 305 goroutines in the tree, 4,305 now · dump 190 s old")
    # the sparkline's value is the "now" of the info line: one figure for one moment
    from tui.screens.presenters import metric_specs

    spark = next(s for s in metric_specs() if s.id == "goroutines")
    assert spark.formatter(old.history.values(spark.key)[-1]) == "4,305"
    # debug=1 / proto counts: their own total
    counts = parse_debug1((FIXTURES / "go1.27" / "goroutine_debug1.txt").read_text())
    stacks = replace(make_snapshot(3, goroutine_total=counts.total), goroutine_groups=(), goroutine_stacks=counts)
    assert tree_counts(stacks) == (counts.total, counts.total)
    assert tree_pane_info(stacks).startswith(f"{counts.total:,} goroutines · ")
    # offline files have no "now"
    offline = replace(make_snapshot(5), state="offline", tree_status="from a file")
    assert tree_pane_info(offline) == "305 goroutines in the tree, 306 in the files · from a file"
    # nothing but the index yet
    bare = replace(make_snapshot(4, goroutine_total=12), goroutine_groups=(), tree_status="")
    assert tree_pane_info(bare) == "12 goroutines"


def test_heap_total_names_the_profile_and_says_its_age_when_old():
    from tui.screens.presenters import STALE_SECONDS, heap_pane_info

    heap = flat_profile(WEIGHTS)
    report = top_for(heap, HeapView())
    info = heap_pane_info(report, len(report.rows), HeapView(), report.rows[0], profile_age=2.0)
    # the sampled profile's total, not MemStats' HeapInuse (the "heap" sparkline): said so
    assert info.startswith("pkg.alpha · profile inuse_space ") and "old" not in info
    old = heap_pane_info(report, len(report.rows), HeapView(), None, profile_age=STALE_SECONDS + 65)
    assert old.startswith("profile inuse_space ") and "(1m15s old)" in old
    diff = heap_pane_info(report, len(report.rows), HeapView(diff=True), None, profile_age=100.0)
    assert diff.startswith("Δ inuse_space ") and "old" not in diff
