"""`E`: the incident bundles of this watch (tui/evidence), newest first — when, what fired, size, where.

`c` copies the bundle's path (OSC 52: works over SSH), `r` captures one now, whatever the verdicts
(a UI attached to a session asks the session, which looks every few seconds). The screen lists the
bundles in a thread worker of its own, again every REFRESH_SECONDS while it is shown (a bundle the
session wrote appears by itself). `bundle_rows` is the pure presenter.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.bytesize import format_bytes
from tui.widgets.cells import SortCell, literal, number_cell
from tui.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.evidence.capture import Evidence, SessionShelf
    from tui.evidence.listing import BundleInfo

REFRESH_SECONDS = 2.0
# the title says the directory; the last column the bundle's name in it (c copies the whole path)
COLUMNS = (("time", "time", 11), ("verdict", "verdict", 34), ("size", "size", 9), ("bundle", "bundle", None))


@dataclass(frozen=True, slots=True)
class BundleRow:
    key: str  # the bundle's path
    time: str  # local HH:MM:SS (the date when not today)
    created: float
    verdict: str
    size: int
    path: str
    name: str


def bundle_rows(bundles: Sequence[BundleInfo], now: float | None = None) -> tuple[BundleRow, ...]:
    today = time.strftime("%Y-%m-%d", time.localtime(time.time() if now is None else now))
    rows = []
    for b in sorted(bundles, key=lambda b: (-b.created, b.name)):
        day = time.strftime("%Y-%m-%d", time.localtime(b.created))
        shown = time.strftime("%H:%M:%S" if day == today else "%m-%d %H:%M", time.localtime(b.created))
        rows.append(BundleRow(str(b.path), shown, b.created, b.summary, b.size, str(b.path), b.name))
    return tuple(rows)


def _cells(row: BundleRow) -> tuple[SortCell, ...]:
    return (
        SortCell(Text(row.time), row.created),
        SortCell(literal(row.verdict, 200), row.verdict),
        number_cell(row.size, format_bytes(row.size)),
        SortCell(literal(row.name, 300), row.key),
    )


class EvidenceScreen(Screen[None]):
    DEFAULT_CSS = """
    EvidenceScreen KeyedTable { height: 1fr; }
    EvidenceScreen #evidence-title { height: auto; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("c", "copy_path", "copy path"),
        Binding("r", "capture", "capture now"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("escape", "back", "back"),
        Binding("E", "back", show=False),
        Binding("question_mark", "app.help", "help"),
    ]

    class Listed(Message):
        def __init__(self, bundles: tuple[BundleInfo, ...]) -> None:
            super().__init__()
            self.bundles = bundles

    def __init__(self, evidence: Evidence | SessionShelf) -> None:
        super().__init__()
        self.evidence = evidence
        self.root = evidence.root
        self.writes = evidence.writes  # False: the session process writes them (a request is sent)
        self._rows: tuple[BundleRow, ...] = ()
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Static(id="evidence-title")
        yield KeyedTable(COLUMNS, id="bundles")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(KeyedTable).focus()
        self._show()
        self.list_bundles()
        self.set_interval(REFRESH_SECONDS, self.list_bundles)

    @work(thread=True, group="bundles", exclusive=True, exit_on_error=False)
    def list_bundles(self) -> None:
        self.post_message(self.Listed(self.evidence.bundles()))

    def on_evidence_screen_listed(self, message: EvidenceScreen.Listed) -> None:
        self.show_bundles(message.bundles)

    @property
    def rows(self) -> tuple[BundleRow, ...]:
        return self._rows

    def show_bundles(self, bundles: Sequence[BundleInfo]) -> None:
        self._rows = bundle_rows(bundles)
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        n = len(self._rows)
        head = f"{n} incident bundle{'' if n == 1 else 's'}" if n else "no incident bundle yet"
        who = " (written by the session)" if not self.writes else ""
        title = Text(head + who, style="bold")
        title.append(" · one when a verdict first fails", style="dim")
        title.append("\n")
        title.append_text(literal(str(self.root), 500))
        if title.plain != self._title:
            self._title = title.plain
            self.query_one("#evidence-title", Static).update(title)
        table = self.query_one(KeyedTable)
        table.sync_rows([(r.key, _cells(r)) for r in self._rows])
        table.fit_last_column()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.query_one(KeyedTable).fit_last_column()

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()

    def action_copy_path(self) -> None:
        key = self.query_one(KeyedTable).cursor_key
        if key is not None:
            self.app.copy_to_clipboard(key)  # the app masks our credentials out of it
            self.notify(f"copied: {key}", timeout=3)

    def action_capture(self) -> None:
        if not self.evidence.capture_now():
            self.notify("no capture: bundles are still being written", severity="warning")
        elif self.writes:
            self.notify("capturing an incident bundle…", timeout=3)
        else:
            self.notify("asked the session for an incident bundle (it looks every few seconds)", timeout=4)

    def action_back(self) -> None:
        self.dismiss()
