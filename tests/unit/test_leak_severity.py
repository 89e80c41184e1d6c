"""Severity: what is an alarm and what is context (tui/leaks/arrivals.py, growth.stuck_verdict,
the tracker's split), on hand-made dumps with ages as Go prints them.

Goroutines parked since before the watch (main in `select {}`, a server waiting on its WaitGroup,
a few dozen parked for good) are context; goroutines that arrived while we watched and stay stuck,
or a pile-up of MATTERS_COUNT in one group, are STUCK; a proven leak without a stack is only
shown when it moves; a proven leak that does not grow is "leaked, steady", below everything else.
"""

from __future__ import annotations

import math

from tui.goroutines.match_keys import NO_FRAMES, GroupObservation, match_key, stack_label
from tui.goroutines.records import Frame
from tui.leaks.arrivals import MATTERS_COUNT, Arrivals
from tui.leaks.goroutine_side import NO_FRAMES_KEY
from tui.leaks.growth import (
    GOROUTINE_DEFAULTS,
    GROWING,
    LEAKED,
    LEAKED_STEADY,
    STUCK,
    stuck_run,
    stuck_verdict,
    verdict_title,
)
from tui.leaks.tracker import LeakTracker

EVERY = 10.0  # a goroutine dump every 10 s, as the poller does on a small service


def group(key: str, parked_at: list[float], t: float, reason: str = "chan send", label: str = "") -> GroupObservation:
    """A debug=2 group whose goroutines parked at `parked_at` (seconds; < 0: before the watch),
    seen at `t`: Go's whole minutes of the youngest and the oldest."""
    waits = [max(0, math.floor((t - p) / 60.0)) for p in parked_at if p <= t]
    return GroupObservation(
        key=key,
        reason=reason,
        count=len(waits),
        min_minutes=min(waits),
        max_minutes=max(waits),
        label=label or f"main.{key}",
        tree_keys=(f"{reason}|x|{key}",),
    )


def watch(minutes: float, dump, *, tracker: LeakTracker | None = None, start: float = 0.0):
    """Feed a dump every EVERY seconds for `minutes`; `dump(t)` -> observations. Returns the
    tracker and the reports (one per dump)."""
    tracker = tracker or LeakTracker()
    reports = []
    t = start
    while t <= start + minutes * 60.0 + 1e-9:
        tracker.observe_groups(t, [o for o in dump(t) if o.count > 0])
        reports.append(tracker.report(t))
        t += EVERY
    return tracker, reports


def kinds(report) -> list[tuple[str, str]]:
    return [(v.kind, v.key) for v in report.verdicts]


def test_main_in_select_and_a_server_on_its_waitgroup_since_start_are_context_not_stuck():
    def dump(t):
        return [
            group("main", [-30.0], t, "select (no cases)"),
            group("serve", [-300.0], t, "sync.WaitGroup.Wait"),
            group("janitor", [-300.0], t, "sleep"),
        ]

    _, reports = watch(20, dump)
    assert all(r.verdicts == () for r in reports), [kinds(r) for r in reports if r.verdicts][:1]
    last = reports[-1]
    assert {v.key for v in last.context} == {"main", "serve"}  # sleep is no stuck reason at all
    assert all(v.kind == STUCK and "there since before the watch began" in v.evidence for v in last.context)
    assert all(g.verdict == "" for g in last.groups)
    assert last.watch_started == 0.0


def test_a_few_dozen_goroutines_parked_for_good_since_start_give_no_verdict():
    reasons = ["chan send", "sync.Mutex.Lock", "sync.RWMutex.RLock", "semacquire", "chan receive (nil chan)"]

    def dump(t):
        return [group(f"g{i}", [-1800.0 - j for j in range(7)], t, reason) for i, reason in enumerate(reasons)]

    _, reports = watch(15, dump)
    assert all(r.verdicts == () for r in reports)
    assert len(reports[-1].context) == 5


def test_goroutines_that_arrive_while_watched_and_stay_are_stuck_after_ten_minutes():
    def dump(t):
        obs = [group("main", [-30.0], t, "select (no cases)")]
        if t >= 120.0:
            obs.append(group("flush", [120.0 + i for i in range(5)], t, "sync.Mutex.Lock"))
        return obs

    _, reports = watch(14, dump)
    first = next(r for r in reports if r.verdicts)
    assert kinds(first) == [(STUCK, "flush")]
    assert first.time >= 120.0 + 10 * 60.0  # not from 60 s on: the youngest must wait stuck_min_minutes
    v = first.verdicts[0]
    assert "not in the first goroutine dump of the watch" in v.evidence
    assert v.evidence.startswith("5 goroutines in [sync.Mutex.Lock] waiting 10 min")
    assert "the youngest went from under 1 min to 10 min" in v.evidence
    assert [c.key for c in reports[-1].context] == ["main"]


