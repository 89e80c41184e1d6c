"""Leak verdicts against the real Go target at default settings (2 s poll, default budgets):
with both leaks on, the chan-send group and the cache's increment function are flagged within
2 minutes; with both leaks off (steady pool, bursts that drain, a flat heap) nothing is.
Both targets are watched at the same time (one poller and one LeakTracker each)."""

import asyncio

import pytest

from tui.config import build_config
from tui.leaks.reconcile import NOTHING
from tui.leaks.tracker import LeakReport, LeakTracker
from tui.model import snapshot as snap
from tui.service.poller import Poller

pytestmark = pytest.mark.e2e

WATCH_SECONDS = 120.0
CHAN_LEAF = "main.(*Dispatcher).deliver"
CACHE_FUNC = "main.(*LFUCache).increment"
LEAKS_ON = (
    "-chan-leak-rate",
    "1",
    "-cache-leak-rate",
    "1000",
    "-idle-pool",
    "8",
    "-burst",
    "50",
    "-burst-every",
    "10s",
    "-heap-steady-mb",
    "2",
)
LEAKS_OFF = ("-idle-pool", "8", "-burst", "50", "-burst-every", "10s", "-heap-steady-mb", "2")


class Watch:
    def __init__(self, addr: str) -> None:
        self.tracker = LeakTracker()
        self.reports: list[LeakReport] = []
        self.started: float | None = None
        self.poller = Poller(build_config({"target": addr}, env={}), on_snapshot=self.on_snapshot)

    def on_snapshot(self, s: snap.Snapshot) -> None:
        if self.started is None:
            self.started = s.time
        if s.time - self.started <= WATCH_SECONDS:
            self.reports.append(self.tracker.feed(s))

    def first_flag(self, label_prefix: str) -> float | None:
        for r in self.reports:
            if any(v.label.startswith(label_prefix) for v in r.verdicts):
                return r.time - (self.started or 0.0)
        return None


async def test_leaks_flagged_within_two_minutes_and_nothing_without_leaks(go_target):
    on = Watch(go_target(*LEAKS_ON).addr)
    off = Watch(go_target(*LEAKS_OFF).addr)
    tasks = [on.poller.start(), off.poller.start()]
    await asyncio.sleep(WATCH_SECONDS + 2.0)
    assert not any(t.done() for t in tasks)
    await asyncio.gather(on.poller.stop(), off.poller.stop())

    assert len(on.reports) >= 30 and len(off.reports) >= 30
    chan_t, cache_t = on.first_flag(CHAN_LEAF), on.first_flag(CACHE_FUNC)
    print(f"time to flag: chan-send group {chan_t} s, {CACHE_FUNC} {cache_t} s")
    assert chan_t is not None and chan_t <= WATCH_SECONDS, [r.verdicts for r in on.reports[-1:]]
    assert cache_t is not None and cache_t <= WATCH_SECONDS, on.reports[-1].functions[:3]
    last = on.reports[-1]
    assert last.verdicts[0].label.startswith((CHAN_LEAF, CACHE_FUNC))
    assert last.heap_diff is not None and last.heap_diff.growing[0][0] == CACHE_FUNC

    false_flags = {v.label for r in off.reports for v in r.verdicts}
    assert false_flags == set(), false_flags
    claims = {r.reconciliation.sentence for r in off.reports if r.reconciliation.verdict != NOTHING}
    assert claims == set(), claims
