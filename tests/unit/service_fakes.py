"""Fakes for driving the Poller fast: a fake clock/sleep, a scripted transport, simple parsers."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from types import SimpleNamespace

import httpx

from tests.unit.fake_pprof_server import GOROUTINE_DEBUG1, HEAP_PROTO_GZ, index_html, memstats_text
from tui.config import build_config
from tui.fetch.client import TargetClient
from tui.model.parsers import HeapData, Parsers, TreeData
from tui.service.poller import Poller


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        # Let other tasks (an expensive request in the background) run their loop turns first:
        # time jumps only when the loop would otherwise idle, as with a real clock.
        for _ in range(self.settle_turns):
            await asyncio.sleep(0)
        self.t += seconds
        await asyncio.sleep(0)

    settle_turns = 100


class ScriptedTarget:
    """httpx.MockTransport handler: answers like a Go target; each request advances the fake
    clock by its cost (debug=2 cost grows with the goroutine count)."""

    def __init__(self, clock: FakeClock, goroutines: int = 100, seconds_per_goroutine: float = 50e-6) -> None:
        self.clock = clock
        self.goroutines = goroutines
        self.seconds_per_goroutine = seconds_per_goroutine
        self.cmdline = b"/srv/app\x00-port=1"
        self.total_alloc = 1000
        self.num_gc = 1
        self.down = False
        self.status: dict[str, int] = {}  # path?query -> forced status
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.request_cost = 0.01
        self.costs: dict[str, float] = {}  # path?query -> seconds one answer costs (else request_cost)

    def key(self, request: httpx.Request) -> str:
        path = request.url.path.removeprefix("/debug/pprof/") or "index"
        return path + (f"?{request.url.query.decode()}" if request.url.query else "")

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        key = self.key(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            self.hits[key] += 1
            self.times.setdefault(key, []).append(self.clock())
            if self.down:
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            cost = self.costs.get(key, self.request_cost)
            if key == "goroutine?debug=2":
                cost = 0.001 + self.goroutines * self.seconds_per_goroutine
            self.clock.t += cost
            if key in self.status:
                return httpx.Response(self.status[key], content=b"error")
            return httpx.Response(200, content=self.body(key))
        finally:
            self.in_flight -= 1

    def body(self, key: str) -> bytes:
        if key == "index":
            return index_html(self.goroutines)
        if key == "cmdline":
            return self.cmdline
        if key == "heap?debug=1":
            return memstats_text(self.total_alloc, self.num_gc)
        if key == "heap":
            return HEAP_PROTO_GZ
        if key == "goroutine?debug=1":
            return GOROUTINE_DEBUG1
        if key == "goroutine?debug=2":
            lines = [
                f"goroutine {i} [chan send]:\nmain.leak()\n\t/m.go:9 +0x2\ncreated by main.start\n\t/m.go:3 +0x3\n"
                for i in range(1, min(self.goroutines, 5000) + 1)
            ]
            return "\n".join(lines).encode()
        return b"404 page not found"


def _index(data: bytes) -> dict[str, int]:
    rows = re.findall(rb"<td>(\d+)</td><td><a href='([a-z]+)\?", data)
    return {name.decode(): int(count) for count, name in rows}


def _memstats(data: bytes) -> SimpleNamespace:
    def field(name: str) -> int:
        m = re.search(rb"# " + name.encode() + rb" = (\d+)", data)
        return int(m.group(1)) if m else 0

    return SimpleNamespace(
        total_alloc=field("TotalAlloc"),
        num_gc=field("NumGC"),
        heap_inuse=field("HeapInuse"),
        stack_inuse=field("Stack"),
    )


def _tree(data: bytes) -> TreeData:
    ids = [int(x) for x in re.findall(rb"^goroutine (\d+) ", data, re.M)]
    return TreeData(groups=("chan send",), total=len(ids), creators=dict.fromkeys(ids, "main.start"))


FAKE_PARSERS = Parsers(
    index=_index,
    heap=lambda data: HeapData(profile=("profile", len(data)), totals={"inuse_space": float(len(data))}),
    memstats=_memstats,
    goroutine_debug1=lambda data: SimpleNamespace(total=int(re.search(rb"total (\d+)", data).group(1))),
    goroutine_debug2=_tree,
)


def make_poller(target: ScriptedTarget, clock: FakeClock, **cfg: object) -> Poller:
    config = build_config({"target": "h:6060", **cfg}, env={})
    client = TargetClient(config, transport=httpx.MockTransport(target))
    return Poller(config, client=client, parsers=FAKE_PARSERS, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)


async def run_until(poller: Poller, cond, timeout: float = 120.0) -> None:
    """Let the poller run (fake time) until cond() is true.

    Bounded by real time, not by loop turns: parsing runs in threads, which on a loaded
    machine need real time to finish however often the loop spins.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    turns = 0
    while not cond():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        turns += 1
        await asyncio.sleep(0 if turns % 1000 else 0.001)
