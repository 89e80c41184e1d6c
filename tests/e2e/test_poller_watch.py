"""Watch the real Go target with the real poller and parsers for >= 30 s.

Asserts on the data (series growth vs. the leak rates, in the series' own time base)
and on request COUNTS against the stop-the-world budget, never on wall-clock speed.
"""

import asyncio

import pytest

from tui.config import build_config
from tui.model import snapshot as snap
from tui.service.poller import Poller

pytestmark = pytest.mark.e2e

CHAN_RATE = 20  # goroutines leaked per second
CACHE_RATE = 10_000  # cache reads per second, each leaks a >= 80-byte hit record
WATCH_SECONDS = 32
BUDGET = 0.002  # small enough that the measured dump cost (not min_age or the tick) sets the pace
MIN_AGE = 0.5


def growth(points):
    first, last = points[0], points[-1]
    return last.value - first.value, last.t - first.t


async def test_watch_real_target(go_target):
    target = go_target("-chan-leak-rate", str(CHAN_RATE), "-cache-leak-rate", str(CACHE_RATE))
    config = build_config(
        {"target": target.addr, "interval": 1.0, "stw_budget": BUDGET, "debug2_min_age": MIN_AGE, "heap_every": 2},
        env={},
    )
    poller = Poller(config)
    task = poller.start()
    await asyncio.sleep(WATCH_SECONDS)
    assert not task.done()
    await poller.stop()
    s = poller.latest
    assert s.state == snap.LIVE and s.last_error == ""

    # goroutine count (index page) grows with the chan-send leak
    g = s.history.get("goroutines")
    assert len(g) >= 10
    dg, dt = growth(g)
    assert dt > 20
    assert dg >= 0.7 * CHAN_RATE * dt

    # the heap profile and MemStats grow with the cache leak
    h = s.history.get("heap.inuse_space")
    assert len(h) >= 5
    dh, dth = growth(h)
    assert dh >= 0.2 * CACHE_RATE * 80 * dth
    m = s.history.get("mem.heap_inuse")
    assert m[-1].value > m[0].value
    assert s.memstats.stack_inuse > 0

    # the goroutine tree was parsed and shows the leak
    assert s.goroutine_groups, s.tree_status
    reasons: dict[str, int] = {}
    for grp in s.goroutine_groups:  # a reason can head two groups: Go-proven leaked ones and the rest
        reasons[grp.reason] = reasons.get(grp.reason, 0) + grp.count
    assert reasons.get("chan send", 0) >= CHAN_RATE * 5

    # debug=2 fetched no more often than the budget allows, judged by counts
    d2 = poller.costs.get("goroutine?debug=2")
    dumps = d2.count + d2.errors
    wall = s.time - poller.budget.started_at
    min_cost = min(d2.total_latency / max(d2.count, 1), d2.last_latency or 0.0) if d2.count else 0.0
    # every dump after the first waited >= max(min_age, estimated cost / budget) and the estimate
    # never shrinks below the cheapest measured dump while goroutines only grow
    bound = 1 + wall / max(MIN_AGE, min_cost / BUDGET)
    print(
        f"debug=2 dumps={dumps} bound={bound:.1f} wall={wall:.1f}s min_cost={min_cost * 1000:.2f}ms "
        f"share={poller.budget.share(s.time):.5f} ticks={poller.tick}"
    )
    # At least one dump (the tree above came from it); how many more depends on how fast the
    # goroutine count grows (the estimate scales with it), so only the upper bound is exact.
    assert 1 <= dumps <= bound, (dumps, bound, d2)
    assert dumps < poller.tick  # the budget, not the tick, set the pace
    assert poller.budget.share(s.time) <= BUDGET * 1.5 + (d2.last_latency or 0) / wall

    # the cheap endpoints ran at their cadence: one index hit per tick, heap every 2 ticks
    index = poller.costs.get("index")
    heap = poller.costs.get("heap")
    assert index.errors == 0 and heap.errors == 0
    assert index.count >= poller.tick - 1
    assert poller.tick // 2 - 1 <= heap.count <= poller.tick // 2 + 1
