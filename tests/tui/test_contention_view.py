"""The contention screen (`m`): mutex/block this window and since start, drill-down, esc back, and
the "rate not set" answer — on captures of our target (tests/target, rates set) and of Prometheus
and etcd as Debian ships them (tests/fixtures/profiles/, README there), at 80x24."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.heap.decode import decode_profile
from tui.heap.diff import diff
from tui.model.contention import BLOCK, MUTEX, advance, parse_contention_header, with_header
from tui.model.parsers import profile_totals
from tui.screens.contention_screen import ContentionScreen
from tui.screens.heap_drill import HeapDrillScreen
from tui.screens.keys import EXPLAIN

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"


def contention_of(source: str, kind: str, *, window: bool = True):
    """The poller's state after two fetches 5 s apart: the capture's cumulative profile, and before
    it the cumulative minus the capture's 5 s delta (so the window is that delta)."""
    d = PROFILES / source
    cumulative = decode_profile((d / f"{kind}.pb.gz").read_bytes())
    state = None
    if window:
        delta = decode_profile((d / f"{kind}_delta.pb.gz").read_bytes())
        before = diff(cumulative, delta)
        state = advance(None, kind, before, profile_totals(before), 95.0)
    state = advance(state, kind, cumulative, profile_totals(cumulative), 100.0)
    if kind == MUTEX:
        header = parse_contention_header((d / "mutex_debug1.txt").read_text())
        state = with_header(state, kind, header, 100.0)
    return state


def snapshot_with(source: str, *, window: bool = True):
    base = make_snapshot(1)
    contention = {k: contention_of(source, k, window=window) for k in (MUTEX, BLOCK)}
    profiles = {"mutex": 1, "block": 1, "goroutine": base.goroutine_total or 0}
    return dataclasses.replace(base, contention=MappingProxyType(contention), profiles=MappingProxyType(profiles))


def text(app) -> str:
    return "\n".join(screen_text(app))


async def _open(pilot, app) -> None:
    await settle(pilot, app)
    await pilot.press("m")
    await settle(pilot, app)


async def test_our_target_window_table_drill_and_back():
    app = build_app(CannedSource(snapshot_with("go1.27")))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app)
        assert isinstance(app.screen, ContentionScreen)
        shown = text(app)
        assert "mutex · delay · last 5 s" in shown
        assert "contentions/s" in shown
        assert "sync.(*Mutex).Unlock" in shown and "main.(*hotLock).work" in shown
        await pilot.press("b")
        await settle(pilot, app)
        shown = text(app)
        assert "block · delay · last 5 s" in shown and "main.blockOnChan" in shown
        await pilot.press("w")
        await settle(pilot, app)
        assert "block · delay · since start" in text(app)
        await pilot.press("t")
        await settle(pilot, app)
        assert "block · contentions · since start" in text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HeapDrillScreen)
        assert "contentions" in text(app) and "(none: the wait is recorded in this function)" in text(app)
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, (ContentionScreen, HeapDrillScreen))


async def test_help_lists_the_screen_keys():
    from tui.screens.keys import help_rows

    app = build_app(CannedSource(snapshot_with("go1.27")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert ("m", EXPLAIN["app.contention"]) in help_rows(app.screen)
        await _open(pilot, app)
        keys = dict(help_rows(app.screen))
        assert keys["b"] == EXPLAIN["contention_kind('block')"] and keys["w"] == EXPLAIN["contention_scope"]
        assert "esc" in keys and "enter" in keys


async def test_window_numbers_are_the_delta_not_the_total():
    c = contention_of("go1.27", MUTEX)
    delta = decode_profile((PROFILES / "go1.27" / "mutex_delta.pb.gz").read_bytes())
    want = profile_totals(delta)["contentions"]
    assert c.delta("contentions") == pytest.approx(want)
    assert c.totals["contentions"] > want  # since start is more than the window


async def test_prometheus_says_what_to_set():
    """Prometheus serves `sampling period=0` and an empty block profile: the screen says so."""
    app = build_app(CannedSource(snapshot_with("prometheus-load", window=False)))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app)
        shown = " ".join(text(app).split())
        assert "mutex profiling is off in the target (sampling period=0)" in shown
        assert "runtime.SetMutexProfileFraction(5)" in shown
        await pilot.press("b")
        await settle(pilot, app)
        shown = " ".join(text(app).split())
        assert "no blocking events recorded" in shown and "runtime.SetBlockProfileRate(" in shown


async def test_etcd_mutex_on_block_empty():
    """etcd sets a mutex fraction (5) but no block rate."""
    app = build_app(CannedSource(snapshot_with("etcd-load")))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app)
        shown = " ".join(text(app).split())
        assert "SetMutexProfileFraction" not in shown and "sync.(*Mutex).Unlock" in shown
        await pilot.press("b")
        await settle(pilot, app)
        assert "no blocking events recorded" in " ".join(text(app).split())


async def test_not_listed_and_updates_live():
    """Before any mutex fetch: the reason; the next snapshot fills the table in place."""
    first = make_snapshot(1)
    source = CannedSource(first)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, app)
        assert "lists no mutex profile" in " ".join(text(app).split())
        source.push(snapshot_with("go1.19"))
        await settle(pilot, app)
        assert "main.(*hotLock).work" in text(app)


# --- 80x24 pictures ---------------------------------------------------------------------------


def test_snapshot_populated(snap_compare):
    async def run_before(pilot):
        await _open(pilot, pilot.app)

    assert snap_compare(build_app(CannedSource(snapshot_with("go1.27"))), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_rate_not_set(snap_compare):
    async def run_before(pilot):
        await _open(pilot, pilot.app)

    app = build_app(CannedSource(snapshot_with("prometheus-load", window=False)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
