"""Trend estimation and verdict functions on synthetic series (edge cases)."""

import math
import random

import pytest

from tui.leaks.growth import (
    GOROUTINE_DEFAULTS,
    GROWING,
    HEAP_DEFAULTS,
    LEAKED,
    LEAKED_STEADY,
    STUCK,
    Verdict,
    growing_verdict,
    growth_rate,
    is_growing,
    leaked_verdict,
    sort_verdicts,
    stuck_verdict,
    trend,
    verdict_title,
    window,
)

CFG = GOROUTINE_DEFAULTS


def series(values, every=2.0, start=100.0):
    return [(start + i * every, v) for i, v in enumerate(values)]


def test_linear_growth_slope_per_minute():
    tr = trend(series([10 + 2 * i for i in range(30)]))  # +2 every 2 s = 60/min
    assert tr.slope == pytest.approx(60.0)
    assert tr.ls_slope == pytest.approx(60.0)
    assert tr.rises == 29 and tr.falls == 0 and tr.rise_share == 1.0
    assert tr.span_minutes == pytest.approx(58 / 60)


def test_leak_of_one_goroutine_per_second_is_growing_within_two_minutes():
    # tree every 10 s, 1 goroutine/s: flagged once K points over T minutes exist
    pts = series([5 + 10 * i for i in range(13)], every=10.0)
    first = next(i for i in range(2, len(pts) + 1) if growing_verdict("k", "k", pts[:i], CFG, unit="g"))
    assert pts[first - 1][0] - pts[0][0] <= 120
    v = growing_verdict("k", "leaf [chan send]", pts, CFG, unit="goroutines")
    assert v.kind == GROWING and v.rate_per_min == pytest.approx(60.0) and v.current == 125
    assert "→" in v.evidence and v.since == pts[0][0]


def test_empty_and_single_point_and_two_points():
    assert trend([]) is None
    assert trend([(1.0, 5.0)]) is None
    assert trend([(1.0, 5.0), (1.0, 7.0)]) is None  # one instant
    tr = trend([(0.0, 0.0), (60.0, 100.0)])
    assert tr.slope == pytest.approx(100.0)
    assert not is_growing(tr, CFG)  # two points are never a verdict
    assert growing_verdict("k", "k", [], CFG, unit="g") is None


def test_steady_pool_with_noise_is_not_growing():
    rng = random.Random(7)
    pts = series([64 + rng.choice((-1, 0, 0, 1)) for _ in range(300)])
    assert growing_verdict("k", "k", pts, CFG, unit="g") is None
    rng = random.Random(8)
    big = series([10000 + rng.randint(-40, 40) for _ in range(300)])
    assert growing_verdict("k", "k", big, CFG, unit="g") is None


def test_single_spike_is_not_growing():
    values = [20] * 40
    values[25] = 500
    assert growing_verdict("k", "k", series(values), CFG, unit="g") is None
    tr = trend(series(values))
    assert tr.slope == 0.0


def test_burst_that_drains_is_not_growing():
    # 200 goroutines for 3 s every 10 s, sampled every 2 s
    values = [200 if (i * 2) % 10 < 3 else 0 for i in range(90)]
    assert growing_verdict("k", "k", series(values), CFG, unit="g") is None


def test_one_step_up_is_not_a_trend():
    values = [100] * 30 + [400] * 30  # a pool resized once
    assert growing_verdict("k", "k", series(values), CFG, unit="g") is None


def test_decreasing_is_not_growing_and_rate_is_negative():
    pts = series([500 - 5 * i for i in range(60)])
    assert growing_verdict("k", "k", pts, CFG, unit="g") is None
    tr = trend(pts)
    assert tr.slope < 0 and growth_rate(tr) == 0.0


