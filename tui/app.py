"""The Textual app: wires a snapshot source (live poller, replay, canned) to the screens.

One message per poll (`SnapshotArrived`, replaceable so a backed-up queue holds one),
applied inside `batch_update()`. CPU work (top tables, grouping) runs in thread
workers and comes back as messages. `build_app()` is the one factory used by the CLI
and the tests alike.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message

from tui.core.memtune import limit_malloc_arenas
from tui.goroutines.filtering import filter_stacks, stack_matcher
from tui.goroutines.grouping import group_stack_counts
from tui.heap.top import top
from tui.leaks.feed import LeakFeed
from tui.screens.confirm import ConfirmScreen
from tui.screens.dashboard import Dashboard
from tui.screens.goroutine_drill import GoroutineDrillScreen
from tui.screens.help import HelpScreen
from tui.screens.keys import command_entries, help_rows
from tui.screens.leak_screen import LeakScreen
from tui.screens.presenters import HeapView
from tui.widgets.heap_table import HeapTable

# A manual goroutine-tree refresh asks first when the last debug=2 took this long
# or the target has this many goroutines (it stops the target's world).
EXPENSIVE_DEBUG2_SECONDS = 0.5
EXPENSIVE_GOROUTINES = 10_000
TOP_ROWS = 500


class SnapshotSource(Protocol):
    """What the app needs from a poller, a replay or a canned test source."""

    on_snapshot: Callable[[Any], None] | None

    def start(self) -> Any: ...
    async def stop(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def refresh_now(self, kind: str = "all") -> None: ...


class SnapshotArrived(Message):
    def __init__(self, snapshot: Any) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotArrived)


class LeakReportReady(Message):
    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LeakReportReady)


class TopReady(Message):
    def __init__(self, heap: Any, view: HeapView, report: Any) -> None:
        super().__init__()
        self.heap = heap
        self.view = view
        self.report = report

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TopReady)


def compute_top(heap: Any, view: HeapView):
    """The heap table's report for one view (pure; runs in a worker thread)."""
    names = [st.type for st in heap.sample_types]
    index = names.index(view.sample_type) if view.sample_type in names else heap.default_sample_index
    # node_fraction=0: the interactive table keeps small functions (pprof -top drops them).
    report = top(heap, index, granularity="lines" if view.line_mode else "functions", sort=view.sort, node_fraction=0.0)
    if view.filter:
        pattern = re.compile(view.filter)
        rows = tuple(
            r
            for r in report.rows
            if pattern.search(r.name) or (view.line_mode and pattern.search(f"{r.file}:{r.line}"))
        )
    else:
        rows = report.rows
    return replace(report, rows=tuple(rows[:TOP_ROWS]))


