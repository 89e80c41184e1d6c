"""Rendered-screen snapshots (pytest-textual-snapshot) of the screens that matter, at 80×24 and 160×48.

Regenerate after an intended visual change: `python3 -m pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from tests.tui.canned import CannedSource, make_snapshot
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
        await pilot.press("tab", "enter", "j", "enter")
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
        await pilot.press("tab", "enter", "j", "enter", "j", "enter")
        await _settle(pilot)

    assert snap_compare(_app(), terminal_size=size, run_before=run_before)
