"""The heap floor rule on recordings, replayed through `pprof-tui check`'s own path (ReplaySource at
speed=inf -> LeakTracker -> VerdictLog):

- the real daemons of tests/fixtures/real (prometheus, etcd, caddy, alertmanager, influxdb; idle and
  under load) do not leak: no heap verdict, ever, over their 11 minutes;
- the diagnosis benchmark's scenarios (tests/benchmarks/data/diagnosis, gitignored: made by
  tests/benchmarks/record_diagnosis.py; skipped when absent): the staircase named by its caller
  within 10 minutes, the slow leak within the run, the fast one within 2 minutes, nothing on the
  sawtooth and the idle server, the warm-up cleared once its plateau lasts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.commands.check import Watched, _check_recording
from tui.leaks.growth import GROWING

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "real"
DIAGNOSIS = ROOT / "tests" / "benchmarks" / "data" / "diagnosis"
REAL_RECORDINGS = sorted(p.name for p in REAL.iterdir() if (p / "meta.json").is_file())


def heap_entries(watch: Watched):
    return [e for e in watch.log.entries() if e.latest.unit == "bytes"]


def test_the_real_recordings_are_there():
    assert len(REAL_RECORDINGS) == 7, REAL_RECORDINGS


# The real daemons get no verdict at all, heap or other: tests/unit/test_real_recordings.py.


def _scenario(name: str) -> Watched:
    directory = DIAGNOSIS / name
    if not (directory / "meta.json").is_file():
        pytest.skip(f"{directory} not recorded (tests/benchmarks/record_diagnosis.py)")
    return _check_recording(str(directory), 600.0)


def _first_s(watch: Watched, label_prefix: str) -> float | None:
    for e in watch.log.entries():
        if e.latest.kind == GROWING and e.latest.label.startswith(label_prefix):
            return watch.log.since_start(e.first_seen)
    return None


@pytest.mark.parametrize(
    ("name", "label", "within_s"),
    [
        ("staircase", "main.(*freqTable).increment → main.appendTo[...]", 600),
        ("slow_heap_leak", "main.(*AuditTrail).record", 600),
        ("fast_heap_leak", "main.(*LFUCache).increment", 120),
    ],
)
def test_recorded_heap_leaks_are_named_in_time_without_flapping(name, label, within_s):
    watch = _scenario(name)
    t = _first_s(watch, label)
    assert t is not None and t <= within_s, [(e.latest.label, e.first_seen) for e in watch.log.entries()]
    (entry,) = heap_entries(watch)
    assert entry.present and not entry.flapped


@pytest.mark.parametrize("name", ["sawtooth", "idle_server", "steady_pool", "burst_drains"])
def test_recorded_non_leaks_get_no_heap_verdict(name):
    assert heap_entries(_scenario(name)) == []


def test_recorded_warm_up_is_cleared_once_its_plateau_lasts():
    (entry,) = heap_entries(_scenario("cache_warmup"))
    assert not entry.present and not entry.flapped  # flagged while filling (floors.py), then cleared
