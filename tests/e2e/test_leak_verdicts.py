"""Leak verdicts against the real Go target at default settings (2 s poll, default budgets):
with both leaks on, the chan-send group and the cache's increment function are flagged within
2 minutes; with both leaks off (steady pool, bursts that drain, a flat heap) nothing is.
Both targets are watched at the same time (one poller and one LeakTracker each), and `pprof-tui check`
runs against each beside them, as a service's CI would."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import build_config
from tui.leaks.reconcile import NOTHING
from tui.leaks.report import LeakReport
from tui.leaks.tracker import LeakTracker
from tui.model import snapshot as snap
from tui.service.poller import Poller

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

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


def _check(addr: str) -> subprocess.Popen[str]:
    """`pprof-tui check` as a service's CI would run it, beside the in-process watch of the same target."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "check", addr, "--for", f"{WATCH_SECONDS:g}s", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_leaks_flagged_within_two_minutes_and_nothing_without_leaks(go_target):
    on_target, off_target = go_target(*LEAKS_ON), go_target(*LEAKS_OFF)
    checks = {"on": _check(on_target.addr), "off": _check(off_target.addr)}
    on, off = Watch(on_target.addr), Watch(off_target.addr)
    tasks = [on.poller.start(), off.poller.start()]
    await asyncio.sleep(WATCH_SECONDS + 2.0)
    assert not any(t.done() for t in tasks)
    await asyncio.gather(on.poller.stop(), off.poller.stop())
    checked = {name: (await asyncio.to_thread(p.wait, 60), *p.communicate()) for name, p in checks.items()}

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

    # `check`: the leaking build exits 1 naming both leaks, the clean one exits 0
    status, out, err = checked["on"]
    assert status == 1, (out, err)
    failing = [v["label"] for v in json.loads(out)["targets"][0]["verdicts"] if v["fails"]]
    assert any(label.startswith(CHAN_LEAF) for label in failing), failing
    assert any(CACHE_FUNC in label for label in failing), failing
    status, out, err = checked["off"]
    assert status == 0, (out, err)
    target = json.loads(out)["targets"][0]
    assert target["errors"] == [] and target["polls"] >= 40
    assert [v for v in target["verdicts"] if v["fails"]] == []
