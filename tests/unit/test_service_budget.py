import pytest

from tui.service.backoff import Backoff
from tui.service.budget import PARSE_SHARE, SECONDS_PER_GOROUTINE, Debug2Budget
from tui.service.costs import CostTracker


def budget(**kw):
    args = dict(budget=0.01, min_age=10.0, max_age=600.0, max_bytes=72 * 2**20, started_at=0.0)
    args.update(kw)
    return Debug2Budget(**args)


def test_waits_for_goroutine_count_before_first_dump():
    d = budget().decide(100.0, None)
    assert not d.due and "goroutine count" in d.reason


def test_small_target_first_dump_is_immediate_after_estimate():
    b = budget()
    gap = b.required_gap(10)
    assert gap < 2
    assert not b.decide(gap / 2, 10).due
    assert b.decide(gap, 10).due


def test_100k_goroutines_is_not_hit_blindly():
    b = budget()
    est = b.estimate_cost(100_000)
    assert est == pytest.approx(0.005 + 100_000 * SECONDS_PER_GOROUTINE)
    d = b.decide(60.0, 100_000)
    assert not d.due and "first dump in" in d.reason and "budget" in d.reason
    assert b.decide(est / 0.01 + 0.1, 100_000).due


def test_over_max_age_uses_debug1_and_says_why():
    d = budget(max_age=120.0).decide(10_000.0, 100_000)
    assert not d.due and d.wait is None
    assert "100,000 goroutines" in d.reason and "inferred from stacks" in d.reason


def test_dump_bigger_than_body_limit_is_refused():
    d = budget(max_bytes=1_000_000).decide(10_000.0, 100_000)
    assert not d.due and "~34.33MB, over the body limit" in d.reason


def test_measured_cost_drives_the_gap_and_min_age_applies():
    b = budget()
    b.record(started=100.0, cost=0.5, goroutines=1000)  # 0.5 s -> 50 s gap at 1%
    assert not b.decide(149.0, 1000).due
    assert b.decide(150.0, 1000).due
    assert b.estimate_cost(2000) == pytest.approx(1.0)  # scales with the count
    assert not b.decide(150.0, 2000).due
    b.record(started=200.0, cost=0.001, goroutines=1000)
    assert not b.decide(205.0, 1000).due  # min age 10 s
    assert b.decide(210.0, 1000).due


def test_share_is_dump_time_over_wall_time():
    b = budget()
    b.record(10.0, 0.2, 100)
    b.record(40.0, 0.3, 100)
    assert b.share(100.0) == pytest.approx(0.005)
    assert b.count == 2


def test_backoff_grows_with_jitter_and_resets():
    values = iter([0.0, 1.0, 0.0, 1.0, 0.5])
    b = Backoff(1.0, 8.0, rand=lambda: next(values))
    assert b.fail() == 0.5  # ceiling 1, jitter low end
    assert b.fail() == 2.0  # ceiling 2, high end
    assert b.fail() == 2.0  # ceiling 4, low end
    assert b.fail() == 8.0  # ceiling 8
    b.succeed()
    assert b.fail() == 0.75


def test_backoff_is_capped():
    b = Backoff(1.0, 30.0, rand=lambda: 1.0)
    for _ in range(100):
        last = b.fail()
    assert last == 30.0


def test_cost_tracker():
    c = CostTracker()
    c.success("heap", 0.2, 100)
    c.success("heap", 0.4, 300)
    c.failure("heap", 1.0, "heap: timed out")
    s = c.get("heap")
    assert (s.count, s.errors, s.total_bytes, s.last_bytes) == (2, 1, 400, 300)
    assert s.mean_latency == pytest.approx(0.3) and s.last_error == "heap: timed out"
    assert [e.endpoint for e in c.snapshot()] == ["heap"]


def test_stretched_every_keeps_a_slow_cheap_endpoint_within_the_budget():
    from tui.service.budget import stretched_every

    assert stretched_every(5, 0.01, 2.0, 0.01) == 5  # cheap: its cadence
    assert stretched_every(1, 0.04, 2.0, 0.01) == 1  # under STRETCH_FROM: noise, not size
    assert stretched_every(5, 0.25, 2.0, 0.01) == 13  # 0.25 s per answer: one per 25 s at most
    assert stretched_every(5, 0.0, 2.0, 0.01) == 5
    assert stretched_every(0, 9.0, 2.0, 0.01) == 0  # on demand stays on demand
    assert stretched_every(1, float("nan"), 2.0, 0.01) == 1
    assert stretched_every(1, 1e9, 2.0, 0.01) == 10_000