def test_slow_growth_under_the_floors_is_not_flagged():
    # +1 goroutine a minute: under the 10/min floor
    pts = series([50 + i // 30 for i in range(300)])
    assert growing_verdict("k", "k", pts, CFG, unit="g") is None
    # relative floor: +20/min on a level of 10 000 is 0.2%/min
    pts = series([10000 + i * 20 for i in range(30)], every=60.0)
    assert growing_verdict("k", "k", pts, CFG.with_(window_minutes=60.0), unit="g") is None
    assert growing_verdict("k", "k", pts, CFG.with_(window_minutes=60.0, relative_floor=0.0), unit="g")


def test_huge_values_and_non_finite_points():
    pts = series([1e18 + i * 1e16 for i in range(40)])
    v = growing_verdict("k", "k", pts, HEAP_DEFAULTS, unit="bytes")
    assert v is not None and math.isfinite(v.rate_per_min)
    noisy = pts + [(pts[-1][0] + 2, math.nan), (pts[-1][0] + 4, math.inf)]
    assert trend(noisy).n == len(pts)


def test_out_of_order_points_are_dropped_and_same_instant_keeps_newest():
    pts = window([(10.0, 1.0), (5.0, 9.0), (12.0, 2.0), (12.0, 3.0)], 10.0)
    assert pts == [(10.0, 1.0), (12.0, 3.0)]


def test_restart_mid_series_is_not_growth_of_the_new_process():
    # counts drop to a low level (restart) then stay flat: falls and no net rise
    values = [100 + 10 * i for i in range(20)] + [5] * 20
    assert growing_verdict("k", "k", series(values), CFG, unit="g") is None


def test_window_keeps_only_recent_minutes():
    old_growth = [10 * i for i in range(300)]  # 10 minutes of growth, then 10 flat minutes
    pts = series(old_growth + [old_growth[-1]] * 300)
    assert growing_verdict("k", "k", pts, CFG, unit="g") is None
    assert growing_verdict("k", "k", pts[:300], CFG, unit="g") is not None


def test_heap_steps_at_gc_cycles_are_growing():
    # the heap profile moves only when a GC completes: a staircase every ~20 s
    values = [(i // 10) * 2_000_000 for i in range(60)]
    v = growing_verdict("f", "f", series(values), HEAP_DEFAULTS, unit="bytes")
    assert v is not None and v.rate_per_min > 1_000_000


def test_stuck_needs_rising_youngest_wait_and_a_stuck_reason():
    ages = [(60.0 * i, 100, 10 + i, 30 + i) for i in range(5)]
    v = stuck_verdict("k", "deliver [chan send]", "chan send", ages, CFG)
    assert v.kind == STUCK and v.current == 100
    assert v.evidence.startswith("100 goroutines in [chan send] waiting 14–34 min (Go's wait times)")
    assert "the youngest went from 10 min to 14 min over 5 dumps, none released" in v.evidence
    assert stuck_verdict("k", "worker", "chan receive", ages, CFG) is None  # idle pools wait like this
    fresh = [(60.0 * i, 100, 0, 30 + i) for i in range(5)]  # new goroutines keep arriving
    assert stuck_verdict("k", "k", "chan send", fresh, CFG) is None
    young = [(60.0 * i, 100, 1 + i, 3 + i) for i in range(5)]
    assert stuck_verdict("k", "k", "chan send", young, CFG) is None  # under stuck_min_minutes
    released = [(0.0, 5, 20, 30), (60.0, 5, 21, 31), (120.0, 5, 3, 32), (180.0, 5, 22, 33)]
    assert stuck_verdict("k", "k", "sync.Mutex.Lock", released, CFG) is None
    assert stuck_verdict("k", "k", "chan send", ages[:3], CFG) is None
    assert stuck_verdict("k", "k", "chan send", [(0.0, 1, None, None)] * 5, CFG) is None


def test_sort_by_severity_growing_leak_then_growing_then_stuck_then_steady_leak():
    steady = leaked_verdict("l", "l", 3, 0.0, source="goroutineleak profile")
    vs = [
        Verdict(STUCK, "s", "s", 0.0, 10, 0.0, ""),
        Verdict(GROWING, "g1", "g1", 5.0, 10, 0.0, ""),
        steady,
        Verdict(GROWING, "g2", "g2", 50.0, 10, 0.0, ""),
        Verdict(LEAKED, "lg", "lg", 2.0, 30, 0.0, ""),  # a proven leak that still grows
    ]
    assert [v.key for v in sort_verdicts(vs)] == ["lg", "g2", "g1", "s", "l"]
    assert sort_verdicts(vs)[0].kind == LEAKED
    assert verdict_title(steady) == LEAKED_STEADY and verdict_title(vs[-1]) == LEAKED


def test_signal_to_noise_rejects_a_small_drift_inside_big_noise():
    rng = random.Random(11)
    # +300 kB/min drift under ±1 MB of in-flight noise (the target's own pprof buffers)
    pts = series([4e6 + i * 10_000 + rng.uniform(0, 2e6) for i in range(45)], every=2.0)
    loose = HEAP_DEFAULTS.with_(min_rise_share=0.0, min_rises=0, slope_floor=1.0, relative_floor=0.0)
    tr = trend(pts)
    assert tr.noise > 0
    assert is_growing(tr, loose)
    assert not is_growing(tr, loose.with_(min_signal_to_noise=3.0))
    clean = series([4e6 + i * 10_000 for i in range(45)])
    assert is_growing(trend(clean), loose.with_(min_signal_to_noise=3.0))
