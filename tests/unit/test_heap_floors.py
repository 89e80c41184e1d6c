"""The floor rule for heap growth (tui/leaks/floors.py) on synthetic series shaped like what heap
profiles show: staircases (doubling slices), slow leaks in 512 kB sampling steps, sawtooths,
warm-ups that plateau, noise, one-off buffers and pools; the tracker's use of it (labels naming
the caller of a generic helper, floor growth since a baseline pinned mid-jump)."""

from __future__ import annotations

import random

import pytest

from tests.unit.pprof_builder import Builder
from tui.core.names import collapse_generics, is_helper, package_of
from tui.heap.decode import decode_profile
from tui.leaks.alloc_site import AllocationSite, allocation_site
from tui.leaks.floors import HEAP_FLOORS, FloorSeries, floor_delta, floor_rise, series_of, still_rising
from tui.leaks.growth import GROWING
from tui.leaks.heap_floors import HeapFloors
from tui.leaks.reconcile import HEAP, HEAP_PROFILE, NOTHING, reconcile
from tui.leaks.tracker import LeakTracker

MB = 1024 * 1024
KB = 1024
POLL = 4.0  # the heap profile every 4 s (every 2nd poll at the default 2 s)


def polled(level, seconds, every=POLL, start=0.0):
    """(t, level(t)) every `every` seconds for `seconds`."""
    n = int(seconds / every) + 1
    return [(start + i * every, float(level(start + i * every))) for i in range(n)]


def flags(points):
    """(t, flagged) after each point, fed one at a time as the tracker would."""
    s = FloorSeries()
    out = []
    for t, v in points:
        s.push(t, v)
        out.append((t, floor_rise(s) is not None))
    return out


def first_flag(states):
    return next((t for t, on in states if on), None)


def flapped(states):
    """Whether a verdict appeared, vanished and appeared again."""
    changes = [on for (_, on), (_, prev) in zip(states[1:], states) if on != prev]
    return changes.count(True) + (1 if states and states[0][1] else 0) > 1


def staircase(t, first=60.0, size=MB):
    """A slice that doubles when full: size 2^k from 60·2^k s on; for one poll after each jump
    both arrays are live (the old one is freed by the next GC)."""
    level, k, jump = 0.0, 0, first
    while t >= jump:
        level = size * 2**k
        if t < jump + POLL:
            level += size * 2 ** (k - 1) if k else 0  # old + new until the next GC
        k, jump = k + 1, jump * 2
    return level


# ---- the rule on each shape --------------------------------------------------------------------


def test_staircase_is_named_after_its_second_jump_and_stays_named_between_jumps():
    states = flags(polled(staircase, 1900))  # jumps at 1, 2, 4, 8, 16 min, then flat to ~32 min
    t = first_flag(states)
    assert t is not None and t <= 3 * 60  # second jump at 2 min + the 60 s the floor must hold
    assert not flapped(states)
    assert all(on for tt, on in states if tt >= t)  # the 16-minute flat after 16 MB keeps it named
    fr = floor_rise(series_of(polled(staircase, 1900)))
    assert fr is not None and fr.floor_end == 16 * MB and fr.steps >= 4
    assert "floor" in fr.evidence(lambda v: f"{v / MB:.0f}MB") and fr.rate_per_min > 0