def test_a_count_that_rose_while_watched_makes_a_stuck_group_an_alarm():
    def dump(t):
        parked = [-1200.0] * 3 + ([60.0, 65.0] if t >= 60.0 else [])
        return [group("send", parked, t, "chan send")]

    _, reports = watch(12, dump)
    v = reports[-1].verdicts[0]
    assert v.kind == STUCK and v.current == 5
    assert "count rose 3 → 5 while we watched" in v.evidence
    assert all(not r.verdicts for r in reports if r.time < 60.0 + 600.0)


def test_a_goroutine_replaced_while_watched_arrived_too():
    def dump(t):
        parked = [-1200.0, -1100.0] + ([-1000.0] if t < 120.0 else [120.0])  # one left, one came: still 3
        return [group("lock", parked, t, "sync.RWMutex.Lock")]

    _, reports = watch(13, dump)
    assert not any(r.verdicts for r in reports if r.time < 120.0 + 600.0)
    v = reports[-1].verdicts[0]
    assert v.kind == STUCK and "a goroutine joined (or parked again) while we watched" in v.evidence


def test_a_pile_up_of_fifty_since_start_is_stuck_but_forty_nine_is_context():
    def dump(n):
        return lambda t: [group("pile", [-900.0 - i for i in range(n)], t, "chan send")]

    _, reports = watch(3, dump(MATTERS_COUNT))
    v = reports[-1].verdicts[0]
    assert v.kind == STUCK and f"(≥ {MATTERS_COUNT}: a pile-up, not one component)" in v.evidence
    _, reports = watch(3, dump(MATTERS_COUNT - 1))
    assert reports[-1].verdicts == () and reports[-1].context[0].key == "pile"


def test_a_group_first_seen_late_but_older_than_the_watch_did_not_arrive():
    # e.g. it was evicted or its key changed: its youngest waited longer than we have watched
    def dump(t):
        obs = [group("main", [-30.0], t, "select (no cases)")]
        if t >= 300.0:
            obs.append(group("old", [-1200.0], t, "chan send"))
        return obs

    _, reports = watch(15, dump)
    assert all(r.verdicts == () for r in reports)
    assert {c.key for c in reports[-1].context} == {"main", "old"}


def test_arrivals_forget_dropped_groups_and_restart():
    book = Arrivals()
    book.observe(0.0, [GroupObservation("a", "chan send", 1, 3, 3)])
    book.observe(10.0, [GroupObservation("a", "chan send", 1, 3, 3), GroupObservation("b", "chan send", 2, 0, 0)])
    assert book.arrival("a", 10.0) is None and book.arrival("b", 10.0) is not None
    book.retain(["a"])
    assert book.arrival("b", 10.0) is None and len(book._seen) == 1
    book.clear()
    assert book.first_dump is None and book.arrival("a", 10.0) is None

    tracker, _ = watch(1, lambda t: [group("x", [-60.0], t)])
    tracker.restart("pid changed")
    assert tracker.report().watch_started is None
    tracker.observe_groups(500.0, [group("x", [400.0], 500.0)])
    assert tracker.report().watch_started == 500.0 and tracker._goroutines.arrivals.arrival("x", 500.0) is None


def leak(key: str, count: int, label: str = "") -> GroupObservation:
    return GroupObservation(key=key, reason="unknown", count=count, leaked=True, label=label or NO_FRAMES)


def test_a_proven_leak_without_a_stack_is_shown_only_when_it_moves():
    tracker = LeakTracker()
    for i in range(15):
        t = 60.0 * i
        tracker.observe_groups(t, [group("main", [-30.0], t, "select (no cases)")])
        tracker.observe_leaks(t, [leak(NO_FRAMES_KEY, 1)])
    r = tracker.report()
    assert r.verdicts == ()  # select_main: Go's goroutineleak lists main's `select {}` with no frame at all
    assert {v.key for v in r.context} == {"main", NO_FRAMES_KEY}
    tracker.observe_leaks(960.0, [leak(NO_FRAMES_KEY, 3)])
    (v,) = tracker.report().verdicts
    assert v.kind == LEAKED and v.key == NO_FRAMES_KEY and "count rose 1 → 3" in v.evidence


