"""`pprof-tui watch` over several real Go targets of ours, as replicas of one service, in the app (Pilot at
80x24): one leaks 3,000 goroutines on [chan send] at start and is flagged as the outlier in the fleet view,
`c` compares it with its siblings; a dead target (nothing listening) and a hanging one (accepts, never
answers) beside them do not slow the others' polls (the fleet's shared request cap gives a slow request's
slot back)."""

from __future__ import annotations

import socket

import pytest

from tests.tui.waiting import settle, wait_for
from tui import app as app_module
from tui.cli import main
from tui.model import snapshot as snap
from tui.screens.fleet import FleetScreen
from tui.screens.fleet_compare import FleetCompareScreen
from tui.sources.fleet import FleetSource

pytestmark = pytest.mark.e2e

CHAN_LEAF = "main.(*Dispatcher).deliver"
COMMON = ("-idle-pool", "8", "-heap-steady-mb", "2")
LIVE = ("pod-1", "pod-2", "pod-3")


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def hanging():
    """A listening socket nobody accepts from: connections open, requests are never answered."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield f"127.0.0.1:{s.getsockname()[1]}"
    s.close()


def _watch_source(monkeypatch, argv: list[str]) -> FleetSource:
    """The source `pprof-tui watch ARGV` builds (the command's own parsing and wiring); not run by it."""
    seen = {}

    class NotRun:
        def run(self) -> None:
            pass

    monkeypatch.setattr(app_module, "build_app", lambda source, **_: seen.setdefault("source", source) and NotRun())
    monkeypatch.setattr("tui.commands.watch._freeze", lambda: None)
    assert main(["watch", *argv]) == 0
    monkeypatch.undo()
    source = seen["source"]
    assert isinstance(source, FleetSource)
    return source


async def test_the_leaking_replica_is_flagged_and_dead_or_hanging_ones_slow_nobody(go_target, hanging, monkeypatch):
    pods = {
        "pod-1": go_target(*COMMON),
        "pod-2": go_target(*COMMON, "-chan-leak-initial", "3000"),
        "pod-3": go_target(*COMMON),
    }
    argv = [f"{name}={t.addr}" for name, t in pods.items()]
    argv += [f"dead={_dead_address()}", f"hang={hanging}", "--interval", "1", "--timeout", "20"]
    source = _watch_source(monkeypatch, argv)
    app = app_module.build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:

        def flagged() -> bool:
            rows = {r.target: r for r in app.screen.rows} if isinstance(app.screen, FleetScreen) else {}
            return all(name in rows and rows[name].goroutines for name in LIVE) and bool(rows["pod-2"].outliers)

        await wait_for(pilot, flagged, timeout=60)
        rows = {r.target: r for r in app.screen.rows}
        assert rows["pod-2"].outliers[0].endswith("[chan send]") and CHAN_LEAF in rows["pod-2"].outliers[0]
        assert not rows["pod-1"].outliers and not rows["pod-3"].outliers
        assert app.screen.rows[0].target == "pod-2"  # findings first
        assert rows["dead"].state in (snap.RECONNECTING, snap.ERROR) and rows["dead"].goroutines is None
        assert rows["hang"].goroutines is None

        # The hanging target's requests wait out their 20 s deadline; the live ones poll every second.
        seqs = {name: app.newest[name].seq for name in LIVE}
        await pilot.pause(6.0)
        advanced = {name: app.newest[name].seq - seqs[name] for name in LIVE}
        assert all(n >= 3 for n in advanced.values()), advanced
        assert source.gates is not None and source.gates.requests_released_slow >= 1

        await pilot.press("k", "k", "c")  # the first row: the leaking one, compared with its siblings
        await wait_for(pilot, lambda: isinstance(app.screen, FleetCompareScreen) and app.screen.comparison is not None)
        await settle(pilot, app)
        comparison = app.screen.comparison
        assert comparison.target == "pod-2" and comparison.siblings["goroutines"] == 2
        first = comparison.rows[0]
        assert first.flagged and first.label.startswith(CHAN_LEAF) and first.value >= 3000
        assert first.siblings_median < 100
