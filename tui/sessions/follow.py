"""Attaching to a recording being written: the whole history first, then live as records land.

`FollowClient` is a `ReplayClient` whose records grow: it is fed by a `RecordingTail`. The
replay runs on a virtual clock at full speed, so the poller, the history rings and the leak
tracker see every recorded poll from the start (as `replay --speed max`); when the replay reaches
the newest index tick, the client waits (real time, polling the files every `poll_every` s) for
the writer's next tick instead of ending, and the source says it is live.

`FollowSource` is the app's source for it (`attach`, and `watch` attached to its session). It
holds the session's UI lock while it runs, so the session knows a UI is attached.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tui.config import Config
from tui.core.errors import ParseError
from tui.core.tasks import cancel_and_wait
from tui.fetch.fetcher import FetchResult
from tui.model import catalog
from tui.model import snapshot as snap
from tui.model.catalog import endpoint_key
from tui.recording.format import Recording, RecordRef
from tui.recording.replay_client import ReplayClient, ReplayFinished, VirtualClock
from tui.recording.replay_client import _stale_after as stale_after
from tui.recording.tail import RecordingTail
from tui.recording.tap import LatestBodies
from tui.service.poller import Poller
from tui.sessions.state import Lock, SessionDir, StateError
from tui.sources.feeds import clock_text, replay_config, with_recorded_cpu

log = logging.getLogger(__name__)
POLL_EVERY = 0.5  # seconds between looks at the recording's files once caught up
SETTLE = 0.3  # after a new index record, wait this long for the rest of its tick's answers
FIRST_RECORD_WAIT = 60.0
TORN_WAIT = 2.0  # a first record still torn after this long is not being written: said at once
STALE_AFTER = 30.0
IDLE_REPUBLISH = 5.0
HISTORY_SHOWN_EVERY = 1.0  # real seconds between refreshes of the "reading history" line
KEEP_BEHIND = 3600.0  # seconds of records kept in memory behind the live position (older ones are never asked)  # while nothing lands, the status line is refreshed this often  # live, but nothing new for this long: said on the status line  # an empty recording (a session just started): how long to wait for a record


class FollowClient(ReplayClient):
    """A ReplayClient over a growing recording (see the module docstring)."""

    def __init__(
        self,
        tail: RecordingTail,
        first: list[RecordRef],
        clock: VirtualClock,
        *,
        latest: LatestBodies | None = None,
        poll_every: float = POLL_EVERY,
        settle: float = SETTLE,
        real_sleep: Callable[[float], Any] = asyncio.sleep,
        still_written: Callable[[], bool] = lambda: True,
    ) -> None:
        recording = Recording(tail.meta, tuple(first), 0)
        super().__init__(recording, clock, latest=latest)
        self.newest_wall = max((r.header.wall for r in first), default=0.0)  # unix time of the newest record
        self.tail = tail
        self.poll_every = poll_every
        self.settle = settle
        self.caught_up = False
        self.on_caught_up: Callable[[], None] | None = None
        self._real_sleep = real_sleep
        self._still_written = still_written

    def extend(self, refs: list[RecordRef]) -> int:
        """Add records (in time order per endpoint); returns how many index ticks they hold."""
        ticks = 0
        for ep in {ref.header.ep for ref in refs}:  # how old a record may answer: from its gaps, with these
            self._stale_after[ep] = stale_after(
                sorted([*self._times.get(ep, ()), *(r.header.t for r in refs if r.header.ep == ep)])
            )
        for ref in refs:
            ep = ref.header.ep
            times = self._times.setdefault(ep, [])
            refs_of = self._by_ep.setdefault(ep, [])
            i = bisect.bisect_right(times, ref.header.t)
            times.insert(i, ref.header.t)
            refs_of.insert(i, ref)
            if ep == catalog.INDEX.key:
                ticks += 1
                self.last_tick = max(self.last_tick, ref.header.t)
            self.newest_wall = max(self.newest_wall, ref.header.wall)
            self.end = max(self.end, ref.header.t + ref.header.dt)
        return ticks

    def prune(self, before: float) -> int:
        """Forget records older than `before` (recording time), keeping each endpoint's newest one
        before it: a UI attached for a day holds what it can still be asked, not every record."""
        dropped = 0
        for ep, times in self._times.items():
            i = bisect.bisect_left(times, before) - 1
            if i > 0:
                del times[:i]
                del self._by_ep[ep][:i]
                dropped += i
        return dropped

    async def _wait_for_tick(self) -> None:
        """Block (real time) until the writer adds an index tick after the current time."""
        if not self.caught_up:
            self.caught_up = True
            if self.on_caught_up is not None:
                self.on_caught_up()
        previous = self.last_tick
        waited = 0.0
        while True:
            await self._real_sleep(self.poll_every)
            if self.extend(self.tail.poll()):
                break
            if not self._still_written():
                raise ReplayFinished()
            waited += self.poll_every
            if waited >= IDLE_REPUBLISH and self.on_caught_up is not None:
                waited = 0.0
                self.on_caught_up()  # the status line says how long nothing was recorded
        await self._real_sleep(self.settle)  # the rest of that tick's answers
        self.extend(self.tail.poll())
        self.prune(self.recording_time - KEEP_BEHIND)
        index_times = self._times.get(catalog.INDEX.key, [])
        i = bisect.bisect_right(index_times, previous)
        if i < len(index_times):  # jump to the first new tick (several landed: play each)
            self.offset = index_times[i] - self.clock.now

    async def get(self, path: str, *, params: Mapping[str, str] | None = None, **kwargs: Any) -> FetchResult:
        if endpoint_key(path, params) == catalog.INDEX.key:
            while self.recording_time > self.last_tick + self.slack:
                await self._wait_for_tick()
        return await super().get(path, params=params, **kwargs)


def session_cpu(config: Config, session: SessionDir | None) -> Config:
    """The session's CPU window length (its session.json options: `C` reads the windows it records),
    and CPU windows read back from the start when the session was started with `--cpu` or asked by
    a UI since."""
    options = session.info.get("options") if session is not None else None
    if not isinstance(options, dict):
        return config
    window = options.get("cpu_window", config.cpu_window)
    if not isinstance(window, (int, float)) or isinstance(window, bool) or not 1 <= window <= 600:
        window = config.cpu_window
    asked = session.cpu_request() if session is not None else None
    on = config.cpu or (options.get("cpu") is True if asked is None else asked)
    return dataclasses.replace(config, cpu=on, cpu_window=float(window))


class FollowSource:
    """The app's source on a recording being written (a session's or any `record` directory)."""

    kind = "attach"

    def __init__(
        self,
        directory: str | Path,
        *,
        session: SessionDir | None = None,
        label: str | None = None,
        config: Config | None = None,
        poll_every: float = POLL_EVERY,
        settle: float = SETTLE,
        real_sleep: Callable[[float], Any] = asyncio.sleep,
        rand: Callable[[], float] = lambda: 0.5,
        wall: Callable[[], float] = time.time,
        **poller_kwargs: Any,
    ) -> None:
        self.directory = Path(directory)
        self._wall = wall
        self.session = session
        self.tail = RecordingTail(self.directory)
        self._label = label
        self._config = config
        self._poll_every = poll_every
        self._settle = settle
        self._real_sleep = real_sleep
        self._rand = rand
        self._poller_kwargs = poller_kwargs
        self.bodies = LatestBodies()
        self.on_snapshot: Callable[[snap.Snapshot], None] | None = None
        self.latest: snap.Snapshot | None = None
        self._raw: snap.Snapshot | None = None
        self._now: snap.Snapshot | None = None  # the recording's newest poll, read first
        self._now_wall = 0.0  # unix time of the newest record behind it
        self._history_span = 0.0  # recording seconds of history there was to read when attaching
        self._shown_at = -math.inf  # real time the screens last got the newest poll while catching up
        self.client: FollowClient | None = None
        self.poller: Poller | None = None
        self.snapshots = 0
        self.error = ""
        self._lock: Lock | None = None
        self._task: asyncio.Task[None] | None = None
        self._paused = False
        self._cpu: bool | None = None  # what `C` asked before the poller existed
        self.keep: bool | None = True  # on quit, leave the session running (`watch` may ask instead)

    @property
    def label(self) -> str:
        return self._label or str(self.tail.meta.get("target", self.directory.name))

    @property
    def session_name(self) -> str:
        return self.session.id if self.session is not None else str(self.directory)

    @property
    def caught_up(self) -> bool:
        return self.client is not None and self.client.caught_up

    def _still_written(self) -> bool:
        return self.session is None or self.session.running()

    async def _first_records(self) -> list[RecordRef]:
        waited = 0.0
        while True:
            refs = self.tail.poll()
            if refs:
                return refs
            if self.tail.torn and waited >= TORN_WAIT:  # a writer writes a record at once: these bytes stay bad
                raise ParseError(
                    f"{self.directory}: no valid record to attach to (its segment starts with a torn or bad record)",
                    kind="recording",
                )
            if waited >= FIRST_RECORD_WAIT or not self._still_written():
                why = "the session ended" if self.session is not None and waited < FIRST_RECORD_WAIT else ""
                why = why or f"none written in {waited:g} s"
                raise ParseError(f"{self.directory}: no records to attach to ({why})", kind="recording")
            await self._real_sleep(self._poll_every)
            waited += self._poll_every

    async def _setup(self) -> None:
        first = await self._first_records()
        self._history_span = (first[-1].header.t - first[0].header.t) if first else 0.0
        await self._newest(first)
        clock = VirtualClock(first[0].header.t, speed=math.inf, real_sleep=self._real_sleep)
        self.client = FollowClient(
            self.tail,
            first,
            clock,
            latest=self.bodies,
            poll_every=self._poll_every,
            settle=self._settle,
            real_sleep=self._real_sleep,
            still_written=self._still_written,
        )
        self.client.on_caught_up = self._republish
        self.poller = Poller(
            self._poller_config(first),
            client=self.client,
            clock=clock,
            sleep=clock.sleep,
            expensive_in_background=False,
            rand=self._rand,
            on_snapshot=self._emit,
            **self._poller_kwargs,
        )
        if self._cpu is not None:
            self.poller.set_cpu(self._cpu)
        if self._paused:
            clock.pause()

    def _poller_config(self, refs: list[RecordRef]) -> Config:
        recording = Recording(self.tail.meta, tuple(refs), 0)
        return session_cpu(with_recorded_cpu(self._config or replay_config(recording), recording), self.session)

    async def _newest(self, first: list[RecordRef]) -> snap.Snapshot | None:
        """The recording's newest poll, shown while the history is read (None: none could be built;
        the history's own snapshots are shown then, as CATCHING_UP)."""
        from tui.sessions.follow_now import newest_snapshot, without_dumps

        found = None
        cheap = without_dumps(first)
        # a goroutine dump takes seconds to parse (30 MB at 100k goroutines): the rest first, then with it
        for refs in (cheap, first) if len(cheap) < len(first) else (first,):
            try:
                got = await newest_snapshot(
                    self.tail.meta,
                    refs,
                    self._poller_config(first),
                    real_sleep=self._real_sleep,
                    rand=self._rand,
                    **self._poller_kwargs,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the history still plays; only the head start is lost
                log.warning("newest poll not read first: %s: %s", type(exc).__name__, exc)
                return found
            if got is not None:
                found = got
                self._now, self._now_wall = got, max(r.header.wall for r in first)
                self._publish(got)
        return found

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        if self.session is not None and self._lock is None:
            try:
                self._lock = self.session.attach_lock()
            except (OSError, StateError) as exc:  # a read-only copy of a session: watch it unannounced
                log.warning("attached without a UI lock: %s", exc)
        self._task = asyncio.create_task(self.run(), name="pprof-tui attach")
        return self._task

    async def run(self) -> None:
        """Follow until cancelled or the writer is gone; an error ends it with an error snapshot."""
        try:
            await self._setup()
            assert self.poller is not None
            try:
                await self.poller.run()
            except ReplayFinished:
                pass
            self.error = "the session ended" if self.session is not None else "the recording stopped"
            self._republish()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("attach stopped: %s: %s", type(exc).__name__, exc)
            self.error = f"attach stopped: {type(exc).__name__}: {str(exc)[:200]}"
            self._republish()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            await cancel_and_wait(self._task)
        if self._lock is not None:
            self._lock.release(unlink=True)
            self._lock = None

    def pause(self) -> None:
        self._paused = True
        if self.client is not None:
            self.client.clock.pause()
        self._republish()

    def resume(self) -> None:
        self._paused = False
        if self.client is not None:
            self.client.clock.resume()
        self._republish()

    def refresh_now(self, kind: str = "all") -> None:
        """The session polls on its own schedule: nothing to fetch from here."""

    def set_cpu(self, on: bool) -> None:
        """`C` (and `watch --cpu`): the session is asked to start (or stop) its CPU windows, and the
        windows it records are read (or no longer)."""
        self._cpu = on
        if self.session is not None:
            try:
                self.session.request_cpu(on)
            except OSError as exc:  # a read-only copy of a session: only what it recorded is shown
                log.warning("CPU windows not asked of the session: %s", exc)
        if self.poller is not None:
            self.poller.set_cpu(on)

    # ---- output ------------------------------------------------------------------------------
    def _emit(self, snapshot: snap.Snapshot) -> None:
        self.snapshots += 1
        self._raw = snapshot
        if self.caught_up or self.error:
            self._publish(snapshot)
            return
        # behind the newest poll: the leak tracker takes every poll, in order; the screens keep the
        # newest poll (its "reading history" line refreshed at most once a second)
        self._send(dataclasses.replace(snapshot, state=snap.HISTORY, target=self.label))
        if self._wall() - self._shown_at >= HISTORY_SHOWN_EVERY:
            self._publish(snapshot)

    def _republish(self) -> None:
        if self._raw is not None or self._now is not None:
            self._publish(self._raw or self._now)  # type: ignore[arg-type]
        elif self.error:
            self._publish(snap.Snapshot(seq=0, time=0.0, target=self.label, state=snap.ERROR))

    def _publish(self, raw: snap.Snapshot) -> None:
        where = self.session.id if self.session is not None else str(self.directory)
        behind = not self.caught_up and not self.error
        if behind and self._now is not None:
            raw = self._now  # not a poll of the history being read
        state = raw.state
        if self.error:
            state, status = snap.ERROR, f"{self.error} ({where})"
        elif self._paused:
            state, status = snap.PAUSED, f"attached to {where} · paused"
        elif behind:
            position = 0.0
            if self.client is not None:
                position = max(self.client.recording_time - self.client.start, 0.0)
            state = snap.CATCHING_UP
            # short: at 80 columns it follows the chip, the target and the ages
            status = f"history {clock_text(position)}/{clock_text(self._history_span)}"
            if self._now is not None:
                status += f" · newest poll {clock_text(max(self._wall() - self._now_wall, 0.0))} ago · {where}"
            self._shown_at = self._wall()
        else:
            status = f"attached to {where} · live"
            assert self.client is not None
            quiet = self._wall() - self.client.newest_wall
            if quiet > STALE_AFTER:
                status += f" · nothing recorded for {clock_text(quiet)}"
            if raw.status and raw.state not in (snap.LIVE, snap.STARTING):
                status += f" · {raw.status}"
        self.latest = dataclasses.replace(raw, state=state, status=status, target=self.label)
        self._send(self.latest)

    def _send(self, snapshot: snap.Snapshot) -> None:
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)

    def save(self, directory: str | Path) -> Path:
        from tui.recording.export import save_snapshot

        return save_snapshot(directory, self.bodies, target=self.label, snapshot=self.latest, source=self.kind)
