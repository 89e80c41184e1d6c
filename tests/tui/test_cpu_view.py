"""The CPU view (`C`): "this window" and "since start", flat/cum, filter, drill-down, esc back, the
key starting and stopping the windows — on real CPU captures of our target and of Prometheus under
load (tests/fixtures/profiles/, README there), at 80x24."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.model.cpu import CpuState, CpuTotals, parse_cpu
from tui.screens.cpu_screen import CpuScreen
from tui.screens.dashboard import Dashboard
from tui.screens.heap_drill import HeapDrillScreen
from tui.screens.keys import EXPLAIN

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
STATUS = "window 10 s every 25 s (budget 1 %: ~150 ms of target CPU each)"


class CpuSource(CannedSource):
    """A canned source that can take CPU windows (records what it was asked)."""

    def set_cpu(self, on: bool) -> None:
        self.calls.append(f"cpu:{'on' if on else 'off'}")


def cpu_state(source: str = "go1.27", *, windows: int = 2, on: bool = True) -> CpuState:
    """Windows of a real capture: the newest is the capture, the sums count it ``windows`` times."""
    window = parse_cpu((PROFILES / source / "cpu.pb.gz").read_bytes())
    totals = CpuTotals()
    for i in range(windows):
        totals.add(dataclasses.replace(window, started_ns=window.started_ns + i))
    return CpuState(
        on=on,
        status=STATUS if on else "CPU windows off — C: start",
        window=window,
        window_at=98.0,
        since=totals.funcs(),
        since_total=totals.total,
        since_seconds=totals.seconds,
        windows=totals.windows,
    )


def with_cpu(state: CpuState | None, seq: int = 1):
    return dataclasses.replace(make_snapshot(seq), cpu=state)


def text(app) -> str:
    return "\n".join(screen_text(app))


async def test_c_starts_windows_opens_the_view_and_c_again_stops_them():
    source = CpuSource(with_cpu(None))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("C")
        await settle(pilot, app)
        assert "cpu:on" in source.calls
        assert isinstance(app.screen, CpuScreen)
        assert "no window taken" in text(app) or "no window" in text(app)
        source.push(with_cpu(cpu_state(), 2))
        await settle(pilot, app)
        shown = text(app)
        assert STATUS in shown
        assert "this window: 5 s" in shown and "since start: 2 windows" in shown
        first = next(line for line in screen_text(app) if "main." in line)
        assert "main.burnCPU" in first  # the top of the window
        await pilot.press("C")
        await settle(pilot, app)
        assert source.calls.count("cpu:off") == 1
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, Dashboard)


async def test_c_with_windows_running_opens_the_view_without_stopping_them():
    source = CpuSource(with_cpu(cpu_state()))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("C")
        await settle(pilot, app)
        assert isinstance(app.screen, CpuScreen)
        assert not any(c.startswith("cpu:") for c in source.calls)


async def test_watch_cpu_opens_the_cpu_view_and_asks_for_windows():
    """Issue #25: README says `watch --cpu` opens the CPU view; it opened the dashboard."""
    source = CpuSource(with_cpu(None))
    app = build_app(source, open_cpu=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, CpuScreen)
        assert "cpu:on" in source.calls
        source.push(with_cpu(cpu_state(), 2))
        await settle(pilot, app)
        assert STATUS in text(app)
        await pilot.press("C")  # in the view: stops them, as any time
        await settle(pilot, app)
        assert source.calls.count("cpu:off") == 1
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, Dashboard)


async def test_sort_filter_and_drill():
    source = CpuSource(with_cpu(cpu_state()))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("C")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, CpuScreen)
        burn = next(r for r in screen.rows if r.name == "main.burnCPU")
        assert burn.since_flat == 2 * burn.flat  # two windows summed
        await pilot.press("o")
        await settle(pilot, app)
        assert screen.sort == "cum" and "Σ cum" in text(app)
        assert screen.rows[0].cum >= screen.rows[-1].cum
        await pilot.press("slash")
        for ch in "CPUSmall":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot, app)
        assert [r.name for r in screen.rows] == ["main.burnCPUSmall"]  # a literal substring
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HeapDrillScreen)
        drill = text(app)
        assert "main.burnCPUSmall" in drill and "callers" in drill
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen


async def test_new_snapshots_update_the_open_view():
    source = CpuSource(with_cpu(cpu_state(windows=1)))
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("C")
        await settle(pilot, app)
        assert "since start: 1 windows" in text(app)
        source.push(with_cpu(cpu_state(windows=3), 2))
        await settle(pilot, app)
        assert "since start: 3 windows" in text(app)


def test_the_key_is_explained_in_help():
    assert "CPU" in EXPLAIN["app.toggle_cpu"]
    assert any(b.key == "C" and b.action == "app.toggle_cpu" for b in Dashboard.BINDINGS)


@pytest.mark.parametrize("source", ["go1.27", "prometheus-load"])
def test_cpu_view_80x24(snap_compare, source):
    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("C")
        await settle(pilot, pilot.app)

    app = build_app(CpuSource(with_cpu(cpu_state(source))))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
