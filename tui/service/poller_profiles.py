"""The poller's profile windows (a part of `Poller`, split out of poller.py): the live CPU top's
rolling `profile?seconds=N` windows (`service/cpu.py`: on the one budget, in a task of their own,
never blocking a tick) and the contention profiles (mutex and block, cumulative, every
`contention_every` ticks; `mutex?debug=1` after an empty mutex profile for its sampling period).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from tui.fetch.errors import redact
from tui.model.contention import ContentionHeader, advance, with_header
from tui.service import endpoints as E
from tui.service.cpu import window_charge
from tui.service.poller_parts import PollerParts
from tui.service.request import RequestFailed, fetch_and_parse

if TYPE_CHECKING:
    from tui.model.cpu import CpuWindow
    from tui.model.parsers import HeapData


class ProfileWindows(PollerParts):
    """Mixed into `Poller` (what it uses of the poller: `poller_parts.PollerParts`)."""

    # ---- live CPU top: profile?seconds=N windows on the budget, in the background ----
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
            # the window asked for, not the profile's claim: its duration is the target's word too
            held = min(window.duration, self.config.cpu_window) if window.duration > 0 else self.config.cpu_window
            charge = window_charge(window.samples, latency, held, self.work.round_trip)
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

    # ---- contention: mutex and block profiles ----
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

    def _on_contention(self, name: str, data: HeapData, _cost: float) -> None:
        prev = self.latest_data.contention.get(name)
        self.latest_data.contention[name] = advance(prev, name, data.profile, data.totals, self.clock())

    def _on_mutex_header(self, header: ContentionHeader, _cost: float) -> None:
        prev = self.latest_data.contention.get(E.MUTEX)
        self.latest_data.contention[E.MUTEX] = with_header(prev, E.MUTEX, header, self.clock())
