"""The flame view (`f`): opened from the heap table, the goroutine tree, the CPU view and the contention
view; moving, zooming, searching, differential against a base, live updates keeping zoom and cursor,
untrusted names, NO_COLOR marks; snapshots at 80x24 and 200x60."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.screen_text import screen_text
from tests.tui.test_cpu_view import CpuSource, cpu_state, with_cpu
from tests.tui.test_untrusted_text import EVIL, SHOWN
from tests.tui.waiting import settle, wait_for
from tui.app import build_app
from tui.heap.decode import decode_profile
from tui.screens.dashboard import Dashboard
from tui.screens.flame_screen import FlameScreen
from tui.screens.heap_drill import HeapDrillScreen
from tui.screens.keys import EXPLAIN, help_rows
from tui.widgets.flame_view import FlameView

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LEAK_PATH = ("main.every", "main.(*LFUCache).readSome", "main.(*LFUCache).Get", "main.(*LFUCache).increment")


def text(app) -> str:
    return "\n".join(screen_text(app))


async def open_flame(pilot, app) -> FlameScreen:
    await settle(pilot, app)
    await pilot.press("f")
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, FlameScreen)
    await wait_for(pilot, lambda: screen.graph is not None)
    await pilot.pause()
    return screen


async def test_f_opens_the_heap_flame_and_the_keys_walk_the_leaking_path():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_flame(pilot, app)
        view = screen.query_one(FlameView)
        graph = screen.graph
        assert graph is not None and graph.sample_type == "inuse_space"
        assert "inuse_space" in text(app) and "all" in text(app)
        # down follows the heaviest child: the LFU cache's leak is most of the live heap
        await pilot.press("j", "j", "j", "j")
        assert graph.path(view.cursor) == LEAK_PATH
        info = screen.query_one("#flame-info").render()
        assert "main.(*LFUCache).increment" in str(info)
        # up to the parent, enter zooms: the subtree fills the width, its path stays on top
        await pilot.press("k", "enter")
        assert graph.path(view.zoom) == LEAK_PATH[:3]
        assert "zoomed: main.(*LFUCache).Get" in text(app)
        rows = view.lay.rows if view.lay else ()
        assert int(rows[-1].ends[0] - rows[-1].starts[0]) >= 70  # increment: nearly all of Get
        # esc zooms out a frame at a time, then closes
        await pilot.press("escape", "escape", "escape")
        assert view.zoom == 0 and isinstance(app.screen, FlameScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, Dashboard)


async def test_search_highlights_and_says_the_share_and_c_opens_the_drill():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_flame(pilot, app)
        await pilot.press("slash", *"LFUCache", "enter")
        await settle(pilot, app)
        graph = screen.graph
        assert graph is not None
        share = screen.share / graph.total * 100
        assert 50 < share < 100 and f"/LFUCache: {share:.1f} % of the total" in text(app)
        await pilot.press("j", "j", "j", "j", "c")
        await settle(pilot, app)
        assert isinstance(app.screen, HeapDrillScreen)
        assert "main.(*LFUCache).Get" in text(app)  # its caller


async def test_live_update_keeps_zoom_and_cursor_by_path():
    source = CannedSource(make_snapshot(1))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_flame(pilot, app)
        view = screen.query_one(FlameView)
        await pilot.press("j", "j", "j", "enter", "j")
        first = screen.graph
        assert first is not None
        zoom, cursor = first.path(view.zoom), first.path(view.cursor)
        screen.LIVE_EVERY = 0.5  # (10 s by default: one repaint of the graph for a burst of profiles)
        # a newer profile of another Go version: other node ids, same paths
        newer = dataclasses.replace(
            make_snapshot(2), heap=decode_profile((FIXTURES / "go1.19/heap.pb.gz").read_bytes())
        )
        source.push(newer)
        await settle(pilot, app)
        await wait_for(pilot, lambda: screen.graph is not first)
        assert screen.graph.path(view.zoom) == zoom and screen.graph.path(view.cursor) == cursor


async def test_goroutine_tree_cpu_and_contention_open_their_flames():
    source = CpuSource(with_cpu(cpu_state()))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "f")
        await settle(pilot, app)
        assert isinstance(app.screen, FlameScreen)
        await wait_for(pilot, lambda: app.screen.graph is not None)
        assert app.screen.graph.unit == "count" and "goroutines by stack" in text(app)
        await pilot.press("escape")
        await pilot.press("C")
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        assert isinstance(app.screen, FlameScreen)
        await wait_for(pilot, lambda: app.screen.graph is not None)
        assert app.screen.graph.sample_type == "cpu" and "CPU (newest window)" in text(app)


@pytest.mark.parametrize("no_color", [False, True])
async def test_differential_against_the_previous_window(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    state = cpu_state()
    previous = cpu_state("go1.19").window
    source = CpuSource(with_cpu(dataclasses.replace(state, previous=previous)))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("C")
        await settle(pilot, app)
        await pilot.press("f", "d")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, FlameScreen)
        await wait_for(pilot, lambda: screen.graph is not None and screen.graph.base_values is not None)
        await pilot.pause()
        shown = text(app)
        assert "vs the previous CPU window" in shown
        assert ("+ grew · − shrank" if no_color else "orange grew · blue shrank") in shown
        assert "vanished (v)" in shown
        await pilot.press("v")
        assert "vanished since the base" in text(app)
        if no_color:
            assert any(mark in shown for mark in ("+", "−"))


async def test_untrusted_names_render_literally():
    heap = flat_profile({EVIL: 5000, "pkg.normal": 100})
    app = build_app(CannedSource(make_snapshot(1, heap=heap)))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_flame(pilot, app)
        await pilot.press("j", "j")  # main.main, then its heaviest callee
        view = screen.query_one(FlameView)
        assert screen.graph is not None and screen.graph.name(view.cursor) == EVIL
        assert SHOWN[:40] in text(app)  # the info line names it in full, literally
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg


def test_keys_are_explained():
    for binding in FlameScreen.BINDINGS:
        assert binding.action in EXPLAIN or binding.action.startswith("app."), binding.action


async def test_help_lists_the_flame_keys():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_flame(pilot, app)
        rows = dict(help_rows(app.screen))
        assert "enter" in rows and "/" in rows and "c" in rows and "d" in rows


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_flame_snapshot(snap_compare, size):
    async def run_before(pilot):
        await open_flame(pilot, pilot.app)
        await pilot.press("j", "j")

    assert snap_compare(build_app(CannedSource(make_snapshot(1))), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_flame_diff_snapshot(snap_compare, size):
    state = dataclasses.replace(cpu_state(), previous=cpu_state("go1.19").window)

    async def run_before(pilot):
        await settle(pilot, pilot.app)
        await pilot.press("C")
        await settle(pilot, pilot.app)
        await pilot.press("f", "d")
        await settle(pilot, pilot.app)
        await pilot.press("j", "j")

    assert snap_compare(build_app(CpuSource(with_cpu(state))), terminal_size=size, run_before=run_before)


async def test_d_cycles_to_the_fleet_siblings_median():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_flame(pilot, app)
        siblings = tuple(decode_profile((FIXTURES / v / "heap.pb.gz").read_bytes()) for v in ("go1.19", "go1.26"))
        screen.show_siblings(siblings)  # what FleetApp hands down in a fleet watch
        await pilot.press("d", "d")
        assert screen.spec.diff and screen.spec.against == "siblings"
        await wait_for(pilot, lambda: screen.graph is not None and screen.graph.base_values is not None)
        await pilot.pause()
        assert "vs the median of 2 siblings" in text(app)
        await pilot.press("d")
        assert not screen.spec.diff


async def test_fleet_flame_against_the_siblings_median():
    from tests.tui.test_fleet_view import _fleet, fleet_ready
    from tui.screens.fleet import FleetScreen

    app = build_app(_fleet())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: fleet_ready(app))
        await settle(pilot, app)
        assert isinstance(app.screen, FleetScreen)
        await pilot.press("enter")  # the first target's dashboard
        await settle(pilot, app)
        screen = await open_flame(pilot, app)
        assert len(screen.sibling_heaps) == 2  # the app handed the two others' heaps down
        await pilot.press("d", "d")
        await wait_for(pilot, lambda: screen.graph is not None and screen.graph.base_values is not None)
        await pilot.pause()
        assert "vs the median of 2 siblings" in text(app)
        # the same captures everywhere: nothing grew or shrank against the median
        graph = screen.graph
        assert graph is not None and graph.base_values is not None
        assert (graph.values == graph.base_values).all()
