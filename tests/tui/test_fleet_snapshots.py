"""Rendered-screen snapshots of the fleet view (`watch TARGET TARGET...`) and of one replica compared with
its siblings, at 80x24 and 160x48, on canned snapshots of three replicas (one with 600 goroutines blocked in
`main.fetchAll.func1 [chan send]`). Regenerate: `python3 -m pytest tests/tui/test_fleet_snapshots.py
--snapshot-update`, then look at the SVGs before keeping them."""

from __future__ import annotations

import pytest

from tests.tui.test_fleet_view import _fleet, fleet_ready
from tests.tui.waiting import settle, wait_for
from tui.app import build_app

SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


async def _fleet_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: fleet_ready(app))
    await pilot.press("k", "k")  # the cursor on the first row, wherever the first rows put it
    await settle(pilot, app)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_fleet_view(snap_compare, size):
    assert snap_compare(build_app(_fleet()), terminal_size=size, run_before=_fleet_ready)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_fleet_compare(snap_compare, size):
    async def run_before(pilot):
        await _fleet_ready(pilot)
        await pilot.press("c")
        app = pilot.app
        await wait_for(pilot, lambda: getattr(app.screen, "comparison", None) is not None)
        await settle(pilot, app)

    assert snap_compare(build_app(_fleet()), terminal_size=size, run_before=run_before)
