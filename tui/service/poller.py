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
(`expensive.py`), the status lines and the Snapshot (`poller_status.py`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import partial
from typing import TypeVar

from tui.config import Config
from tui.core.errors import ParseError
from tui.core.limits import LimitNote
from tui.core.tasks import cancel_and_wait
from tui.fetch.errors import FetchError, FetchTimeout, NotFound, NotPprof, Unreachable, redact
from tui.fetch.fetcher import Fetcher
from tui.goroutines.records import StackCounts
from tui.model import snapshot as snap
from tui.model.contention import ContentionHeader, advance, with_header
from tui.model.cpu import CpuWindow
from tui.model.gc_rates import GCRates
from tui.model.history import History, history_levels
from tui.model.memstats import MemStats
from tui.model.parsers import HeapData, Parsers, TreeData, default_parsers, memstats_series
from tui.service import endpoints as E
from tui.service import poller_status as status
from tui.service.budget import Debug2Budget, stretched_every
from tui.service.costs import CostTracker, TargetWork
from tui.service.cpu import CpuWatch, window_charge
from tui.service.expensive import pick_expensive
from tui.service.gates import Gates
from tui.service.parse_worker import ParseWorker, available
from tui.service.request import RequestFailed, fetch_and_parse
from tui.service.restart import RestartDetector

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
MAX_RESTART_EVENTS = 50
_Parsed = TypeVar("_Parsed")

# refresh_now() kinds
REFRESH_KINDS = ("goroutine-tree", "heap", "memstats", "all")


class Poller:
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
        self.restart_events: deque[snap.RestartEvent] = deque(maxlen=MAX_RESTART_EVENTS)
        self.latest_data = E.Latest()
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
        task = self._maybe_expensive()
        if task is not None and not self._background:
            await task
        cpu_task = self._maybe_cpu()
        if cpu_task is not None and not self._background:
            await cpu_task
        await self._maybe_stacks()
        await self._maybe_contention()
        return 0.0

    # ---- live CPU top (service/cpu.py): profile?seconds=N windows on the budget, in the background ----
    def set_cpu(self, on: bool) -> None:
        """Start or stop rolling CPU windows (a window in flight is cancelled: closing the
        connection ends the profile in the target)."""
        self._cpu_shown = self._cpu_shown or on
        self.cpu.set_on(on and self.parsers.cpu is not None)
        if on and self.parsers.cpu is None:
            self.cpu.error = "CPU profiles cannot be read here"
        if not on and self._cpu_task is not None and not self._cpu_task.done():
            self._cpu_task.cancel()
        self._wake.set()

    def _maybe_cpu(self) -> asyncio.Task[None] | None:
        ep = self.endpoints[E.CPU]
        parse = self.parsers.cpu
        now = self.clock()
        replay = not self._background  # a replay reads the recorded windows back
        if parse is None or self._stopping or not self.cpu.due(now, self.budget, ep.not_before, replay=replay):
            return None
        self.cpu.started(now)
        self._cpu_task = asyncio.create_task(self._cpu_window(ep, parse), name="pprof-tui cpu window")
        return self._cpu_task

    async def _cpu_window(self, ep: E.Endpoint, parse: Callable[[bytes], CpuWindow]) -> None:
        """One window: fetched and parsed like any endpoint, charged what it cost the target
        (`cpu.window_charge`: its samples' sampling and the build, not the N s held open)."""
        assert self._client is not None
        ep.last_tick = self.tick
        started = self.clock()
        try:
            window, latency, wire_bytes = await fetch_and_parse(
                self._client,
                ep,
                parse,
                clock=self.clock,
                worker=None,
                threaded=True,
                secrets=self._secrets,
                gates=self.gates,
            )
        except RequestFailed as failed:
            message = redact(failed.message, self._secrets)
            self.costs.failure(ep.name, failed.cost, message)
            self.cpu.failed(message)
            ep.error = message
            # another profile running: not before one of our periods (it may run as long as ours)
            delay = ep.backoff.fail()
            ep.not_before = self.clock() + (max(delay, self.cpu.period()) if self.cpu.in_use else delay)
            if failed.cost >= self.config.cpu_window and self.budget is not None:
                # the profiler ran the window before the answer failed: charged as planned
                planned = self.cpu.planned_charge()
                self.work.spent += planned
                self.budget.charge(started, planned)
        else:
            charge = window_charge(window.samples, latency, window.duration, self.work.round_trip)
            ep.backoff.succeed()
            ep.not_before = 0.0
            ep.error = ""
            if self.cpu.succeeded(window, self.clock(), charge):  # a new window (not one read back again)
                self.costs.success(ep.name, latency, wire_bytes)
                ep.last_ok = self.clock()
                self.work.spent += charge.total
                if self.budget is not None:
                    self.budget.charge(started, charge.total)
        if not self._stopping and self._background:
            self._publish()

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

    async def _maybe_contention(self) -> None:
        """The mutex and block profiles (cumulative protos, cheap) where the index lists them, every
        `contention_every` ticks (stretched like any cheap endpoint); mutex?debug=1 after an empty
        mutex profile, for its sampling period (0 = mutex profiling off)."""
        parse = self.parsers.contention
        if parse is None:
            return
        for name in E.CONTENTION:
            ep = self.endpoints[name]
            if name not in self.latest_data.profiles or not ep.due(self.tick, self.clock()):
                continue
            ok = await self._poll(ep, parse, partial(self._on_contention, name))
            header = self.endpoints[E.MUTEX_DEBUG1]
            read = self.parsers.contention_header
            state = self.latest_data.contention.get(name)
            if ok and name == E.MUTEX and read is not None and state is not None and state.empty:
                if self.clock() >= header.not_before:
                    await self._poll(header, read, self._on_mutex_header)

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
            ep.every = stretched_every(ep.base_every, min(recent), self.config.interval, self.config.stw_budget)
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

    # ---- handlers: parsed data -> latest + history -----------------------------------
    def _on_index(self, profiles: Mapping[str, int], _cost: float) -> None:
        self.latest_data.profiles = dict(profiles)
        total = profiles.get("goroutine")
        if isinstance(total, int):
            self.latest_data.goroutine_total = total
            self.history.push("goroutines", self.clock(), total)

    def _on_cmdline(self, body: bytes, _cost: float) -> None:
        self._restart_if(self.restarts.observe_cmdline(bytes(body)))

    def _on_memstats(self, ms: MemStats, _cost: float) -> None:
        self._restart_if(self.restarts.observe_memstats(getattr(ms, "total_alloc", None), getattr(ms, "num_gc", None)))
        self.latest_data.memstats = ms
        self.history.push_many(self.clock(), memstats_series(ms))
        self.history.push_many(self.clock(), self.gc_rates.observe(self.clock(), ms))

    def _on_heap(self, heap: HeapData, _cost: float) -> None:
        self.latest_data.heap = heap.profile
        self.latest_data.heap_totals = dict(heap.totals)
        self.history.push_many(self.clock(), {f"heap.{k}": v for k, v in heap.totals.items()})

    def _on_debug1(self, stacks: StackCounts, _cost: float) -> None:
        self.latest_data.stacks = stacks
        if "goroutine" not in self.latest_data.profiles:
            self.latest_data.goroutine_total = int(stacks.total)
            self.history.push("goroutines", self.clock(), stacks.total)

    def _on_leaks(self, leaks: StackCounts, cost: float) -> None:
        assert self.budget is not None
        self.budget.record_leak(self.clock() - cost, cost, self.latest_data.goroutine_total)
        self.latest_data.leaks = leaks

    def _on_contention(self, name: str, data: HeapData, _cost: float) -> None:
        prev = self.latest_data.contention.get(name)
        self.latest_data.contention[name] = advance(prev, name, data.profile, data.totals, self.clock())

    def _on_mutex_header(self, header: ContentionHeader, _cost: float) -> None:
        prev = self.latest_data.contention.get(E.MUTEX)
        self.latest_data.contention[E.MUTEX] = with_header(prev, E.MUTEX, header, self.clock())

    def _on_tree(self, tree: TreeData, cost: float) -> None:
        assert self.budget is not None
        # The index's count is a hint: the dump's real count and what parsing it cost feed the budget.
        self.budget.record(
            self.clock() - cost,
            cost,
            tree.total,
            hint=self.latest_data.goroutine_total,
            parse_seconds=getattr(tree, "parse_seconds", 0.0),
        )
        self._restart_if(self.restarts.observe_goroutines(tree.creators))
        self.latest_data.groups = tuple(tree.groups)
        self._tree_notes = tuple(getattr(tree, "notes", ()))

    def _restart_if(self, reason: str | None) -> None:
        if reason:
            now = self.clock()
            self.history.restart(now, reason)
            self.gc_rates.reset()
            self.restart_events.append(snap.RestartEvent(now, reason))
            self.latest_data.contention.clear()  # cumulative since the old process' start: gone with it
            self._need_cmdline = True  # re-learn the new process' command line at once

    # ---- output ----------------------------------------------------------------------
    def _stacks_endpoint(self) -> str:
        """Which endpoint gives the goroutine stacks: the proto, or debug=1 where it is not served."""
        if self.parsers.goroutine_proto is not None and self._proto_ok is not False:
            return E.GOROUTINE_PROTO
        return E.GOROUTINE_DEBUG1

    def limit_notes(self) -> dict[str, tuple[LimitNote, ...]]:
        """Per data kind, the work limits its newest parse reached (`poller_status.limit_notes`)."""
        return status.limit_notes(self.latest_data, self._tree_notes)

    def _running(self) -> str:
        """The expensive endpoint in flight ("" when none)."""
        return self._running_kind if self._expensive is not None and not self._expensive.done() else ""

    def status_line(self, now: float) -> str:
        index = self.endpoints[E.INDEX]
        return status.status_line(
            now, state=self.state, last_error=self.last_error, index=index, interval=self.config.interval
        )

    def tree_status(self, now: float) -> str:
        """Why the goroutine tree is what it is (`poller_status.tree_status`)."""
        return status.tree_status(
            now,
            data=self.latest_data,
            dump=self.endpoints[E.GOROUTINE_DEBUG2],
            tree_notes=self._tree_notes,
            dump_running=self._running() == E.GOROUTINE_DEBUG2,
            budget=self.budget,
            stw_budget=self.config.stw_budget,
        )

    def build_snapshot(self) -> snap.Snapshot:
        now = self.clock()
        self._seq += 1
        notes = self.limit_notes()
        tree_status = self.tree_status(now)
        return status.build_snapshot(
            seq=self._seq,
            now=now,
            target=self.config.label,
            state=self.state,
            last_error=self.last_error,
            status=self.status_line(now),
            ages=status.ages(now, self.endpoints, self.latest_data, self._stacks_endpoint(), notes),
            data=self.latest_data,
            notes=notes,
            tree_status=tree_status,
            history=self.history,
            costs=self.costs,
            budget=self.budget,
            work=self.work,
            restarts=tuple(self.restart_events),
            cpu=self.cpu.state(now, self.budget, self.endpoints[E.CPU].not_before) if self._cpu_shown else None,
        )

    def _publish(self) -> None:
        snapshot = self.build_snapshot()
        self.latest = snapshot
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(snapshot)
