"""A fleet's shared caps: at most N requests in their slots and M parses at once; a slow request gives its
slot back so a hanging target never stalls the others; cancelling a request cancels it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, run_until
from tui.config import build_config
from tui.fetch.client import TargetClient
from tui.service.gates import Gates
from tui.service.parse_worker import ParseWorker
from tui.service.poller import Poller


async def test_requests_in_slots_never_exceed_the_cap():
    gates = Gates(requests=3, hold=5.0, parse_worker=False)
    now = 0

    async def request(i: int) -> int:
        nonlocal now
        now += 1
        assert now <= 3
        await asyncio.sleep(0.01)
        now -= 1
        return i

    results = await asyncio.gather(*(gates.request(request(i)) for i in range(20)))
    assert results == list(range(20))
    assert gates.peak_requests == 3
    assert gates.requests_released_slow == 0


async def test_a_hanging_request_gives_its_slot_back_after_hold():
    gates = Gates(requests=1, hold=0.05, parse_worker=False)
    release = asyncio.Event()

    async def hanging() -> str:
        await release.wait()
        return "late"

    async def quick() -> str:
        return "quick"

    slow = asyncio.create_task(gates.request(hanging()))
    await asyncio.sleep(0)  # it holds the only slot
    assert await asyncio.wait_for(gates.request(quick()), 2.0) == "quick"  # waited `hold`, not forever
    assert gates.requests_released_slow == 1
    assert not slow.done()
    release.set()
    assert await slow == "late"


async def test_cancelling_a_request_cancels_it_in_and_out_of_its_slot():
    gates = Gates(requests=1, hold=0.05, parse_worker=False)
    cancelled = 0

    async def forever() -> None:
        nonlocal cancelled
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled += 1
            raise

    for wait in (0.01, 0.2):  # inside the slot, then after it gave the slot back
        task = asyncio.create_task(gates.request(forever()))
        await asyncio.sleep(wait)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert cancelled == 2
    assert gates.requests_in_slots == 0


async def test_parses_wait_for_their_turn():
    gates = Gates(parses=2, parse_worker=False)
    now = 0

    async def parse() -> None:
        nonlocal now
        async with gates.parse_slot():
            now += 1
            assert now <= 2
            await asyncio.sleep(0.01)
            now -= 1

    await asyncio.gather(*(parse() for _ in range(10)))
    assert gates.peak_parses == 2


def test_bad_caps_are_refused():
    with pytest.raises(ValueError):
        Gates(requests=0, parse_worker=False)
    with pytest.raises(ValueError):
        Gates(hold=0, parse_worker=False)


class HangingTarget(ScriptedTarget):
    """Accepts every request and never answers (the request's own deadline ends it)."""

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hits[self.key(request)] += 1
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


def gated_poller(target: ScriptedTarget, clock, gates: Gates) -> Poller:
    config = build_config({"target": "h:6060", "request_timeout": 30}, env={})
    client = TargetClient(config, transport=httpx.MockTransport(target))
    return Poller(
        config, client=client, parsers=FAKE_PARSERS, clock=clock, sleep=clock.sleep, rand=lambda: 0.5, gates=gates
    )


async def test_pollers_sharing_gates_are_not_stalled_by_a_hanging_target():
    gates = Gates(requests=1, parses=1, hold=0.05, parse_worker=False)
    hanging_clock, healthy_clock = FakeClock(), FakeClock()
    hanging = gated_poller(HangingTarget(hanging_clock), hanging_clock, gates)
    healthy_target = ScriptedTarget(healthy_clock)
    healthy = gated_poller(healthy_target, healthy_clock, gates)
    hanging.start()
    await asyncio.sleep(0.01)  # it took the only request slot first
    healthy.start()
    await run_until(healthy, lambda: healthy_target.hits["heap"] >= 2, timeout=20)
    assert gates.requests_released_slow >= 1
    assert hanging.latest is None or hanging.latest.goroutine_total is None
    await asyncio.gather(hanging.stop(), healthy.stop())


async def test_a_shared_worker_is_closed_by_the_fleet_not_by_one_poller():
    closed = []

    class Worker(ParseWorker):
        def close(self) -> None:
            closed.append(True)
            super().close()

    gates = Gates(parse_worker=Worker())
    clock = FakeClock()
    poller = gated_poller(ScriptedTarget(clock), clock, gates)
    assert poller.parse_worker is gates.parse_worker
    poller.start()
    await run_until(poller, lambda: poller.latest is not None)
    await poller.stop()
    assert closed == []
    gates.close()
    assert closed == [True]
