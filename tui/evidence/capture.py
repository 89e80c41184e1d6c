"""`Evidence`: the one object the session process, `check` and the foreground app drive.

    evidence = Evidence(root, source.bodies, target=label, secrets=forms)
    evidence.observe(snapshot)        # every snapshot (any thread; keeps a reference)
    evidence.on_report(report)        # every leak report, in order (the tracker's thread)
    evidence.capture_now()            # `E` then `r`, or a session's request file
    evidence.close()                  # waits for a bundle being written

Bundles are written by one daemon thread of its own, from a bounded queue (a capture asked for
while `MAX_QUEUED` wait is dropped and said in `errors`): the UI, the poller and the tracker never
wait for a disk. The trigger (tui/evidence/trigger.py) sees only each report's verdicts.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.evidence.bundle import DEFAULT_LIMITS, BundleLimits, Incident, write_bundle
from tui.evidence.keeper import BodyKeeper
from tui.evidence.listing import BundleInfo, list_bundles, prune
from tui.evidence.trigger import DEFAULT_FAIL_ON, Fired, Trigger

if TYPE_CHECKING:
    from tui.config import Config
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot
    from tui.recording.tap import LatestBodies

log = logging.getLogger(__name__)
MAX_QUEUED = 4
REQUEST_FILE = ".capture-request"
VERDICT, ASKED = "verdict", "asked"


class Evidence:
    writes = True  # bundles are written here (a SessionShelf only lists a session's)

    def __init__(
        self,
        root: Path,
        bodies: LatestBodies,
        *,
        target: str,
        secrets: tuple[bytes, ...] = (),
        fail_on: Sequence[str] = DEFAULT_FAIL_ON,
        limits: BundleLimits = DEFAULT_LIMITS,
        cpu_endpoint: str = "",
        wall: Callable[[], float] = time.time,
        on_written: Callable[[Path], None] | None = None,
    ) -> None:
        self.root = Path(root)
        self.bodies = bodies
        self.target = target
        self.secrets = secrets
        self.limits = limits
        self.cpu_endpoint = cpu_endpoint
        self.wall = wall
        self.on_written = on_written
        self.trigger = Trigger(fail_on)
        self.keeper = BodyKeeper(bodies)
        self.written: list[Path] = []  # this process's bundles, oldest first
        self.bundled_keys: set[str] = set()  # verdict keys a bundle of this process covers
        self.errors: list[str] = []
        self._snapshot: Snapshot | None = None
        self._report: LeakReport | None = None
        self._restarts = 0
        self._lock = threading.Lock()
        self._queue: queue.Queue[Incident | None] = queue.Queue(maxsize=MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        prune(self.root, max_bundles=limits.max_bundles, max_bytes=limits.max_total_bytes)  # a killed writer's partial

    # -- fed by the watch ---------------------------------------------------------
    def observe(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._snapshot = snapshot
            if len(snapshot.restarts) != self._restarts:
                self._restarts = len(snapshot.restarts)
                self.keeper.restarted()
                self.trigger.forget()

    def on_report(self, report: LeakReport) -> tuple[Fired, ...]:
        """Judge one report; a failing verdict's first (or more severe) report queues a bundle."""
        self.keeper.observe(report.baseline_at)
        with self._lock:
            self._report = report
            fired = self.trigger.update(report.verdicts)
        if fired:
            self._submit(VERDICT, fired)
        return fired

    def capture_now(self) -> bool:
        """A bundle of this moment, whatever the verdicts (False: too many already queued)."""
        return self._submit(ASKED, ())

    # -- the writer ---------------------------------------------------------------
    def _submit(self, why: str, fired: tuple[Fired, ...]) -> bool:
        with self._lock:
            incident = Incident(
                why=why,
                fired=fired,
                report=self._report,
                snapshot=self._snapshot,
                wall=self.wall(),
                target=self.target,
                cpu_endpoint=self.cpu_endpoint,
            )
            if self._thread is None:
                self._thread = threading.Thread(target=self._write_all, name="pprof-tui evidence", daemon=True)
                self._thread.start()
        try:
            self._idle.clear()
            self._queue.put_nowait(incident)
        except queue.Full:
            self.errors.append("a capture was dropped: bundles are still being written")
            log.warning("evidence: capture dropped, %d queued", MAX_QUEUED)
            return False
        return True

    def _write_all(self) -> None:
        while True:
            try:
                incident = self._queue.get(timeout=0.5)
            except queue.Empty:
                self._idle.set()
                continue
            if incident is None:
                self._idle.set()
                return
            try:
                path = write_bundle(
                    self.root, incident, self.bodies, self.keeper, secrets=self.secrets, limits=self.limits
                )
            except Exception as exc:  # a full disk, a bug: said, never the end of the watch
                message = f"bundle not written: {type(exc).__name__}: {str(exc)[:200]}"
                log.error("evidence: %s", message)
                self.errors.append(message)
            else:
                with self._lock:
                    self.written.append(path)
                    self.bundled_keys.update(f.verdict.key for f in incident.fired)
                if self.on_written is not None:
                    try:
                        self.on_written(path)
                    except Exception:
                        log.exception("evidence: on_written failed")
            if self._queue.empty():
                self._idle.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every queued bundle is written (tests, `check` before it prints)."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self.wait_idle(timeout)
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            self._thread.join(timeout=1.0)

    def bundles(self) -> tuple[BundleInfo, ...]:
        return list_bundles(self.root)

    def bundled_keys_now(self) -> frozenset[str]:
        """Verdict keys with a bundle (this process's; the findings line marks them)."""
        with self._lock:
            return frozenset(self.bundled_keys)

    def take_request(self) -> bool:
        """A UI attached to a session asks for a bundle by creating REQUEST_FILE (`E`, then `r`):
        True (and the request consumed, a capture queued) when one was there."""
        request = self.root / REQUEST_FILE
        try:
            request.unlink()
        except OSError:
            return False
        return self.capture_now()


