"""The GC-pressure finding (tui/leaks/gc_pressure.py) on recorded and hand-made MemStats series, and
the rates behind the GC sparklines (tui/model/gc_rates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_real_recordings import REAL as REAL_RECORDINGS
from tests.unit.test_real_recordings import replayed
from tui.leaks.gc_pressure import CHURN, LIVE_HEAP, gc_pressure
from tui.leaks.reconcile import HEAP_AFTER_GC
from tui.leaks.tracker import LeakTracker
from tui.model.gc_rates import ALLOC_RATE, GC_PER_MIN, PAUSE_P99, GCRates, new_pauses, percentile
from tui.model.memstats import MemStats, parse_memstats
from tui.recording.format import open_recording

SERIES = Path(__file__).resolve().parents[1] / "fixtures" / "series"
REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
REAL_DIRS = sorted(d.name for d in REAL.iterdir() if (d / "meta.json").exists())


def _series(polls: list[dict[str, float]], upto: float | None = None) -> dict[str, list[tuple[float, float]]]:
    """The tracker's metric series from recorded polls (HEAP_AFTER_GC as the tracker builds it)."""
    rows = [p for p in polls if upto is None or p["t"] <= upto]
    out: dict[str, list[tuple[float, float]]] = {
        "num_gc": [(p["t"], p["num_gc"]) for p in rows],
        "total_alloc": [(p["t"], p["total_alloc"]) for p in rows],
        "next_gc": [(p["t"], p["next_gc"]) for p in rows],
        "gc_cpu_fraction": [(p["t"], p["gc_cpu"]) for p in rows],
    }
    out[HEAP_AFTER_GC] = [(b["t"], b["heap_inuse"]) for a, b in zip(rows, rows[1:]) if b["num_gc"] != a["num_gc"]]
    return out


def _recorded(name: str) -> list[dict[str, float]]:
    return json.loads((SERIES / name).read_text())["polls"]


def test_a_leak_under_a_memory_limit_is_gc_pressure_because_the_live_heap_grows():
    polls = _recorded("gc_memlimit_leak.json")  # GOMEMLIMIT=24MiB, -cache-leak-rate 5000
    finding = gc_pressure(_series(polls))
    assert finding is not None and finding.kind == LIVE_HEAP
    assert finding.gc_rising and finding.gc_cpu_rising
    assert finding.gc_per_min > 100  # the goal is pinned at the limit: GC runs all the time
    assert finding.live_heap_rate is not None and finding.live_heap_rate > 10e6  # ~25 MB/min
    assert finding.sentence.startswith("GC is running ")
    assert "because the live heap grows (+" in finding.sentence and "CPU since start and rising" in finding.sentence
    # not before the live heap's trend could be judged (1.5 min): nothing is claimed early
    assert gc_pressure(_series(polls, upto=60)) is None


def test_the_same_leak_without_a_limit_is_no_gc_pressure():
    # Go's pacer lets the goal grow with the live heap: GC runs less often, its CPU share stays flat
    polls = _recorded("gc_nolimit_leak.json")
    for upto in (60, 100, 150):
        assert gc_pressure(_series(polls, upto=upto)) is None


def _churn_series(gc_per_min: float, *, live_growth_per_min: float = 0.0, minutes: float = 5.0):
    step, n = 5.0, int(minutes * 12)
    ts = [i * step for i in range(n + 1)]
    return {
        "num_gc": [(t, t * gc_per_min / 60) for t in ts],
        "total_alloc": [(t, t * 50e6) for t in ts],  # 50 MB/s
        "next_gc": [(t, 8e6 + t / 60 * live_growth_per_min) for t in ts],
        "gc_cpu_fraction": [(t, 0.03) for t in ts],
        HEAP_AFTER_GC: [(t, 4e6 + (t / 60) * live_growth_per_min + (i % 3) * 1000) for i, t in enumerate(ts)],
    }