def test_target_work_takes_the_round_trip_off():
    from tui.service.costs import TargetWork

    work = TargetWork("index")
    assert work.observe("index", 0.30) == 0.0  # the index is the round trip
    assert work.observe("goroutine", 0.55) == pytest.approx(0.25)
    work.observe("index", 0.20)  # a faster round trip seen since
    assert work.observe("goroutine", 0.45) == pytest.approx(0.25)
    assert work.observe("heap", float("nan")) == 0.0
    assert work.spent == pytest.approx(0.5)  # the index answers themselves count as round trips


def test_index_count_is_a_hint_the_dumps_real_count_wins_once_it_lied():
    """A target can under-report its goroutines in the index (10) while its dump holds 50,000: the
    dump's real count and its cost plan the next one, not the index's word."""
    honest, liar = budget(), budget()
    honest.record(started=100.0, cost=0.5, goroutines=1000, hint=1000)
    liar.record(started=100.0, cost=0.5, goroutines=50_000, hint=10)
    assert not honest.index_underreports and liar.index_underreports
    assert honest.planned_goroutines(500) == 500  # an honest index: a drop is believed at once
    assert liar.planned_goroutines(10) == 50_000
    assert liar.required_gap(liar.planned_goroutines(10)) == pytest.approx(50.0)  # 0.5 s at 1%
    assert not liar.decide(140.0, 10).due and liar.decide(150.0, 10).due
    d = liar.decide(120.0, 10)
    assert "next dump in 30 s" in d.reason
    # the bytes check counts the real goroutines too
    big = budget(max_bytes=1_000_000)
    big.record(started=0.0, cost=0.1, goroutines=100_000, hint=5)
    refused = big.decide(1000.0, 5)
    assert not refused.due and "100,000 goroutines (the index says 5)" in refused.reason
    # within slack of the hint: not a lie (goroutines come and go between the two requests)
    near = budget()
    near.record(started=0.0, cost=0.1, goroutines=1500, hint=1000)
    assert not near.index_underreports


def test_our_parse_cost_spaces_the_dumps_too():
    b = budget()
    b.record(started=100.0, cost=0.01, goroutines=1000, hint=1000, parse_seconds=4.0)  # cheap dump, slow parse
    assert b.required_gap(1000) == pytest.approx(4.0 / PARSE_SHARE)
    assert not b.decide(100.0 + 4.0 / PARSE_SHARE - 1, 1000).due
    assert "parsing the last took 4.0 s here" in b.decide(110.0, 1000).reason
    assert b.decide(100.0 + 4.0 / PARSE_SHARE, 1000).due
    slow = budget(max_age=60.0)
    slow.record(started=0.0, cost=0.01, goroutines=1000, hint=1000, parse_seconds=10.0)
    d = slow.decide(1000.0, 1000)
    assert not d.due and "parsing one takes ~10 s here" in d.reason


def test_the_cheap_endpoints_share_one_budget():
    """Issue #25: at 99k goroutines the status line read `target 2.66%` against a 1 % budget: each cheap
    endpoint was stretched to the whole budget on its own (the goroutine profile, 240 ms, took 1.7 %
    beside 0.7 % of the rest). A slow one gets what the others leave, at least a quarter of it."""
    from types import SimpleNamespace

    from tui.service.budget import MIN_ALLOWANCE, cheap_allowance, others_share, stretched_every

    endpoints = {
        n: SimpleNamespace(every=e) for n, e in (("index", 1), ("heap?debug=1", 1), ("heap", 2), ("goroutine", 5))
    }
    recent = {"index": [0.004], "heap?debug=1": [0.005], "heap": [0.005], "goroutine": [0.24]}
    others = others_share(recent, endpoints, 2.0, "goroutine")
    assert others == pytest.approx((0.004 + 0.005 + 0.0025) / 2.0)  # 0.575 % of wall time
    allowance = cheap_allowance(0.01, others)
    assert allowance == pytest.approx(0.01 - others)
    every = stretched_every(5, 0.24, 2.0, allowance)
    assert 0.24 / (every * 2.0) + others <= 0.01  # the budget holds for all of them together
    assert stretched_every(5, 0.24, 2.0, 0.01) == 12  # alone it took the whole budget (before: 1 % + 0.575 %)
    assert cheap_allowance(0.01, 0.02) == 0.01 * MIN_ALLOWANCE  # never starved: the status line says the rest
