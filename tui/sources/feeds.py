"""Snapshot sources for the app: live (poller + tap, optionally recording) and replay.

Each satisfies the app's source protocol (`on_snapshot`, `start()`, `async stop()`, `pause()`,
`resume()`, `refresh_now(kind)`) and keeps the newest raw body per endpoint in `bodies`
for `save(directory)` (the `s` export).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.config import Config
from tui.core.tasks import cancel_and_wait
from tui.fetch.fetcher import Fetcher
from tui.metrics.spec import parse_spec
from tui.model import snapshot as snap
from tui.recording.format import Recording, open_recording
from tui.recording.replay_client import CPU_WINDOW_PREFIX, ReplayClient, ReplayFinished, VirtualClock
from tui.recording.tap import LatestBodies, TapClient
from tui.recording.writer import (
    POLL_FIELDS,
    BackgroundRecorder,
    RecordingWriter,
    RecordLimits,
    poll_settings,
)
from tui.service import endpoints as E
from tui.service.poller import Poller

log = logging.getLogger(__name__)
REPLAY = "replay"
FINISHED = "finished"


class LiveSource:
    """The live poller with a tap that keeps raw bodies and, with `record_dir`, records them."""

    kind = "live"

    def __init__(
        self,
        config: Config,
        *,
        record_dir: str | Path | None = None,
        record_limits: RecordLimits | None = None,
        client: Fetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        **poller_kwargs: Any,
    ) -> None:
        self.config = config
        self.bodies = LatestBodies()
        self.recorder: BackgroundRecorder | None = None
        if record_dir is not None:
            writer = RecordingWriter(
                record_dir,
                target=config.label,
                interval=config.interval,
                limits=record_limits or RecordLimits(),
                poll=poll_settings(config),
                secrets=config.auth.secrets(),
            )
            self.recorder = BackgroundRecorder(writer)
        if client is None:
            from tui.fetch.client import TargetClient

            client = TargetClient(config)
        self.tap = TapClient(client, recorder=self.recorder, clock=clock, latest=self.bodies)
        self.poller = Poller(config, client=self.tap, clock=clock, on_snapshot=self._emit, **poller_kwargs)
        self.on_snapshot: Callable[[snap.Snapshot], None] | None = None
        self.latest: snap.Snapshot | None = None

    def _emit(self, snapshot: snap.Snapshot) -> None:
        self.latest = snapshot
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)

    def start(self) -> Any:
        return self.poller.start()

    async def run(self) -> None:
        """Poll until cancelled (headless use: the `record` subcommand)."""
        try:
            await self.poller.run()
        finally:
            await self.tap.aclose()

    async def stop(self) -> None:
        await self.poller.stop()
        await self.tap.aclose()

    def pause(self) -> None:
        self.poller.pause()

    def resume(self) -> None:
        self.poller.resume()

    def refresh_now(self, kind: str = "all") -> None:
        self.poller.refresh_now(kind)

    def set_cpu(self, on: bool) -> None:
        self.poller.set_cpu(on)

    def pin_metric(self, spec: str) -> None:
        self.poller.service_metrics.pin(parse_spec(spec))

    def save(self, directory: str | Path) -> Path:
        from tui.recording.export import save_snapshot

        return save_snapshot(
            directory,
            self.bodies,
            target=self.config.label,
            snapshot=self.latest,
            source=self.kind,
            secrets=self.config.auth.masks(),
        )


def speed_text(speed: float) -> str:
    return "max" if math.isinf(speed) else f"{speed:g}×"


def clock_text(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = max(int(seconds), 0)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


METRICS_ENDPOINTS = (E.METRICS, E.VARS, E.FGPROF)


def replay_config(recording: Recording) -> Config:
    """A Config that schedules polls like the recorded watch did (its meta.json "poll" settings)."""
    poll = recording.meta.get("poll")
    values: dict[str, Any] = {}
    if isinstance(poll, dict):
        for name in POLL_FIELDS:
            value = poll.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                values[name] = int(value) if name.endswith("_every") else float(value)
    if recording.interval:
        values["interval"] = recording.interval
    # the service's own numbers were looked for: replay them (discovery's answers are recorded too)
    values["metrics"] = not set(METRICS_ENDPOINTS).isdisjoint(recording.endpoints())
    from tui.config import ConfigError, validate

    try:
        config = Config(**values)
        validate(config)  # meta.json was checked field by field; this checks them together
        return config
    except (TypeError, ValueError, ConfigError):
        return Config(interval=recording.interval or 2.0)


def with_recorded_cpu(config: Config, recording: Recording) -> Config:
    """CPU watching on, with the recorded window length, when the recording has CPU windows."""
    for ep in recording.endpoints():
        if ep.startswith(CPU_WINDOW_PREFIX):
            try:
                seconds = float(ep.removeprefix(CPU_WINDOW_PREFIX))
            except ValueError:
                continue
            if 1 <= seconds <= 600:
                return dataclasses.replace(config, cpu=True, cpu_window=seconds)
    return config


class ReplaySource:
    """Plays a recording through the real Poller. Extra controls: `step()`, `set_speed(x)`,
    `speed`, `finished`, `position`, `duration`. With `loop=True` it starts over at the end."""

    kind = "replay"

    def __init__(
        self,
        recording: Recording | str | Path,
        *,
        config: Config | None = None,
        speed: float = 1.0,
        loop: bool = False,
        label: str | None = None,
        real_sleep: Callable[[float], Any] = asyncio.sleep,
        rand: Callable[[], float] = lambda: 0.5,
        **poller_kwargs: Any,
    ) -> None:
        if isinstance(recording, (str, Path)):
            recording = open_recording(Path(recording))
        elif not isinstance(recording, Recording):
            recording = open_recording(recording)  # a package resource (importlib Traversable)
        self.recording = recording
        if not self.recording.records:
            from tui.core.errors import ParseError

            raise ParseError("recording: no records", kind="recording")
        self.label = label or self.recording.label
        self.config = with_recorded_cpu(config or replay_config(self.recording), self.recording)
        self.bodies = LatestBodies()
        self.loop = loop
        self.finished = False
        self.loops = 0
        self._real_sleep = real_sleep
        self._rand = rand
        self._poller_kwargs = poller_kwargs
        self.clock = VirtualClock(self.recording.records[0].header.t, speed=speed, real_sleep=real_sleep)
        self.client = ReplayClient(self.recording, self.clock, latest=self.bodies)
        self.poller = self._new_poller()
        self.on_snapshot: Callable[[snap.Snapshot], None] | None = None
        self.latest: snap.Snapshot | None = None
        self._raw: snap.Snapshot | None = None
        self._task: asyncio.Task[None] | None = None
        self.error = ""  # why the replay stopped early ("" when it did not)

    def _new_poller(self) -> Poller:
        return Poller(
            self.config,
            client=self.client,
            clock=self.clock,
            sleep=self.clock.sleep,
            expensive_in_background=False,  # virtual time: inline, charged their recorded cost
            rand=self._rand,
            on_snapshot=self._emit,
            **self._poller_kwargs,
        )

    # ---- controls ----------------------------------------------------------------
    @property
    def speed(self) -> float:
        return self.clock.speed

    def set_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)
        self._republish()

    @property
    def paused(self) -> bool:
        return self.clock.paused

    @property
    def position(self) -> float:
        """Seconds into the recording."""
        return min(max(self.client.recording_time - self.client.start, 0.0), self.duration)

    @property
    def duration(self) -> float:
        return self.client.end - self.client.start

    def pause(self) -> None:
        self.clock.pause()
        self._republish()

    def resume(self) -> None:
        self.clock.resume()
        self._republish()

    def step(self) -> None:
        """Pause (if playing) and play exactly one poll tick."""
        if not self.clock.paused:
            self.clock.pause()
        self.clock.step()

    def refresh_now(self, kind: str = "all") -> None:
        """In a replay, a refresh is one step when paused (nothing to fetch)."""
        if self.clock.paused:
            self.clock.step()

    def set_cpu(self, on: bool) -> None:
        """CPU windows on/off: a replay shows the recorded windows (when there are any)."""
        self.poller.set_cpu(on)

    def pin_metric(self, spec: str) -> None:
        self.poller.service_metrics.pin(parse_spec(spec))

    # ---- lifecycle -----------------------------------------------------------------
    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="pprof-tui replay")
        return self._task

    async def run(self) -> None:
        """Play until the end (or forever with `loop`). Whatever a crafted recording makes go wrong
        ends the replay with an error snapshot the UI shows: the task never dies silently."""
        try:
            await self._play()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("replay stopped: %s: %s", type(exc).__name__, exc)
            self._fail(f"replay stopped: {type(exc).__name__}: {str(exc)[:200]}")

    def _fail(self, message: str) -> None:
        self.finished = True
        self.error = message
        raw = self._raw or snap.Snapshot(seq=0, time=self.clock.now, target=self.label, state=snap.ERROR)
        self._raw = dataclasses.replace(raw, state=snap.ERROR, last_error=message)
        self._publish(self._raw)

    async def _play(self) -> None:
        while True:
            try:
                await self.poller.run()
            except ReplayFinished:
                pass
            if not self.loop:
                self.finished = True
                self._republish()
                return
            self.loops += 1
            self.clock.now = self.recording.records[0].header.t
            self.client.reset()
            self.poller = self._new_poller()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            await cancel_and_wait(self._task)

    # ---- output ------------------------------------------------------------------
    def _emit(self, snapshot: snap.Snapshot) -> None:
        self._raw = snapshot
        self._publish(snapshot)

    def _republish(self) -> None:
        if self._raw is not None:
            self._publish(self._raw)

    def _publish(self, raw: snap.Snapshot) -> None:
        state = raw.state
        if raw.state in (snap.LIVE, snap.PAUSED, snap.STARTING):
            state = snap.PAUSED if self.clock.paused else REPLAY
        where = f"{clock_text(self.position)} / {clock_text(self.duration)}"
        if self.error:
            status = f"{self.error} at {where}"
            state = snap.ERROR
        elif self.finished:
            status = f"replay finished at {where}"
            state = FINISHED if raw.state in (snap.LIVE, snap.PAUSED, snap.STARTING) else state
        elif self.clock.paused:
            status = f"replay paused at {where} (step: one poll)"
        else:
            status = f"replay {speed_text(self.speed)} {where}"
            if raw.state not in (snap.LIVE, snap.PAUSED, snap.STARTING) and raw.status:
                status += f" · {raw.status}"
        if self.recording.problems:
            status += f" · {self.recording.problems}"
        self.latest = dataclasses.replace(raw, state=state, status=status, target=self.label)
        if self.on_snapshot is not None:
            self.on_snapshot(self.latest)

    def save(self, directory: str | Path) -> Path:
        from tui.recording.export import save_snapshot

        return save_snapshot(directory, self.bodies, target=self.label, snapshot=self.latest, source=self.kind)
