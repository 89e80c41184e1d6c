"""The icicle: a FlameTree drawn root on top, one terminal row per depth, on Textual's line API.

``render_line`` draws one row from the layout's boxes (``tui.heap.flame_layout``), cached per row; a
cursor move repaints the two rows it touched (``refresh`` of a one-line region), a new profile or zoom
repaints the rows whose boxes changed. Frames too narrow for a name are blocks (named on the info line
when the cursor is on them); names are cut from the left like the tables' (``shorten_symbol``) and
always cleaned. Colours: a warm colour per package; differential, Okabe-Ito oranges (grew) and blues
(shrank), and under NO_COLOR a ``+``/``−`` mark before each changed frame's name.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.names import shorten_symbol
from tui.core.textsafe import clean
from tui.heap.flame import ROOT, FlameTree
from tui.heap.flame_export import change_level, diff_colour, warm_colour
from tui.heap.flame_layout import FlameLayout, layout

HIT = "#cc79a7"  # search matches (Okabe-Ito reddish purple: apart from both diff hues)
MISS = "#8c8c8c"  # frames that do not match while a search is on
ROOT_BG = "#bdbdbd"
MARKS = {1: "+", 2: "+", 3: "+", -1: "−", -2: "−", -3: "−", 0: ""}
LAYOUTS_KEPT = 8
PLAIN = Style()  # (never None: the NO_COLOR filter reads every segment's style)


class FlameView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    FlameView { height: 1fr; scrollbar-size-vertical: 1; }
    """

    class CursorMoved(Message):
        def __init__(self, node: int) -> None:
            super().__init__()
            self.node = node

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graph: FlameTree | None = None
        self.lay: FlameLayout | None = None
        self.zoom = ROOT
        self.cursor = ROOT
        self.hits: object = None  # numpy bool per node while a search is on
        self.marks = False  # +/− marks before changed frames (NO_COLOR)
        self._rows: dict[int, tuple[tuple[object, ...], Strip]] = {}
        self._layouts: OrderedDict[tuple[int, int, int], FlameLayout] = OrderedDict()
        self._styles: dict[tuple[str, bool, bool], Style] = {}

    # ---- data in -----------------------------------------------------------------------------
    def show(self, tree: FlameTree, *, zoom: int, cursor: int, hits: object = None) -> None:
        """A new tree (or the same one with a new zoom): lay it out, keep the cursor on a drawn frame."""
        if tree is not self.graph:
            self._layouts.clear()
        self.graph, self.zoom, self.hits = tree, zoom, hits
        self._relayout()
        assert self.lay is not None
        self.cursor = self.lay.visible(cursor)
        self._repaint_changed()
        self._follow_cursor()
        self.post_message(self.CursorMoved(self.cursor))

    def set_hits(self, hits: object) -> None:
        self.hits = hits
        self._repaint_changed()

    def _relayout(self) -> None:
        tree = self.graph
        if tree is None:
            return
        width = max(self.scrollable_content_region.width, 1)
        key = (id(tree), self.zoom, width)
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = layout(tree, self.zoom, width)
            while len(self._layouts) > LAYOUTS_KEPT:
                self._layouts.popitem(last=False)
        self._layouts.move_to_end(key)
        self.lay = lay
        self.virtual_size = Size(width, len(lay.rows))

    def on_resize(self) -> None:
        if self.graph is not None:
            self._relayout()
            self._rows.clear()
            self.refresh()

    # ---- keys (the screen binds them) --------------------------------------------------------
    def move(self, direction: str) -> None:
        lay = self.lay
        if lay is None:
            return
        node = self.cursor
        if direction == "parent":
            target = lay.parent(node) if lay.box(lay.parent(node)) is not None else node
        elif direction == "child":
            target = lay.child(node)
        else:
            target = lay.sibling(node, -1 if direction == "left" else 1)
        self.move_to(target)

    def move_to(self, node: int) -> None:
        if self.lay is None or node == self.cursor or self.lay.box(node) is None:
            return
        old, self.cursor = self.cursor, node
        for n in (old, node):
            box = self.lay.box(n)
            if box is not None:
                self._refresh_row(box[0])
        self._follow_cursor()
        self.post_message(self.CursorMoved(node))

    def _follow_cursor(self) -> None:
        box = self.lay.box(self.cursor) if self.lay is not None else None
        if box is not None:
            self.scroll_to_region(Region(0, box[0], 1, 1), animate=False, immediate=True)

    # ---- drawing -----------------------------------------------------------------------------
    def _refresh_row(self, row: int) -> None:
        y = row - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _repaint_changed(self) -> None:
        """Repaint only the rows whose look changed (their key: boxes, names, colours, cursor)."""
        lay = self.lay
        if lay is None:
            return
        for row in range(len(lay.rows)):
            cached = self._rows.get(row)
            if cached is None or cached[0] != self._row_key(row):
                self._rows.pop(row, None)
                self._refresh_row(row)
        for row in [r for r in self._rows if r >= len(lay.rows)]:
            del self._rows[row]
            self._refresh_row(row)

    def _row_key(self, row: int) -> tuple[object, ...]:
        lay, tree = self.lay, self.graph
        assert lay is not None and tree is not None
        r = lay.rows[row]
        names = tuple(tree.name_of[r.nodes].tolist())
        looks: tuple[object, ...] = ()
        if tree.base_values is not None:
            looks = tuple(change_level(int(v), int(b)) for v, b in zip(tree.values[r.nodes], tree.base_values[r.nodes]))
        hits = tuple(self.hits[r.nodes].tolist()) if self.hits is not None else ()  # type: ignore[index]
        cursor = int(self.cursor) if self.cursor in lay.where and lay.where[self.cursor][0] == row else -1
        on_cursor = cursor >= 0 and self.has_focus
        return (
            lay.width,
            tuple(r.starts.tolist()),
            tuple(r.ends.tolist()),
            names,
            looks,
            hits,
            on_cursor,
            cursor,
            self.marks,
        )

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = y + int(self.scroll_offset.y)
        lay = self.lay
        if lay is None or row >= len(lay.rows):
            return Strip.blank(width, PLAIN)
        cached = self._rows.get(row)
        key = self._row_key(row)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._draw_row(row).crop_extend(0, width, PLAIN)
        self._rows[row] = (key, strip)
        return strip

    def _draw_row(self, row: int) -> Strip:
        lay, tree = self.lay, self.graph
        assert lay is not None and tree is not None
        r = lay.rows[row]
        segments: list[Segment] = []
        pos = 0
        base = tree.base_values
        for start, end, node in zip(r.starts.tolist(), r.ends.tolist(), r.nodes.tolist()):
            if start > pos:
                segments.append(Segment(" " * (start - pos), PLAIN))
            w = end - start
            level = change_level(int(tree.values[node]), int(base[node])) if base is not None else 0
            hit = bool(self.hits[node]) if self.hits is not None else False  # type: ignore[index]
            style = self._style(tree, node, level, hit)
            if w == 1:
                segments.append(Segment(MARKS[level] or "▌" if self.marks else " ", style))
            else:
                label = clean(tree.name(node))
                mark = MARKS[level] if self.marks else ""
                label = mark + shorten_symbol(label, w - 1 - len(mark))
                segments.append(Segment(label.ljust(w - 1)[: w - 1], style))
                segments.append(Segment("│" if self.marks else " ", PLAIN))  # the gap between frames
            pos = end
        return Strip(segments)

    def _style(self, tree: FlameTree, node: int, level: int, hit: bool) -> Style:
        if self.hits is not None:
            colour = HIT if hit else MISS
        elif tree.base_values is not None:
            colour = diff_colour(level)
        else:
            colour = ROOT_BG if node == ROOT else warm_colour(tree.name(node))
        cursor = node == self.cursor and self.has_focus
        key = (colour, cursor, hit)
        style = self._styles.get(key)
        if style is None:
            style = Style(color="#000000", bgcolor=colour, reverse=cursor, bold=cursor or hit, underline=hit)
            self._styles[key] = style
        return style

    def on_focus(self) -> None:
        self._repaint_changed()

    def on_blur(self) -> None:
        self._repaint_changed()
