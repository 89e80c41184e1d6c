"""One request of the poller: fetch an endpoint (the expensive ones with a hard deadline) and parse
its body in the right place (inline, in a thread, or a big goroutine body in the worker process).
A failure of either step comes back as `RequestFailed`: what it cost and what to tell the user
(redacted by the poller, which also does the bookkeeping of costs, backoff and budget)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback
from collections.abc import Callable
from typing import TypeVar, cast

from tui.core.errors import LimitExceeded, ParseError
from tui.fetch.errors import FetchError, FetchTimeout, redact
from tui.fetch.fetcher import Fetcher, FetchResult
from tui.model import catalog
from tui.service import endpoints as E
from tui.service.gates import Gates
from tui.service.parse_worker import ParseWorker, ParseWorkerError

log = logging.getLogger(__name__)
# a fetcher that ignores its deadline still gives up this long after it (expensive requests)
DEADLINE_GRACE = 5.0
# Endpoints whose big bodies parse in the child process (their results pickle in a few kB).
# Not the heap profile: the decoded Profile is itself the memory (the parse peaks ~1.1x it).
IN_WORKER = tuple(spec.key for spec in catalog.POLLED if spec.in_worker)
_Parsed = TypeVar("_Parsed")
HASH_INLINE = 1 << 20  # bodies up to this size are hashed on the event loop; bigger ones in a thread


class ParseMemo:
    """The last parse of each endpoint, under a digest of its body. An unchanged body (a heap profile
    between two GCs: the same bytes) costs its hash, not a parse, and gives back the same parsed
    object, so what is drawn from it (heap table, goroutine tree) is not recomputed either: the
    screens compare their inputs by identity. Failed parses are not kept."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[object, bytes, object]] = {}
        self.hits = 0

    @staticmethod
    async def digest(body: bytes) -> bytes:
        if len(body) <= HASH_INLINE:
            return hashlib.blake2b(body, digest_size=16).digest()
        return await asyncio.to_thread(lambda: hashlib.blake2b(body, digest_size=16).digest())

    def get(self, name: str, parse: object, digest: bytes) -> tuple[bool, object]:
        last = self._last.get(name)
        if last is not None and last[1] == digest and last[0] == parse:
            self.hits += 1
            return True, last[2]
        return False, None

    def put(self, name: str, parse: object, digest: bytes, parsed: object) -> None:
        self._last[name] = (parse, digest, parsed)


class RequestFailed(Exception):
    """The fetch or the parse failed: ``cost`` seconds spent, ``message`` for the user (not yet
    redacted), ``error`` the exception that said so."""

    def __init__(self, cost: float, message: str, error: Exception) -> None:
        super().__init__(message)
        self.cost = cost
        self.message = message
        self.error = error


async def fetch_and_parse(
    client: Fetcher,
    ep: E.Endpoint,
    parse: Callable[[bytes], _Parsed],
    *,
    clock: Callable[[], float],
    worker: ParseWorker | None,
    threaded: bool,
    secrets: tuple[str, ...],
    gates: Gates | None = None,
    memo: ParseMemo | None = None,
) -> tuple[_Parsed, float, int]:
    """(parsed, cost in seconds, wire bytes), or RequestFailed. ``threaded`` false: parsed inline.
    With ``gates`` (a fleet's), the request and the parse each wait for a shared slot first. With
    ``memo``, a body the same as this endpoint's last one is not parsed again (its last result)."""
    started: list[float] = []

    async def fetch() -> FetchResult:
        started.append(clock())  # timed from the slot: our queue is not the target's work
        request = client.get(ep.path, params=ep.params, expect=ep.expect, deadline=ep.deadline, gunzip=ep.gunzip)
        if ep.name not in E.EXPENSIVE and ep.name != E.CPU:  # the CPU window: held open N s
            return await request
        try:
            return await asyncio.wait_for(request, ep.deadline + DEADLINE_GRACE)
        except TimeoutError:
            raise FetchTimeout(f"{ep.name}: no answer in {ep.deadline:g} s (deadline)") from None

    try:
        result = await (fetch() if gates is None else gates.request(fetch()))
    except FetchError as exc:
        raise RequestFailed(clock() - started[0], exc.user_message, exc) from exc
    cost = clock() - started[0]
    digest = b""
    if memo is not None:
        digest = await memo.digest(result.body)
        hit, parsed_before = memo.get(ep.name, parse, digest)
        if hit:
            return cast(_Parsed, parsed_before), cost, result.wire_bytes
    try:
        if not threaded:
            parsed = parse(result.body)
        elif gates is None:
            parsed = await _parse(ep, parse, result.body, worker)
        else:
            async with gates.parse_slot():
                parsed = await _parse(ep, parse, result.body, worker)
    except ParseWorkerError as exc:  # out of its memory cap, or died: this poll's error, as said
        raise RequestFailed(cost, str(exc), exc) from exc
    except (ParseError, LimitExceeded) as exc:
        raise RequestFailed(cost, f"{ep.name}: {exc}", exc) from exc
    except Exception as exc:  # a parser bug must not kill the watch: report it, keep polling
        # The traceback's frames are our code; its message may quote the target: redacted.
        log.error(
            "parsing %s failed: %s: %s\n%s",
            ep.name,
            type(exc).__name__,
            redact(str(exc), secrets),
            getattr(exc, "remote_traceback", "")  # raised in the worker process: its frames
            or "".join(traceback.format_tb(exc.__traceback__)),
        )
        raise RequestFailed(cost, f"{ep.name}: parser failed ({type(exc).__name__}: {str(exc)[:200]})", exc) from exc
    if memo is not None:
        memo.put(ep.name, parse, digest, parsed)
    return parsed, cost, result.wire_bytes


async def _parse(ep: E.Endpoint, parse: Callable[[bytes], _Parsed], body: bytes, worker: ParseWorker | None) -> _Parsed:
    if worker is not None and ep.name in IN_WORKER and worker.wants(parse, body):
        return await worker.parse(ep.name, parse, body)
    return await asyncio.to_thread(parse, body)
