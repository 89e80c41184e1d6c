"""The poller and the work limits: the index's goroutine count is a hint (the dump's real count and
parse cost feed the budget), and what a parse left out reaches the snapshot and the status lines."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.fake_pprof_server import index_html
from tests.unit.service_fakes import FAKE_PARSERS, FakeClock, ScriptedTarget, make_poller, run_until
from tui.core.limits import LimitNote
from tui.model import snapshot as snap
from tui.model.parsers import HeapData, TreeData


class LyingTarget(ScriptedTarget):
    """Says 10 goroutines in its index; its dumps hold 5,000."""

    def body(self, key: str) -> bytes:
        return index_html(10) if key == "index" else super().body(key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_a_target_under_reporting_its_goroutines_does_not_get_dumps_at_its_word(clock: FakeClock) -> None:
    target = LyingTarget(clock, goroutines=5000, seconds_per_goroutine=100e-6)  # 0.5 s a dump
    poller = make_poller(target, clock, interval=1, debug2_min_age=1)
    start = clock()
    poller.start()
    await run_until(poller, lambda: clock() - start > 300)
    await poller.stop()
    times = target.times["goroutine?debug=2"]
    assert poller.budget is not None and poller.budget.index_underreports
    assert poller.budget.planned_goroutines(10) == 5000
    # by the index's word (10 goroutines) a dump would come every second; by its real cost, every 50 s
    assert 2 <= len(times) <= 1 + 300 / 50
    assert all(b - a >= 50 for a, b in zip(times[1:], times[2:]))
    assert poller.budget.share(clock()) <= 0.01 * 1.1


def _noted_tree(data: bytes) -> TreeData:
    tree = FAKE_PARSERS.goroutine_debug2(data)
    note = LimitNote("distinct stacks", 20, "--max-stacks", 4_980, "goroutines")
    return dataclasses.replace(tree, notes=(note,), parse_seconds=0.01)


class _NotedProfile:
    notes = (LimitNote("samples", 500_000, "--max-samples", 9_500_000, "samples"),)


async def test_notes_reach_the_snapshot_and_its_status_lines(clock: FakeClock) -> None:
    target = ScriptedTarget(clock, goroutines=50)
    parsers = dataclasses.replace(
        FAKE_PARSERS,
        goroutine_debug2=_noted_tree,
        heap=lambda data: HeapData(profile=_NotedProfile(), totals={"inuse_space": 1.0}),  # type: ignore[arg-type]
    )
    poller = make_poller(target, clock, debug2_min_age=1)
    poller.parsers = parsers
    poller.start()
    await run_until(poller, lambda: poller.latest is not None and snap.GOROUTINE_TREE in poller.latest.limit_notes)
    await run_until(poller, lambda: snap.HEAP in poller.latest.limit_notes)  # type: ignore[union-attr]
    await poller.stop()
    s = poller.latest
    assert s is not None
    assert [n.flag for n in s.limit_notes[snap.GOROUTINE_TREE]] == ["--max-stacks"]
    assert s.tree_status.endswith("old: 4,980 goroutines over --max-stacks")
    assert len(s.tree_status) <= 80
    # a partial heap is said where the status bar says what is wrong with an endpoint
    assert s.age(snap.HEAP).reason == "9,500,000 samples over --max-samples"
    assert snap.GOROUTINE_STACKS not in s.limit_notes