def test_a_steady_proven_leak_is_told_below_everything_that_moves():
    tracker = LeakTracker()
    for i in range(80):
        t = 10.0 * i
        obs = [
            group("nilrecv", [-600.0] * 3, t, "chan receive (nil chan)"),
            group("deliver", [float(j) for j in range(0, int(t) + 1, 2)], t, "chan send"),  # +30/min
            group("pile", [-900.0] * 60, t, "sync.Mutex.Lock"),
        ]
        tracker.observe_groups(t, obs)
        tracker.observe_leaks(t, [leak("nilrecv", 3, "main.parkNilChanReceive")])
    r = tracker.report()
    assert [(verdict_title(v), v.key) for v in r.verdicts] == [
        (GROWING, "deliver"),
        (STUCK, "pile"),
        (LEAKED_STEADY, "nilrecv"),
    ]
    assert r.verdicts[-1].evidence.startswith("3 goroutines proven leaked by Go")


def test_stuck_evidence_says_under_1_min_one_goroutine_and_how_old_the_dump_is():
    ages = [(60.0 * i, 1, i, i) for i in range(12)]  # the first dump had no minutes yet: 0
    v = stuck_verdict("k", "main.main [select (no cases)]", "select (no cases)", ages, GOROUTINE_DEFAULTS)
    assert v is not None
    assert v.evidence == (
        "1 goroutine in [select (no cases)] waiting 11 min (Go's wait times); "
        "it went from under 1 min to 11 min over 12 dumps, none released"
    )
    late = stuck_verdict("k", "k", "chan send", ages, GOROUTINE_DEFAULTS, now=ages[-1][0] + 9.5 * 60)
    assert "waiting 11 min at the goroutine dump 9 min ago" in late.evidence  # not "11 min" as of now
    fresh = stuck_verdict("k", "k", "chan send", ages, GOROUTINE_DEFAULTS, now=ages[-1][0] + 30)
    assert "dump" not in fresh.evidence.split(";")[0]
    shrunk = [(60.0 * i, 5 if i < 6 else 3, 2 + i, 2 + i) for i in range(12)]
    assert "2 released meanwhile" in stuck_verdict("k", "k", "chan send", shrunk, GOROUTINE_DEFAULTS).evidence


def test_the_stuck_run_starts_after_the_youngest_last_fell():
    rows = [(0.0, 2, 5, 5), (60.0, 2, 6, 6), (120.0, 3, 0, 7)] + [(60.0 * i, 3, i - 2, i + 5) for i in range(3, 16)]
    assert stuck_run(rows)[0] == (120.0, 3, 0, 7)
    v = stuck_verdict("k", "k", "chan send", rows, GOROUTINE_DEFAULTS)
    assert v is not None and v.since == 120.0 and "over 14 dumps" in v.evidence
    assert stuck_verdict("k", "k", "chan send", rows[:12], GOROUTINE_DEFAULTS) is None  # youngest at 9 min


def F(func: str) -> Frame:
    return Frame(func=func, file="x.go", line=1)


def test_the_label_names_the_code_that_waits_not_the_runtime_or_sync_frames():
    # Go 1.19 (alertmanager-idle): semacquire under an errgroup, for the HTTP server's life
    go119 = [
        F("sync.runtime_Semacquire"),
        F("sync.(*WaitGroup).Wait"),
        F("golang.org/x/sync/errgroup.(*Group).Wait"),
        F("github.com/prometheus/exporter-toolkit/web.ServeMultiple"),
        F("main.run.func10"),
    ]
    assert stack_label(go119) == "github.com/prometheus/exporter-toolkit/web.ServeMultiple"
    go127 = [F("runtime.gopark"), F("sync.runtime_SemacquireWaitGroup"), F("sync.(*WaitGroup).Wait"), F("main.park")]
    assert stack_label(go127) == "main.park"
    mutex = [F("internal/sync.runtime_SemacquireMutex"), F("internal/sync.(*Mutex).lockSlow"), F("sync.(*Mutex).Lock")]
    assert stack_label([*mutex, F("main.flush")]) == "main.flush"
    assert stack_label(mutex) == "internal/sync.runtime_SemacquireMutex"  # nothing past the plumbing
    assert stack_label([F("time.Sleep"), F("main.janitor")]) == "main.janitor"
    assert stack_label([]) == NO_FRAMES
    assert match_key(go119) != match_key(go119[3:])  # the key still hashes every frame
