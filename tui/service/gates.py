"""Caps shared by the pollers of a fleet (`watch TARGET TARGET...`): 20 targets polled on one event
loop of a 2-core bastion must not all fetch and parse at the same moment.

- **Requests**: at most `requests` in flight across all targets. A request holds its slot only for
  its first `hold` seconds: one that is slower than that (a hanging target, a long dump) gives its slot
  back and goes on outside the cap, so a dead or hanging target never stalls the others' polls — the cap
  bounds the bursts of quick requests, which are what cost us CPU (a request's own deadline still ends
  the slow ones).
- **Parses**: at most `parses` parses at once (in threads or the worker process), the CPU and memory
  that matter: a body waits for its turn instead of 20 decoding together under one GIL.
- **One parse worker** for the fleet (`service/parse_worker.py`): with the parse cap it has at most
  `parses` children, where one per target could start 40.

A request's cost is timed from when it got its slot (the poller's costs are what the target spent, not
our queue).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from tui.service.parse_worker import ParseWorker, available

REQUESTS = 8
PARSES = 2
HOLD_SECONDS = 1.0
_T = TypeVar("_T")


class Gates:
    def __init__(
        self,
        *,
        requests: int = REQUESTS,
        parses: int = PARSES,
        hold: float = HOLD_SECONDS,
        parse_worker: ParseWorker | bool = True,
    ) -> None:
        if requests < 1 or parses < 1 or hold <= 0:
            raise ValueError("gates need at least one request and one parse slot and a positive hold")
        self.requests = requests
        self.parses = parses
        self.hold = hold
        self._request_slots = asyncio.Semaphore(requests)
        self._parse_slots = asyncio.Semaphore(parses)
        if isinstance(parse_worker, ParseWorker):
            self.parse_worker: ParseWorker | None = parse_worker
        else:
            self.parse_worker = ParseWorker() if parse_worker and available() else None
        self.requests_in_slots = 0  # now (tests, benchmarks)
        self.requests_released_slow = 0  # requests that gave their slot back (slower than `hold`)
        self.peak_requests = 0
        self.peak_parses = 0
        self._parsing = 0

    async def request(self, make: Awaitable[_T]) -> _T:
        """Await `make` (a coroutine not yet started) inside a request slot for at most `hold` seconds."""
        async with self._request_slots:
            self.requests_in_slots += 1
            self.peak_requests = max(self.peak_requests, self.requests_in_slots)
            task = asyncio.ensure_future(make)
            try:
                await asyncio.wait({task}, timeout=self.hold)
            except asyncio.CancelledError:
                task.cancel()
                raise
            finally:
                self.requests_in_slots -= 1
            if not task.done():
                self.requests_released_slow += 1
        try:
            return await task
        except asyncio.CancelledError:
            task.cancel()
            raise

    @contextlib.asynccontextmanager
    async def parse_slot(self) -> AsyncIterator[None]:
        async with self._parse_slots:
            self._parsing += 1
            self.peak_parses = max(self.peak_parses, self._parsing)
            try:
                yield
            finally:
                self._parsing -= 1

    def close(self) -> None:
        """End the shared parse worker's children (after every poller stopped)."""
        if self.parse_worker is not None:
            self.parse_worker.close()
