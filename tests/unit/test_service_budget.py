import pytest

from tui.service.backoff import Backoff
from tui.service.budget import SECONDS_PER_GOROUTINE, Debug2Budget
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
