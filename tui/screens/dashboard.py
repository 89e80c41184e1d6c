"""The dashboard: status line, sparklines, heap top table and goroutine tree.

It only renders what the app hands it (`show_snapshot`, `show_top`); it never
fetches and never parses. Keys are data (BINDINGS) and all appear in the footer or
in `?` help.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input

from tui.core.textsafe import clean
from tui.heap.units import format_value
from tui.screens.presenters import SAMPLE_TYPES, HeapView, metric_specs, status_info
from tui.widgets.findings import FindingsBar
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.info_line import InfoLine
from tui.widgets.sparklines import MAX_SPARK_POINTS, MetricSpark
from tui.widgets.status_bar import StatusBar

WIDE = 140  # columns from which the panes sit side by side


class PaneTable(HeapTable):
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]


class PaneTree(GoroutineTree):
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]


class Dashboard(Screen):
    """The main screen."""

    BINDINGS = [
        Binding("tab", "app.focus_next", "pane", show=False),
        Binding("enter", "drill", "drill", show=False),
        Binding("slash", "filter", "filter"),
        Binding("p", "app.toggle_pause", "pause"),
        Binding("r", "app.refresh_now", "refresh"),
        Binding("1", "sample_type(0)", "inuse", show=False),
        Binding("2", "sample_type(1)", "inuse#", show=False),
        Binding("3", "sample_type(2)", "alloc", show=False),
        Binding("4", "sample_type(3)", "alloc#", show=False),
        Binding("o", "toggle_sort", "flat/cum"),
        Binding("d", "toggle_diff", "Δ base"),
        Binding("b", "app.pin_baseline", "pin base", show=False),
        Binding("L", "app.leak_report", "leaks"),
        Binding("l", "toggle_lines", "lines", show=False),
        Binding("z", "zoom", "zoom", show=False),
        Binding("s", "app.save", "save"),
        Binding("full_stop", "app.step", "step"),
        Binding("plus", "app.speed", "speed"),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    sample_type: reactive[int] = reactive(0, init=False)
    sort_by_cum: reactive[bool] = reactive(False, init=False)
    line_mode: reactive[bool] = reactive(False, init=False)
    diff_mode: reactive[bool] = reactive(False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, str] = {}  # pane id -> sticky regex
        self.snapshot = None

    # -- layout -------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Grid(id="sparks"):
            for spec in metric_specs():
                yield MetricSpark(spec.key, spec.label, spec.formatter, classes=spec.classes, id=f"spark-{spec.id}")
        yield FindingsBar(id="findings")
        with Container(id="panes"):
            with Vertical(id="heap-pane", classes="pane"):
                yield PaneTable(id="heap")
                yield InfoLine(id="heap-info")
            with Vertical(id="tree-pane", classes="pane"):
                yield PaneTree(id="tree")
                yield InfoLine(id="tree-info")
        yield Input(
            placeholder="regex filter for the focused pane (enter: apply, empty: clear, esc: cancel)", id="filter"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one("#heap").focus()
        self._update_titles()
        self.on_resize()

    def on_resize(self, event=None) -> None:
        self.set_class(self.size.width >= WIDE, "wide")

    # -- data in ------------------------------------------------------------
    def show_snapshot(self, snapshot) -> None:
        """Apply one snapshot; the app calls this inside batch_update()."""
        self.snapshot = snapshot
        self.query_one(StatusBar).show(status_info(snapshot, paused=self.app.paused))
        history = snapshot.history
        for spark in self.query(MetricSpark):
            spark.show(history.values(spark.metric, last=MAX_SPARK_POINTS) if history is not None else ())
        tree = self.query_one(PaneTree)
        groups = self.app.goroutine_groups_for(snapshot, self.filters.get("tree", ""))
        if groups is not tree.groups:
            tree.show_groups(groups)
        self._update_titles()

    def refresh_status(self) -> None:
        if self.snapshot is not None:
            self.query_one(StatusBar).show(status_info(self.snapshot, paused=self.app.paused))

    def show_leaks(self, report) -> None:
        """A new leak report: findings line, growth marks in the tree and the heap table, diff."""
        self.query_one(FindingsBar).show(report)
        tree = self.query_one(PaneTree)
        tree.show_growth({key: g for g in report.groups for key in g.tree_keys})
        self.query_one(PaneTable).show_marks({f.key: "↑" for f in report.functions if f.growing})
        if self.diff_mode:
            self.show_diff(report)

    def show_diff(self, report) -> None:
        diff = getattr(report, "heap_diff", None)
        if diff is None:
            self.query_one("#heap-info", InfoLine).show("Δ: waiting for a second heap profile after the baseline")
            return
        view = self.heap_view
        rows = diff.report.rows
        if view.filter:
            pattern = re.compile(view.filter)
            rows = tuple(r for r in rows if pattern.search(r.name))
        self.show_top(view, replace(diff.report, rows=tuple(r for r in rows if r.flat or r.cum)))

    def show_top(self, view: HeapView, report) -> None:
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

    def _update_titles(self, report=None) -> None:
        """Pane titles hold what the user chose (changes rarely); the one-line info under each
        pane holds what changes every poll, so a poll repaints one line, not the whole pane."""
        view = self.heap_view
        title = f"heap{' Δ since baseline' if view.diff else ''} · {view.sample_type} · by {view.sort}"
        title += " · lines" if view.line_mode else ""
        if view.filter:
            title += f" · /{view.filter}/"
        self._set_title("#heap-pane", title)
        table = self.query_one(PaneTable)
        report = report or table.report
        if report is not None:
            shown = table.row_count
            info = f"total {format_value(report.total, report.unit)} · {shown:,} of {report.total_nodes:,} functions"
            if view.line_mode:
                info = info.replace("functions", "lines")
            self.query_one("#heap-info", InfoLine).show(info)
        tree_title = "goroutines"
        if self.filters.get("tree"):
            tree_title += f" · /{self.filters['tree']}/"
        self._set_title("#tree-pane", tree_title)
        if self.snapshot is not None:
            info = ""
            if self.snapshot.goroutine_total is not None:
                info = f"{self.snapshot.goroutine_total:,} goroutines"
            if self.snapshot.tree_status:
                # why the tree is as old as it is (the debug=2 budget), e.g. "dump 40 s old: budget 1%"
                info += " · " + self.snapshot.tree_status.replace("goroutine tree ", "dump ", 1)
            self.query_one("#tree-info", InfoLine).show(info)

    def _set_title(self, selector: str, title: str) -> None:
        pane = self.query_one(selector)
        if str(pane.border_title or "") != title:
            pane.border_title = Text(clean(title, 300))

    # -- actions ------------------------------------------------------------
    def _view_changed(self) -> None:
        self._update_titles()
        self.app.request_top()

    def watch_sample_type(self) -> None:
        self.app.sample_type_changed(SAMPLE_TYPES[self.sample_type])
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

    def action_zoom(self) -> None:
        focused = self.focused
        if self.maximized is not None:
            self.minimize()
        elif focused is not None and focused.id in ("heap", "tree"):
            self.maximize(focused)

    def action_drill(self) -> None:
        focused = self.focused
        if isinstance(focused, PaneTable):
            row = focused.selected_row
            if row is not None:
                self.app.open_heap_drill(row)
        elif isinstance(focused, PaneTree):
            data = focused.selected
            if data is None:
                return
            if data.kind == "stack":
                self.app.open_goroutine_drill(data.group)
            else:
                node = focused.cursor_node
                if node is not None:
                    node.toggle()

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        self.action_drill()

    def on_tree_node_selected(self, event) -> None:
        event.stop()
        data = event.node.data
        if data is not None and data.kind == "stack":
            self.app.open_goroutine_drill(data.group)

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
                re.compile(pattern)
            except re.error as exc:
                self.app.notify(f"bad regex: {exc}", severity="error")
                return
            self.filters[self._filter_pane] = pattern
        else:
            self.filters.pop(self._filter_pane, None)
        self._close_filter()
        self.apply_filters()

    def apply_filters(self) -> None:
        if self.snapshot is not None:
            self.show_snapshot(self.snapshot)
        self._view_changed()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            self._close_filter()

    def _close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        self.query_one("#" + getattr(self, "_filter_pane", "heap")).focus()
