import asyncio

import pytest

from tests.unit.service_fakes import FakeClock, ScriptedTarget, make_poller, run_until
from tui.model import snapshot as snap
from tui.service.budget import BASE_COST


@pytest.fixture
def clock():
    return FakeClock()


async def test_cadence_per_endpoint(clock):
    target = ScriptedTarget(clock, goroutines=20)
    poller = make_poller(target, clock, heap_every=2, memstats_every=1, cmdline_every=5)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 20)
    await poller.stop()
    ticks = poller.tick  # the last tick may have been cut short by stop()
    assert ticks - 1 <= target.hits["index"] <= ticks
    assert ticks - 1 <= target.hits["heap?debug=1"] <= ticks
    assert ticks // 2 <= target.hits["heap"] <= ticks // 2 + 1
    assert ticks // 5 <= target.hits["cmdline"] <= ticks // 5 + 2
    assert target.max_in_flight == 1  # polls never overlap


async def test_debug2_respects_the_budget_by_count(clock):
    target = ScriptedTarget(clock, goroutines=2000, seconds_per_goroutine=100e-6)  # 0.2 s per dump
    poller = make_poller(target, clock, interval=1, debug2_min_age=1)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 600)
    await poller.stop()
    dumps = target.hits["goroutine?debug=2"]
    wall = clock() - start
    cost = 0.001 + 2000 * 100e-6
    # each dump needs cost/budget seconds since the previous one (the first one too)
    assert 1 <= dumps <= 1 + wall / (cost / 0.01)
    assert dumps >= wall / (cost / 0.01) - 2  # and it does use its budget
    assert poller.budget.share(clock()) <= 0.01 * 1.05
    s = poller.latest
    assert s.stw_share == pytest.approx(poller.budget.share(s.time))
    assert "budget" in s.tree_status


async def test_many_goroutines_prefer_debug1_and_explain(clock):
    target = ScriptedTarget(clock, goroutines=100_000)
    poller = make_poller(target, clock, debug2_max_age=120, goroutine_debug1_every=3)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 300)
    assert target.hits["goroutine?debug=2"] == 0
    assert target.hits["goroutine?debug=1"] >= poller.tick // 3 - 1
    s = poller.latest
    # short enough for 80 columns: the tree is inferred, why no dump, how to get one now
    assert s.tree_status == "tree inferred from stacks; a dump stops the world ~3.1 s — r: now"
    reason = s.age(snap.GOROUTINE_TREE).reason  # the whole story
    assert "100,000 goroutines" in reason and "inferred from stacks" in reason
    assert s.goroutine_stacks is not None
    # on demand: fetched once even though the budget says no
    poller.refresh_now("goroutine-tree")
    await run_until(poller, lambda: target.hits["goroutine?debug=2"] == 1)
    await run_until(poller, lambda: poller.latest.age(snap.GOROUTINE_TREE).fetched_at is not None)
    await poller.stop()
    assert "refreshed on request" in poller.latest.tree_status


async def test_100k_first_dump_waits_for_the_estimate(clock):
    target = ScriptedTarget(clock, goroutines=100_000)
    poller = make_poller(target, clock)
    start = clock()
    poller.start()
    await run_until(poller, lambda: target.hits["goroutine?debug=2"] == 1)
    waited = target.times["goroutine?debug=2"][0] - start
    await poller.stop()
    est = BASE_COST + 100_000 * 31e-6
    assert waited >= est / 0.01


async def test_slow_target_slows_polling(clock):
    target = ScriptedTarget(clock, goroutines=10)
    target.request_cost = 2.0  # every request takes 2 s of (fake) time
    poller = make_poller(target, clock, interval=1)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 10)
    await poller.stop()
    idx = target.times["index"]
    gaps = [b - a for a, b in zip(idx, idx[1:])]
    # a tick (index+memstats+...) takes >= 4 s; the pause after it is at least as long
    assert min(gaps) >= 8.0


