"""The poll scheduler: per-endpoint cadence, the expensive endpoints on one target-work budget,
backoff, restart detection; one frozen Snapshot per completed poll.

Cheap polls never overlap: the next tick is armed after the previous one finished, and a
slow target slows polling (the pause after a tick is at least as long as the tick).
The expensive endpoints (goroutine?debug=2, goroutineleak?debug=1: `endpoints.EXPENSIVE`) run one
at a time in a background task, so a 9 s goroutineleak never delays the cheap cadence; each is
charged to the same budget (`budget.Debug2Budget`) and has its own deadline.
Parsing runs in a thread (`asyncio.to_thread`), a big goroutine body in a child process
(`parse_worker.ParseWorker`: its peak memory leaves with it, and `stop()` kills it without
waiting for the parse). Clock and sleep are injectable.
Split out: one request's fetch + parse (`request.py`), which expensive request to start
(`expensive.py`), the status lines and the Snapshot (`poller_status.py`), the CPU windows and the
contention profiles (`poller_profiles.py`, mixed in).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from tui.config import Config
from tui.core.errors import ParseError
from tui.core.limits import LimitNote
from tui.core.tasks import cancel_and_wait
from tui.fetch.errors import FetchError, FetchTimeout, NotFound, NotPprof, Unreachable, redact
from tui.fetch.fetcher import Fetcher
from tui.model import snapshot as snap
from tui.model.gc_rates import GCRates
from tui.model.history import History, history_levels
from tui.model.parsers import Parsers, default_parsers
from tui.service import endpoints as E
from tui.service.budget import Debug2Budget, cheap_allowance, others_share, stretched_every
from tui.service.costs import CostTracker, TargetWork
from tui.service.cpu import CpuWatch
from tui.service.expensive import pick_expensive
from tui.service.gates import Gates
from tui.service.parse_worker import ParseWorker, available
from tui.service.poller_intake import Intake
from tui.service.poller_output import Output
from tui.service.poller_profiles import ProfileWindows
from tui.service.request import ParseMemo, RequestFailed, fetch_and_parse
from tui.service.restart import RestartDetector
from tui.service.service_metrics import ServiceMetrics

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
MAX_RESTART_EVENTS = 50
_Parsed = TypeVar("_Parsed")

# refresh_now() kinds
REFRESH_KINDS = ("goroutine-tree", "heap", "memstats", "all")


class Poller(Intake, ProfileWindows, Output):
    """Watches one target. `await poller.run()` (or `start()`), `stop()`, `pause()`, `resume()`,
    `refresh_now(kind)`; snapshots go to `on_snapshot` and to `snapshots()` iterators."""

    def __init__(
        self,
        config: Config,
        *,
        client: Fetcher | None = None,
        parsers: Parsers | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        on_snapshot: Callable[[snap.Snapshot], None] | None = None,
        history: History | None = None,
        expensive_in_background: bool = True,
        parse_worker: ParseWorker | bool = True,
        gates: Gates | None = None,
    ) -> None:
        self.config = config
        self._secrets = config.auth.secrets()
        self._client = client
        self._owns_client = client is None
        self.parsers = parsers or default_parsers(config)
        self.clock = clock
        self._sleep = sleep
        self.on_snapshot = on_snapshot
        self.history = history or History(
            levels=history_levels(config.history_points), max_series=config.history_series
        )
        self.endpoints = E.make_endpoints(config, rand)
        self.target_backoff = self.endpoints[E.INDEX].backoff
        self.costs = CostTracker()
        self.work = TargetWork(E.INDEX)  # what the target spent answering us (round trips taken off)
        self._recent_work: dict[str, deque[float]] = {}  # the last answers' work per cheap endpoint
        self.restarts = RestartDetector()
        self.gc_rates = GCRates()  # MemStats deltas: allocation rate, GC/min, pause p99 (history series)
        self.service_metrics = ServiceMetrics(config, self.history, clock)  # /metrics, expvar, fgprof (#28)
        self.restart_events: deque[snap.RestartEvent] = deque(maxlen=MAX_RESTART_EVENTS)
        self.latest_data = E.Latest()
        self.parse_memo = ParseMemo()  # an unchanged body is not parsed again (the same parsed object)
        self.budget: Debug2Budget | None = None
        self.state = snap.STARTING
        self.last_error = ""
        self.tick = 0
        self.retry_at: float | None = None
        self.latest: snap.Snapshot | None = None
        self._seq = 0
        self._paused = False
        self._stopping = False
        self._wake = asyncio.Event()
        self._tree_requested = False
        self._tree_notes: tuple[LimitNote, ...] = ()  # the work limits the newest dump's parse reached
        # A replay's virtual clock jumps by the loop's sleeps: a request in the background would
        # be charged the ticks that ran meanwhile. Replays run the expensive requests inline.
        self._background = expensive_in_background
        # True: a ParseWorker of default settings (where processes can be started); False: threads
        # A fleet's pollers share its gates and their one parse worker (closed by the fleet, not here).
        self.gates = gates
        self._owns_worker = gates is None or isinstance(parse_worker, ParseWorker)
        if isinstance(parse_worker, ParseWorker):
            self.parse_worker: ParseWorker | None = parse_worker
        elif gates is not None:
            self.parse_worker = gates.parse_worker if parse_worker else None
        else:
            self.parse_worker = ParseWorker() if parse_worker and available() else None
        self._expensive: asyncio.Task[None] | None = None  # the one expensive request in flight
        # live CPU top: off until asked (--cpu, or set_cpu(True) from the C key); its own task
        self.cpu = CpuWatch(window=config.cpu_window, budget=config.stw_budget)
        self._cpu_task: asyncio.Task[None] | None = None
        self._cpu_shown = config.cpu  # the snapshot carries a CPU state once watching was asked for
        if config.cpu:
            self.set_cpu(True)
        self._running_kind = ""  # its endpoint
        self._proto_ok: bool | None = None  # None = not tried; False = target/recording lacks it
        self._last_failure: Exception | None = None
        self._need_cmdline = True
        self._subscribers: list[asyncio.Queue[snap.Snapshot]] = []
        self._task: asyncio.Task[None] | None = None

    # ---- control -------------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="pprof-tui poller")
        return self._task

    async def stop(self) -> None:
        """Cancel the loop (mid-request if need be) and close the client. A parse in the worker
        process is killed, not waited for."""
        self._stopping = True
        self._wake.set()
        self._close_parse_worker()
        if self._expensive is not None and not self._expensive.done():
            await cancel_and_wait(self._expensive)
        if self._cpu_task is not None and not self._cpu_task.done():
            await cancel_and_wait(self._cpu_task)
        if self._task is not None and not self._task.done():
            await cancel_and_wait(self._task)
        elif self._task is None and self._owns_client and self._client is not None:
            await self._client.aclose()

    def pause(self) -> None:
        self._paused = True
        self.state = snap.PAUSED
        self._wake.set()

    def resume(self) -> None:
        self._paused = False
        self._wake.set()

    def refresh_now(self, kind: str = "all") -> None:
        """Fetch now, ignoring cadence and backoff (goroutine-tree also ignores the budget)."""
        if kind not in REFRESH_KINDS:
            raise ValueError(f"refresh kind must be one of {', '.join(REFRESH_KINDS)}")
        if kind in ("goroutine-tree", "all"):
            self._tree_requested = True
        if kind in ("heap", "all"):
            self.endpoints[E.HEAP].forced = True
        if kind in ("memstats", "all"):
            self.endpoints[E.MEMSTATS].forced = True
        self.endpoints[E.INDEX].forced = True
        self._wake.set()

    async def snapshots(self) -> AsyncIterator[snap.Snapshot]:
        """Async iterator of snapshots; a slow consumer only ever sees the newest one."""
        queue: asyncio.Queue[snap.Snapshot] = asyncio.Queue(maxsize=1)
        self._subscribers.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.remove(queue)

    # ---- loop ----------------------------------------------------------------------
    async def run(self) -> None:
        if self._client is None:
            from tui.fetch.client import TargetClient  # httpx: only when there is a live target

            try:
                self._client = TargetClient(self.config)
            except FetchError as exc:  # e.g. an unreadable CA file: nothing to retry
                self.state, self.last_error = snap.ERROR, exc.user_message
                self._publish()
                return
        self.budget = Debug2Budget(
            budget=self.config.stw_budget,
            min_age=self.config.debug2_min_age,
            max_age=self.config.debug2_max_age,
            max_bytes=self.config.max_body_bytes,
            started_at=self.clock(),
        )
        try:
            while not self._stopping:
                forced = self._tree_requested or any(e.forced for e in self.endpoints.values())
                if self._paused and not forced:
                    self.state = snap.PAUSED
                    self._publish()
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                self._wake.clear()
                started = self.clock()
                target_delay = await self.poll_once()
                self._publish()
                took = self.clock() - started
                delay = max(self.config.interval, took, target_delay)
                self.retry_at = self.clock() + delay if target_delay else None
                await self._sleep_or_wake(delay)
        finally:
            self._close_parse_worker()
            if self._expensive is not None and not self._expensive.done():
                await cancel_and_wait(self._expensive)
            if self._cpu_task is not None and not self._cpu_task.done():
                await cancel_and_wait(self._cpu_task)
            if self._owns_client and self._client is not None:
                await self._client.aclose()

    def _close_parse_worker(self) -> None:
        if self.parse_worker is not None and self._owns_worker:
            self.parse_worker.close()

    async def _sleep_or_wake(self, delay: float) -> None:
        if self._wake.is_set():
            return
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (sleeper, waker):
                t.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def poll_once(self) -> float:
        """One tick. Returns a target-level backoff delay (0 when the target answered)."""
        self.tick += 1
        index = self.endpoints[E.INDEX]
        ok = await self._poll(index, self.parsers.index, self._on_index)
        if not ok:
            delay = max(index.not_before - self.clock(), 0.0)
            self._need_cmdline = True
            return delay
        if self.state in (snap.STARTING, snap.RECONNECTING, snap.ERROR, snap.PAUSED):
            self.state = snap.PAUSED if self._paused else snap.LIVE
        self.last_error = ""
        now = self.clock()
        cmdline = self.endpoints[E.CMDLINE]
        if self._need_cmdline or cmdline.due(self.tick, now):
            if await self._poll(cmdline, bytes, self._on_cmdline, threaded=False):
                self._need_cmdline = False
        memstats = self.endpoints[E.MEMSTATS]
        if memstats.due(self.tick, self.clock()):
            await self._poll(memstats, self.parsers.memstats, self._on_memstats)
        heap = self.endpoints[E.HEAP]
        if heap.due(self.tick, self.clock()):
            await self._poll(heap, self.parsers.heap, self._on_heap)
        await self.service_metrics.poll(self._poll, lambda: self._last_failure, self.endpoints, self.tick)
        task = self._maybe_expensive()
        if task is not None and not self._background:
            await task
        cpu_task = self._maybe_cpu()
        if cpu_task is not None and not self._background:
            await cpu_task
        await self._maybe_stacks()
        await self._maybe_contention()
        return 0.0

    # ---- the expensive endpoints: one budget, one at a time, in the background -----------
    def _maybe_expensive(self) -> asyncio.Task[None] | None:
        """Start the expensive request the budget allows now (`expensive.pick_expensive`: debug=2
        first), unless one is in flight (never two against one target)."""
        assert self.budget is not None
        pick = pick_expensive(
            self.clock(),
            budget=self.budget,
            data=self.latest_data,
            endpoints=self.endpoints,
            can_leak=self.parsers.goroutineleak is not None,
            requested=self._tree_requested,
            running=self._running(),
        )
        if pick is None:
            return None
        name, reason = pick
        if name == E.GOROUTINE_DEBUG2:
            self._tree_requested = False
            return self._start_expensive(self.endpoints[name], self.parsers.goroutine_debug2, self._on_tree, reason)
        assert self.parsers.goroutineleak is not None
        return self._start_expensive(self.endpoints[name], self.parsers.goroutineleak, self._on_leaks, reason)

    def _start_expensive(
        self, ep: E.Endpoint, parse: Callable[[bytes], _Parsed], handler: Callable[[_Parsed, float], None], reason: str
    ) -> asyncio.Task[None]:
        self._running_kind = ep.name

        async def run() -> None:
            ok = await self._poll(ep, parse, handler)
            if ep.name == E.GOROUTINE_DEBUG2:
                self.latest_data.tree_reason = (
                    ("refreshed on request" if reason.startswith("refreshing") else reason) if ok else ep.error
                )
            if not self._stopping and self._background:
                self._publish()  # the tree (or the leak proof) shows as soon as it is parsed
                if self._tree_requested:
                    self._wake.set()  # asked for while another expensive request ran

        self._expensive = asyncio.create_task(run(), name=f"pprof-tui {ep.name}")
        return self._expensive

    async def _maybe_stacks(self) -> None:
        """The goroutine stacks (concurrent: cheap) when the tree is stale or the goroutine count
        is unknown: the proto (runtime frames kept: the tree's reasons can be inferred), or
        debug=1 where the proto is not served (or not in a recording)."""
        d2 = self.endpoints[E.GOROUTINE_DEBUG2]
        stale_after = self.config.goroutine_debug1_every * self.config.interval
        tree_age = None if d2.last_ok is None else self.clock() - d2.last_ok
        stale = tree_age is None or tree_age > stale_after
        if not (stale or self.latest_data.goroutine_total is None):
            return
        proto = self.endpoints[E.GOROUTINE_PROTO]
        parse_proto = self.parsers.goroutine_proto
        if parse_proto is not None and self._proto_ok is not False:
            if not proto.due(self.tick, self.clock()):
                return
            if await self._poll(proto, parse_proto, self._on_debug1):
                self._proto_ok = True
                return
            if self._proto_ok is None and isinstance(self._last_failure, (NotFound, NotPprof, ParseError)):
                self._proto_ok = False  # not served here: debug=1 from now on (this tick too)
            else:
                return
        d1 = self.endpoints[E.GOROUTINE_DEBUG1]
        if d1.due(self.tick, self.clock()):
            await self._poll(d1, self.parsers.goroutine_debug1, self._on_debug1)

    async def _poll(
        self,
        ep: E.Endpoint,
        parse: Callable[[bytes], _Parsed],
        handler: Callable[[_Parsed, float], None],
        *,
        threaded: bool = True,
    ) -> bool:
        """Fetch + parse one endpoint (in a thread unless ``threaded`` is false; a big goroutine
        body in the worker process); record cost; back off on failure. True on success."""
        assert self._client is not None
        ep.forced = False
        ep.last_tick = self.tick
        try:
            parsed, cost, wire_bytes = await fetch_and_parse(
                self._client,
                ep,
                parse,
                clock=self.clock,
                worker=self.parse_worker,
                threaded=threaded,
                secrets=self._secrets,
                gates=self.gates,
                memo=self.parse_memo,
            )
        except RequestFailed as failed:
            self._failed(ep, failed.cost, failed.message, failed.error)
            return False
        self.costs.success(ep.name, cost, wire_bytes)
        work = self.work.observe(ep.name, cost)
        if ep.name not in E.EXPENSIVE:
            # judged on the least of its last answers: one slow answer (our own hiccup) is not the target's size
            recent = self._recent_work.setdefault(ep.name, deque(maxlen=3))
            recent.append(work)
            others = others_share(self._recent_work, self.endpoints, self.config.interval, ep.name)
            allowance = cheap_allowance(self.config.stw_budget, others)  # one budget for all of them
            ep.every = stretched_every(ep.base_every, min(recent), self.config.interval, allowance)
        ep.backoff.succeed()
        ep.not_before = 0.0
        ep.error = ""
        ep.last_ok = self.clock()
        handler(parsed, cost)
        return True

    def _failed(self, ep: E.Endpoint, cost: float, message: str, exc: Exception) -> None:
        # Parse errors quote the body; a target may echo our Authorization header into it.
        message = redact(message, self._secrets)
        self._last_failure = exc
        self.costs.failure(ep.name, cost, message)
        self.work.observe(ep.name, cost)
        if ep.name == E.GOROUTINE_DEBUG2 and self.budget is not None:
            # a failed dump may still have stopped the world: it counts against the budget
            self.budget.record(self.clock() - cost, cost, self.latest_data.goroutine_total or 1)
        if ep.name == E.GOROUTINELEAK_DEBUG1 and self.budget is not None:
            # so may a failed leak check (its GC cycles ran): charged, and not retried sooner
            self.budget.record_leak(self.clock() - cost, cost, self.latest_data.goroutine_total)
        ep.error = message
        ep.not_before = self.clock() + ep.backoff.fail()
        if ep.name == E.INDEX:
            self.last_error = message
            connection = isinstance(exc, (Unreachable, FetchTimeout))
            self.state = snap.RECONNECTING if connection else snap.ERROR
