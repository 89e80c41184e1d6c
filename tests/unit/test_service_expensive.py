"""The expensive endpoints (debug=2, goroutineleak) share one budget, run one at a time in the
background, never delay the cheap cadence, and have a deadline; the tree is inferred from the
goroutine proto until the first dump."""

import asyncio
import dataclasses

import pytest

from tests.conftest import fixture_path
from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, make_poller, run_until
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.proto import decode_goroutine_profile
from tui.service import request as request_mod

PROTO = fixture_path("go1.27", "goroutine.pb.gz").read_bytes()
LEAK_TEXT = fixture_path("go1.27", "goroutineleak_debug1.txt").read_bytes()


class BigTarget(ScriptedTarget):
    """Serves the goroutine proto and goroutineleak; goroutineleak costs `leak_cost` seconds."""

    def __init__(self, clock, *, goroutines=86_000, leak_cost=8.0, serves_proto=True) -> None:
        super().__init__(clock, goroutines=goroutines, seconds_per_goroutine=0.0)
        self.dump_cost = 31e-6  # seconds per goroutine of a debug=2 dump
        self.leak_cost = leak_cost
        self.serves_proto = serves_proto
        self.expensive_in_flight = 0
        self.max_expensive_in_flight = 0
        self.hang_leak = False

    async def __call__(self, request):
        key = self.key(request)
        expensive = key in ("goroutine?debug=2", "goroutineleak?debug=1")
        if expensive:
            self.expensive_in_flight += 1
            self.max_expensive_in_flight = max(self.max_expensive_in_flight, self.expensive_in_flight)
        try:
            if key == "goroutineleak?debug=1" and self.hang_leak:
                await asyncio.sleep(3600)
            if expensive:
                # the target works while the watcher's loop goes on: fake time passes by the
                # poller's own sleeps, not by this request jumping the shared clock
                cost = self.leak_cost if key == "goroutineleak?debug=1" else 0.001 + self.goroutines * self.dump_cost
                end = self.clock.t + cost
                while self.clock.t < end:
                    await asyncio.sleep(0)
            return await super().__call__(request)
        finally:
            if expensive:
                self.expensive_in_flight -= 1

    def body(self, key: str) -> bytes:
        if key == "index":
            row = b"<tr><td>256</td><td><a href='goroutineleak?debug=1'>goroutineleak</a></td></tr>\n"
            return super().body(key).replace(b"</table>", row + b"</table>")
        if key == "goroutineleak?debug=1":
            return LEAK_TEXT
        if key == "goroutine" and self.serves_proto:
            return PROTO
        return super().body(key)


def _poller(target, clock, **cfg):
    poller = make_poller(target, clock, interval=2, **cfg)
    poller.parsers = dataclasses.replace(
        FAKE_PARSERS,
        goroutineleak=lambda data: parse_debug1(data.decode()),
        goroutine_proto=decode_goroutine_profile,
    )
    return poller


async def test_slow_leak_check_is_budgeted_and_never_delays_cheap_polls():
    clock = FakeClock()
    target = BigTarget(clock, goroutines=86_000, leak_cost=8.0)
    poller = _poller(target, clock)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 3600)
    await poller.stop()
    wall = clock() - start
    leaks = target.times["goroutineleak?debug=1"]
    dumps = target.times.get("goroutine?debug=2", [])
    assert leaks, "the leak check ran"
    # scheduled from its measured cost: >= 8 s / 1 % = 800 s apart (not every 60 s)
    assert all(b - a >= 8.0 / 0.01 - 1 for a, b in zip(leaks, leaks[1:]))
    # one budget for both: what the target spent (leak GC cycles + dumps) stays within 1 %
    spent = poller.budget.total_cost
    assert spent >= 8.0 * len(leaks)
    assert spent / wall <= 0.01 * 1.1 + 8.0 / wall  # at most one request over, at the end
    assert poller.latest.stw_share == pytest.approx(poller.budget.share(poller.latest.time))
    assert poller.latest.stw_share > 0.004  # the figure counts the leak checks too
    # never two expensive requests at once against the target
    assert target.max_expensive_in_flight == 1
    # the cheap cadence is kept while an expensive request runs (index every ~2 s)
    idx = target.times["index"]
    gaps = [b - a for a, b in zip(idx, idx[1:])]
    assert max(gaps) < 8.0
    assert len(dumps) + len(leaks) >= 2


async def test_tree_is_inferred_from_the_proto_before_the_first_dump():
    clock = FakeClock()
    target = BigTarget(clock, goroutines=90_000)
    poller = _poller(target, clock)
    start = clock()
    poller.start()
    await run_until(poller, lambda: poller.latest is not None and poller.latest.goroutine_stacks is not None)
    await poller.stop()
    assert target.hits["goroutine"] >= 1 and target.hits["goroutine?debug=1"] == 0
    assert clock() - start < 30  # from the first seconds
    s = poller.latest
    assert s.goroutine_groups == ()  # no dump yet
    assert s.tree_status.startswith("tree inferred from stacks; full dump in ")
    assert s.tree_status.endswith("(budget 1%) — r: now")
    assert len(s.tree_status) <= 66  # as short as the issue asks; fits an 80-column line


async def test_proto_not_served_falls_back_to_debug1():
    clock = FakeClock()
    target = BigTarget(clock, goroutines=50, serves_proto=False)
    target.status["goroutine"] = 404
    poller = _poller(target, clock)
    poller.start()
    await run_until(poller, lambda: poller.latest is not None and poller.latest.goroutine_stacks is not None)
    await poller.stop()
    assert target.hits["goroutine"] == 1  # tried once
    assert target.hits["goroutine?debug=1"] >= 1


async def test_expensive_request_has_a_deadline(monkeypatch):
    monkeypatch.setattr(request_mod, "DEADLINE_GRACE", 0.0)
    clock = FakeClock()
    target = BigTarget(clock, goroutines=50)
    target.hang_leak = True
    poller = _poller(target, clock, debug2_timeout=0.2, debug2_min_age=1, debug2_max_age=1)  # no auto dumps
    poller.start()
    await run_until(poller, lambda: poller.costs.get("goroutineleak?debug=1").errors >= 1, timeout=30)
    ticks = poller.tick
    await run_until(poller, lambda: poller.tick >= ticks + 3)
    await poller.stop()
    assert "deadline" in poller.costs.get("goroutineleak?debug=1").last_error
