"""Leak verdicts on recordings of daemons we did not write (tests/fixtures/real, see its README) and,
when they have been recorded, on the diagnosis benchmark's no-leak scenarios of our own target
(tests/benchmarks/data/diagnosis, gitignored): replayed through `pprof-tui check` as fast as they
go, healthy services get no verdict at all, at any time of the watch, of any kind. What used to be
flagged is still seen, as context (parked since before the watch), under the name of the code that
waits."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pytest

from tui.cli import main
from tui.commands.check import Watched, _check_recording
from tui.commands.check_output import exit_status, render_json

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted(p for p in (ROOT / "tests" / "fixtures" / "real").iterdir() if (p / "meta.json").is_file())
DIAGNOSIS = ROOT / "tests" / "benchmarks" / "data" / "diagnosis"
# the goroutine side's no-leak scenarios (the heap side's warm-up and sawtooth are judged elsewhere)
NO_LEAK_SCENARIOS = ("select_main", "idle_server", "steady_pool", "burst_drains")


FAIL_ON = ("growing", "leaked", "stuck")


@functools.cache
def replayed(directory: Path) -> Watched:
    """One replay per recording for the whole session (each takes seconds; several tests read it)."""
    return _check_recording(str(directory), math.inf)


def check_json(directory: Path, capsys) -> tuple[int, dict]:
    """What `pprof-tui check DIR --json --fail-on growing,leaked,stuck` prints, from the shared replay."""
    watch = replayed(directory)
    status = exit_status([watch], FAIL_ON)
    (target,) = json.loads(render_json([watch], FAIL_ON, status))["targets"]
    return status, target


def test_check_command_prints_the_same_as_the_shared_replay(capsys):
    directory = ROOT / "tests" / "fixtures" / "real" / "caddy-idle"
    status = main(["check", str(directory), "--json", "--fail-on", ",".join(FAIL_ON)])
    (printed,) = json.loads(capsys.readouterr().out)["targets"]
    assert (status, printed) == check_json(directory, capsys)


def test_all_seven_recordings_are_here():
    assert [p.name for p in REAL] == sorted(
        [
            "prometheus-idle",
            "etcd-idle",
            "caddy-idle",
            "alertmanager-idle",
            "influxdb-idle",
            "etcd-load",
            "prometheus-load",
        ]
    )


@pytest.mark.parametrize("directory", REAL, ids=[p.name for p in REAL])
def test_no_verdict_at_all_on_a_healthy_daemon(directory, capsys):
    status, target = check_json(directory, capsys)
    assert target["errors"] == [] and target["polls"] > 100
    assert target["verdicts"] == [], target["verdicts"]
    report = replayed(directory).last_report
    assert report is not None and report.reconciliation.verdict != "heap"  # the heap is not blamed either
    assert status == 0


@pytest.mark.parametrize(
    ("name", "label"),
    [
        # Caddy's main goroutine parked in `select {}` after starting the server (was a false "stuck")
        ("caddy-idle", "github.com/caddyserver/caddy/v2/cmd.cmdRun [select (no cases)]"),
        # exporter-toolkit's server waiting on its errgroup for the server's life (was a false "stuck",
        # labelled `sync.runtime_Semacquire`)
        ("alertmanager-idle", "github.com/prometheus/exporter-toolkit/web.ServeMultiple [sync.WaitGroup.Wait]"),
    ],
)
def test_by_design_waits_are_context_named_by_their_code(name, label):
    report = replayed(ROOT / "tests" / "fixtures" / "real" / name).last_report
    assert report is not None and report.verdicts == ()
    (context,) = report.context
    assert context.label == label
    assert context.evidence.startswith("1 goroutine in [")
    assert "went from under 1 min to 1" in context.evidence  # Go printed no minutes in the first dump
    assert "there since before the watch began: context, not an alarm" in context.evidence


def _scenario(name: str) -> Path:
    path = DIAGNOSIS / name
    if not (path / "meta.json").is_file():
        pytest.skip(f"{path} not recorded (python3 tests/benchmarks/record_diagnosis.py)")
    return path


@pytest.mark.parametrize("name", NO_LEAK_SCENARIOS)
def test_no_verdict_on_our_targets_no_leak_scenarios(name, capsys):
    status, target = check_json(_scenario(name), capsys)
    assert target["verdicts"] == [], target["verdicts"]
    assert status == 0


def test_our_targets_chan_leak_is_still_flagged(capsys):
    status, target = check_json(_scenario("chan_leak"), capsys)
    (deliver,) = [v for v in target["verdicts"] if v["label"].startswith("main.(*Dispatcher).deliver")]
    assert deliver["kind"] == "leaked" and deliver["rate_per_min"] > 60 and deliver["fails"]
    assert deliver["first_seen_s"] <= 120 and deliver["appearances"] == 1
    assert status == 1