async def test_target_down_backoff_then_recovery_keeps_history(clock):
    target = ScriptedTarget(clock, goroutines=10)
    poller = make_poller(target, clock, interval=1, backoff_base=1, backoff_max=16)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 5)
    before = poller.latest.history.values("goroutines")
    assert len(before) >= 4
    target.down = True
    n0 = target.hits["index"]
    await run_until(poller, lambda: target.hits["index"] >= n0 + 6)
    s = poller.latest
    assert s.state == snap.RECONNECTING
    assert s.status.startswith("reconnecting:") and "unreachable" in s.status and "\n" not in s.status
    times = target.times["index"][n0 - 1 :]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[-1] > gaps[0] and max(gaps) <= 16 + 5  # grows, capped
    assert s.history.values("goroutines")[: len(before)] == before  # kept
    target.down = False
    await run_until(poller, lambda: poller.latest.state == snap.LIVE)
    await poller.stop()
    assert len(poller.latest.history.values("goroutines")) > len(before)


async def test_restart_detected_by_cmdline_and_counters(clock):
    target = ScriptedTarget(clock, goroutines=10)
    target.total_alloc = 10_000
    target.num_gc = 40
    poller = make_poller(target, clock, interval=1, cmdline_every=2)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 4)
    target.total_alloc, target.num_gc = 100, 1  # same binary restarted: counters reset
    await run_until(poller, lambda: len(poller.latest.restarts) == 1)
    assert "went backwards" in poller.latest.restarts[0].reason
    assert len(poller.latest.history.segments) == 1
    n = target.hits["cmdline"]
    await run_until(poller, lambda: target.hits["cmdline"] > n and poller.latest.seq > 0)  # re-learned
    tick = poller.tick
    await run_until(poller, lambda: poller.tick > tick)
    target.cmdline = b"/srv/app\x00-port=2"
    await run_until(poller, lambda: len(poller.latest.restarts) == 2)
    await poller.stop()
    assert poller.latest.restarts[1].reason == "command line changed"
    assert len(poller.latest.history.segments) == 2


async def test_endpoint_error_backs_off_only_that_endpoint(clock):
    target = ScriptedTarget(clock, goroutines=10)
    target.status["heap"] = 500
    poller = make_poller(target, clock, interval=1, heap_every=1, backoff_base=4, backoff_max=4)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 20)
    await poller.stop()
    assert target.hits["heap?debug=1"] >= poller.tick - 1
    assert target.hits["heap"] <= poller.tick // 2  # every ~4 s, not every tick
    s = poller.latest
    assert s.state == snap.LIVE
    assert "HTTP 500" in s.age(snap.HEAP).reason
    heap_cost = next(c for c in s.costs if c.endpoint == "heap")
    assert heap_cost.errors == target.hits["heap"] and heap_cost.count == 0


async def test_pprof_not_enabled_is_an_error_state(clock):
    target = ScriptedTarget(clock)
    target.status["index"] = 404
    poller = make_poller(target, clock)
    poller.start()
    await run_until(poller, lambda: poller.latest is not None and poller.tick >= 3)
    await poller.stop()
    s = poller.latest
    assert s.state == snap.ERROR and "pprof is not enabled" in s.status
    assert target.hits["heap"] == 0  # nothing else is hammered


async def test_pause_resume_and_refresh(clock):
    target = ScriptedTarget(clock, goroutines=10)
    poller = make_poller(target, clock, interval=1)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 2)
    poller.pause()
    await run_until(poller, lambda: poller.latest.state == snap.PAUSED)
    n = target.hits["index"]
    for _ in range(200):
        await asyncio.sleep(0)
    assert target.hits["index"] == n
    poller.refresh_now("heap")
    await run_until(poller, lambda: target.hits["index"] == n + 1)
    await run_until(poller, lambda: poller.latest.state == snap.PAUSED and poller.tick == 3)
    poller.resume()
    await run_until(poller, lambda: poller.latest.state == snap.LIVE and poller.tick >= 5)
    with pytest.raises(ValueError):
        poller.refresh_now("cpu")
    await poller.stop()


async def test_snapshots_iterator_and_frozen_output(clock):
    target = ScriptedTarget(clock, goroutines=10)
    poller = make_poller(target, clock)
    poller.start()
    seen = []
    async for s in poller.snapshots():
        seen.append(s)
        if len(seen) == 3:
            break
    await poller.stop()
    assert [s.seq for s in seen] == sorted(s.seq for s in seen)
    s = seen[-1]
    assert s.goroutine_total == 10 and s.profiles["goroutine"] == 10 and s.target == "h:6060"
    assert s.heap_totals["inuse_space"] > 0
    with pytest.raises(AttributeError):
        s.state = "x"  # frozen