class PprofApp(App):
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    TITLE = "pprof-tui"
    BINDINGS = [Binding("ctrl+c", "quit", "quit", show=False, priority=True)]

    def __init__(self, source: SnapshotSource, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.source = source
        self.clock = clock
        self.snapshot: Any = None
        self.paused = False
        self.top_report: Any = None
        self._top_report_for: tuple[Any, HeapView] | None = None  # the (profile, view) top_report is of
        self._top_for: tuple[Any, HeapView] | None = None
        self._groups_cache: tuple[Any, Any, str, tuple] | None = None
        self.leaks = LeakFeed()
        self.leak_report: Any = None

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
        self.dashboard = Dashboard()
        self.push_screen(self.dashboard)
        self.source.on_snapshot = self._snapshot_from_source
        self.source.start()

    async def on_unmount(self) -> None:
        self.leaks.close()
        await self.source.stop()

    def _snapshot_from_source(self, snapshot: Any) -> None:
        self.leaks.feed(snapshot, self._leak_report_from_thread)
        self.post_message(SnapshotArrived(snapshot))

    def _leak_report_from_thread(self, report: Any) -> None:
        self.post_message(LeakReportReady(report))

    def on_leak_report_ready(self, message: LeakReportReady) -> None:
        self.leak_report = message.report
        if self._dashboard_gone():
            return
        with self.batch_update():
            self.dashboard.show_leaks(message.report)
            if isinstance(self.screen, LeakScreen):
                self.screen.show_report(message.report, self._now())

    def _now(self) -> float:
        return self.snapshot.time if self.snapshot is not None else 0.0

    # -- snapshots ----------------------------------------------------------
    def _dashboard_gone(self) -> bool:
        """True while quitting: the screens are torn down before the source is stopped, and a
        poll that finishes in between must be dropped, not drawn on removed widgets."""
        return not self.is_running or not self.dashboard.is_attached or self.dashboard not in self.screen_stack

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        if self._dashboard_gone():
            return
        self.snapshot = message.snapshot
        with self.batch_update():
            self.dashboard.show_snapshot(self.snapshot)
        self.request_top()

    def goroutine_groups_for(self, snapshot: Any, pattern: str) -> tuple:
        """Groups of the latest dump (debug=2), or of the stack counts (debug=1) when no dump yet."""
        base = snapshot.goroutine_groups
        source = base if base else snapshot.goroutine_stacks  # None: no goroutine data at all yet
        cache = self._groups_cache
        if cache is not None and cache[0] is source and cache[2] == pattern:
            return cache[3]
        if base:
            groups = base
        elif source is not None:
            groups = group_stack_counts(source)
        else:
            groups = ()
        # proven leaks first, then biggest first (sorted() is stable)
        groups = tuple(sorted(groups, key=lambda g: not g.leaked))
        if pattern:
            groups = filter_stacks(groups, stack_matcher(re.compile(pattern)))
        self._groups_cache = (source, None, pattern, groups)
        return groups

    def request_top(self) -> None:
        """Recompute the heap table when the profile or the view changed (in a thread)."""
        heap = self.snapshot.heap if self.snapshot is not None else None
        if heap is None:
            return
        view = self.dashboard.heap_view
        if view.diff:
            self.dashboard.show_diff(self.leak_report)
            return
        if self._top_for is not None and self._top_for[0] is heap and self._top_for[1] == view:
            # Same profile and view: the report is at hand. The table may be showing the Δ
            # rows (d, then d again): put the report back, or it stays empty until a new profile.
            ready = (
                self._top_report_for is not None and self._top_report_for[0] is heap and self._top_report_for[1] == view
            )
            if ready and self.dashboard.query_one(HeapTable).report is not self.top_report:
                with self.batch_update():
                    self.dashboard.show_top(view, self.top_report)
            return
        self._top_for = (heap, view)
        self._compute_top(heap, view)

    @work(thread=True, exclusive=True, group="top")
    def _compute_top(self, heap: Any, view: HeapView) -> None:
        try:
            report = compute_top(heap, view)
        except Exception as exc:  # a bad profile must never crash the UI
            self.call_from_thread(self.notify, f"heap table: {exc}", severity="error")
            return
        self.post_message(TopReady(heap, view, report))

    def on_top_ready(self, message: TopReady) -> None:
        if self._top_for is None or message.view != self._top_for[1] or self._dashboard_gone():
            return  # an older view finished late, or we are quitting
        self.top_report = message.report
        self._top_report_for = (message.heap, message.view)
        with self.batch_update():
            self.dashboard.show_top(message.view, message.report)

    # -- drill-down ---------------------------------------------------------
    def open_heap_drill(self, row: Any) -> None:
        heap = self._top_for[0] if self._top_for else None
        if heap is None:
            return
        from tui.screens.heap_drill import (
            HeapDrillScreen,  # lazy: peek is only needed on enter
        )

        self.push_screen(HeapDrillScreen(heap, self._top_for[1], row))

    def open_goroutine_drill(self, group: Any) -> None:
        self.push_screen(GoroutineDrillScreen(group))

    # -- actions ------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self.source.pause()
            self.notify("paused: nothing is fetched until you press p again", timeout=3)
        else:
            self.source.resume()
            self.notify("resumed", timeout=2)
        self.dashboard.refresh_status()

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
        for cost in getattr(self.snapshot, "costs", ()) or ():
            if cost.endpoint == "goroutine?debug=2":
                return cost.last_latency
        return None

    def _debug2_expensive(self) -> bool:
        latency = self._debug2_latency()
        total = getattr(self.snapshot, "goroutine_total", None) or 0
        return (latency or 0) >= EXPENSIVE_DEBUG2_SECONDS or total >= EXPENSIVE_GOROUTINES

    def _debug2_cost_text(self) -> str:
        latency = self._debug2_latency()
        total = getattr(self.snapshot, "goroutine_total", None)
        parts = []
        if latency is not None:
            parts.append(f"last one took {latency:.2f} s")
        if total:
            parts.append(f"{total:,} goroutines")
        return ", ".join(parts) or "cost unknown"

    def get_system_commands(self, screen):
        """The command palette (ctrl+p) lists every key's action by name, then Textual's own."""
        for title, explanation, action in command_entries(screen):
            yield SystemCommand(title, explanation, partial(screen.run_action, action))
        yield from super().get_system_commands(screen)

    # -- replay and export --------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "speed"):
            return getattr(self.source, "kind", "") == "replay"
        if action == "save":
            return hasattr(self.source, "save")
        return True

    def action_step(self) -> None:
        self.paused = True
        self.source.step()
        self.dashboard.refresh_status()

    def action_speed(self) -> None:
        from tui.recording.replay_client import SPEEDS

        now = self.source.speed
        following = SPEEDS[(SPEEDS.index(now) + 1) % len(SPEEDS)] if now in SPEEDS else SPEEDS[0]
        self.source.set_speed(following)
        self.notify(
            "replay speed: " + ("as fast as possible" if following == float("inf") else f"{following:g}×"), timeout=2
        )

    def action_save(self) -> None:
        # On the event loop, not a thread: the source keeps updating its latest bodies while
        # polling, and a copy taken here is consistent. The files are a few MB at most.
        try:
            out = self.source.save(Path.cwd())
        except OSError as exc:
            self.notify(f"save failed: {exc.strerror or exc}", severity="error")
            return
        except Exception as exc:  # never crash the watch over an export
            self.notify(f"save failed: {type(exc).__name__}: {str(exc)[:200]}", severity="error")
            return
        self._saved(out)

    def _saved(self, out: Path) -> None:
        from tui.recording.export import SCREENSHOT_NAME

        self.save_screenshot(filename=SCREENSHOT_NAME, path=str(out))
        self.notify(f"saved to {out}", timeout=6)

    def action_leak_report(self) -> None:
        self.push_screen(LeakScreen(self.leak_report, self._now()))

    def action_pin_baseline(self) -> None:
        self.leaks.pin_baseline(self._leak_report_from_thread)
        self.notify("heap baseline pinned: the diff now counts from this profile", timeout=3)

    def sample_type_changed(self, sample_type: str) -> None:
        self.leaks.set_sample_type(sample_type, self._leak_report_from_thread)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_rows(self.screen)))


def build_app(source: SnapshotSource, *, clock: Callable[[], float] = time.monotonic) -> PprofApp:
    """The one factory for the CLI and the tests."""
    limit_malloc_arenas()  # before the app's threads start: memory stays flat over hours
    return PprofApp(source, clock=clock)
