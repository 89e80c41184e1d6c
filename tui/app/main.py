"""The Textual app: wires a snapshot source (live poller, replay, offline, canned) to the screens.

Data down, messages up. One message per poll (`SnapshotArrived`, replaceable so a backed-up
queue holds one), handed down to the dashboard inside `batch_update()`; the screens own their
view state and tell the app what to do with messages (`SampleTypeChanged`,
`DrillHeap`, `DrillGoroutines`). The app keeps the source, the screen stack,
the latest snapshot and leak report, and the leak worker. CPU work runs in thread workers
(`@work(thread=True)`) that post their result (or `WorkFailed`) as a message. `tui.app.build_app()` is the
one factory used by the CLI and the tests alike; several targets get `tui.app.fleet.FleetApp`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from tui.core.masking import mask_text
from tui.leaks.feed import FeedCall, FeedCalls, LeakFeed
from tui.model import catalog
from tui.model.snapshot import CATCHING_UP, HISTORY
from tui.screens.confirm import ConfirmScreen
from tui.screens.contention_screen import ContentionScreen
from tui.screens.cpu_screen import CpuScreen
from tui.screens.dashboard import Dashboard
from tui.screens.dashboard_messages import DrillGoroutines, DrillHeap, SampleTypeChanged
from tui.screens.evidence_screen import EvidenceScreen
from tui.screens.goroutine_drill import GoroutineDrillScreen
from tui.screens.help import HelpScreen
from tui.screens.keys import command_entries, help_rows
from tui.screens.leak_screen import LeakScreen
from tui.screens.messages import BundleWritten, ExportFlame, OpenFlame, WorkFailed
from tui.screens.metrics_picker import MetricsPicker
from tui.sources.protocol import (
    CpuControls,
    MetricsControls,
    ReplayControls,
    Saveable,
    SessionControls,
    SnapshotSource,
)

if TYPE_CHECKING:
    from tui.evidence.capture import Evidence, SessionShelf
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot
    from tui.screens.flame_screen import FlameScreen

log = logging.getLogger(__name__)

# A manual goroutine-tree refresh asks first when the last debug=2 took this long
# or the target has this many goroutines (it stops the target's world).
EXPENSIVE_DEBUG2_SECONDS = 0.5
EXPENSIVE_GOROUTINES = 10_000


def snapshot_dir() -> Path:
    """Where `s` saves: <state dir>/snapshots (private, as sessions are), not wherever the UI started."""
    from tui.sessions.state import private_dir, state_root

    return private_dir(state_root() / "snapshots")


class SnapshotArrived(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotArrived)


class LeakReportReady(Message):
    def __init__(self, report: LeakReport, bundled: frozenset[str] | None = None) -> None:
        super().__init__()
        self.report = report
        self.bundled = bundled  # verdict keys with an incident bundle (None: no evidence in this watch)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LeakReportReady)


class PprofApp(App[None]):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "app.tcss"
    TITLE = "pprof-tui"
    BINDINGS = [
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        # Raw mode: the terminal sends Ctrl+Z as a key, not SIGTSTP. Textual's action gives the
        # terminal back as it found it and stops the process; on `fg` (SIGCONT) its driver re-enters
        # the alternate screen and the same-size resize it posts repaints every cell
        # (tests/tui/test_exit_signals.py).
        Binding("ctrl+z", "suspend_process", "suspend", show=False, priority=True),
    ]

    def __init__(
        self,
        source: SnapshotSource,
        *,
        clock: Callable[[], float] = time.monotonic,
        evidence: Evidence | SessionShelf | None = None,
        open_cpu: bool = False,
    ) -> None:
        super().__init__()
        self.source = source
        self._open_cpu = open_cpu
        self.evidence = evidence  # incident bundles (tui/evidence): written here, or listed (a session's)
        if evidence is not None and evidence.writes:
            evidence.on_written = lambda path: self.post_message(BundleWritten(path))  # type: ignore[union-attr]
        self.clock = clock
        self.snapshot: Snapshot | None = None
        self._cpu_wanted: bool | None = None  # what `C` last asked of the source (None: as it runs)
        self.leak_report: LeakReport | None = None
        self.paused = False
        self.leaks = LeakFeed()
        self._leak_calls = FeedCalls()
        self._leak_failure = ""  # the last leak tracker error told (written by the leak worker only)

    # -- lifecycle ----------------------------------------------------------
    def _fatal_error(self) -> None:
        """Textual's crash report, without local variables: a frame holding request headers
        or a Config would otherwise print a token. (Overrides a private hook of the pinned
        textual version.)"""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        self._install_exit_signals()
        self.dashboard = Dashboard()
        self.push_screen(self.dashboard)
        self.source.on_snapshot = self._snapshot_from_source
        if self._open_cpu and isinstance(self.source, CpuControls):  # `watch --cpu`: as README says
            self._cpu_wanted = True
            self.source.set_cpu(True)
            self.push_screen(CpuScreen(None))
        # After the first frame is on screen: the first parse (and its numpy import) runs in a
        # thread that would otherwise share the GIL with the first paint.
        self.call_after_refresh(self._start_source)

    def _start_source(self) -> None:
        self.source.start()  # its task is the source's; not awaited here (that would hold the queue)

    async def on_unmount(self) -> None:
        self._remove_exit_signals()
        self._leak_calls.close()
        await self.source.stop()
        if self.evidence is not None and self.evidence.writes:
            await asyncio.to_thread(self.evidence.close, 10.0)  # type: ignore[union-attr]

    # SIGTERM (kill, systemd, a closing tmux pane) and SIGHUP (the terminal went away) quit like `q`:
    # the driver then restores the terminal (raw mode, alternate screen, mouse tracking, cursor) and
    # on_unmount stops the source, closing a recording cleanly. Without this the default action
    # kills the process and leaves the user's terminal unusable.
    # SIGQUIT too: its default dumps core and leaves the alternate screen and mouse reporting on.
    _EXIT_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT")
    exit_signal = ""  # the signal that ended the app ("" for `q`)

    def _install_exit_signals(self) -> None:
        import asyncio
        import signal

        self._exit_signals: list[int] = []
        loop = asyncio.get_running_loop()
        for name in self._EXIT_SIGNALS:
            number = getattr(signal, name, None)
            if number is None:
                continue
            try:
                loop.add_signal_handler(number, self._exit_on_signal, name)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
                continue
            self._exit_signals.append(number)

    def _remove_exit_signals(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        for number in getattr(self, "_exit_signals", ()):
            try:
                loop.remove_signal_handler(number)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self._exit_signals = []

    def _exit_on_signal(self, name: str) -> None:
        log.info("%s: quitting", name)
        self.exit_signal = name  # `watch` leaves its session running without asking: no one to ask
        self.exit()

    def _snapshot_from_source(self, snapshot: Snapshot) -> None:
        """From the source, on the event loop: every snapshot goes to the leak tracker, in order;
        the screens get the newest one (SnapshotArrived replaces an older one still queued)."""
        if not self.is_running:
            return  # quitting
        if self.evidence is not None and self.evidence.writes:
            self.evidence.observe(snapshot)  # type: ignore[union-attr]
        # attaching (tui/sessions/follow.py): older polls feed the tracker only, the newest poll
        # shown meanwhile is ahead of them and must not
        if snapshot.state != CATCHING_UP:
            self._call_leaks(partial(LeakFeed.feed, snapshot=snapshot))
        if snapshot.state != HISTORY:
            self.post_message(SnapshotArrived(snapshot))

    def _now(self) -> float:
        return self.snapshot.time if self.snapshot is not None else 0.0

    def _dashboard_gone(self) -> bool:
        """True while quitting: the screens are torn down before the source is stopped, and a
        poll that finishes in between must be dropped, not drawn on removed widgets."""
        return not self.is_running or not self.dashboard.is_attached or self.dashboard not in self.screen_stack

    # -- data down ------------------------------------------------------------
    def _catching_up(self) -> bool:
        return self.snapshot is not None and self.snapshot.state == CATCHING_UP

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        if self._dashboard_gone():
            return
        was_behind = self._catching_up()
        self.snapshot = message.snapshot
        if was_behind and not self._catching_up() and self.leak_report is not None:
            self.post_message(LeakReportReady(self.leak_report))  # held while the history was read
        with self.batch_update():
            self.dashboard.show_snapshot(message.snapshot)
            if isinstance(self.screen, ContentionScreen):
                self.screen.show_snapshot(message.snapshot)
            if isinstance(self.screen, (CpuScreen, MetricsPicker)):
                self.screen.show_snapshot(message.snapshot)
            flame = self._flame_screen()
            if flame is not None:
                flame.show_snapshot(message.snapshot)

    def on_leak_report_ready(self, message: LeakReportReady) -> None:
        self.leak_report = message.report
        if self._dashboard_gone() or self._catching_up():
            return  # a report of the history being read is shown once it is read
        with self.batch_update():
            self.dashboard.show_leaks(message.report)
            if message.bundled is not None:
                self.dashboard.show_bundled(message.bundled)
            if isinstance(self.screen, LeakScreen):
                self.screen.show_report(message.report, self._now())
            flame = self._flame_screen()
            if flame is not None:
                flame.show_leaks(message.report)

    def on_bundle_written(self, message: BundleWritten) -> None:
        self.notify(f"incident bundle written: {message.path}", timeout=6)
        if self.evidence is not None and not self._dashboard_gone():
            self.dashboard.show_bundled(self.evidence.bundled_keys_now())

    def action_evidence(self) -> None:
        if self.evidence is not None:
            self.push_screen(EvidenceScreen(self.evidence))

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(f"{message.what}: {message.error}", severity="error")

    # -- the leak tracker: one worker at a time, calls in order ------------------
    def _call_leaks(self, call: FeedCall) -> None:
        if self._leak_calls.put(call):
            self._drain_leak_calls()

    @work(thread=True, group="leaks", exit_on_error=False)
    def _drain_leak_calls(self) -> None:
        """Run the queued leak feed calls in order, then end. Never two at once: FeedCalls starts
        this worker only when none is draining (an exclusive group would cancel one mid-queue)."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            call = self._leak_calls.take()
            if call is None:
                return
            try:
                report = call(self.leaks)
            except Exception as exc:  # a tracker bug must not stop the watch: say it once, keep going
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.error("leak tracker failed: %s", error)
                if error != self._leak_failure:
                    self._leak_failure = error
                    self.post_message(WorkFailed("leak tracker", error))
                continue
            self._leak_failure = ""
            bundled = None
            if self.evidence is not None:
                from tui.evidence.capture import judge  # the first report comes after the first frame

                bundled = judge(self.evidence, report)
            self.post_message(LeakReportReady(report, bundled))
        self._leak_calls.close()  # cancelled: the app is closing

    # -- messages up from the screens -----------------------------------------
    def on_dashboard_sample_type_changed(self, message: SampleTypeChanged) -> None:
        self._call_leaks(partial(LeakFeed.set_sample_type, sample_type=message.sample_type))

    def on_dashboard_drill_heap(self, message: DrillHeap) -> None:
        from tui.screens.heap_drill import HeapDrillScreen  # lazy: peek is only needed on enter

        self.push_screen(HeapDrillScreen(message.heap, message.view, message.row))

    def on_dashboard_drill_goroutines(self, message: DrillGoroutines) -> None:
        self.push_screen(GoroutineDrillScreen(message.group))

    def _flame_screen(self) -> FlameScreen | None:
        """The flame view when it is on top (fed live; under a drill-down it waits)."""
        module = sys.modules.get("tui.screens.flame_screen")  # not imported: no flame view was opened
        screen = self.screen
        return screen if module is not None and isinstance(screen, module.FlameScreen) else None

    def on_open_flame(self, message: OpenFlame) -> None:
        from tui.screens.flame_screen import FlameScreen  # lazy: numpy's import is paid when asked

        self.push_screen(FlameScreen(message.spec, self.snapshot, self.leak_report))

    def on_export_flame(self, message: ExportFlame) -> None:
        from tui.heap.flame_export import export_flame

        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        written = []
        try:
            for suffix in (".svg", ".html", ".folded"):
                path = Path(f"pprof-tui-flame-{stamp}{suffix}")
                path.write_text(
                    export_flame(message.tree, suffix, message.title, self._secret_masks()), encoding="utf-8"
                )
                written.append(path.name)
        except OSError as exc:
            self.notify(f"flame graph export: {exc}", severity="error")
            return
        self.notify("wrote " + ", ".join(written), timeout=5)

    # -- actions ------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self.source.pause()
            self.notify("paused: nothing is fetched until you press p again", timeout=3)
        else:
            self.source.resume()
            self.notify("resumed", timeout=2)
        self.dashboard.show_paused(self.paused)

    async def action_quit(self) -> None:
        """`q`: attached to a session whose fate was not decided up front (--keep/--no-keep), ask."""
        source = self.source
        if isinstance(source, SessionControls) and source.keep is None:

            def answered(stop: bool | None) -> None:
                source.keep = not stop
                self.exit()

            self.push_screen(
                ConfirmScreen(
                    f"Stop session {source.session_name}? It polls and records in the background;"
                    " left running, `pprof-tui attach` shows it again (y: stop it, n: leave it running)."
                ),
                answered,
            )
            return
        self.exit()

    def action_refresh_now(self) -> None:
        if self._debug2_expensive():
            self.push_screen(
                ConfirmScreen(
                    "The goroutine dump (debug=2) stops the target's world while it is written"
                    f" ({self._debug2_cost_text()}). Fetch it now anyway?"
                ),
                self._refresh_answer,
            )
        else:
            self.source.refresh_now("all")
            self.notify("refreshing", timeout=2)

    def _refresh_answer(self, yes: bool | None) -> None:
        if yes:
            self.source.refresh_now("all")
            self.notify("refreshing, goroutine dump included", timeout=2)
        else:
            self.source.refresh_now("heap")
            self.source.refresh_now("memstats")
            self.notify("refreshing heap and memstats only", timeout=2)

    def _debug2_latency(self) -> float | None:
        for cost in self.snapshot.costs if self.snapshot is not None else ():
            if cost.endpoint == catalog.GOROUTINE_DEBUG2.key:
                return cost.last_latency
        return None

    def _goroutine_total(self) -> int | None:
        return self.snapshot.goroutine_total if self.snapshot is not None else None

    def _debug2_expensive(self) -> bool:
        latency = self._debug2_latency()
        total = self._goroutine_total() or 0
        return (latency or 0) >= EXPENSIVE_DEBUG2_SECONDS or total >= EXPENSIVE_GOROUTINES

    def _debug2_cost_text(self) -> str:
        latency = self._debug2_latency()
        total = self._goroutine_total()
        parts = []
        if latency is not None:
            parts.append(f"last one took {latency:.2f} s")
        if total:
            parts.append(f"{total:,} goroutines")
        return ", ".join(parts) or "cost unknown"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) lists every key's action by name, then Textual's own."""
        for title, explanation, action in command_entries(screen):
            yield SystemCommand(title, explanation, partial(screen.run_action, action))
        yield from super().get_system_commands(screen)

    # -- replay and export --------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "speed"):
            return isinstance(self.source, ReplayControls)
        if action == "save":
            return isinstance(self.source, Saveable)
        if action == "toggle_cpu":
            return isinstance(self.source, CpuControls)
        if action == "evidence":
            return self.evidence is not None
        return True

    def action_step(self) -> None:
        source = self.source
        if not isinstance(source, ReplayControls):
            return
        self.paused = True
        source.step()
        self.dashboard.show_paused(self.paused)

    def action_speed(self) -> None:
        from tui.recording.replay_client import SPEEDS

        source = self.source
        if not isinstance(source, ReplayControls):
            return
        now = source.speed
        following = SPEEDS[(SPEEDS.index(now) + 1) % len(SPEEDS)] if now in SPEEDS else SPEEDS[0]
        source.set_speed(following)
        self.notify(
            "replay speed: " + ("as fast as possible" if following == float("inf") else f"{following:g}×"), timeout=2
        )

    def action_save(self) -> None:
        # On the event loop, not a thread: the source keeps updating its latest bodies while
        # polling, and a copy taken here is consistent. The files are a few MB at most.
        source = self.source
        if not isinstance(source, Saveable):
            return
        try:
            out = source.save(snapshot_dir())
        except OSError as exc:
            self.notify(f"save failed: {exc.strerror or exc}", severity="error")
            return
        except Exception as exc:  # never crash the watch over an export
            self.notify(f"save failed: {type(exc).__name__}: {str(exc)[:200]}", severity="error")
            return
        self._saved(out)

    def _saved(self, out: Path) -> None:
        from tui.recording.export import SCREENSHOT_NAME

        shot = Path(self.save_screenshot(filename=SCREENSHOT_NAME, path=str(out)))
        with contextlib.suppress(OSError):
            shot.chmod(0o600)
        self.copy_to_clipboard(str(out))  # OSC 52: the path, to paste into `pprof-tui top DIR` or a ticket
        self.notify(f"saved to {out} (path copied; open it with `pprof-tui {out}`)", timeout=8)

    def action_leak_report(self) -> None:
        self.push_screen(LeakScreen(self.leak_report, self._now()))

    def action_contention(self) -> None:
        self.push_screen(ContentionScreen(self.snapshot))

    def action_metrics_picker(self) -> None:
        self.push_screen(MetricsPicker(self.snapshot))

    def on_metrics_picker_pin(self, message: MetricsPicker.Pin) -> None:
        if isinstance(self.source, MetricsControls):
            self.source.pin_metric(message.spec)

    def on_contention_screen_drill(self, message: ContentionScreen.Drill) -> None:
        from tui.screens.contention_drill import ContentionDrillScreen  # lazy: peek only on enter
        from tui.screens.presenters import HeapView

        self.push_screen(ContentionDrillScreen(message.profile, HeapView(sample_type=message.sample_type), message.row))

    def action_toggle_cpu(self) -> None:
        """`C`: on the dashboard, start CPU windows and open the CPU view (only open it when they
        run); in the CPU view, stop or start them."""
        source = self.source
        if not isinstance(source, CpuControls):
            return
        cpu = self.snapshot.cpu if self.snapshot is not None else None
        on = self._cpu_wanted if self._cpu_wanted is not None else bool(cpu is not None and cpu.on)
        if isinstance(self.screen, CpuScreen) or not on:
            self._cpu_wanted = not on
            source.set_cpu(not on)
            self.notify("CPU windows started" if not on else "CPU windows stopped", timeout=2)
        if not isinstance(self.screen, CpuScreen):
            self.push_screen(CpuScreen(self.snapshot))

    def action_pin_baseline(self) -> None:
        self._call_leaks(LeakFeed.pin_baseline)
        self.notify("heap baseline pinned: the diff now counts from this profile", timeout=3)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_rows(self.screen)))

    # -- last line: no credential of ours leaves through the clipboard or a screenshot ---------
    # (The fetch client already masks every answer before it is parsed: these catch anything else.)
    def _secret_masks(self) -> tuple[bytes, ...]:
        from tui.config import Config

        config = getattr(self.source, "config", None)  # sources without a target (canned, offline) have none
        return config.auth.masks() if isinstance(config, Config) else ()

    def copy_to_clipboard(self, text: str) -> None:
        super().copy_to_clipboard(mask_text(text, self._secret_masks()))

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        return mask_text(super().export_screenshot(title=title, simplify=simplify), self._secret_masks())