async def test_stop_cancels_mid_request_and_closes_client(clock):
    target = ScriptedTarget(clock, goroutines=10)
    gate = asyncio.Event()
    original = target.__call__

    async def hanging(request):
        if target.key(request) == "heap?debug=1":
            await gate.wait()
        return await original(request)

    import httpx

    from tui.fetch.client import TargetClient

    poller = make_poller(target, clock)
    poller._client = TargetClient(poller.config, transport=httpx.MockTransport(hanging))
    poller._owns_client = True
    task = poller.start()
    await run_until(poller, lambda: target.hits["index"] >= 1 and target.in_flight == 0)
    for _ in range(20):
        await asyncio.sleep(0)
    await poller.stop()
    assert task.done()
    assert poller._client.closed
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []


async def test_parse_error_is_reported_not_raised(clock):
    from service_fakes import FAKE_PARSERS

    from tui.core.errors import ParseError
    from tui.model.parsers import Parsers

    def bad_memstats(data):
        raise ParseError("heap?debug=1: no MemStats trailer")

    target = ScriptedTarget(clock, goroutines=10)
    poller = make_poller(target, clock)
    p = FAKE_PARSERS
    poller.parsers = Parsers(p.index, p.heap, bad_memstats, p.goroutine_debug1, p.goroutine_debug2)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 3)
    await poller.stop()
    assert "no MemStats trailer" in poller.latest.age(snap.MEMSTATS).reason
    assert poller.latest.state == snap.LIVE


async def test_parser_bug_is_reported_and_polling_continues(clock):
    from service_fakes import FAKE_PARSERS

    from tui.model.parsers import Parsers

    def buggy_heap(data):
        raise TypeError("unexpected keyword argument 'x'")

    target = ScriptedTarget(clock, goroutines=10)
    poller = make_poller(target, clock, heap_every=1)
    p = FAKE_PARSERS
    poller.parsers = Parsers(p.index, buggy_heap, p.memstats, p.goroutine_debug1, p.goroutine_debug2)
    task = poller.start()
    await run_until(poller, lambda: poller.tick >= 4)
    assert not task.done()
    await poller.stop()
    reason = poller.latest.age(snap.HEAP).reason
    assert "parser failed (TypeError" in reason and poller.latest.state == snap.LIVE


async def test_bad_tls_setup_is_an_error_snapshot_not_a_crash(tmp_path):
    from tui.config import build_config
    from tui.service.poller import Poller

    config = build_config({"target": "https://h:6060", "cacert": str(tmp_path / "missing-ca.pem")}, env={})
    seen = []
    poller = Poller(config, on_snapshot=seen.append)
    await poller.run()
    assert seen and seen[-1].state == snap.ERROR and "TLS setup" in seen[-1].status


async def test_a_slow_cheap_endpoint_is_asked_less_often_and_counted(clock):
    """The goroutine stacks of a big service take long to serve: asked less often, so their share
    of the target's time stays within the budget; the status figure counts every request."""
    target = ScriptedTarget(clock, goroutines=100_000)
    target.costs["goroutine?debug=1"] = 0.25
    poller = make_poller(target, clock, interval=1, goroutine_debug1_every=3, debug2_max_age=60)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 600)
    await poller.stop()
    wall = clock() - start
    times = target.times["goroutine?debug=1"]
    assert len(times) >= 2
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.25 / 0.01 - 0.5  # one answer costs 0.25 s: at most one per 25 s
    assert 0.25 * len(times) / wall <= 0.01 * 1.1
    assert target.hits["index"] >= poller.tick - 1  # the index keeps its cadence
    s = poller.latest
    # every answer takes the 0.01 s round trip the index shows; the rest is the target's work
    spent = sum(n * (target.costs.get(k, target.request_cost) - 0.01) for k, n in target.hits.items())
    assert s.target_share == pytest.approx(spent / (s.time - poller.budget.started_at), rel=0.05)
    assert s.target_share > s.stw_share


async def test_a_slow_link_is_not_target_work(clock):
    """Every answer takes 2 s (a far link, a tiny index): nothing is stretched, nothing charged."""
    target = ScriptedTarget(clock, goroutines=10)
    target.request_cost = 2.0
    poller = make_poller(target, clock, interval=1, goroutine_debug1_every=3)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 30)
    await poller.stop()
    assert target.hits["goroutine?debug=1"] >= 30 // 3 - 1
    assert poller.latest.target_share < 0.001
