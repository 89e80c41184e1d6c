"""Rendered-screen snapshots (pytest-textual-snapshot) of the screens that matter: on our target's
captures at 80×24 and 160×48, and on a real service with long module paths (Prometheus under load,
tests/fixtures/real/prometheus-load) at 80×24, 120×40 and 200×60.

Regenerate after an intended visual change: `python3 -m pytest tests/tui/test_snapshots.py --snapshot-update`,
then look at the new SVGs (tests/tui/__snapshots__/) before keeping them.
"""

from __future__ import annotations

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.real_capture import real_source, show_real_report
from tests.tui.test_dashboard import LONG_NAMES
from tui.app import build_app

SIZES = [(80, 24), (160, 48)]


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # the heap table, and the leak report: in the picture too
    await pilot.pause()


def _app():
    return build_app(CannedSource(make_snapshot(1)))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_dashboard(snap_compare, size):
    assert snap_compare(_app(), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_dashboard_tree_expanded(snap_compare, size):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("tab", "enter")  # the first reason, and its biggest bucket
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_heap_drill(snap_compare, size):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_goroutine_drill(snap_compare, size):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("tab", "enter", "j", "enter")  # the biggest bucket's first stack
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)


# --- a real service with long module paths -------------------------------------------------

REAL_SIZES = [(80, 24), (120, 40), (200, 60)]
REAL_IDS = ["80x24", "120x40", "200x60"]


@pytest.mark.parametrize("size", REAL_SIZES, ids=REAL_IDS)
def test_real_dashboard(snap_compare, size):
    """Whole names at 200 columns, names told apart at 80, sparklines with their scales."""
    assert snap_compare(build_app(real_source()), terminal_size=size, run_before=show_real_report)


@pytest.mark.parametrize("size", REAL_SIZES, ids=REAL_IDS)
def test_real_tree_expanded(snap_compare, size):
    async def run_before(pilot):
        await show_real_report(pilot)
        await pilot.press("tab", "enter")
        await _settle(pilot)

    assert snap_compare(build_app(real_source()), terminal_size=size, run_before=run_before)


def test_real_heap_drill_of_a_long_name(snap_compare):
    """At 80×24: the header wraps the whole name, file:line goes on under its function."""

    async def run_before(pilot):
        await show_real_report(pilot)
        await pilot.press("slash", *"scrapeAndReport.func1", "enter")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(build_app(real_source()), terminal_size=(80, 24), run_before=run_before)


def test_real_goroutine_drill(snap_compare):
    async def run_before(pilot):
        await show_real_report(pilot)
        await pilot.press("tab", "enter", "j", "enter")
        await _settle(pilot)

    assert snap_compare(build_app(real_source()), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_real_leak_report(snap_compare, size):
    """Rows in line, wrapped lines under their label, scales beside the sparklines."""

    async def run_before(pilot):
        await show_real_report(pilot)
        await pilot.press("L")
        await _settle(pilot)

    assert snap_compare(build_app(real_source()), terminal_size=size, run_before=run_before)


def test_filter_typed_as_a_generic_name_is_shown(snap_compare):
    """`appendTo[` typed in the / filter, as the table shows it: the matching rows."""

    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("slash", *"appendTo[", "enter")
        await _settle(pilot)

    app = build_app(CannedSource(make_snapshot(1, heap=flat_profile(LONG_NAMES))))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("presses", [1, 2, 3], ids=["by-label", "by-creator", "by-similar"])
def test_goroutine_groupings(snap_compare, presses):
    """`g` pressed 1, 2, 3 times (label, creator, similar stack), the first group opened, at 80×24."""

    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press(*["g"] * presses, "tab", "enter")
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=run_before)
