"""Incident bundles in the UI: a failing verdict writes one (in the evidence's own thread), the findings
line marks it (▣), `E` lists bundles, `c` copies a path (OSC 52), `r` captures one now; and the `E`
screen at 80×24 (snapshot)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.unit.test_evidence import filled_bodies
from tui.app import build_app
from tui.evidence.capture import Evidence
from tui.evidence.listing import BundleInfo, BundleVerdict
from tui.goroutines.match_keys import match_key
from tui.leaks.feed import LeakFeed
from tui.leaks.growth import GROWING, Verdict
from tui.leaks.tracker import LeakTracker
from tui.screens.evidence_screen import EvidenceScreen
from tui.widgets.findings import BUNDLED, FindingsBar


def _key(snapshot) -> str:
    stacks = [s for r in snapshot.goroutine_groups for b in r.buckets for s in b.stacks]
    return match_key(max(stacks, key=lambda s: s.count).frames)


class FiringTracker:
    """A tracker whose reports carry one growing verdict from the second snapshot on."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.fed = 0

    def feed(self, snapshot):
        self.fed += 1
        report = dataclasses.replace(LeakTracker().report(snapshot.time), baseline_at=10.0)
        if self.fed < 2:
            return report
        v = Verdict(
            GROWING, self.key, "main.(*Dispatcher).deliver [chan send]", 120.0, 400, 50.0, "+120/min", "goroutines"
        )
        return dataclasses.replace(report, verdicts=(v,))


async def settle(pilot, evidence: Evidence | None = None) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if evidence is not None:
            await asyncio.to_thread(evidence.wait_idle, 30)
        await pilot.pause()


async def test_a_failing_verdict_is_captured_marked_and_listed(tmp_path: Path) -> None:
    first = make_snapshot(1)
    source = CannedSource(first)
    evidence = Evidence(tmp_path / "ev", filled_bodies(), target="127.0.0.1:6060")
    app = build_app(source, evidence=evidence)
    app.leaks = LeakFeed(tracker=FiringTracker(_key(first)))  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert evidence.bundles() == ()  # nothing failed yet
        source.push(make_snapshot(2))
        await settle(pilot, evidence)
        source.push(make_snapshot(3))  # still failing: no second bundle
        await settle(pilot, evidence)
        [bundle] = evidence.bundles()
        assert bundle.verdicts[0].key == _key(first)
        assert (bundle.path / "stacks.txt").read_text().count("goroutines [") >= 1
        bar = app.dashboard.query_one(FindingsBar)
        assert BUNDLED.strip() in bar.plain, bar.plain
        await pilot.press("E")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        assert [r.path for r in screen.rows] == [str(bundle.path)]
        await pilot.press("c")
        assert app.clipboard == str(bundle.path)
        await pilot.press("r")
        await settle(pilot, evidence)
        screen.list_bundles()
        await settle(pilot)
        assert len(screen.rows) == 2 and screen.rows[0].verdict == "captured by hand"
        await pilot.press("escape")
        assert app.screen is app.dashboard


async def test_E_is_off_without_evidence() -> None:
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        assert not isinstance(app.screen, EvidenceScreen)


class CannedShelf:
    """Fixed bundles (paths, times) for the rendered screen."""

    writes = False
    root = Path("/home/ops/.local/state/pprof-tui/sessions/20250314-0931-api-7f9c:6060/evidence")

    def bundles(self) -> tuple[BundleInfo, ...]:
        def b(name: str, at: float, title: str, label: str, size: int) -> BundleInfo:
            verdicts = (BundleVerdict("k-" + name, title, label, "first failed"),) if title else ()
            return BundleInfo(self.root / name, name, at, "verdict" if title else "asked", verdicts, size, "proto")

        return (
            b(
                "20250314-093512-main.-LFUCache-.increment",
                1_741_944_912.0,
                GROWING,
                "main.(*LFUCache).increment",
                412_331,
            ),
            b(
                "20250314-094018-main.-Dispatcher-.deliver",
                1_741_945_218.0,
                "leaked",
                "main.(*Dispatcher).deliver [chan send]",
                3_811_224,
            ),
            b("20250314-094410-by-hand", 1_741_945_450.0, "", "", 2_904_118),
        )

    def capture_now(self) -> bool:
        return True

    def bundled_keys_now(self) -> frozenset[str]:
        return frozenset()


@pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
def test_evidence_screen(snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)

    app = build_app(CannedSource(make_snapshot(1)), evidence=CannedShelf())  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=size, run_before=run_before)
