"""Replay a recording through the real poller: a virtual clock and a client answering from the file.

The poller, its parsers, History and budget run exactly as live; only the clock and the client
are replaced. `VirtualClock.sleep` advances virtual time (scaled by speed; blocks while paused;
`step()` lets one poll tick through). `ReplayClient.get` returns the recorded answer of that
endpoint at or before the current recording time (or raises the recorded error) and advances
the clock by the recorded cost. Live parse time is not replayed: the client keeps an offset
between virtual time and recording time so each tick still reads the records of the same tick.
"""

from __future__ import annotations

import asyncio
import bisect
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tui.core.errors import LimitExceeded, ParseError
from tui.fetch import errors as fetch_errors
from tui.fetch.fetcher import FetchResult
from tui.model import catalog
from tui.model.catalog import endpoint_key
from tui.recording.format import Recording, RecordRef
from tui.recording.tap import Body, LatestBodies

CPU_WINDOW_PREFIX = catalog.CPU.key + "?seconds="
MAX_REAL_CHUNK = 0.1  # seconds of real time between looks at pause/speed changes
SPEEDS = (1.0, 10.0, math.inf)


class ReplayFinished(Exception):
    """The recording has no more poll ticks."""


class VirtualClock:
    """Callable clock plus an async `sleep` that advances it (speed 1, 10, ... or math.inf)."""

    def __init__(
        self, start: float, *, speed: float = 1.0, real_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.now = start
        self.speed = speed
        self.paused = False
        self._steps = 0
        self._real_sleep = real_sleep
        self._changed = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    def _poke(self) -> None:
        self._changed.set()

    def pause(self) -> None:
        self.paused = True
        self._poke()

    def resume(self) -> None:
        self.paused = False
        self._poke()

    def step(self) -> None:
        """Let one pending (or the next) sleep finish at once while paused."""
        self._steps += 1
        self._poke()

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._poke()

    async def sleep(self, delay: float) -> None:
        if not math.isfinite(delay) or delay < 0:
            delay = 0.0  # NaN or inf from a crafted recording: never a loop that cannot end
        target = self.now + delay
        if not math.isfinite(target):
            raise ValueError(f"replay clock is not a finite time ({self.now!r})")
        while self.now < target:
            if self.paused:
                if self._steps:
                    self._steps -= 1
                    self.now = target
                    break
                self._changed.clear()
                await self._changed.wait()
                continue
            if math.isinf(self.speed):
                self.now = target
                await self._real_sleep(0)
                break
            chunk = min(target - self.now, MAX_REAL_CHUNK * self.speed)
            await self._real_sleep(chunk / self.speed)
            if not self.paused:
                self.now = min(target, self.now + chunk)


_ERRORS: dict[str, type[fetch_errors.FetchError]] = {
    cls.__name__: cls
    for cls in (
        fetch_errors.FetchError,
        fetch_errors.Unreachable,
        fetch_errors.FetchTimeout,
        fetch_errors.NotPprof,
        fetch_errors.TooLarge,
        fetch_errors.BadGzip,
    )
}
_STATUS_ERRORS: dict[str, type[fetch_errors.HTTPStatusError]] = {
    cls.__name__: cls
    for cls in (
        fetch_errors.HTTPStatusError,
        fetch_errors.Unauthorized,
        fetch_errors.NotFound,
        fetch_errors.ServerError,
    )
}


def recorded_error(ref: RecordRef) -> fetch_errors.FetchError:
    h = ref.header
    if h.etype in _STATUS_ERRORS:
        return _STATUS_ERRORS[h.etype](h.err, status=h.status)
    return _ERRORS.get(h.etype, fetch_errors.FetchError)(h.err)


STALE_MIN = 60.0  # seconds: a record this old still answers, whatever its endpoint's cadence
STALE_GAPS = 3.0  # ... or this many of its endpoint's median gaps between records


def _stale_after(times: list[float]) -> float:
    gaps = sorted(b - a for a, b in zip(times, times[1:]) if b > a)
    return max(STALE_MIN, STALE_GAPS * gaps[len(gaps) // 2]) if gaps else STALE_MIN


class ReplayClient:
    """Answers the poller's `get()` from a recording (see the module docstring)."""

    def __init__(
        self,
        recording: Recording,
        clock: VirtualClock,
        *,
        slack: float | None = None,
        latest: LatestBodies | None = None,
    ) -> None:
        self.clock = clock
        self.latest = latest if latest is not None else LatestBodies()
        interval = recording.interval or 2.0
        self.slack = slack if slack is not None else interval / 2
        self._by_ep: dict[str, list[RecordRef]] = {}
        for ref in recording.records:
            self._by_ep.setdefault(ref.header.ep, []).append(ref)
        for refs in self._by_ep.values():
            refs.sort(key=lambda r: r.header.t)
        self._times = {ep: [r.header.t for r in refs] for ep, refs in self._by_ep.items()}
        # the records that start a poll tick: the index page (every record in a recording without one)
        self._all_times = sorted(r.header.t for r in recording.records)
        self._served = -math.inf  # the newest record time answered so far
        # how old a record may be and still answer a request: a few of its endpoint's usual gaps (a dump
        # the recorder took once, ten minutes ago, is not what the target would answer now)
        self._stale_after = {ep: _stale_after(times) for ep, times in self._times.items()}
        self.offset = 0.0  # recording time = virtual time + offset
        self.skipped = 0.0  # recording seconds jumped over (no tick recorded in them)
        index = self._by_ep.get(catalog.INDEX.key) or []
        self.start = recording.records[0].header.t if recording.records else 0.0
        self.last_tick = index[-1].header.t if index else (recording.records[-1].header.t if recording.records else 0.0)
        self.end = max((r.header.t + r.header.dt for r in recording.records), default=0.0)
        self.requests = 0

    def reset(self) -> None:
        self.offset = 0.0
        self._served = -math.inf
        self.skipped = 0.0

    def _skip_silence(self) -> None:
        """Advance by records, not by the clock between them: when the tick recorded in reach was
        already played, jump to the next recorded tick (a recording with a 10**9 s gap is not walked
        poll by poll)."""
        ticks = self._times.get("index") or self._all_times  # the index list grows in place when followed
        reach = self.recording_time + self.slack
        i = bisect.bisect_right(ticks, reach)
        if i < len(ticks) and (i == 0 or ticks[i - 1] <= self._served):
            jump = ticks[i] - self.recording_time
            if jump > 0:
                self.offset += jump
                self.skipped += jump
            i += 1
        if i > 0:  # this tick is played (answered, or not found when no index page was recorded)
            self._served = max(self._served, ticks[i - 1])

    @property
    def recording_time(self) -> float:
        return self.clock.now + self.offset

    def _pick(self, ep: str) -> RecordRef | None:
        times = self._times.get(ep)
        if not times:
            return None
        now = self.recording_time
        i = bisect.bisect_right(times, now + self.slack) - 1
        if i >= 0 and now - times[i] > self._stale_after[ep]:
            return None  # its newest record is long gone: the target would not answer that now
        return self._by_ep[ep][i] if i >= 0 else None

    async def get(self, path: str, *, params: Mapping[str, str] | None = None, **_: Any) -> FetchResult:
        key = endpoint_key(path, params)
        if not math.isfinite(self.recording_time):
            raise ReplayFinished()  # cannot happen with checked headers; never spin on a NaN clock
        if key == catalog.INDEX.key:
            self._skip_silence()
            if self.recording_time > self.last_tick + self.slack:
                raise ReplayFinished()
        self.requests += 1
        ref = self._pick(key)
        if ref is None:
            await asyncio.sleep(0)
            if key in self._times:  # recorded, just not at this time: the target serves it (try later)
                raise fetch_errors.FetchError(f"{key}: not in the recording at this time")
            raise fetch_errors.NotFound(f"{key}: not in the recording", status=404)
        h = ref.header
        self._served = max(self._served, h.t)
        if h.t > self.recording_time:
            self.offset = h.t - self.clock.now
        if not key.startswith(CPU_WINDOW_PREFIX):  # a CPU window was held open in the background, not a tick's cost
            self.clock.now += h.dt
        await asyncio.sleep(0)  # a real fetch yields to the loop too
        if h.failed:
            raise recorded_error(ref)
        try:
            body = await asyncio.to_thread(ref.read_body)
        except (ParseError, LimitExceeded, OSError) as exc:  # a corrupt or vanished record: a failed fetch
            raise fetch_errors.FetchError(f"{key}: recorded answer unreadable ({exc})") from None
        if not h.redacted:
            self.latest.put(Body(key, body, h.ctype, self.clock.now, h.wall))
        return FetchResult(
            path=key, status=h.status, body=body, wire_bytes=h.wire, elapsed=h.elapsed, content_type=h.ctype
        )

    async def aclose(self) -> None:
        return None