def test_slow_leak_below_the_sampling_rate_is_named_and_never_dropped():
    # +200 kB/min seen through 512 kB sampling steps: a step every 2.56 min on average
    every = 512 * KB / (200 * KB) * 60.0
    regular = polled(lambda t: 512 * KB * (t // every), 30 * 60)
    states = flags(regular)
    t = first_flag(states)
    assert t is not None and t <= 12 * 60  # 2 MB is 4 steps: 10.2 min, then 60 s held
    assert not flapped(states) and states[-1][1]
    rng = random.Random(7)  # random (exponential) waits between the sampling steps
    steps, at = [], 0.0
    while at < 40 * 60:
        at += rng.expovariate(1.0 / every)
        steps.append(at)
    jittered = polled(lambda t: 512 * KB * sum(1 for s in steps if s <= t), 40 * 60)
    states = flags(jittered)
    assert first_flag(states) is not None and not flapped(states) and states[-1][1]


def test_fast_leak_is_named_within_two_minutes():
    # 4 MB/min (the e2e target's cache leak) seen at GC cycles every ~20 s
    states = flags(polled(lambda t: 4 * MB * (t // 20) * 20 / 60, 300))
    t = first_flag(states)
    assert t is not None and t <= 120 and not flapped(states)
    # 1 MB/min: 2 MB takes 2 minutes, then the floor must hold for 60 s
    states = flags(polled(lambda t: MB * (t // 30) * 30 / 60, 600))
    t = first_flag(states)
    assert t is not None and t <= 200 and not flapped(states)


def test_sawtooth_returning_to_its_floor_is_never_flagged():
    rng = random.Random(3)
    troughs = [rng.choice((0.5, 1.0, 1.5, 2.0)) * MB for _ in range(40)]

    def saw(t):  # +16 MB over each minute, then flushed back to a trough of 0.5-2 MB
        k, phase = divmod(t, 60.0)
        return troughs[int(k)] + 16 * MB * (phase // 8) * 8 / 60

    states = flags(polled(saw, 30 * 60))
    assert first_flag(states) is None


def test_a_slow_sawtooth_is_at_most_flagged_in_its_first_fill():
    # a batch that fills for 5 minutes, then is flushed: the first fill looks like any leak;
    # once it has been flushed, its later fills are never flagged again
    def saw(t):
        return 8 * MB * ((t % 300) // 20) * 20 / 300 + MB

    states = flags(polled(saw, 40 * 60))
    assert all(not on for t, on in states if t >= 300 + POLL)


def test_warm_up_then_plateau_is_flagged_while_filling_and_cleared_once_flat():
    # decided (floors.py docstring): while a cache fills it cannot be told from a leak; the
    # verdict clears once the plateau lasts 3x the longest wait between its steps (min 2 min)
    def warm(t):  # 24 MB over 150 s in GC-sized steps, then flat
        return 24 * MB * min(t, 150.0) // 150 // (MB // 2) * (MB // 2)

    states = flags(polled(warm, 20 * 60))
    t_on = first_flag(states)
    assert t_on is not None and t_on <= 150
    t_off = next(t for t, on in states if t > t_on and not on)
    assert t_off <= 150 + 60 + 180  # plateau start + settle + the 2-3 minute allowance
    assert all(not on for t, on in states if t >= t_off)  # never again: no flap


def test_noisy_flat_series_is_never_flagged():
    rng = random.Random(11)
    noisy = polled(lambda t: 20 * MB + rng.randrange(0, 4) * 512 * KB, 30 * 60)
    assert first_flag(flags(noisy)) is None
    small = polled(lambda t: 3 * MB + rng.randrange(0, 3) * 512 * KB, 30 * 60)
    assert first_flag(flags(small)) is None


def test_one_off_allocations_are_not_leaks():
    one_step = polled(lambda t: 4 * MB if t >= 270 else 0.0, 20 * 60)  # prometheus' 4 MB chunk buffer
    assert first_flag(flags(one_step)) is None
    startup = polled(lambda t: (512 * KB if t >= 10 else 0.0) + (512 * KB if t >= 30 else 0.0), 20 * 60)
    assert first_flag(flags(startup)) is None  # two sampling steps at start-up (etcd, alertmanager)
    drift = polled(lambda t: (4 * MB if t >= 270 else 0.0) + 8 * KB * (t // 60), 20 * 60)
    assert first_flag(flags(drift)) is None  # one big step and a few kB of drift: still one step


def test_a_pool_refilling_to_its_high_water_mark_is_not_a_leak():
    # a pool of 1.2 MB writers: 1, 0, 1, 2, 1, 2, ... (it was at 2 before and gave one back)
    held = [1, 0, 1, 2, 1, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2]
    states = flags(polled(lambda t: 1.2 * MB * held[min(int(t // 40), len(held) - 1)], 20 * 60))
    assert first_flag(states) is None


def test_a_big_function_must_rise_by_a_tenth_of_itself():
    big = polled(lambda t: 500 * MB + 512 * KB * (t // 60), 10 * 60)  # +512 kB/min on 500 MB
    assert floor_rise(series_of(big)) is None
    assert floor_rise(series_of(big), HEAP_FLOORS.with_(relative_rise=0.0)) is not None


def test_still_rising_clears_a_finished_rise():
    ramp = polled(lambda t: MB * min(t, 120.0) // 10, 180)
    assert still_rising(ramp)
    assert not still_rising(polled(lambda t: MB * min(t, 120.0) // 10, 900))
    assert not still_rising([(0.0, 1.0)]) and not still_rising([])


def test_buckets_bound_memory_at_any_cadence():
    s = FloorSeries()
    for i in range(20000):  # 5.5 hours at 1 s
        s.push(float(i), float(i % 7))
    s.trim(20000 - HEAP_FLOORS.keep_seconds)
    assert len(s) <= s.capacity and s.capacity <= HEAP_FLOORS.keep_seconds / HEAP_FLOORS.bucket_seconds + 2
    s.push(5.0, 99.0)  # out of order: ignored
    s.push(float("nan"), 1.0)
    assert s.last == float(19999 % 7)


# ---- floor growth since a baseline ---------------------------------------------------------------


def test_floor_growth_since_a_baseline_pinned_mid_doubling_is_not_a_drop():
    # pinned while both arrays were live (6 MB); pprof -base against the next profile says -2 MB
    # (floors are exact to the 10 s bucket: the baseline's profile is the only one in its bucket)
    points = [(0.0, 2 * MB), (95.0, 2 * MB), (105.0, 6 * MB), (115.0, 4 * MB), (300.0, 4 * MB), (305.0, 8 * MB)]
    points += [(305.0 + 5 * i, 8 * MB) for i in range(1, 30)]
    s = series_of(points)
    assert floor_delta(s, 105.0, 6 * MB) == 4 * MB  # lowest since the baseline 4 MB, floor now 8 MB
    assert floor_delta(s, 0.0, None) == 6 * MB
    assert floor_delta(FloorSeries(), 0.0, None) == 0.0


# ---- names: the allocation site and its first non-helper caller ---------------------------------


def test_helper_names():
    assert package_of("github.com/a/b.(*T).M") == "github.com/a/b" and package_of("main.f") == "main"
    assert is_helper("main.appendTo[go.shape.int]") and is_helper("runtime.malg")
    assert is_helper("bytes.growSlice") and is_helper("strings.(*Builder).grow") and is_helper("internal/x.f")
    assert not is_helper("main.(*LFUCache).increment")
    assert not is_helper("github.com/x/y/internal/cache.(*C).put")  # the service's own internal package
    assert collapse_generics("main.appendTo[go.shape.struct { main.key uint64 }]") == "main.appendTo[...]"
    assert collapse_generics("main.f") == "main.f"


def test_a_verdict_on_a_generic_method_keeps_the_method():
    """The receiver's type arguments and the method's are elided apart: the method's name stays (it was
    cut at the receiver's bracket: "main.(*Cache[...]")."""
    method = "main.(*Cache[go.shape.string,go.shape.int]).Get[go.shape.string]"
    site = AllocationSite(method, "main.serve", 0.9)
    assert site.label == "main.serve → main.(*Cache[...]).Get[...]"
    assert site.evidence.startswith("allocated in main.(*Cache[...]).Get[...], called from main.serve")
    assert HeapFloors().label(method) == "main.(*Cache[...]).Get[...]"


def _profile(inuse_by_stack):
    b = Builder()
    for frames, inuse in inuse_by_stack:
        b.sample(frames, [1, inuse, 1, inuse])
    return decode_profile(b.bytes())


GENERIC = "main.appendTo[go.shape.struct { main.key uint64 }]"
CALLER = "main.(*lfuCache).increment"


def test_allocation_site_walks_past_generic_and_stdlib_helpers():
    p = _profile(
        [
            ([GENERIC, CALLER, "main.main"], 6 * MB),
            ([GENERIC, "main.other", "main.main"], 2 * MB),
            (["bytes.growSlice", "bytes.(*Buffer).grow", "main.handler"], MB),
            (["runtime.malg", "runtime.newproc1"], 4096),
            (["main.(*LFUCache).increment", "main.main"], MB),
        ]
    )
    site = allocation_site(p, GENERIC, "inuse_space")
    assert site.caller == CALLER and site.share == pytest.approx(0.75)
    assert site.label == f"{CALLER} → main.appendTo[...]"
    assert "called from main.(*lfuCache).increment (75% of its bytes)" in site.evidence
    assert allocation_site(p, "bytes.growSlice", "inuse_space").caller == "main.handler"
    assert allocation_site(p, "runtime.malg", "inuse_space").label == "runtime.malg"  # no caller outside runtime
    assert allocation_site(p, "main.(*LFUCache).increment", "inuse_space").caller == ""  # not a helper
    assert allocation_site(p, "main.absent[go.shape.int]", "inuse_space").label == "main.absent[go.shape.int]"


# ---- the tracker -------------------------------------------------------------------------------


def test_tracker_names_the_staircase_by_its_caller_and_quotes_floor_growth():
    tr = LeakTracker()
    t = 0.0
    while t <= 600:
        level = staircase(t)
        stacks = [(["main.steady", "main.main"], 3 * MB)]
        if level:
            stacks.append(([GENERIC, CALLER, "main.main"], int(level)))
        tr.observe_heap_profile(t, _profile(stacks))
        report = tr.report(t)
        t += POLL
    (v,) = report.flagged(GROWING)
    assert v.key == GENERIC and v.label == f"{CALLER} → main.appendTo[...]" and v.unit == "bytes"
    assert "floor" in v.evidence and "called from main.(*lfuCache).increment" in v.evidence
    fn = next(f for f in report.functions if f.key == GENERIC)
    assert fn.growing and fn.rate_per_min == v.rate_per_min  # the heap table's mark keys on the function
    assert report.floor_growth[0] == (GENERIC, 8 * MB)  # floor now 8 MB, lowest since the start 0
    assert "main.steady" not in dict(report.floor_growth)


def test_tracker_without_profiles_uses_the_function_name_and_fills_absent_functions():
    tr = LeakTracker()
    for i in range(200):
        t = i * POLL
        values = {"main.steady": 3 * MB}
        if staircase(t):
            values[GENERIC] = staircase(t)
        tr.observe_function_values(t, values)
    (v,) = tr.report().flagged(GROWING)
    assert v.label == GENERIC
    tr.observe_function_values(200 * POLL, {"main.steady": 3 * MB})  # gone from the listing: 0
    assert tr._heap_floors._series[GENERIC].last == 0.0
    tr.set_sample_type("alloc_space")  # cumulative: every allocating function rises, no verdicts
    for i in range(200):
        tr.observe_function_values(i * POLL, {GENERIC: staircase(i * POLL) + 1.0})
    assert tr.report().flagged(GROWING) == ()
    tr.restart()
    assert tr.report().floor_growth == () and tr.report().verdicts == ()


def test_reconciliation_drops_a_heap_profile_rise_that_has_stopped():
    def warm(t):  # the heap profile total: 24 MB over 150 s, then flat
        return 4 * MB + 24 * MB * min(t, 150.0) // 150 // (MB // 2) * (MB // 2)

    filling = reconcile({HEAP_PROFILE: polled(warm, 140)})
    assert filling.verdict == HEAP and next(m for m in filling.metrics if m.key == HEAP_PROFILE).growing
    plateau = reconcile({HEAP_PROFILE: polled(warm, 480)})  # the 10-minute trend window still holds the rise
    assert plateau.verdict == NOTHING
    assert not next(m for m in plateau.metrics if m.key == HEAP_PROFILE).growing
