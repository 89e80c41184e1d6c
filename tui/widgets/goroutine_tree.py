"""Goroutine tree: wait reason -> wait-duration bucket -> identical stack, or a pivot of it
(tui.goroutines.pivots: by label, creator, similar stack; the same three levels).

Children are built lazily when a node is expanded. A refresh keeps which nodes
were open and where the cursor was, by the groups' stable keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.core.durations import wait_minutes_range
from tui.core.names import RUNTIME_PLUMBING, shorten_symbol
from tui.core.textsafe import clean
from tui.goroutines.buckets import LEAKED_WAIT_UNKNOWN
from tui.goroutines.grouping import BucketGroup, ReasonGroup, StackGroup
from tui.widgets.cells import literal
from tui.widgets.render_caches import bound_tree_cache

if TYPE_CHECKING:
    from tui.goroutines.records import Frame
    from tui.leaks.report import GroupGrowth


def interesting_frame(frames: Sequence[Frame]) -> Frame | None:
    """The first frame that is not runtime plumbing (gopark, chansend, ...)."""
    for frame in frames:
        if not frame.func.startswith(RUNTIME_PLUMBING):
            return frame
    return frames[0] if frames else None


@dataclass(frozen=True, slots=True)
class NodeData:
    key: str
    kind: str  # "reason" | "bucket" | "stack"
    group: ReasonGroup | BucketGroup | StackGroup
    leaked: bool = False  # of a proven-leaked reason group


COUNT_WIDTH = 7


def _count(n: int) -> Text:
    return Text(f"{n:>{COUNT_WIDTH},}", style="bold")


def reason_label(g: ReasonGroup) -> Text:
    label = Text.assemble(_count(g.count), "  ", literal(g.reason, 80))
    if g.raw_reasons:  # Go 1.19's "semacquire", named by the stack: the / filter finds either
        label.append_text(literal(f"  (Go: {', '.join(g.raw_reasons)})", 80, style="dim"))
    if g.leaked:
        label.append("  LEAKED", style="bold reverse red")
    return label


def bucket_label(b: BucketGroup, leaked: bool = False) -> Text:
    if leaked and not b.max_minutes:
        # Go prints no wait time on goroutines it proved leaked: do not call them young
        return Text.assemble(_count(b.count), "  ", Text(LEAKED_WAIT_UNKNOWN, style="dim"))
    label = Text.assemble(_count(b.count), "  ", literal(b.label, 200))
    span = wait_minutes_range(b.min_minutes, b.max_minutes)
    if span:
        label.append(f"  ({span})", style="dim")
    return label


def growth_text(growth: GroupGrowth | None) -> Text:
    """ "↑ +60/min growing" for a stack group whose count series the leak tracker follows."""
    text = Text()
    if growth is None or growth.rate_per_min is None:
        return text
    rate = growth.rate_per_min
    if growth.mark or growth.verdict:
        text.append(f"  {growth.mark}{rate:+.0f}/min", style="bold yellow" if growth.verdict else "dim")
    if growth.verdict and growth.verdict != "leaked":
        text.append(f" {growth.verdict}", style="bold yellow")
    return text


MIN_CREATOR = 12  # columns below which "← created by" is left out (the drill-down shows it)


def stack_label(s: StackGroup, growth: GroupGrowth | None = None, width: int | None = None) -> Text:
    """Count, the first interesting frame, growth, "← created by", LEAKED. With ``width`` (the
    columns the label has) the function is shortened to what is left (tui.core.names) and
    created-by gets the rest, or is left out."""
    frame = interesting_frame(s.frames)
    func = clean(frame.func if frame else "?", 500)
    grown = growth_text(growth)
    leaked = "  LEAKED" if s.leaked else ""
    creator = clean(s.created_by.func, 500) if s.created_by is not None else ""
    if width is not None:
        room = width - COUNT_WIDTH - 2 - grown.cell_len - len(leaked)
        func = shorten_symbol(func, max(room, 8))
        left = room - len(func) - 4
        creator = shorten_symbol(creator, left) if creator and left >= MIN_CREATOR else ""
        if creator.count("…") > 1:  # cut in its middle too ("…(*Di…r).fanOut"): the drill-down has it whole
            creator = ""
    label = Text.assemble(_count(s.count), "  ", literal(func, None))
    label.append_text(grown)
    if creator:
        label.append("  ← ", style="dim")
        label.append_text(literal(creator, None, style="dim"))
    if leaked:
        label.append(leaked, style="bold reverse red")
    return label


Growth = Mapping[str, "GroupGrowth"]  # stack group key -> its growth (from the leak tracker)


def _children(data: NodeData) -> list[NodeData]:
    g = data.group
    if isinstance(g, ReasonGroup):
        return [NodeData(b.key, "bucket", b, g.leaked) for b in g.buckets]
    if isinstance(g, BucketGroup):
        return [NodeData(s.key, "stack", s) for s in g.stacks]
    return []


def growth_of(key: str, group: StackGroup, growth: Growth) -> GroupGrowth | None:
    """The growth of a stack node: of its own key in the reason tree; in a pivot, of the tree's
    stacks it stands for (``source_keys``), the fastest growing when it merged several."""
    if not growth:
        return None
    found = [g for k in (group.source_keys or (key,)) if (g := growth.get(k)) is not None]
    if len(found) <= 1:
        return found[0] if found else None
    return max(found, key=lambda g: (bool(g.verdict), g.rate_per_min if g.rate_per_min is not None else float("-inf")))


def _label(data: NodeData, growth: Growth | None = None, width: int | None = None) -> Text:
    g = data.group
    if isinstance(g, ReasonGroup):
        return reason_label(g)
    if isinstance(g, BucketGroup):
        return bucket_label(g, data.leaked)
    return stack_label(g, growth_of(data.key, g, growth or {}), width)


STACK_DEPTH = 3  # reason -> bucket -> stack: the stack labels start after 3 guides (the root is hidden)
DEPTH = {"reason": 1, "bucket": 2, "stack": STACK_DEPTH}


def reason_key(g: ReasonGroup) -> str:
    return g.key or g.reason


class GoroutineTree(Tree[NodeData]):
    """The goroutine groups of the latest dump."""

    BORDER_TITLE = "goroutines"

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("goroutines", name=name, id=id, classes=classes)
        self.auto_expand = False  # on_tree_node_selected expands: a reason opens with its biggest bucket
        self.show_root = False
        self.guide_depth = 2
        self.expanded_keys: set[str] = set()
        self._node_by_key: dict[str, TreeNode[NodeData]] = {}
        self.groups: tuple[ReasonGroup, ...] = ()
        self.growth: Growth = {}
        self.label_width: int | None = None  # columns a stack label has (names are shortened to it)

    def on_mount(self) -> None:
        bound_tree_cache(self)
        self._fit_labels()

    def on_resize(self) -> None:
        bound_tree_cache(self)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """Fit the labels to the tree's width, again when it changes: stack labels shorten their
        function names; a reason or bucket label too long ends in "…"."""
        width = self.scrollable_content_region.width - STACK_DEPTH * self.guide_depth - 1
        if width <= 0 or width == self.label_width:
            return
        self.label_width = width
        for node in self._node_by_key.values():
            if node.data is not None:
                node.set_label(self._label(node.data))

    def _label(self, data: NodeData, growth: Growth | None = None) -> Text:
        label = _label(data, self.growth if growth is None else growth, self.label_width)
        if self.label_width is not None:
            room = self.label_width + (STACK_DEPTH - DEPTH.get(data.kind, STACK_DEPTH)) * self.guide_depth
            if label.cell_len > room:  # never cut by the pane's edge without a mark
                label = label.copy()
                label.truncate(max(room, 1), overflow="ellipsis")
        return label

    # -- public -------------------------------------------------------------
    def show_groups(self, groups: Sequence[ReasonGroup]) -> None:
        """Show new groups, keeping expanded nodes and the cursor by key."""
        cursor = self.cursor_node
        cursor_key = cursor.data.key if cursor is not None and cursor.data is not None else None
        self.groups = tuple(groups)
        items = [NodeData(reason_key(g), "reason", g) for g in self.groups]
        self._sync(self.root, items)
        if not self.root.is_expanded:
            self.root.expand()
        if cursor_key is not None and cursor_key in self._node_by_key:
            node = self._node_by_key[cursor_key]
            if node.line != self.cursor_line:
                self.move_cursor(node, animate=False)
        elif self.cursor_line < 0 and self.root.children:
            self.move_cursor(self.root.children[0], animate=False)

    def show_growth(self, growth: Growth) -> None:
        """New growth rates from the leak tracker: relabel the stack nodes they change."""
        if growth == self.growth:
            return
        changed = {k for k in set(growth) | set(self.growth) if growth.get(k) != self.growth.get(k)}
        self.growth = growth
        for node in list(self._node_by_key.values()):
            data = node.data
            if data is None or not isinstance(data.group, StackGroup):
                continue
            if not changed.isdisjoint(data.group.source_keys or (data.key,)):
                node.set_label(self._label(data, growth))

    @property
    def selected(self) -> NodeData | None:
        node = self.cursor_node
        return None if node is None else node.data

    # -- syncing ------------------------------------------------------------
    def _sync(self, parent: TreeNode[NodeData], items: list[NodeData]) -> None:
        current = list(parent.children)
        if [c.data.key if c.data is not None else None for c in current] == [i.key for i in items]:
            for node, item in zip(current, items):
                node.data = item
                label = self._label(item)
                if node.label != label:
                    node.set_label(label)
                self._node_by_key[item.key] = node
                if node.is_expanded or node.children:
                    self._sync(node, _children(item)) if node.is_expanded else node.remove_children()
            return
        for node in current:
            self._forget(node)
        parent.remove_children()
        for item in items:
            node = parent.add(self._label(item), data=item, allow_expand=item.kind != "stack")
            self._node_by_key[item.key] = node
            if item.key in self.expanded_keys:
                self._populate(node)
                node.expand()

    def _populate(self, node: TreeNode[NodeData]) -> None:
        if node.data is not None:
            self._sync(node, _children(node.data))

    def _forget(self, node: TreeNode[NodeData]) -> None:
        for child in node.children:
            self._forget(child)
        if node.data is not None and self._node_by_key.get(node.data.key) is node:
            del self._node_by_key[node.data.key]

    def open_reason(self, node: TreeNode[NodeData]) -> None:
        """Expand a reason node and its biggest bucket (the oldest among equals: buckets come oldest
        first), and put the cursor on that bucket: Enter on a reason shows where most goroutines wait."""
        if node.data is not None:
            self.expanded_keys.add(node.data.key)
        if not node.children:
            self._populate(node)
        node.expand()
        buckets = [c for c in node.children if c.data is not None and isinstance(c.data.group, BucketGroup)]
        if not buckets:
            return
        biggest = max(buckets, key=lambda c: c.data.group.count if c.data is not None else 0)
        if biggest.data is not None:
            self.expanded_keys.add(biggest.data.key)
        if not biggest.children:
            self._populate(biggest)
        biggest.expand()
        self._tree_lines  # noqa: B018 - lay the lines out now, so the bucket has its line
        self.move_cursor(biggest, animate=False)

    # -- events -------------------------------------------------------------
    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        """Enter (or a click) toggles a node; opening a reason opens its biggest bucket too. The
        event goes on up: the dashboard drills into a stack node."""
        node = event.node
        if not node.allow_expand:
            return
        if node.is_expanded:
            node.collapse()
        elif node.data is not None and node.data.kind == "reason":
            self.open_reason(node)
        else:
            node.expand()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        node = event.node
        if node.data is None:
            return
        self.expanded_keys.add(node.data.key)
        if not node.children:
            self._populate(node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed) -> None:
        if event.node.data is not None:
            self.expanded_keys.discard(event.node.data.key)
