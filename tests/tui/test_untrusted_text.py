"""Strings from the target are rendered literally: no Rich markup, no terminal escapes."""

from __future__ import annotations

from tests.oracles.reference import group_goroutines, parse_debug2
from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tui.app import build_app
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable

EVIL = "[bold red]x\x1b[31mEVIL\x07\x1b]52;c;cHduZWQ=\x07[/]"
SHOWN = "[bold red]x␛[31mEVIL␇␛]52;c;cHduZWQ=␇[/]"

DUMP = f"""goroutine 7 [chan send, 5 minutes]:
{EVIL}(0xc000012345)
\t/src/[link=http://evil]x.go:12 +0x1d
created by main.spawn in goroutine 1
\t/src/main.go:3 +0x2a

"""


async def test_markup_and_escapes_in_names_are_shown_as_text():
    heap = flat_profile({EVIL: 5000, "pkg.normal": 100})
    groups = group_goroutines(parse_debug2(DUMP))
    source = CannedSource(make_snapshot(1, heap=heap, groups=groups, last_error="[red]boom\x1b[2J"))
    app = build_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(HeapTable)
        cell = table.get_row(EVIL)[-1]
        assert cell.text.plain == SHOWN
        assert not cell.text.spans  # no markup was interpreted
        tree = app.screen.query_one(GoroutineTree)
        await pilot.press("tab", "enter", "j")  # the reason and its biggest bucket open; the first stack
        await pilot.pause()
        label = tree.cursor_node.label
        assert SHOWN in label.plain
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg
        # the drill-down too, and the copied stack carries no escape
        await pilot.press("enter")
        await pilot.pause()
        assert SHOWN in app.screen.body().plain
        await pilot.press("c")
        assert "\x1b" not in app.clipboard and SHOWN in app.clipboard
