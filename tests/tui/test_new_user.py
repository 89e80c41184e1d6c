"""Issue #25 ("what a new user tripped over"): the screens at 80x24 when things go wrong."""

from __future__ import annotations

import dataclasses

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.model import snapshot as snap
from tui.widgets.problem import ProblemLine

ERRORS = (
    "HTTP 404 at http://127.0.0.1:41234/debug/pprof/: the target answers but serves no pprof index here "
    "(is the path right? try --base-path)",
    "127.0.0.1:41235: TLS handshake failed (https against a plain http port? try http://)",
    "index: redirected to /cluster/login (redirects are not followed: point at the pprof base itself)",
)


async def full_settle(pilot, app) -> None:
    await settle(pilot, app)
    await app.workers.wait_for_complete()
    await settle(pilot, app)


@pytest.mark.parametrize("error", ERRORS)
async def test_an_error_is_shown_whole_at_80_columns_until_the_target_answers(error):
    failing = snap.Snapshot(
        seq=1, time=5.0, target="127.0.0.1:41234", state=snap.RECONNECTING, last_error=error, status="connecting"
    )
    source = CannedSource(failing)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await full_settle(pilot, app)
        text = " ".join(line.strip() for line in screen_text(app))
        assert error in text, "the whole reason, on lines of its own"
        source.push(make_snapshot(2))
        await full_settle(pilot, app)
        assert not app.screen.query_one(ProblemLine).display
        assert error.split(":")[0] not in " ".join(screen_text(app)[1:])


async def test_an_endpoint_never_read_says_why_on_a_line_of_its_own():
    ok = make_snapshot(1)
    ages = dict(ok.ages)
    ages[snap.HEAP] = snap.DataAge(snap.HEAP, None, None, "HTTP 500 from /debug/pprof/heap: internal error (retrying)")
    source = CannedSource(dataclasses.replace(ok, ages=ages, heap=None))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await full_settle(pilot, app)
        text = " ".join(line.strip() for line in screen_text(app))
        assert "heap: HTTP 500 from /debug/pprof/heap: internal error (retrying)" in text


async def test_the_leak_report_of_a_target_never_read_does_not_say_nothing_growing():
    failing = snap.Snapshot(
        seq=1, time=5.0, target="127.0.0.1:41234", state=snap.RECONNECTING, last_error=ERRORS[0], status=""
    )
    app = build_app(CannedSource(failing))
    async with app.run_test(size=(80, 24)) as pilot:
        await full_settle(pilot, app)
        await pilot.press("L")
        await full_settle(pilot, app)
        text = "\n".join(screen_text(app))
        assert "nothing growing" not in text
        assert "nothing read yet" in text


def test_the_status_line_says_when_the_budget_cannot_hold():
    """Issue #25: `target 2.66%` at 99k goroutines against a 1 % budget, without a word."""
    from tui.screens.presenters import status_info

    over = dataclasses.replace(make_snapshot(1), target_share=0.0266, budget=0.01)
    assert status_info(over).cost == "target 2.66% > 1% budget"
    within = dataclasses.replace(make_snapshot(1), target_share=0.0098, budget=0.01)
    assert status_info(within).cost == "target 0.98%"


async def test_palette_titles_keep_what_they_say():
    """Issue #25: the palette said `Show δ` (str.capitalize lowercases the rest: Δ, CPU, GC)."""
    from tui.screens.keys import command_entries

    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        titles = [title for title, _, _ in command_entries(app.screen)]
    diff = next(t for t in titles if t.endswith("(key d)"))
    assert diff.startswith("Show Δ since the pinned baseline") and "δ" not in diff


async def test_wide_terminals_stack_the_panes_as_readme_says():
    """Issue #25: README said wide terminals put the panes side by side; the code stacks them (each
    pane the full width: whole function names). README now says what the code does."""
    from pathlib import Path

    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        heap, tree = app.screen.query_one("#heap-pane"), app.screen.query_one("#tree-pane")
        assert heap.region.width == tree.region.width == 160 and tree.region.y > heap.region.y
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "side by side: ![dashboard" not in readme and "keep the panes stacked" in readme


async def test_home_and_end_jump_in_the_heap_table():
    """Issue #25: help says home/end jump; in the heap table they did nothing."""
    from tui.widgets.heap_table import HeapTable

    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await full_settle(pilot, app)
        table = app.screen.query_one(HeapTable)
        assert table.has_focus and table.row_count > 5
        await pilot.press("end")
        await settle(pilot, app)
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        await settle(pilot, app)
        assert table.cursor_row == 0


async def test_object_counts_have_thousands_separators():
    """Issue #25: README says counts have thousands separators; inuse#/alloc# did not."""
    from tui.widgets.heap_table import HeapTable

    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await full_settle(pilot, app)
        await pilot.press("4")  # alloc_objects
        await full_settle(pilot, app)
        flats = [str(app.screen.query_one(HeapTable).get_row_at(i)[0]).strip() for i in range(3)]
        assert all(len(f) <= 3 or "," in f for f in flats) and any("," in f for f in flats), flats


def test_microseconds_are_written_one_way_on_screen():
    from tui.heap.units import format_shown, format_value

    assert format_value(12_500, "nanoseconds") == "12.50us"  # `top`: as go tool pprof -top
    assert format_shown(12_500, "nanoseconds") == "12.50µs"  # screens: as the sparklines
    assert format_shown(2_500_000, "nanoseconds") == "2.50ms"