def test_busy_gc_with_a_flat_live_heap_is_churn():
    finding = gc_pressure(_churn_series(300))
    assert finding is not None and finding.kind == CHURN
    assert finding.sentence == (
        "GC is running 300×/min, 3.0 % CPU since start, while the live heap is not growing (~3.81MB): "
        "churn, allocating 47.68MB/s"
    )
    assert not finding.gc_rising and not finding.gc_cpu_rising


def test_busy_gc_with_a_growing_heap_but_no_rise_is_churn_and_says_the_heap_grows():
    finding = gc_pressure(_churn_series(300, live_growth_per_min=2e6))
    assert finding is not None and finding.kind == CHURN
    assert "the live heap grows (+1.91MB/min) but GC is not getting busier with it" in finding.sentence


def test_a_quiet_gc_is_no_finding():
    assert gc_pressure(_churn_series(5)) is None
    assert gc_pressure(_churn_series(5, live_growth_per_min=2e6)) is None  # the heap verdicts' business
    assert gc_pressure({}) is None
    assert gc_pressure(_churn_series(300, minutes=1.0)) is None  # too short to judge


def test_a_counter_going_backwards_is_judged_after_the_drop():
    series = _churn_series(300)
    # an unseen restart at 150 s: the counters start over
    series["num_gc"] = [(t, v if t < 150 else v - 740) for t, v in series["num_gc"]]
    finding = gc_pressure(series)
    assert finding is not None and finding.gc_per_min == pytest.approx(300)
    assert finding.alloc_rate is not None and finding.alloc_rate > 0


@pytest.mark.parametrize("name", REAL_DIRS)
def test_no_gc_finding_on_the_real_daemons(name):
    """Idle and loaded Debian daemons (tests/fixtures/real): GC 2–15×/min, GC CPU since start
    falling; Prometheus' live heap grows (its head block) with a quiet GC: never a GC finding."""
    rec = open_recording(REAL / name)
    ep = next(e for e in rec.endpoints() if e.startswith("heap") and "debug=1" in e)
    tracker = LeakTracker()
    findings = set()
    for ref in reversed(list(rec.answers(ep))):
        ms = parse_memstats(ref.read_body().decode("utf-8", "replace"))
        tracker.observe_metrics(
            ref.header.t,
            {k: getattr(ms, k) for k in ("num_gc", "heap_inuse", "gc_cpu_fraction", "total_alloc", "next_gc")},
        )
        finding = tracker.report().gc
        findings.add(finding.kind if finding else None)
    assert findings == {None}


# ---- the rates behind the sparklines -------------------------------------------------------


def _ms(total_alloc: int, num_gc: int, pauses: dict[int, int] | None = None) -> MemStats:
    ring = [0] * 256
    for i, ns in (pauses or {}).items():
        ring[i % 256] = ns
    return MemStats(total_alloc=total_alloc, num_gc=num_gc, pause_ns=tuple(ring))


def test_rates_from_two_samples():
    rates = GCRates()
    assert rates.observe(0.0, _ms(1_000, 10)) == {}  # a baseline
    out = rates.observe(2.0, _ms(5_001_000, 14, {10: 100, 11: 200, 12: 300, 13: 400_000}))
    assert out[ALLOC_RATE] == 2_500_000
    assert out[GC_PER_MIN] == 120
    assert out[PAUSE_P99] == 400_000  # 4 new pauses: p99 is the largest


def test_no_new_gc_no_pause_point():
    rates = GCRates()
    rates.observe(0.0, _ms(0, 10))
    out = rates.observe(5.0, _ms(1000, 10))
    assert out[GC_PER_MIN] == 0 and PAUSE_P99 not in out


def test_a_restart_gives_no_negative_or_huge_rate():
    rates = GCRates()
    rates.observe(0.0, _ms(900_000_000, 5000))
    assert rates.observe(5.0, _ms(1_000, 2)) == {}  # counters went backwards: a new baseline
    out = rates.observe(10.0, _ms(11_000, 3, {2: 50}))
    assert out == {ALLOC_RATE: 2_000.0, GC_PER_MIN: 12.0, PAUSE_P99: 50.0}
    assert rates.observe(9.0, _ms(20_000, 4)) == {}  # out of order: ignored
    assert rates.observe(10.01, _ms(20_000, 4)) == {}  # too close to the last: measured later
    assert rates.observe(15.0, _ms(21_000, 4))[ALLOC_RATE] == 2_000.0


