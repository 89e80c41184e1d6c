"""Pilot tests of the dashboard on canned snapshots (real fixtures), asserting on widget state."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.screens.confirm import ConfirmScreen
from tui.screens.goroutine_drill import GoroutineDrillScreen
from tui.screens.help import HelpScreen
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.sparklines import MetricSpark
from tui.widgets.status_bar import StatusBar

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def source():
    return CannedSource(make_snapshot(1))


@pytest.mark.parametrize("size", SIZES)
async def test_dashboard_shows_every_pane(source, size):
    app = build_app(source)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        status = app.screen.query_one(StatusBar)
        assert "127.0.0.1:6060" in status.info.target
        assert status.info.state == "live"
        table = app.screen.query_one(HeapTable)
        assert table.row_count > 3
        assert any("LFUCache" in k for k in table.keys_in_order)
        tree = app.screen.query_one(GoroutineTree)
        reasons = [n.data.group.reason for n in tree.root.children]
        assert reasons[0] == "chan send"
        assert "sync.Mutex.Lock" in reasons
        spark = app.screen.query_one("#spark-goroutines", MetricSpark)
        assert spark.current_text == "187"  # last point of the canned series: 100 + 3*29


async def test_heap_table_is_sorted_by_flat_with_cursor_on_top_row(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        flats = [r.flat for r in table.report.rows]
        assert flats == sorted(flats, reverse=True)
        assert table.cursor_key == table.keys_in_order[0]
        assert "LFUCache" in table.keys_in_order[0]


async def test_live_update_keeps_cursor_on_same_function():
    weights = {f"pkg.f{i}": 1000 * (10 - i) for i in range(8)}
    source = CannedSource(make_snapshot(1, heap=flat_profile(weights)))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        assert table.keys_in_order[:3] == ("pkg.f0", "pkg.f1", "pkg.f2")
        await pilot.press("j", "j")
        assert table.cursor_key == "pkg.f2"
        # next poll: pkg.f0 is gone and pkg.f1 grew a little: rows update in place
        weights2 = dict(weights)
        del weights2["pkg.f0"]
        weights2["pkg.f1"] += 1
        source.push(make_snapshot(2, heap=flat_profile(weights2)))
        await settle(pilot, app)
        assert table.keys_in_order[:2] == ("pkg.f1", "pkg.f2")
        assert table.cursor_key == "pkg.f2"  # the cursor followed its function, not its row number
        # Only changed cells were touched: the total moved, so the three percentage cells of the 7 rows
        # (21), plus pkg.f1's own; the unchanged functions' byte cells stay (a rewrite would be 7 x 6 = 42).
        assert table.cell_updates <= 3 * 7 + 2


async def test_sample_type_keys_switch_the_table(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        assert table.report.sample_type == "inuse_space"
        for key, name in (("2", "inuse_objects"), ("3", "alloc_space"), ("4", "alloc_objects"), ("1", "inuse_space")):
            await pilot.press(key)
            await settle(pilot, app)
            assert table.report.sample_type == name
            assert name in str(app.screen.query_one("#heap-pane").border_title)


async def test_sort_and_line_granularity_toggle(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        await pilot.press("o")
        await settle(pilot, app)
        cums = [abs(r.cum) for r in table.report.rows]
        assert table.report.sort == "cum" and cums == sorted(cums, reverse=True)
        await pilot.press("l")
        await settle(pilot, app)
        assert table.report.granularity == "lines"
        assert all(r.line > 0 for r in table.report.rows if r.file)
        assert ":" in table.keys_in_order[0]


async def test_tab_enter_esc_goroutine_drill_and_back(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab")
        tree = app.screen.query_one(GoroutineTree)
        assert app.screen.focused is tree
        await pilot.press("enter")  # expand "chan send" and its biggest bucket (the cursor goes there)
        await pilot.pause()
        assert tree.root.children[0].is_expanded
        assert tree.cursor_node.data.kind == "bucket" and tree.cursor_node.is_expanded
        await pilot.press("j", "enter")  # its first stack group -> drill
        await pilot.pause()
        assert isinstance(app.screen, GoroutineDrillScreen)
        group = app.screen.group
        assert group.reason == "chan send"
        body = app.screen.body().plain
        assert "main.(*Dispatcher).deliver" in body and "created by" in body
        await pilot.press("c")
        assert "main.(*Dispatcher).deliver" in app.clipboard
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GoroutineDrillScreen)
        assert app.screen.focused is tree
        assert tree.cursor_node.data.key == group.key


async def test_heap_drill_shows_callers_and_stacks(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        from tui.screens.heap_drill import HeapDrillScreen

        assert isinstance(app.screen, HeapDrillScreen)
        body = app.screen.body().plain
        assert "LFUCache" in body and "callers" in body and "heaviest stacks" in body
        assert "main.go:" in body
        await pilot.press("c")
        assert "LFUCache" in app.clipboard
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen.query_one(HeapTable), HeapTable)


async def test_tree_keeps_expansion_and_cursor_across_refresh(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "enter", "j")
        tree = app.screen.query_one(GoroutineTree)
        key = tree.cursor_node.data.key
        assert tree.cursor_node.data.kind == "stack"
        source.push(make_snapshot(2))
        await settle(pilot, app)
        assert tree.root.children[0].is_expanded
        assert tree.cursor_node.data.key == key


async def test_filter_is_sticky_per_pane_until_cleared(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "slash")
        box = app.screen.query_one("#filter", Input)
        assert box.display and app.screen.focused is box
        await pilot.press(*"Cond", "enter")
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        assert [n.data.group.reason for n in tree.root.children] == ["sync.Cond.Wait"]
        source.push(make_snapshot(2))
        await settle(pilot, app)
        assert [n.data.group.reason for n in tree.root.children] == ["sync.Cond.Wait"]
        await pilot.press("slash")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "enter")
        await settle(pilot, app)
        assert len(tree.root.children) > 5


async def test_heap_filter_and_bad_regex(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"LFU", "enter")
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        assert table.row_count >= 1 and all("LFU" in k for k in table.keys_in_order)
        await pilot.press("slash", "backspace", "backspace", "backspace", *"re:(", "enter")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).display  # stays open on a bad regex


async def test_pause_resume_and_refresh(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        status = app.screen.query_one(StatusBar)
        await pilot.press("p")
        assert status.info.state == "paused"
        await pilot.press("p")
        assert status.info.state == "live"
        await pilot.press("r")
        await pilot.pause()
        assert source.calls[-3:] == ["pause", "resume", "refresh:all"]


async def test_refresh_asks_first_when_the_dump_is_expensive():
    source = CannedSource(make_snapshot(1, goroutine_total=150_000))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert "refresh:all" not in source.calls and "refresh:heap" in source.calls
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert source.calls[-1] == "refresh:all"


async def test_help_and_quit(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = " ".join(k for k, _ in app.screen.bindings)
        for key in ("/", "p", "r", "1", "4", "o", "l", "q", "ctrl+p", "?"):
            assert key in keys.split() or key in keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert "stop" in source.calls


async def test_zoom_gives_the_pane_the_screen(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.screen.query_one(HeapTable)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None


async def test_command_palette_opens(source):
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"alloc space")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.query_one(HeapTable).report.sample_type == "alloc_space"


async def test_status_line_says_when_the_target_restarted():
    from dataclasses import replace as replace_snapshot

    from tui.model.snapshot import RestartEvent

    snapshot = make_snapshot(1)
    restarted = replace_snapshot(snapshot, restarts=(RestartEvent(snapshot.time - 12, "command line changed"),))
    source = CannedSource(restarted)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        info = app.screen.query_one(StatusBar).info
        assert info.notice == "target restarted 12 s ago (command line changed)"
        old = replace_snapshot(restarted, seq=2, time=restarted.time + 400)
        source.push(old)
        await settle(pilot, app)
        assert app.screen.query_one(StatusBar).info.notice == ""  # an old restart is no news


LONG_NAMES = {
    "github.com/prometheus/client_golang/prometheus.(*MetricVec).GetMetricWithLabelValues": 9000,
    "github.com/prometheus/client_golang/prometheus.(*SummaryVec).GetMetricWithLabelValues": 8000,
    "github.com/prometheus/client_golang/prometheus.(*SummaryVec).WithLabelValues": 7000,
    "github.com/prometheus/client_golang/prometheus.(*summary).newStream": 6000,
    "github.com/prometheus/prometheus/tsdb.(*memSeries).cutNewHeadChunk": 5000,
    "github.com/prometheus/prometheus/scrape.(*scrapeCache).trackStaleness": 4000,
    "main.appendTo[go.shape.struct { Name string; Tags []string }]": 3000,
}


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_long_names_are_told_apart_and_shown_whole_under_the_cursor(size):
    source = CannedSource(make_snapshot(1, heap=flat_profile(LONG_NAMES)))
    app = build_app(source)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        width = table.name_width
        assert width is not None
        shown = [str(table.get_row(k)[-1]) for k in table.keys_in_order]
        assert len(set(shown)) == len(shown) == len(LONG_NAMES) + 1, shown  # distinguishable (+ main.main)
        assert all(len(s) <= width for s in shown), (width, shown)
        if size[0] > 80:
            # the panes are stacked: the name column gets the width left over, whole names fit
            assert width > 100
            assert shown == list(table.keys_in_order) and not any("…" in s for s in shown)
        else:
            assert width >= 40  # sum% and cum% make room at 80 columns
            assert "main.appendTo[...]" in shown
            assert any(s.endswith("/tsdb.(*memSeries).cutNewHeadChunk") for s in shown)  # the function is kept
            assert not any(s.startswith("github.com/prom") for s in shown)
        # the info line names the row under the cursor in full, and follows the cursor
        info = app.screen.query_one("#heap-info")
        assert info.text.startswith(table.keys_in_order[0] + " · profile inuse_space ")
        await pilot.press("j")
        assert info.text.startswith(table.keys_in_order[1] + " · profile inuse_space ")
        # the drill-down's header holds the whole name
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.keys_in_order[1] in app.screen.title_text
        title = app.screen.query_one("#drill-title")
        lines = screen_text(app)[: title.size.height]
        assert title.size.height >= 1 and table.keys_in_order[1].replace(" ", "") in "".join("".join(lines).split())
        assert all(line.startswith(" ") for line in lines)  # wrapped under its first letter, not at column 0


async def test_filter_is_literal_so_a_generic_name_typed_as_shown_matches():
    """`appendTo[` is what the table shows; it used to be "bad regex: unterminated character set"."""
    weights = {"main.appendTo[go.shape.int]": 5000, "main.appendTo[go.shape.string]": 4000, "main.other": 3000}
    source = CannedSource(make_snapshot(1, heap=flat_profile(weights)))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        await pilot.press("slash", *"appendTo[", "enter")
        await settle(pilot, app)
        assert not app.screen.query_one("#filter", Input).display  # accepted, no error
        assert set(table.keys_in_order) == {"main.appendTo[go.shape.int]", "main.appendTo[go.shape.string]"}
        # re: makes it a regex
        await pilot.press("slash", *["backspace"] * 9, *"re:^main\\.(other|appendTo\\[go\\.shape\\.int)", "enter")
        await settle(pilot, app)
        assert set(table.keys_in_order) == {"main.other", "main.appendTo[go.shape.int]"}


async def test_footer_fits_80_columns_with_zoom(source):
    """Every key the footer shows is whole at 80×24 (none cut off at the right edge), `z` among them."""
    from textual.widgets import Footer

    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        footer = app.screen.query_one(Footer)
        keys = list(footer.query("FooterKey"))
        shown = []
        for key in keys:
            text = key.render()
            plain = text.plain if hasattr(text, "plain") else str(text)
            shown.append(plain.strip())
            assert key.region.width > 0 and key.region.right <= 80, (key.region, plain)
            assert len(plain.rstrip()) <= key.region.width, (key.region, plain)
        for want in ("/ filter", "z zoom", "p pause", "L leaks", "? help", "q quit"):
            assert any(" ".join(s.split()) == want for s in shown), shown


def _parked_dump(waits: list[tuple[str, int]]) -> str:
    """A debug=2 dump: goroutines parked on "chan receive" for each (minutes text, count)."""
    blocks, gid = [], 10
    for minutes, count in waits:
        for _ in range(count):
            header = f"chan receive{', ' + minutes if minutes else ''}"
            blocks.append(
                f"goroutine {gid} [{header}]:\nmain.wait{minutes.split()[0] if minutes else 0}()\n\t/src/w.go:7 +0x1\n"
                f"created by main.spawn in goroutine 1\n\t/src/spawn.go:5 +0x30\n"
            )
            gid += 1
    return "\n".join(blocks)


async def test_enter_on_a_reason_opens_its_biggest_bucket_not_the_oldest():
    from tests.oracles.reference import group_goroutines, parse_debug2

    # 2 goroutines waiting 30 min (the oldest bucket, listed first), 40 for under a minute
    groups = group_goroutines(parse_debug2(_parked_dump([("30 minutes", 2), ("", 40), ("3 minutes", 5)])))
    assert [b.label for b in groups[0].buckets] == ["15–60m", "1–5m", "<1m"]
    app = build_app(CannedSource(make_snapshot(1, groups=groups)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "enter")
        await pilot.pause()
        tree = app.screen.query_one(GoroutineTree)
        reason = tree.root.children[0]
        assert reason.is_expanded
        opened = [c.data.group.label for c in reason.children if c.is_expanded]
        assert opened == ["<1m"]  # the biggest (40), not the oldest (2)
        assert tree.cursor_node.data.group.label == "<1m"
        assert [c.data.group.label for c in reason.children] == ["15–60m", "1–5m", "<1m"]  # order kept
        # enter again closes the bucket; on the reason it closes the reason
        await pilot.press("enter")
        await pilot.pause()
        assert not tree.cursor_node.is_expanded
        await pilot.press("k", "k", "k", "enter")
        await pilot.pause()
        assert tree.cursor_node is reason and not reason.is_expanded
        # and opens it again the same way
        await pilot.press("enter")
        await pilot.pause()
        assert tree.cursor_node.data.group.label == "<1m" and tree.cursor_node.is_expanded


async def test_tree_labels_too_long_for_the_pane_end_in_an_ellipsis():
    from tests.oracles.reference import group_goroutines, parse_debug2

    reason = "waiting for " + "a very long reason " * 8
    text = f"goroutine 7 [{reason.strip()}]:\nmain.wait()\n\t/src/w.go:7 +0x1\n"
    groups = group_goroutines(parse_debug2(text))
    app = build_app(CannedSource(make_snapshot(1, groups=groups)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one(GoroutineTree)
        lines = screen_text(app)
        row = lines[tree.region.y]
        assert "waiting for a very long" in row and row.rstrip().endswith("…"), row
        assert len(row.rstrip()) <= tree.region.right
