"""The flame view: an icicle of one profile (heap, CPU window, mutex, block, goroutines), live.

Opened with `f` from the heap table, the CPU view, the contention view and the goroutine tree. The
app feeds it every snapshot (`show_snapshot`) and leak report (`show_leaks`: the pinned baseline);
the tree is built in a thread worker once per profile (`flame_presenter.make_tree`), and a new one
keeps the zoom and the cursor on the same frame path (or its nearest ancestor that still exists).
Keys: arrows/hjkl parent, child (the heaviest), siblings; enter zooms, esc zooms out (then closes);
`/` highlights the frames whose name holds the text (literal; re: for RE2) and says their share; `c`
opens callers/callees/stacks of the function under the cursor; `d` against a base; `v` lists what
vanished since it; `e` writes the graph as SVG, HTML and folded stacks here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tui.core.filters import filter_pattern
from tui.core.textsafe import clean
from tui.core.user_regex import UserPatternError
from tui.heap.flame import ROOT, FlameTree, matching_share, vanished
from tui.heap.units import format_shown
from tui.screens.flame_presenter import FlameInput, FlameSpec, flame_input, make_tree
from tui.screens.messages import ExportFlame, WorkFailed
from tui.screens.presenters import HeapSeen, HeapWindow, heap_seen, heap_window
from tui.widgets.cells import literal
from tui.widgets.flame_view import FlameView
from tui.widgets.info_line import InfoLine

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.heap.profile import Profile
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot

LEGEND = "colour: orange grew · blue shrank · grey same (±5 %)"
LEGEND_MARKS = "marks: + grew · − shrank · none: same (±5 %)"


class FlameScreen(Screen):
    DEFAULT_CSS = """
    FlameScreen > #flame-title { height: 1; background: $panel; text-style: bold; }
    FlameScreen > #flame-vanished { height: auto; max-height: 8; display: none; }
    """
    BINDINGS = [
        Binding("escape", "out", "out"),
        Binding("enter", "zoom", "zoom"),
        Binding("up,k", "move('parent')", "parent", show=False),
        Binding("down,j", "move('child')", "child", show=False),
        Binding("left,h", "move('left')", "left", show=False),
        Binding("right,l", "move('right')", "right", show=False),
        Binding("slash", "search", "search"),
        Binding("c", "callers", "callers"),
        Binding("d", "toggle_base", "base"),
        Binding("v", "vanished", "vanished", show=False),
        Binding("e", "export", "export", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    LIVE_EVERY = 10.0  # seconds between live rebuilds (the first, and a key's, are at once)

    class Built(Message, bubble=False):
        def __init__(self, data: FlameInput, tree: FlameTree | None, error: str) -> None:
            super().__init__()
            self.data, self.graph, self.error = data, tree, error

    def __init__(self, spec: FlameSpec, snapshot: Snapshot | None = None, report: LeakReport | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.snapshot = snapshot
        self.report = report
        self._seen: HeapSeen | None = None
        self._window: HeapWindow | None = None
        self.wanted: FlameInput | None = None
        self.data: FlameInput | None = None
        self.graph: FlameTree | None = None
        self.zoom_path: tuple[str, ...] = ()
        self.cursor_path: tuple[str, ...] = ()
        self.search = ""
        self.share = 0
        self.vanished_count = 0
        self._title = ""
        self._vanished_text = ""
        self._built_at = 0.0  # monotonic time the newest build started
        self._live_timer: Timer | None = None
        self.sibling_heaps: tuple[Profile, ...] = ()  # a fleet's other targets' heaps (the app hands them down)
        self._observe(snapshot)

    def compose(self) -> ComposeResult:
        yield Static("", id="flame-title")
        yield FlameView(id="flame")
        yield Static("", id="flame-vanished")
        yield InfoLine(id="flame-info")
        yield InfoLine(id="flame-legend")
        yield Input(
            placeholder="highlight frames: text, or re:REGEX (enter: apply, empty: clear, esc: cancel)",
            id="flame-search",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#flame-search", Input).display = False
        view = self.query_one(FlameView)
        view.marks = bool(self.app.no_color)
        view.focus()
        self._update()

    # ---- data in --------------------------------------------------------------------------------
    def _observe(self, snapshot: Snapshot | None) -> None:
        if (
            snapshot is not None
            and snapshot.heap is not None
            and (self._seen is None or snapshot.heap is not self._seen.profile)
        ):
            self._seen = heap_seen(self._seen, snapshot.heap, snapshot.age("heap").fetched_at)
            self._window = heap_window(self._seen)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._observe(snapshot)
        self._update()

    def show_siblings(self, heaps: tuple[Profile, ...]) -> None:
        """The fleet siblings' newest heap profiles (a fleet watch; at most every few seconds)."""
        self.sibling_heaps = heaps
        if self.spec.diff and self.spec.against == "siblings":
            self._update()

    def show_leaks(self, report: LeakReport) -> None:
        self.report = report
        if self.spec.diff:
            self._update()

    def _update(self, *, now: bool = False) -> None:
        data = flame_input(
            self.spec, self.snapshot, window=self._window, report=self.report, siblings=self.sibling_heaps
        )
        if data is None:
            self._say_title("waiting for this profile…" if self.graph is None else None)
            return
        if data.same_sources(self.wanted):
            return
        # Live, the graph follows new profiles at most every LIVE_EVERY seconds: a new profile shifts
        # most frames by a column, and a repaint of the whole graph is ~5 kB to the terminal.
        wait = self.LIVE_EVERY - (time.monotonic() - self._built_at)
        if self.wanted is not None and not now and wait > 0:
            if self._live_timer is None:
                self._live_timer = self.set_timer(wait, self._live_tick)
            return
        self._built_at = time.monotonic()
        self.wanted = data
        self._say_title()
        self._build(data)

    def _live_tick(self) -> None:
        self._live_timer = None
        self._update(now=True)

    @work(thread=True, exclusive=True, group="flame", exit_on_error=False)
    def _build(self, data: FlameInput) -> None:
        try:
            tree = make_tree(data)
        except Exception as exc:  # a bad profile must never crash the UI
            self.post_message(self.Built(data, None, str(exc)))
            return
        self.post_message(self.Built(data, tree, ""))

    def on_flame_screen_built(self, message: Built) -> None:
        if message.data is not self.wanted:
            return  # an older profile finished late
        if message.graph is None:
            self.post_message(WorkFailed("flame graph", message.error))
            return
        self.data, self.graph = message.data, message.graph
        view = self.query_one(FlameView)
        tree = self.graph
        zoom, _ = tree.find(self.zoom_path)
        cursor, _ = tree.find(self.cursor_path)
        if not tree.is_ancestor(zoom, cursor):
            cursor = zoom
        view.show(tree, zoom=zoom, cursor=cursor, hits=self._hits(tree))
        self.zoom_path = tree.path(zoom)
        self._say_title()
        self._say_vanished()

    # ---- what is said ---------------------------------------------------------------------------
    def _say_title(self, note: str | None = None) -> None:
        data = self.wanted
        spec = self.spec
        parts = [data.title if data is not None else spec.kind]
        sample = (data.sample_type if data is not None else "") or spec.sample_type
        if spec.kind == "heap" and spec.sample_type:
            sample = spec.sample_type
        if sample:
            parts.append(sample)
        if spec.diff:
            parts.append(f"vs {data.base_title}" if data is not None and data.base_title else "no base yet")
        if self.zoom_path:
            parts.append(f"zoomed: {self.zoom_path[-1]}")
        if note:
            parts.append(note)
        title = " " + " · ".join(parts)
        if title != self._title:  # one line: no layout pass (it would repaint the whole screen)
            self._title = title
            self.query_one("#flame-title", Static).update(literal(title, 500), layout=False)

    def on_flame_view_cursor_moved(self, message: FlameView.CursorMoved) -> None:
        message.stop()
        tree = self.graph
        if tree is None:
            return
        node = message.node
        self.cursor_path = tree.path(node)
        unit = tree.unit
        value, self_value = int(tree.values[node]), int(tree.self_values[node])
        share = value / tree.total * 100 if tree.total else 0.0
        text = f"{clean(tree.name(node), 300)} · {format_shown(value, unit)} ({share:.1f} %)"
        if tree.base_values is not None:
            base = int(tree.base_values[node])
            sign = "+" if value >= base else "−"
            text += f" · {sign}{format_shown(abs(value - base), unit)} (base {format_shown(base, unit)})"
        text += f" · self {format_shown(self_value, unit)}"
        self.query_one("#flame-info", InfoLine).show(text)
        self._say_legend()

    def _say_legend(self) -> None:
        tree = self.graph
        parts = []
        if self.search:
            share = self.share / tree.total * 100 if tree is not None and tree.total else 0.0
            parts.append(f"/{self.search}: {share:.1f} % of the total")
        if tree is not None and tree.base_values is not None:
            parts.append(LEGEND_MARKS if self.app.no_color else LEGEND)
            if self.vanished_count:
                parts.append(f"{self.vanished_count} vanished (v)")
        elif self.spec.diff:
            parts.append(
                "no base yet: " + ("pin one with b" if self.spec.kind == "heap" else "waiting for a second profile")
            )
        self.query_one("#flame-legend", InfoLine).show(
            " · ".join(parts) or "enter zoom · esc out · / highlight · c callers · d vs base"
        )

    def _say_vanished(self) -> None:
        box = self.query_one("#flame-vanished", Static)
        tree = self.graph
        gone = vanished(tree, 20) if tree is not None else []
        # counted once per tree, not per cursor move (the legend says it)
        self.vanished_count = len(vanished(tree, 1000)) if tree is not None else 0
        text = Text("vanished since the base:\n", style="bold")
        for path, value in gone:
            text.append(f"  −{format_shown(value, tree.unit if tree else '')}  ")
            text.append(clean(" → ".join(path[-4:]), 300) + "\n")
        if not gone:
            text.append("  nothing")
        if text.plain != self._vanished_text:
            self._vanished_text = text.plain
            box.update(text)

    # ---- search -----------------------------------------------------------------------------------
    def _hits(self, tree: FlameTree) -> object:
        if not self.search:
            self.share = 0
            return None
        import numpy as np

        pattern = filter_pattern(self.search)
        names = np.fromiter((bool(pattern.search(n)) for n in tree.names), dtype=bool, count=len(tree.names))
        hits, self.share = matching_share(tree, names)
        return hits

    def action_search(self) -> None:
        box = self.query_one("#flame-search", Input)
        box.value = self.search
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            try:
                filter_pattern(text)
            except UserPatternError as exc:
                self.notify(f"bad regex after re: ({exc})", severity="error")
                return
        self.search = text
        event.input.display = False
        view = self.query_one(FlameView)
        view.focus()
        if self.graph is not None:
            view.set_hits(self._hits(self.graph))
        self._say_legend()

    # ---- keys -------------------------------------------------------------------------------------
    def action_move(self, direction: str) -> None:
        self.query_one(FlameView).move(direction)

    def action_zoom(self) -> None:
        view = self.query_one(FlameView)
        if self.graph is None:
            return
        self.zoom_path = self.graph.path(view.cursor)
        view.show(self.graph, zoom=view.cursor, cursor=view.cursor, hits=view.hits)
        self._say_title()

    def action_out(self) -> None:
        box = self.query_one("#flame-search", Input)
        if box.display:
            box.display = False
            self.query_one(FlameView).focus()
            return
        view = self.query_one(FlameView)
        if self.graph is not None and view.zoom != ROOT:
            zoom = int(self.graph.parent[view.zoom])
            self.zoom_path = self.graph.path(zoom)
            view.show(self.graph, zoom=zoom, cursor=view.cursor, hits=view.hits)
            self._say_title()
            return
        self.app.pop_screen()

    def action_toggle_base(self) -> None:
        from dataclasses import replace

        spec = self.spec
        if not spec.diff:  # off -> against the base -> (a fleet's heap) the siblings' median -> off
            self.spec = replace(spec, diff=True, against="base")
        elif spec.against == "base" and spec.kind == "heap" and self.sibling_heaps:
            self.spec = replace(spec, against="siblings")
        else:
            self.spec = replace(spec, diff=False, against="base")
        self.wanted = None
        self._update(now=True)
        self._say_legend()

    def action_vanished(self) -> None:
        box = self.query_one("#flame-vanished", Static)
        box.display = not box.display

    def action_callers(self) -> None:
        """The drill-down (callers, callees, heaviest stacks) of the function under the cursor."""
        tree, data = self.graph, self.data
        view = self.query_one(FlameView)
        if tree is None or data is None or view.cursor == ROOT:
            return
        if data.profile is None:
            self.notify("goroutines: enter on the stack in the goroutine tree shows it whole", timeout=3)
            return
        from tui.heap.top import TopRow
        from tui.screens.heap_drill import HeapDrillScreen
        from tui.screens.presenters import HeapView

        name = tree.name(view.cursor)
        row = TopRow(
            name, name, "", 0, int(tree.self_values[view.cursor]), 0.0, 0.0, int(tree.values[view.cursor]), 0.0
        )
        self.app.push_screen(HeapDrillScreen(data.profile, HeapView(sample_type=data.sample_type), row))

    def action_export(self) -> None:
        tree, data = self.graph, self.data
        if tree is None:
            return
        from tui.heap.flame_export import FlameTitle

        base = data.base_title if data is not None and self.spec.diff else ""
        title = FlameTitle(
            f"{data.title if data is not None else self.spec.kind} flame graph",
            time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            data.sample_type if data is not None else "",
            f"against {base}" if base else "",
        )
        self.post_message(ExportFlame(tree, title))
