"""The poller and the contention endpoints (fake clock, scripted target): cumulative mutex/block
protos every `contention_every` ticks, the window between two fetches, mutex?debug=1 only after an
empty mutex profile, nothing where the index does not list them, costs counted and stretched."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.fake_pprof_server import index_html
from tests.unit.pprof_builder import Builder
from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, run_until
from tui.config import build_config
from tui.fetch.client import TargetClient
from tui.model import snapshot as snap
from tui.model.parsers import default_parsers
from tui.service.poller import Poller

TYPES = (("contentions", "count"), ("delay", "nanoseconds"))


def contention_proto(count: int) -> bytes:
    b = Builder(TYPES)
    if count:
        b.sample(["sync.(*Mutex).Unlock", "main.(*hotLock).work"], [count, count * 1000])
    return b.bytes(gz=True)


class ContendedTarget(ScriptedTarget):
    """Lists mutex and block in its index; their counts grow by ``per_fetch`` each answer."""

    def __init__(self, clock, *, listed: bool = True, per_fetch: int = 10, period: int = 5) -> None:
        super().__init__(clock, goroutines=10)
        self.listed = listed
        self.per_fetch = per_fetch
        self.period = period
        self.counts = {"mutex": 0, "block": 0}

    def body(self, key: str) -> bytes:
        if key == "index":
            extra = {"mutex": 1, "block": 1} if self.listed else {}
            return index_html(self.goroutines, extra)
        if key in ("mutex", "block"):
            self.counts[key] += self.per_fetch
            return contention_proto(self.counts[key])
        if key == "mutex?debug=1":
            return f"--- mutex:\ncycles/second=2000000000\nsampling period={self.period}\n".encode()
        return super().body(key)


@pytest.fixture
def clock():
    return FakeClock()


def make(target, clock, **cfg):
    config = build_config({"target": "h:6060", "interval": 1, **cfg}, env={})
    import httpx

    client = TargetClient(config, transport=httpx.MockTransport(target))
    real = default_parsers(config)
    parsers = dataclasses.replace(FAKE_PARSERS, contention=real.contention, contention_header=real.contention_header)
    return Poller(config, client=client, parsers=parsers, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)


async def test_cumulative_every_n_ticks_and_the_window(clock):
    target = ContendedTarget(clock)
    poller = make(target, clock, contention_every=5)
    poller.start()
    await run_until(poller, lambda: target.hits["block"] >= 3 and poller.latest is not None)
    await run_until(poller, lambda: poller.latest.contention.get("block") is not None)
    await poller.stop()
    s = poller.latest
    mutex = s.contention["mutex"]
    # the answers the poller took in (stop() may cancel one the target already counted)
    taken = int(mutex.totals["contentions"] // 10)
    times = target.times["mutex"][:taken]
    assert taken >= 2 and len(target.times["mutex"]) - taken <= 1
    assert all(b - a >= 5 * 1 - 0.5 for a, b in zip(times, times[1:]))  # every 5 ticks of 1 s
    assert mutex.window is not None and mutex.window == pytest.approx(times[-1] - times[-2], abs=0.2)
    assert mutex.delta("contentions") == 10
    assert target.hits["mutex?debug=1"] == 0  # not empty: its header is not needed
    assert s.age(snap.MUTEX).age is not None and s.age(snap.BLOCK).age is not None
    costs = {c.endpoint: c for c in s.costs}
    assert costs["mutex"].count == taken and costs["block"].count >= 3


async def test_empty_mutex_profile_reads_the_sampling_period(clock):
    target = ContendedTarget(clock, per_fetch=0, period=0)
    poller = make(target, clock, contention_every=2)
    poller.start()
    await run_until(poller, lambda: target.hits["mutex?debug=1"] >= 2)
    await run_until(poller, lambda: poller.latest.contention["mutex"].sampling_period == 0)
    await poller.stop()
    c = poller.latest.contention["mutex"]
    assert c.empty and c.sampling_period == 0
    assert target.hits["block?debug=1"] == 0  # Go prints no rate for block: never asked
    assert target.hits["mutex?debug=1"] <= target.hits["mutex"]


async def test_not_listed_not_fetched(clock):
    target = ContendedTarget(clock, listed=False)
    poller = make(target, clock, contention_every=1)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 6)
    await poller.stop()
    assert target.hits["mutex"] == target.hits["block"] == target.hits["mutex?debug=1"] == 0
    assert dict(poller.latest.contention) == {}


async def test_a_slow_answer_is_asked_less_often(clock):
    """A mutex profile that takes 0.2 s to serve: at 1 % of 1 s ticks, one per ~20 s."""
    target = ContendedTarget(clock)
    target.costs["mutex"] = 0.2
    poller = make(target, clock, contention_every=2)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 200)
    await poller.stop()
    times = target.times["mutex"]
    gaps = [b - a for a, b in zip(times[2:], times[3:])]  # after the first answers were measured
    assert gaps and min(gaps) >= 0.19 / 0.01 - 1
    assert len(target.times["block"]) > len(times)  # block keeps its own cadence


async def test_a_404_backs_off_and_says_so(clock):
    target = ContendedTarget(clock)
    target.status["block"] = 404
    poller = make(target, clock, contention_every=1, backoff_base=8, backoff_max=8)
    poller.start()
    await run_until(poller, lambda: poller.tick >= 20)
    await poller.stop()
    assert target.hits["block"] <= poller.tick // 4
    assert "404" in poller.latest.age(snap.BLOCK).reason
    assert "mutex" in poller.latest.contention and "block" not in poller.latest.contention