class SessionShelf:
    """A session's bundles as seen from a UI attached to it: the session process writes them; `r`
    asks it for one (`request_capture`); the keys they cover are read back from the listing."""

    writes = False
    LIST_EVERY = 5.0  # seconds between listings for the findings line's marks

    def __init__(self, root: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = Path(root)
        self.clock = clock
        self._keys: frozenset[str] = frozenset()
        self._listed_at: float | None = None

    def bundles(self) -> tuple[BundleInfo, ...]:
        return list_bundles(self.root)

    def capture_now(self) -> bool:
        try:
            request_capture(self.root)
        except OSError:
            return False
        return True

    def bundled_keys_now(self) -> frozenset[str]:
        now = self.clock()
        if self._listed_at is None or now - self._listed_at >= self.LIST_EVERY:
            self._listed_at = now
            self._keys = frozenset(v.key for b in self.bundles() for v in b.verdicts)
        return self._keys


def judge(evidence: Evidence | SessionShelf | None, report: LeakReport) -> frozenset[str] | None:
    """For a UI's leak worker: a watch that writes its own bundles judges `report` (a failing
    verdict's first report queues one); returns the verdict keys that have a bundle (None: this
    watch has no evidence, or it failed: said in the log, never the end of the watch)."""
    if evidence is None:
        return None
    try:
        if isinstance(evidence, Evidence):
            evidence.on_report(report)
        return evidence.bundled_keys_now()
    except Exception as exc:
        log.error("evidence failed: %s: %s", type(exc).__name__, str(exc)[:200])
        return None


def for_config(
    root: Path, bodies: LatestBodies, config: Config, *, fail_on: Sequence[str] = DEFAULT_FAIL_ON, label: str = ""
) -> Evidence:
    """An Evidence for a live watch of `config`: its label, its credentials to mask, its CPU window."""
    from tui.model.catalog import cpu_key

    return Evidence(
        root,
        bodies,
        target=label or config.label,
        secrets=config.auth.masks(),
        fail_on=fail_on,
        cpu_endpoint=cpu_key(config.cpu_window),
    )


def request_capture(root: Path) -> None:
    """Ask the session writing bundles into `root` for one now (it looks every few seconds)."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / REQUEST_FILE).touch(mode=0o600)
