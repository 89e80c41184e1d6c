"""The dashboard: status line, sparklines, heap top table and goroutine tree.

Data down, messages up: the app hands it the latest snapshot (`show_snapshot`), leak report
(`show_leaks`) and pause state (`show_paused`); the dashboard owns its view state (sample type,
sort, line mode, Δ, filters), computes what it shows with the presenters (the heap table in a
thread worker) and posts a message when the app has something to do (`SampleTypeChanged`,
`DrillHeap`, `DrillGoroutines`). It never fetches and never parses. Keys are data (BINDINGS)
and all appear in the footer or in `?` help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Tree

from tui.core.filters import UserPatternError, filter_pattern
from tui.core.textsafe import clean
from tui.goroutines.grouping import ReasonGroup, StackGroup
from tui.goroutines.pivots import Pivot, label_keys, pivot_groups
from tui.screens.dashboard_messages import Back, DrillGoroutines, DrillHeap, SampleTypeChanged, TopReady
from tui.screens.messages import OpenFlame, WorkFailed
from tui.screens.presenters import (
    SAMPLE_TYPES,
    GoroutineData,
    HeapSeen,
    HeapView,
    HeapWindow,
    base_sample_type,
    diff_rows_for,
    goroutine_data,
    groups_for,
    heap_pane_info,
    heap_pane_title,
    heap_seen,
    heap_window,
    metric_specs,
    problem_text,
    status_info,
    top_for,
    tree_pane_info,
    tree_pane_title,
)
from tui.widgets.findings import FindingsBar
from tui.widgets.goroutine_tree import GoroutineTree, NodeData, interesting_frame
from tui.widgets.heap_table import HeapTable
from tui.widgets.info_line import InfoLine
from tui.widgets.problem import ProblemLine
from tui.widgets.service_sparks import ServiceSparks
from tui.widgets.sparklines import MAX_SPARK_POINTS, MetricSpark
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot

# `g` cycles the goroutine tree's grouping through these (tui.goroutines.pivots)
GROUPINGS = ("reason", "label", "creator", "similar")
WIDE = 140  # columns from which the sparklines sit three to a row (the panes are stacked at every size)


class PaneTable(HeapTable):
    BINDINGS = [
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        # DataTable's home/end scroll sideways; help says they jump to the first and last row
        Binding("home", "scroll_top", show=False),
        Binding("end", "scroll_bottom", show=False),
    ]


class PaneTree(GoroutineTree):
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]


def _stack_of(data: NodeData | None) -> StackGroup | None:
    """The stack group behind a tree node, if it is a stack node (the leaves)."""
    if data is not None and data.kind == "stack" and isinstance(data.group, StackGroup):
        return data.group
    return None


class Dashboard(Screen[None]):
    """The main screen."""

    BINDINGS = [
        Binding("tab", "app.focus_next", "pane", show=False),
        Binding("enter", "drill", "drill", show=False),
        Binding("slash", "filter", "filter"),
        Binding("p", "app.toggle_pause", "pause"),
        Binding("r", "app.refresh_now", "refresh", show=False),
        Binding("1", "sample_type(0)", "inuse", show=False),
        Binding("2", "sample_type(1)", "inuse#", show=False),
        Binding("3", "sample_type(2)", "alloc", show=False),
        Binding("4", "sample_type(3)", "alloc#", show=False),
        Binding("5", "sample_type(4)", "alloc/s", show=False),
        Binding("6", "sample_type(5)", "alloc#/s", show=False),
        Binding("o", "toggle_sort", "flat/cum"),
        Binding("d", "toggle_diff", "Δ"),
        Binding("b", "app.pin_baseline", "pin base", show=False),
        Binding("L", "app.leak_report", "leaks"),
        Binding("E", "app.evidence", "evidence", show=False),  # in ? help: the footer is full at 80 columns
        Binding("C", "app.toggle_cpu", "cpu", show=False),  # in ? help: the footer is full at 80 columns
        Binding("m", "app.contention", "contention", show=False),
        Binding("M", "app.metrics_picker", "metrics", show=False),  # the service's /metrics families
        Binding("l", "toggle_lines", "lines", show=False),
        Binding("z", "zoom", "zoom"),
        Binding("f", "flame", "flame", show=False),  # in ? help and the palette
        Binding("g", "cycle_grouping", "group", show=False),  # the footer is full at 80 columns: in ? help
        # The footer holds what fits in 80 columns; the rest is in ? help and the command palette.
        Binding("s", "app.save", "save", show=False),
        Binding("full_stop", "app.step", "step", show=False),
        Binding("plus", "app.speed", "speed", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    sample_type: reactive[int] = reactive(0, init=False)
    sort_by_cum: reactive[bool] = reactive(False, init=False)
    line_mode: reactive[bool] = reactive(False, init=False)
    diff_mode: reactive[bool] = reactive(False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, str] = {}  # pane id -> sticky filter (literal; regex after "re:")
        self._filter_pane = "heap"  # the pane the open filter box is for
        # handed down by the app
        self.snapshot: Snapshot | None = None
        self.leak_report: LeakReport | None = None
        self.paused = False
        self._stale = False  # snapshots or reports arrived while another screen covered this one
        # what the heap table asked the worker for, and its latest answer
        self._top_wanted: tuple[Profile, HeapView] | None = None
        self._top: tuple[Profile, HeapView, TopReport] | None = None
        # the newest heap profile and the last different one, first seen when: the alloc/s window
        self._heap_seen: HeapSeen | None = None
        self._window: HeapWindow | None = None
        # the tree's groups, by the goroutine data they came from (its identity) and the filter
        self._groups: tuple[GoroutineData, StackCounts | None, str, tuple[ReasonGroup, ...]] | None = None
        # the tree's grouping (`g`): the reason tree or a pivot of it, and the pivot's groups by the
        # groups they came from
        self.pivot = Pivot()
        self._pivoted: tuple[tuple[ReasonGroup, ...], Pivot, tuple[ReasonGroup, ...]] | None = None

    # -- layout -------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Grid(id="sparks"):
            for spec in metric_specs():
                yield MetricSpark(
                    spec.key,
                    spec.label,
                    spec.formatter,
                    suffix=spec.suffix,
                    classes=spec.classes,
                    id=f"spark-{spec.id}",
                )
        yield ServiceSparks(id="service")
        yield FindingsBar(id="findings")
        yield ProblemLine(id="problem")
        with Container(id="panes"):
            with Vertical(id="heap-pane", classes="pane"):
                yield PaneTable(id="heap")
                yield InfoLine(id="heap-info")
            with Vertical(id="tree-pane", classes="pane"):
                yield PaneTree(id="tree")
                yield InfoLine(id="tree-info")
        yield Input(
            placeholder="filter the focused pane: text, or re:REGEX (enter: apply, empty: clear, esc: cancel)",
            id="filter",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one("#heap").focus()
        self._update_titles()
        self.on_resize()

    def on_resize(self, event: events.Resize | None = None) -> None:
        self.set_class(self.size.width >= WIDE, "wide")

    # -- data in ------------------------------------------------------------
    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Apply one snapshot; the app calls this inside batch_update()."""
        self.snapshot = snapshot
        seen = self._heap_seen
        if snapshot.heap is not None and (seen is None or snapshot.heap is not seen.profile):
            self._heap_seen = heap_seen(seen, snapshot.heap, snapshot.age("heap").fetched_at)
            self._window = heap_window(self._heap_seen)
        if self._covered():
            return  # repainted when it is shown again (on_screen_resume)
        self._show_status()
        history = snapshot.history
        for spark in self.query("#sparks > MetricSpark").results(MetricSpark):
            spark.show(history.values(spark.metric, last=MAX_SPARK_POINTS) if history is not None else ())
        self.query_one(ServiceSparks).show(snapshot.metrics, history)
        self._show_tree()
        self._update_titles()
        self._show_heap()

    def show_paused(self, paused: bool) -> None:
        self.paused = paused
        self._show_status()

    def _covered(self) -> bool:
        """Another screen is on top (a drill-down, the flame view, the leak report): the widgets are
        brought up to date when it closes. Textual repaints the screen on top wherever the one below
        changed, so updating hidden panes each poll cost whole repaints of the top screen (the flame
        view at 80x24 sent ~4 kB/s to the terminal while idle)."""
        if self.is_attached and self.app.screen is not self and self in self.app.screen_stack:
            self._stale = True
            return True
        return False

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            with self.app.batch_update():
                if self.snapshot is not None:
                    self.show_snapshot(self.snapshot)
                if self.leak_report is not None:
                    self.show_leaks(self.leak_report)

    def show_leaks(self, report: LeakReport) -> None:
        """A new leak report: findings line, growth marks in the tree and the heap table, diff."""
        self.leak_report = report
        if self._covered():
            return
        self.query_one(FindingsBar).show(report)
        tree = self.query_one(PaneTree)
        tree.show_growth({key: g for g in report.groups for key in g.tree_keys})
        marks = dict.fromkeys(report.pprof_own_keys, "p")  # pprof's own: our polling's footprint
        marks.update({f.key: "↑" for f in report.functions if f.growing})
        self.query_one(PaneTable).show_marks(marks)
        if self.diff_mode:
            self._show_diff(self.heap_view)

    def show_bundled(self, keys: frozenset[str]) -> None:
        """Verdict keys with an incident bundle: marked on the findings line (tui/evidence)."""
        self.query_one(FindingsBar).show_bundled(keys)

    def show_top(self, view: HeapView, report: TopReport) -> None:
        table = self.query_one(PaneTable)
        table.show_report(report, line_mode=view.line_mode)
        self._update_titles(report)

    @property
    def heap_view(self) -> HeapView:
        return HeapView(
            sample_type=SAMPLE_TYPES[self.sample_type],
            sort="cum" if self.sort_by_cum else "flat",
            line_mode=self.line_mode,
            filter=self.filters.get("heap", ""),
            diff=self.diff_mode,
        )

    # -- what the panes show ------------------------------------------------
    def _show_status(self) -> None:
        if self.snapshot is not None:
            self.query_one(StatusBar).show(status_info(self.snapshot, paused=self.paused))
            self.query_one(ProblemLine).show(problem_text(self.snapshot))

    def _show_tree(self) -> None:
        if self.snapshot is None:
            return
        pattern = self.filters.get("tree", "")
        data = goroutine_data(self.snapshot)
        leaks = self.snapshot.goroutine_leaks  # their marks go into groups of stack counts
        cached = self._groups
        if cached is not None and cached[0] is data and cached[1] is leaks and cached[2] == pattern:
            groups = cached[3]
        else:
            groups = groups_for(self.snapshot, pattern)
            self._groups = (data, leaks, pattern, groups)
        if self.pivot.kind != "reason":
            pivoted = self._pivoted
            if pivoted is not None and pivoted[0] is groups and pivoted[1] == self.pivot:
                groups = pivoted[2]
            else:
                result = pivot_groups(groups, self.pivot)
                self._pivoted = (groups, self.pivot, result)
                groups = result
        tree = self.query_one(PaneTree)
        if groups is not tree.groups:
            tree.show_groups(groups)

    def _show_heap(self) -> None:
        """The heap table for the current view: Δ rows, the report at hand, or ask the worker."""
        view = self.heap_view
        if view.diff:
            self._show_diff(view)
            return
        heap = self.snapshot.heap if self.snapshot is not None else None
        if heap is None:
            return
        ready = self._top
        if ready is not None and ready[0] is heap and ready[1] == view:
            # The report is at hand. The table may be showing the Δ rows (d, then d again): put the
            # report back, or it stays empty until a new profile.
            if self.query_one(PaneTable).report is not ready[2]:
                with self.app.batch_update():
                    self.show_top(view, ready[2])
            return
        wanted = self._top_wanted
        if wanted is not None and wanted[0] is heap and wanted[1] == view:
            return  # being computed
        self._top_wanted = (heap, view)
        self._compute_top(heap, view, self._window)

    def _show_diff(self, view: HeapView) -> None:
        diff = self.leak_report.heap_diff if self.leak_report is not None else None
        if diff is None:
            self.query_one("#heap-info", InfoLine).show("Δ: waiting for a second heap profile after the baseline")
            return
        self.show_top(view, diff_rows_for(diff, view))

    @work(thread=True, exclusive=True, group="top", exit_on_error=False)
    def _compute_top(self, heap: Profile, view: HeapView, window: HeapWindow | None) -> None:
        try:
            report = top_for(heap, view, window)
        except Exception as exc:  # a bad profile must never crash the UI
            self.post_message(WorkFailed("heap table", str(exc)))
            return
        self.post_message(TopReady(heap, view, report))

    def on_dashboard_top_ready(self, message: TopReady) -> None:
        wanted = self._top_wanted
        if wanted is None or wanted[0] is not message.heap or wanted[1] != message.view:
            return  # an older profile or view finished late
        self._top = (message.heap, message.view, message.report)
        if message.view == self.heap_view:  # not while the Δ rows are shown
            with self.app.batch_update():
                self.show_top(message.view, message.report)

    def _update_titles(self, report: TopReport | None = None) -> None:
        """Pane titles hold what the user chose (changes rarely); the one-line info under each
        pane holds what changes every poll, so a poll repaints one line, not the whole pane."""
        view = self.heap_view
        self._set_title("#heap-pane", heap_pane_title(view, self._window.seconds if self._window else None))
        table = self.query_one(PaneTable)
        report = report or table.report
        if report is not None:
            self._show_heap_info(report)
        grouping = self.pivot.title if self.pivot.kind != "reason" else ""
        self._set_title("#tree-pane", tree_pane_title(self.filters.get("tree", ""), grouping))
        self._show_tree_info()

    def _show_heap_info(self, report: TopReport | None = None) -> None:
        table = self.query_one(PaneTable)
        report = report or table.report
        if report is not None:
            age = self.snapshot.age("heap").age if self.snapshot is not None else None
            seconds = self._window.seconds if self._window is not None else None
            info = heap_pane_info(report, table.row_count, self.heap_view, table.selected_row, age, seconds)
            self.query_one("#heap-info", InfoLine).show(info)

    def _show_tree_info(self) -> None:
        if self.snapshot is None:
            return
        group = _stack_of(self.query_one(PaneTree).selected)
        frame = interesting_frame(group.frames) if group is not None else None
        self.query_one("#tree-info", InfoLine).show(tree_pane_info(self.snapshot, frame.func if frame else ""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The info line names the row under the cursor in full."""
        event.stop()
        self._show_heap_info()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        event.stop()
        self._show_tree_info()

    def _set_title(self, selector: str, title: str) -> None:
        pane = self.query_one(selector)
        if str(pane.border_title or "") != title:
            pane.border_title = Text(clean(title, 300))

    # -- actions ------------------------------------------------------------
    def _view_changed(self) -> None:
        self._update_titles()
        self._show_heap()

    def watch_sample_type(self) -> None:
        self.post_message(SampleTypeChanged(base_sample_type(SAMPLE_TYPES[self.sample_type])))
        self._view_changed()

    def watch_diff_mode(self) -> None:
        self._view_changed()

    def watch_sort_by_cum(self) -> None:
        self._view_changed()

    def watch_line_mode(self) -> None:
        self._view_changed()

    def action_sample_type(self, index: int) -> None:
        self.sample_type = index

    def action_toggle_sort(self) -> None:
        self.sort_by_cum = not self.sort_by_cum

    def action_toggle_diff(self) -> None:
        self.diff_mode = not self.diff_mode

    def action_toggle_lines(self) -> None:
        self.line_mode = not self.line_mode

    def action_cycle_grouping(self) -> None:
        """The goroutine tree by reason -> by label -> by creator -> by similar stack -> by reason.
        By label groups by the key most goroutines carry (the tree's, when `g` is pressed)."""
        kind = GROUPINGS[(GROUPINGS.index(self.pivot.kind) + 1) % len(GROUPINGS)]
        if kind == "label":
            cached = self._groups
            keys = label_keys(cached[3]) if cached is not None else ()
            self.pivot = Pivot("label", label_key=keys[0] if keys else "")
        else:
            self.pivot = Pivot(kind)
        self._show_tree()
        self._update_titles()

    def action_zoom(self) -> None:
        focused = self.focused
        if self.maximized is not None:
            self.minimize()
        elif focused is not None and focused.id in ("heap", "tree"):
            self.maximize(focused)

    def action_flame(self) -> None:
        """`f`: the flame view of the heap profile (as the table shows it) or of the goroutines by stack."""
        from tui.screens.flame_presenter import FlameSpec

        if isinstance(self.focused, PaneTree):
            spec = FlameSpec("goroutines")
        else:
            spec = FlameSpec("heap", SAMPLE_TYPES[self.sample_type], diff=self.diff_mode)
        self.post_message(OpenFlame(spec))

    def action_drill(self) -> None:
        focused = self.focused
        if isinstance(focused, PaneTable):
            row = focused.selected_row
            heap = self.snapshot.heap if self.snapshot is not None else None
            if row is not None and heap is not None:
                self.post_message(DrillHeap(heap, self.heap_view, row))
        elif isinstance(focused, PaneTree):
            data = focused.selected
            if data is None:
                return
            group = _stack_of(data)
            if group is not None:
                self.post_message(DrillGoroutines(group))
            else:
                node = focused.cursor_node
                if node is not None:
                    node.toggle()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        group = _stack_of(event.node.data)
        if group is not None:
            self.post_message(DrillGoroutines(group))

    # -- filter -------------------------------------------------------------
    def _pane_id(self) -> str:
        focused = self.focused
        if isinstance(focused, PaneTree):
            return "tree"
        return "heap"

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        self._filter_pane = self._pane_id()
        box.value = self.filters.get(self._filter_pane, "")
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        pattern = event.value.strip()
        if pattern:
            try:
                filter_pattern(pattern)  # a literal substring; an RE2 regex only after "re:"
            except UserPatternError as exc:
                self.notify(f"bad regex after re: ({exc})", severity="error")
                return
            self.filters[self._filter_pane] = pattern
        else:
            self.filters.pop(self._filter_pane, None)
        self._close_filter()
        self._show_tree()
        self._view_changed()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            self._close_filter()
        else:
            self.post_message(Back())

    def _close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        self.query_one("#" + self._filter_pane).focus()
