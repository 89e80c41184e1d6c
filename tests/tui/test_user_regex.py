"""`/` with a regex on names a target chose: RE2 finishes (Python's re ran for ever on `(a+)+$` and the
app ignored `q`); a pattern RE2 refuses is said in words and the filter box stays open."""

from __future__ import annotations

from textual.widgets import Input

from tests.oracles.reference import group_goroutines, parse_debug2
from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.waiting import settle
from tui.app import build_app
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable

HOSTILE = "main." + "a" * 3000 + "!"  # `(a+)+$` backtracks 2**3000 ways in Python's re


def hostile_snapshot():
    dump = parse_debug2(
        f"goroutine 7 [chan receive, 5 minutes]:\n{HOSTILE}()\n\t/src/a.go:10 +0x1\n\n"
        "goroutine 8 [select]:\nmain.aaa()\n\t/src/b.go:3 +0x1\n"
    )
    heap = flat_profile({HOSTILE: 5000, "main.aaa": 4000})
    return make_snapshot(1, heap=heap, groups=group_goroutines(dump, include_serving=True))


async def test_slash_regex_on_a_hostile_name_finishes_and_q_quits():
    app = build_app(CannedSource(hostile_snapshot()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        assert len(table.keys_in_order) == 3  # the two functions and main.main
        await pilot.press("slash", *"re:(a+)+$", "enter")
        await settle(pilot, app)
        assert list(table.keys_in_order) == ["main.aaa"]
        await pilot.press("tab", "slash", *"re:(a+)+$|b\\.go", "enter")  # the goroutine tree
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        assert [n.data.group.reason for n in tree.root.children] == ["select"]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_slash_with_syntax_re2_refuses_says_why():
    app = build_app(CannedSource(hostile_snapshot()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for pattern in ("re:(a)\\1", "re:a(?=b)", "re:[/x"):  # the last one's message reads like markup
            await pilot.press("slash", *pattern, "enter")
            await pilot.pause()
            box = app.screen.query_one("#filter", Input)
            assert box.display  # stays open on a refused pattern
            await pilot.press("escape")
            await pilot.pause()
        texts = [str(n.message) for n in app._notifications]
        assert any("backreferences" in t for t in texts) and any("lookahead" in t for t in texts), texts
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
