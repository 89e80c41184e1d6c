"""Bound Textual's per-widget render caches to what a few screens need.

DataTable keeps up to 10,000 rendered cells and 1,000 rows and lines, Tree 1,024 lines.
Their keys carry the widget's update counter, so in a table refreshed on every poll
nearly every entry is dead after the next update, yet the caches fill up to their
limits over the first hour of watching (~10 MB of rendered segments, the bulk of the
soak benchmark's growth). Sized to three screens they still serve every repaint
between two updates.

These are private attributes of Textual, which is pinned to an exact version; the
widget tests check the bounds hold.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.widgets import DataTable, Tree

SCREENS = 3
MIN_HEIGHT = 8


def bound_table_caches(table: DataTable) -> None:
    rows = SCREENS * max(table.size.height, MIN_HEIGHT)
    _resize(table._cell_render_cache, rows * (len(table.columns) + 1))
    _resize(table._row_render_cache, rows)
    _resize(table._row_renderable_cache, rows)
    _resize(table._line_cache, rows)


def bound_tree_cache(tree: Tree) -> None:
    _resize(tree._line_cache, SCREENS * max(tree.size.height, MIN_HEIGHT))


def _resize(cache: LRUCache, size: int) -> None:
    if cache.maxsize != size:
        cache.maxsize = size
        if len(cache) > size:
            cache.clear()
