"""Pilot tests of `g`: the goroutine pane by reason -> label -> creator -> similar stack, at 80×24."""

from __future__ import annotations

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.leaks.report import GroupGrowth
from tui.screens.goroutine_drill import GoroutineDrillScreen
from tui.widgets.goroutine_tree import GoroutineTree


def title(app) -> str:
    return str(app.screen.query_one("#tree-pane").border_title)


def top_keys(tree: GoroutineTree) -> list[str]:
    return [n.data.key for n in tree.root.children if n.data is not None]


async def test_g_cycles_the_groupings_and_says_which_in_the_title():
    source = CannedSource(make_snapshot(1, version="go1.27"))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        total = sum(g.count for g in tree.groups)
        assert title(app) == "goroutines" and top_keys(tree)[0] == "chan send"
        seen = []
        for want_title, want_top in (
            ("goroutines by label req", "label:(none)"),
            ("goroutines by creator", "creator:main.(*Dispatcher).fanOut"),
            ("goroutines by similar stack (same functions)", None),
            ("goroutines", "chan send"),
        ):
            await pilot.press("g")
            await settle(pilot, app)
            assert title(app) == want_title
            keys = top_keys(tree)
            if want_top is not None:
                assert keys[0] == want_top
            assert sum(g.count for g in tree.groups) == total  # every goroutine in every grouping
            seen.append(keys)
        assert "label:req=a-b c" in seen[0]
        assert all(k.startswith("similar:func:") for k in seen[2])


async def test_a_pivot_keeps_open_nodes_and_cursor_across_refreshes():
    source = CannedSource(make_snapshot(1, version="go1.27"))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("g", "g", "tab", "enter")  # by creator; open fanOut and its biggest chain
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        await pilot.press("j")
        await settle(pilot, app)
        cursor = tree.cursor_node
        assert cursor is not None and cursor.data is not None and cursor.data.kind == "stack"
        key = cursor.data.key
        assert key.startswith("creator:main.(*Dispatcher).fanOut|← ")
        source.push(make_snapshot(2, version="go1.27"))  # a new dump: new group objects, same keys
        await settle(pilot, app)
        assert tree.groups and tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.key == key
        # Enter on the stack drills into it: its spawn chain and labels are there
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, GoroutineDrillScreen)
        assert app.screen.group.key == key
        text = "\n".join(screen_text(app))
        assert "created by main.(*Dispatcher).fanOut" in " ".join(text.split())
        assert "spawned" in text and "× ←" in text


async def test_drill_shows_goroutines_per_label_set():
    """A stack whose goroutines carry different label values lists each set with its count."""
    text = "\n".join(
        f"goroutine {i} [chan receive, 3 minutes] {{tenant: {'acme' if i % 3 else 'beta'}}}:\n"
        f"main.handle(0x{i:x})\n\t/src/h.go:10 +0x1\ncreated by main.serve in goroutine 1\n\t/src/s.go:5 +0x2\n"
        for i in range(2, 32)
    )
    from tests.oracles.reference import group_goroutines, parse_debug2

    source = CannedSource(make_snapshot(1, groups=group_goroutines(parse_debug2(text))))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "enter", "j", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, GoroutineDrillScreen)
        lines = screen_text(app)
        assert any("labels" in line and "tenant=acme  (20)" in line for line in lines), lines
        assert any("tenant=beta  (10)" in line for line in lines), lines


async def test_growth_marks_follow_the_stacks_into_a_pivot():
    source = CannedSource(make_snapshot(1, version="go1.27"))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        leak = tree.groups[0].buckets[0].stacks[0]  # the reason tree's key of the leaking stack
        assert leak.frames[0].func == "main.(*Dispatcher).deliver"
        await pilot.press("g", "g", "g", "tab", "enter")  # by similar stack: open the biggest
        await settle(pilot, app)
        growth = GroupGrowth(
            key="m",
            label="main.(*Dispatcher).deliver",
            reason="chan send",
            count=250,
            rate_per_min=60.0,
            mark="↑",
            spark=(),
            oldest_minutes=2,
            tree_keys=(leak.key,),
            verdict="growing",
        )
        tree.show_growth({leak.key: growth})
        await settle(pilot, app)
        stack_nodes = [n for n in tree._node_by_key.values() if n.data is not None and n.data.kind == "stack"]
        marked = [n for n in stack_nodes if "+60/min" in str(n.label)]
        assert marked and all(leak.key in n.data.group.source_keys for n in marked)
        assert all("+60/min" not in str(n.label) for n in stack_nodes if leak.key not in n.data.group.source_keys)


async def test_g_is_in_help_and_the_footer_keeps_its_keys_whole():
    """The footer is full at 80 columns: `g` is explained in `?` help, and the footer's keys stay whole."""
    from textual.widgets import Footer

    from tui.screens.help import HelpScreen
    from tui.screens.keys import help_rows

    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        keys = list(app.screen.query_one(Footer).query("FooterKey"))
        shown = [" ".join(str(getattr(k.render(), "plain", k.render())).split()) for k in keys]
        assert "? help" in shown and "q quit" in shown
        assert all(k.region.right <= 80 for k in keys)
        rows = dict(help_rows(app.screen))
        assert rows["g"].startswith("goroutines: group by wait reason/age/stack, by label")
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        assert "(g: by label, by creator, by similar stack)" in " ".join(" ".join(screen_text(app)).split())