def test_pause_ring_wrap_and_overflow():
    ring = tuple(range(256))
    assert new_pauses(ring, 258, 3) == (255, 0, 1)  # NumGC 258: the newest at (258+255) % 256 = 1
    assert len(new_pauses(ring, 10_000, 900)) == 256  # more than the ring holds: what it holds
    assert new_pauses(ring, 3, 10) == (0, 1, 2)  # never before the first GC
    assert new_pauses((1, 2), 3, 1) == ()  # not a 256 ring: nothing
    assert percentile([5, 1, 3], 0.99) == 5 and percentile(list(range(1, 201)), 0.99) == 198


def test_our_targets_churn_is_churn():
    polls = _recorded("gc_churn.json")  # -alloc-churn-mb 20: inuse flat, GC every ~0.15 s
    finding = gc_pressure(_series(polls))
    assert finding is not None and finding.kind == CHURN
    assert finding.gc_per_min > 100 and finding.live_heap_rate is None
    assert finding.alloc_rate is not None and 15e6 < finding.alloc_rate < 25e6
    assert "while the live heap is not growing" in finding.sentence and ": churn, allocating " in finding.sentence


def test_gc_per_min_is_counted_over_the_last_minute():
    rates = GCRates()
    points = []
    for i in range(40):  # a poll every 2 s, a GC every 10 s
        out = rates.observe(2.0 * i, _ms(1000 * i, i // 5))
        if GC_PER_MIN in out:
            points.append(out[GC_PER_MIN])
    assert points[-1] == pytest.approx(6.0, rel=0.15)  # not 0, 0, 0, 0, 30/min
    assert min(points[30:]) > 4 and max(points[30:]) < 8


@pytest.mark.parametrize("directory", REAL_RECORDINGS, ids=[p.name for p in REAL_RECORDINGS])
def test_the_poller_derives_the_gc_series_on_the_real_daemons(directory):
    """Replayed through the poller (as `check DIR` does): the series the sparklines draw exist, are
    never negative, and the finding is not claimed (what `check` prints: no "gc:" line)."""
    watch = replayed(directory)
    history = watch.last_snapshot.history
    alloc, per_min, pauses = (history.values(k) for k in (ALLOC_RATE, GC_PER_MIN, PAUSE_P99))
    assert len(alloc) > 100 and len(per_min) > 100 and pauses
    assert min(alloc) >= 0 and max(alloc) < 1e9  # B/s: under 1 GB/s on an idle or lightly loaded daemon
    assert min(per_min) >= 0 and max(per_min) < 120
    assert min(pauses) > 0 and max(pauses) < 1e9  # ns: each under a second
    assert watch.last_report is not None and watch.last_report.gc is None


def test_check_prints_the_gc_finding_in_text_and_json():
    from dataclasses import replace

    from tui.commands.check_output import render_json, render_text

    watch = replayed(REAL_RECORDINGS[0])
    finding = gc_pressure(_series(_recorded("gc_churn.json")))
    assert finding is not None
    report, watch.last_report = watch.last_report, replace(watch.last_report, gc=finding)
    try:
        text = render_text([watch], ("growing",))
        doc = json.loads(render_json([watch], ("growing",), 0))
    finally:
        watch.last_report = report
    assert f"  gc: {finding.sentence}\n" in text and "GC cycles in" in text
    gc = doc["targets"][0]["gc"]
    assert gc["kind"] == CHURN and gc["sentence"] == finding.sentence and gc["gc_cpu_since_start"] > 0
    assert (
        "gc:" not in render_text([watch], ("growing",))
        and json.loads(render_json([watch], ("growing",), 0))["targets"][0]["gc"] is None
    )
