"""A client wrapper that keeps the newest raw body of each endpoint and, optionally, records
every answer (and failure) to a recording. The poller's logic does not change: it gets the
same FetchResult or the same FetchError as without the tap."""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tui.core.limits import MiB
from tui.fetch.errors import FetchError
from tui.model import catalog
from tui.model.catalog import endpoint_key
from tui.recording.format import RecordHeader

if TYPE_CHECKING:
    from tui.fetch.fetcher import Fetcher, FetchResult

# The target's command line may carry its own secrets: recordings keep only a digest
# (restart detection only compares it).
DIGESTED_ENDPOINTS = frozenset({catalog.CMDLINE.key})
PACK_ABOVE = MiB  # bodies kept for `s` at least this big are kept compressed


@dataclass(frozen=True, slots=True)
class Body:
    endpoint: str
    body: bytes
    content_type: str
    at: float  # watcher clock
    wall: float


class LatestBodies:
    """The newest successful raw body per endpoint (what `s` exports). Thread-safe.

    A big body (a 100k-goroutine dump is 30 MB) is kept zlib-compressed (level 1, in a thread of
    its own: ~0.13 s for 30 MB, off the event loop) — it is read back only when the user exports,
    and otherwise it was most of what the app held between dumps (30 MB of a 30 MB goal).
    """

    def __init__(self, pack_above: int = PACK_ABOVE) -> None:
        self._lock = threading.Lock()
        self._bodies: dict[str, Body] = {}
        self._packed: dict[str, tuple[Body, bytes]] = {}  # endpoint -> (body without bytes, zlib)
        self.pack_above = pack_above

    def put(self, body: Body) -> None:
        with self._lock:
            self._bodies[body.endpoint] = body
            self._packed.pop(body.endpoint, None)
        if len(body.body) >= self.pack_above:
            threading.Thread(target=self._pack, args=(body,), name="pprof-tui pack body", daemon=True).start()

    def _pack(self, body: Body) -> None:
        packed = zlib.compress(body.body, 1)
        with self._lock:
            if self._bodies.get(body.endpoint) is body:  # not replaced meanwhile
                del self._bodies[body.endpoint]
                self._packed[body.endpoint] = (replace(body, body=b""), packed)

    def _unpacked(self, endpoint: str) -> Body | None:
        found = self._bodies.get(endpoint)
        if found is not None:
            return found
        packed = self._packed.get(endpoint)
        if packed is None:
            return None
        return replace(packed[0], body=zlib.decompress(packed[1]))

    def get(self, endpoint: str) -> Body | None:
        with self._lock:
            return self._unpacked(endpoint)

    def at(self, endpoint: str) -> float | None:
        """When the newest body of `endpoint` was fetched (watcher clock), without unpacking it."""
        with self._lock:
            found = self._bodies.get(endpoint)
            if found is None and endpoint in self._packed:
                found = self._packed[endpoint][0]
            return found.at if found is not None else None

    def all(self) -> dict[str, Body]:
        with self._lock:
            names = sorted(self._bodies.keys() | self._packed.keys())
            return {name: body for name in names if (body := self._unpacked(name)) is not None}

    def __len__(self) -> int:
        with self._lock:
            return len(self._bodies.keys() | self._packed.keys())


class TapClient:
    """Wraps a TargetClient (or any other Fetcher); is one itself."""

    def __init__(
        self,
        inner: Fetcher,
        *,
        recorder: Any = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        latest: LatestBodies | None = None,
    ) -> None:
        self.inner = inner
        self.recorder = recorder  # BackgroundRecorder or RecordingWriter-like (submit/append)
        self.clock = clock
        self.wall = wall
        self.latest = latest if latest is not None else LatestBodies()

    async def get(self, path: str, *, params: Mapping[str, str] | None = None, **kwargs: Any) -> FetchResult:
        key = endpoint_key(path, params)
        t0 = self.clock()
        wall = self.wall()
        try:
            result = await self.inner.get(path, params=params, **kwargs)
        except FetchError as exc:
            self._record(
                RecordHeader(
                    t=t0,
                    dt=self.clock() - t0,
                    wall=wall,
                    ep=key,
                    status=int(getattr(exc, "status", 0) or 0),
                    err=exc.user_message[:500],
                    etype=type(exc).__name__,
                ),
                b"",
            )
            raise
        dt = self.clock() - t0
        self.latest.put(Body(key, result.body, result.content_type, t0 + dt, wall))
        body, redacted = result.body, ""
        if path in DIGESTED_ENDPOINTS:
            body, redacted = hashlib.sha256(result.body).hexdigest().encode(), "sha256"
        self._record(
            RecordHeader(
                t=t0,
                dt=dt,
                wall=wall,
                ep=key,
                status=result.status,
                elapsed=result.elapsed,
                wire=result.wire_bytes,
                ctype=result.content_type[:200],
                redacted=redacted,
            ),
            body,
        )
        return result

    def _record(self, header: RecordHeader, body: bytes) -> None:
        if self.recorder is None:
            return
        submit = getattr(self.recorder, "submit", None) or self.recorder.append
        submit(header, body)

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            if self.recorder is not None:
                close = getattr(self.recorder, "close", None)
                if close is not None:
                    close()
