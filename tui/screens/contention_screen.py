"""`m`: contention — the mutex and block profiles, this window (the newest cumulative profile minus
the one before) or since start, flat/cum per function like the heap table; `enter` drills into a
function (the heap drill-down on the shown profile). When a profile is empty the screen says why
and what to set in the target, never an empty table alone (tui.screens.contention_presenter).

Fed by the app (`show_snapshot`, every poll while open); the report is computed in a thread worker."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.model.contention import BLOCK, CONTENTIONS, DELAY, MUTEX
from tui.screens.contention_presenter import (
    SINCE_START,
    WINDOW,
    ContentionView,
    scope_title,
    summary,
    table_for,
    why_empty,
)
from tui.screens.messages import WorkFailed
from tui.widgets.heap_table import HeapTable

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport, TopRow
    from tui.model.contention import Contention
    from tui.model.snapshot import Snapshot

KEYS_HINT = "enter: callers, callees and stacks · o: sort by flat or cum"


class ContentionTable(HeapTable):
    BORDER_TITLE = "contention"
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]


class ContentionScreen(Screen[None]):
    DEFAULT_CSS = """
    ContentionScreen > #contention-title { height: 1; background: $panel; text-style: bold; }
    ContentionScreen > #contention-info { height: auto; max-height: 5; padding: 0 1; }
    ContentionScreen > #contention-keys { height: 1; padding: 0 1; color: $text-muted; }
    ContentionScreen > ContentionTable { height: 1fr; border-top: solid $primary-darken-2; }
    """
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("enter", "drill", "drill", show=False),
        Binding("m", "contention_kind('mutex')", "mutex"),
        Binding("b", "contention_kind('block')", "block"),
        Binding("t", "contention_sample", "delay/count"),
        Binding("w", "contention_scope", "window"),
        Binding("o", "contention_sort", "flat/cum", show=False),
        Binding("f", "flame", "flame", show=False),  # in ? help and the palette: the footer is full at 80
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    class Drill(Message):
        """Open the drill-down of ``row`` in ``profile`` (the app pushes the heap drill screen)."""

        def __init__(self, profile: Profile, sample_type: str, row: TopRow) -> None:
            super().__init__()
            self.profile = profile
            self.sample_type = sample_type
            self.row = row

    class TableReady(Message, bubble=False):
        def __init__(self, key: tuple[object, ...], profile: Profile, report: TopReport) -> None:
            super().__init__()
            self.key = key
            self.profile = profile
            self.report = report

    def __init__(self, snapshot: Snapshot | None, view: ContentionView | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.view = view or ContentionView()
        self._wanted: tuple[object, ...] | None = None
        self._shown: tuple[object, ...] | None = None
        self._profile: Profile | None = None  # the profile behind the shown rows

    def compose(self) -> ComposeResult:
        yield Static("", id="contention-title")
        yield Static("", id="contention-info")
        yield Static(KEYS_HINT, id="contention-keys")
        yield ContentionTable(id="contention-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ContentionTable).focus()
        self._refresh()

    # -- data ---------------------------------------------------------------
    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._refresh()

    def _current(self) -> Contention | None:
        return None if self.snapshot is None else self.snapshot.contention.get(self.view.kind)

    def _key(self, c: Contention) -> tuple[object, ...]:
        return (id(c.profile), id(c.base), self.view)

    def _refresh(self) -> None:
        c = self._current()
        listed = self.snapshot is not None and self.view.kind in self.snapshot.profiles
        reason = why_empty(c, self.view.kind, listed)
        self.query_one("#contention-title", Static).update(Text(f" contention · {scope_title(c, self.view)}"))
        table = self.query_one(ContentionTable)
        info = self.query_one("#contention-info", Static)
        if reason or c is None:
            info.update(Text(reason, style="bold yellow"))
            self._shown = self._wanted = None
            self._profile = None
            table.display = False  # the reason instead of an empty table
            return
        table.display = True
        info.update(Text(summary(c, self.view)))
        key = self._key(c)
        if key == self._shown or key == self._wanted:
            return
        self._wanted = key
        self._compute(c, self.view, key)

    @work(thread=True, exclusive=True, group="contention", exit_on_error=False)
    def _compute(self, c: Contention, view: ContentionView, key: tuple[object, ...]) -> None:
        try:
            profile, report = table_for(c, view)
        except Exception as exc:  # a bad profile must never crash the UI
            self.post_message(WorkFailed("contention table", f"{type(exc).__name__}: {str(exc)[:200]}"))
            return
        self.post_message(self.TableReady(key, profile, report))

    def on_contention_screen_table_ready(self, message: TableReady) -> None:
        if message.key != self._wanted:
            return  # an older view's answer
        self._shown, self._wanted = message.key, None
        self._profile = message.profile
        self.query_one(ContentionTable).show_report(message.report, line_mode=False)
        c = self._current()
        if c is not None and not message.report.rows:
            quiet = "nothing in this window — w: since start" if self.view.scope == WINDOW else "nothing recorded"
            line = Text(summary(c, self.view))
            line.append(f"\n{quiet}", style="bold")
            self.query_one("#contention-info", Static).update(line)

    # -- keys ---------------------------------------------------------------
    def _set_view(self, view: ContentionView) -> None:
        if view != self.view:
            self.view = view
            self._refresh()

    def action_contention_kind(self, kind: str) -> None:
        self._set_view(replace(self.view, kind=BLOCK if kind == BLOCK else MUTEX))

    def action_contention_sample(self) -> None:
        self._set_view(replace(self.view, sample_type=CONTENTIONS if self.view.sample_type == DELAY else DELAY))

    def action_contention_scope(self) -> None:
        self._set_view(replace(self.view, scope=SINCE_START if self.view.scope == WINDOW else WINDOW))

    def action_contention_sort(self) -> None:
        self._set_view(replace(self.view, sort="cum" if self.view.sort == "flat" else "flat"))

    def action_drill(self) -> None:
        row = self.query_one(ContentionTable).selected_row
        if row is not None and self._profile is not None:
            self.post_message(self.Drill(self._profile, self.view.sample_type, row))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_flame(self) -> None:
        """The flame view of the shown profile (since start; `d` there colours this window's change)."""
        from tui.screens.flame_presenter import FlameSpec
        from tui.screens.messages import OpenFlame

        spec = FlameSpec("mutex" if self.view.kind == "mutex" else "block", self.view.sample_type)
        self.post_message(OpenFlame(spec))
