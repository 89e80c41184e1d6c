"""The app for several targets (`watch TARGET TARGET...`): the fleet view first, one dashboard per focused
target, one leak tracker per target, the outliers among them and one target compared with its siblings,
computed in a thread worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events, work
from textual.binding import Binding
from textual.message import Message

from tui.app.main import LeakReportReady, PprofApp, SnapshotArrived
from tui.fleet.feed import FleetFeed
from tui.fleet.outliers import Outlier, metric_outliers
from tui.screens.dashboard import Dashboard
from tui.screens.dashboard_messages import Back
from tui.screens.fleet import FleetScreen
from tui.screens.fleet_compare import FleetCompareScreen
from tui.screens.messages import OpenFlame, WorkFailed
from tui.sources.fleet import FleetSource

if TYPE_CHECKING:
    from tui.fleet.compare import Comparison
    from tui.model.snapshot import Snapshot


class MemberSnapshot(Message):
    """A snapshot of one target of a fleet (replaces an older one of the same target still queued)."""

    def __init__(self, label: str, snapshot: Snapshot) -> None:
        super().__init__()
        self.label = label
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MemberSnapshot) and message.label == self.label


class OutliersReady(Message):
    def __init__(self, outliers: tuple[Outlier, ...], comparison: Comparison | None = None) -> None:
        super().__init__()
        self.outliers = outliers
        self.comparison = comparison  # the open compare screen's target against its siblings

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, OutliersReady)


FLEET_SCREEN = "fleet"


class FleetApp(PprofApp):
    """`watch TARGET TARGET...`: the fleet view first; `enter` focuses a target in the dashboard (a
    new Dashboard per target, fed only that target's snapshots), `esc` there comes back, `]` goes to
    the next target. Every target has its own leak tracker (`FleetFeed`, drained by the app's one leak
    worker, in order); the outliers among the targets' newest snapshots are computed in a thread
    worker when a target first answers and at most every OUTLIER_EVERY seconds after."""

    OUTLIER_EVERY = 10.0
    FLEET_REPAINT_EVERY = 1.0  # seconds between repaints of the fleet view while snapshots arrive
    BINDINGS = [Binding("right_square_bracket", "next_target", "next target", show=False)]

    def __init__(self, source: FleetSource, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(source, clock=clock)
        self.fleet = source
        self.fleet_feed = FleetFeed(source.labels, source.focused)
        self.leaks = self.fleet_feed
        self.newest: dict[str, Snapshot] = {}
        self.outliers: tuple[Outlier, ...] = ()
        self._outliers_at: float | None = None
        self._outliers_over = 0  # targets with data when they were last computed
        self._outliers_running = False
        self._fleet_dirty = False

    # Textual calls a handler of every class in the MRO: each override below stops the base one
    # (`prevent_default`) and calls it itself when wanted.
    def on_mount(self, event: events.Mount | None = None) -> None:
        if event is not None:
            event.prevent_default()
        super().on_mount()
        self.fleet.on_member_snapshot = self._member_snapshot
        self.install_screen(FleetScreen(), name=FLEET_SCREEN)
        self.push_screen(FLEET_SCREEN)
        self._refresh_fleet()
        self.set_interval(self.FLEET_REPAINT_EVERY, self._paint_fleet)

    def _fleet_screen(self) -> FleetScreen:
        screen = self.get_screen(FLEET_SCREEN)
        assert isinstance(screen, FleetScreen)
        return screen

    def _snapshot_from_source(self, snapshot: Snapshot) -> None:
        # the focused target's: the dashboard's (its leak feeding is done for every target below)
        if self.is_running:
            self.post_message(SnapshotArrived(snapshot))

    def _member_snapshot(self, label: str, snapshot: Snapshot) -> None:
        if not self.is_running:
            return
        self.newest[label] = snapshot
        feed = self.fleet_feed
        self._call_leaks(lambda _feed: feed.feed_target(label, snapshot))
        self.post_message(MemberSnapshot(label, snapshot))

    def on_snapshot_arrived(self, message: SnapshotArrived) -> None:
        message.prevent_default()
        if message.snapshot is self.newest.get(self.fleet.focused):  # else another target's, or superseded
            super().on_snapshot_arrived(message)

    def on_leak_report_ready(self, message: LeakReportReady) -> None:
        message.prevent_default()
        if message.report is self.fleet_feed.latest.get(self.fleet.focused):
            super().on_leak_report_ready(message)
        self._refresh_fleet()

    def on_member_snapshot(self, message: MemberSnapshot) -> None:
        self._refresh_fleet()
        now = self.clock()
        due = self._outliers_at is None or now - self._outliers_at >= self.OUTLIER_EVERY
        if not self._outliers_running and (due or len(self.newest) > self._outliers_over):
            self._start_outliers()

    def _start_outliers(self) -> None:
        self._outliers_running = True
        self._outliers_at, self._outliers_over = self.clock(), len(self.newest)
        screen = self.screen
        self._compute_outliers(dict(self.newest), screen.target if isinstance(screen, FleetCompareScreen) else None)

    @work(thread=True, group="fleet-outliers", exit_on_error=False)
    def _compute_outliers(self, snapshots: dict[str, Snapshot], compare_target: str | None) -> None:
        from tui.fleet.compare import compare
        from tui.fleet.observe import fleet_metrics  # the heap sums: numpy, in the worker

        try:
            metrics = fleet_metrics(snapshots)
            outliers = metric_outliers(metrics)
            comparison = compare(compare_target, metrics, outliers) if compare_target is not None else None
            self.post_message(OutliersReady(outliers, comparison))
        except Exception as exc:  # the comparison must not stop the watch: say it, keep going
            self.post_message(WorkFailed("replica comparison", f"{type(exc).__name__}: {str(exc)[:200]}"))
            self.post_message(OutliersReady(self.outliers))

    def on_outliers_ready(self, message: OutliersReady) -> None:
        self._outliers_running = False
        self.outliers = message.outliers
        screen = self.screen
        if message.comparison is not None and isinstance(screen, FleetCompareScreen):
            screen.show_comparison(message.comparison)
        self._refresh_fleet()
        self._flame_siblings()  # the flame view's base "siblings' median": as often as the outliers

    # -- the flame view against the siblings' median ---------------------------------------------
    def on_open_flame(self, message: OpenFlame) -> None:
        message.prevent_default()  # (Textual calls every class's handler: the base one once, here)
        super().on_open_flame(message)
        self._flame_siblings()

    def _flame_siblings(self) -> None:
        flame = self._flame_screen()
        if flame is None:
            return
        focused = self.fleet.focused
        heaps = tuple(s.heap for label, s in self.newest.items() if label != focused and s.heap is not None)
        flame.show_siblings(heaps)

    # -- compare one target with its siblings ---------------------------------------------------
    def on_fleet_screen_compare(self, message: FleetScreen.Compare) -> None:
        if message.target not in self.fleet.members:
            return
        self.push_screen(FleetCompareScreen(message.target))
        if not self._outliers_running:
            self._start_outliers()  # its rows now, then with every recomputation

    def _refresh_fleet(self) -> None:
        """The fleet view is out of date: repainted at the next FLEET_REPAINT_EVERY tick while it is
        shown (20 targets answer ~10 times a second: one repaint for each would cost the app a core)."""
        self._fleet_dirty = True

    def _paint_fleet(self) -> None:
        if not self.is_running or not self._fleet_dirty or not isinstance(self.screen, FleetScreen):
            return
        self._fleet_dirty = False
        screen = self._fleet_screen()
        with self.batch_update():
            screen.show_fleet(self.fleet.labels, dict(self.newest), dict(self.fleet_feed.latest), self.outliers)

    # -- focus ----------------------------------------------------------------------------------
    async def on_fleet_screen_focus(self, message: FleetScreen.Focus) -> None:
        await self._focus(message.target)

    def on_dashboard_back(self, message: Back) -> None:
        if self.screen is self.dashboard:
            self.push_screen(FLEET_SCREEN)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_target":
            return self.screen is self.dashboard
        return super().check_action(action, parameters)

    async def action_next_target(self) -> None:
        labels = self.fleet.labels
        await self._focus(labels[(labels.index(self.fleet.focused) + 1) % len(labels)])

    async def _focus(self, label: str) -> None:
        if label not in self.fleet.members:
            return
        if isinstance(self.screen, FleetScreen):
            await self.pop_screen()
        if label != self.fleet.focused:
            self.fleet.focus(label)
            self.fleet_feed.focused = label
            self.dashboard = Dashboard()  # a fresh view for this target: nothing of the other's kept
            self.snapshot = None
            self.leak_report = None
            await self.switch_screen(self.dashboard)
        snapshot, report = self.newest.get(label), self.fleet_feed.latest.get(label)
        with self.batch_update():
            if snapshot is not None:
                self.snapshot = snapshot
                self.dashboard.show_snapshot(snapshot)
            if report is not None:
                self.leak_report = report
                self.dashboard.show_leaks(report)
