"""The session process: the live poller recording into its session directory, on its own.

Started detached by `tui.sessions.launch.start_session` as `python -m tui session-run`. It takes
the target's lock (never two sessions polling one target) and its own session lock, writes
`session.json`, then polls like `record`, rewriting `status.json` after every poll. It ends on
SIGTERM/SIGINT (the recording closed cleanly), after `max_age` seconds, or after `idle_stop`
seconds with no UI attached. SIGHUP is ignored: the terminal that started it may go away.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.config import Config
from tui.core.tasks import cancel_and_wait
from tui.model.snapshot import Snapshot
from tui.recording.writer import RecordLimits, poll_settings, safe_label
from tui.sessions.state import (
    SESSION_JSON,
    SESSION_LOCK,
    STATUS_JSON,
    Lock,
    SessionDir,
    StateError,
    private_dir,
    sessions_dir,
    target_key,
    write_private_json,
)
from tui.sources.feeds import LiveSource

if TYPE_CHECKING:
    from tui.evidence.capture import Evidence
    from tui.leaks.tracker import LeakTracker

ALREADY_RUNNING = 3  # exit status: another session polls this target


@dataclass(frozen=True, slots=True)
class SessionLimits:
    max_age: float = 24 * 3600.0
    idle_stop: float = 2 * 3600.0
    check_every: float = 5.0  # seconds between looks at the age, the attached UIs and the stop flag


@dataclass(slots=True)
class _Status:
    polls: int = 0
    last_poll: float = 0.0
    state: str = "starting"
    last_error: str = ""
    attached: int = 0
    last_attached: float = 0.0
    ended: str = ""


class SessionRunner:
    """One session: `await run()` until stopped or a limit ends it; returns why it ended."""

    def __init__(
        self,
        root: Any,
        session_id: str,
        config: Config,
        *,
        options: dict[str, Any] | None = None,
        record_limits: RecordLimits | None = None,
        limits: SessionLimits = SessionLimits(),
        wall: Callable[[], float] = time.time,
        source_factory: Callable[..., LiveSource] = LiveSource,
        evidence_dir: Path | None = None,
        evidence: bool = True,
    ) -> None:
        self.root = root
        self.config = config
        self.limits = limits
        self._wall = wall
        self.key = target_key(safe_label(config.target) + (config.unix_socket or ""))
        private_dir(root)
        targets = private_dir(root / "targets")
        lock = Lock.try_acquire(targets / f"{self.key}.lock")
        if lock is None:
            raise StateError(f"a session already polls {config.label}")
        self._target_lock = lock
        self.session = SessionDir(private_dir(sessions_dir(root)) / session_id)
        private_dir(self.session.path)
        own = Lock.try_acquire(self.session.path / SESSION_LOCK)
        if own is None:
            lock.release()
            raise StateError(f"session {session_id} is already running")
        self._own_lock = own
        self.started = wall()
        self.status = _Status(last_attached=self.started)
        self.source = source_factory(
            config, record_dir=self.session.recording, record_limits=record_limits or RecordLimits()
        )
        self.source.on_snapshot = self._on_snapshot
        self._cpu_on = config.cpu
        # Incident bundles (tui/evidence): the session runs the leak tracker itself, one snapshot after
        # another in a thread of its own, so a verdict is captured whether a UI is attached or not.
        self.evidence_dir = Path(evidence_dir) if evidence_dir is not None else self.session.evidence
        self.evidence: Evidence | None = None
        self._tracker: LeakTracker | None = None
        self._judge = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pprof-tui verdicts")
        if evidence:
            from tui.evidence.capture import for_config

            private_dir(self.evidence_dir)
            self.evidence = for_config(self.evidence_dir, self.source.bodies, config)
        write_private_json(
            self.session.path / SESSION_JSON,
            {
                "id": session_id,
                "target": config.label,
                "target_key": self.key,
                "pid": os.getpid(),
                "started": self.started,
                "max_age": limits.max_age,
                "idle_stop": limits.idle_stop,
                "interval": config.interval,
                "poll": poll_settings(config),
                "options": dict(options or {}),
                "evidence": str(self.evidence_dir) if evidence else "",
            },
        )
        self._write_status()

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self.status.polls += 1
        self.status.last_poll = self._wall()
        self.status.state = snapshot.state
        self.status.last_error = snapshot.last_error or ""
        if self.evidence is not None:
            self.evidence.observe(snapshot)
            self._judge.submit(self._judge_snapshot, snapshot)
        self._write_status()

    def _judge_snapshot(self, snapshot: Snapshot) -> None:
        """In the verdicts thread, in snapshot order: the tracker, then the evidence trigger."""
        if self._tracker is None:
            from tui.leaks.tracker import LeakTracker

            self._tracker = LeakTracker()
        try:
            report = self._tracker.feed(snapshot)
            if self.evidence is not None:
                self.evidence.on_report(report)
        except Exception as exc:  # a tracker bug must not end the session: logged, the next poll goes on
            print(f"session: leak tracker failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)

    def _write_status(self) -> None:
        s = self.status
        recorder = self.source.recorder
        try:
            write_private_json(
                self.session.path / STATUS_JSON,
                {
                    "pid": os.getpid(),
                    "polls": s.polls,
                    "last_poll": s.last_poll,
                    "state": s.state,
                    "last_error": s.last_error[:300],
                    "attached": s.attached,
                    "records": recorder.writer.records if recorder else 0,
                    "bytes": recorder.writer.total_bytes if recorder else 0,
                    "recording_error": recorder.error if recorder else "",
                    "ended": s.ended,
                    "bundles": len(self.evidence.written) if self.evidence is not None else 0,
                },
            )
        except OSError:
            pass  # a full disk must not stop the poller; the recorder says its own error

    def check_limits(self) -> str:
        """Why the session should end now ("" while it should go on); counts the attached UIs."""
        now = self._wall()
        attached = self.session.attached(clean=True)
        self.status.attached = attached
        if attached:
            self.status.last_attached = now
        if now - self.started >= self.limits.max_age:
            return f"max age reached ({self.limits.max_age:g} s)"
        if not attached and now - self.status.last_attached >= self.limits.idle_stop:
            return f"no UI attached for {self.limits.idle_stop:g} s"
        recorder = self.source.recorder
        if recorder is not None and recorder.error:
            return recorder.error
        if self.evidence is not None:
            self.evidence.take_request()
        self.apply_cpu_request()
        return ""

    def apply_cpu_request(self) -> None:
        """Start or stop the CPU windows as an attached UI last asked (`C`)."""
        wanted = self.session.cpu_request()
        if wanted is not None and wanted != self._cpu_on:
            self._cpu_on = wanted
            self.source.set_cpu(wanted)
            print(f"session: CPU windows {'started' if wanted else 'stopped'} (asked by a UI)", flush=True)

    async def run(self) -> str:
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stopped.set)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        except (ValueError, OSError):
            pass
        poll = asyncio.ensure_future(self.source.run())
        why = ""
        try:
            while not why:
                try:
                    await asyncio.wait_for(stopped.wait(), timeout=self.limits.check_every)
                    why = "stopped"
                except asyncio.TimeoutError:
                    pass
                if poll.done():
                    exc = poll.exception() if not poll.cancelled() else None
                    why = why or f"poller ended: {exc!r}"
                why = why or self.check_limits()
        finally:
            await cancel_and_wait(poll)
            self._judge.shutdown(wait=False, cancel_futures=True)
            if self.evidence is not None:
                await asyncio.to_thread(self.evidence.close, 10.0)
            if self.source.recorder is not None:
                await asyncio.to_thread(self.source.recorder.close)
            self.status.ended = why or "ended"
            self.status.state = "ended"
            self._write_status()
            self._own_lock.release()
            self._target_lock.release()
        return why
