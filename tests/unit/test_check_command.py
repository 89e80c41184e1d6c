"""`pprof-tui check` over recordings and hand-made reports: verdicts, exit status, output."""

from __future__ import annotations

import argparse
import json

import pytest

from tui.cli import main
from tui.commands import check
from tui.commands.check import Watched, parse_fail_on
from tui.commands.check_output import exit_status, render_json, render_text
from tui.leaks.growth import GROWING, LEAKED, Verdict
from tui.leaks.reconcile import Reconciliation
from tui.leaks.report import LeakReport
from tui.leaks.tracker import LeakTracker
from tui.leaks.verdict_log import VerdictLog

DEMO = "tui/demo"


def test_durations_and_kinds():
    parser = argparse.ArgumentParser()
    check.register(parser.add_subparsers())
    assert parser.parse_args(["check", "x:1", "--for", "1d"]).duration == 86400  # like watch --max-age 1d
    assert parser.parse_args(["check", "x:1", "--for", "1.5h"]).duration == 5400
    assert parse_fail_on("growing,stuck") == ("growing", "stuck")
    with pytest.raises(argparse.ArgumentTypeError, match="unknown kind"):
        parse_fail_on("growing,leaks")


def test_demo_recording_fails_on_its_two_leaks(capsys):
    assert main(["check", DEMO]) == 1
    out = capsys.readouterr().out
    fails = [line for line in out.splitlines() if line.startswith("  FAIL")]
    assert len(fails) == 2, out
    assert "main.(*Dispatcher).deliver [chan send]" in fails[0] and "+181/min" in fails[0]
    assert "main.(*LFUCache).increment" in fails[1] and "MB/min" in fails[1]
    # groups Go proves leaked that do not grow are told, not failed on
    assert "note leaked   main.parkSelectNoCases" in out
    assert out.rstrip().endswith("exit 1")


def test_fail_on_and_for_choose_what_counts(capsys):
    # the first 30 s: leaked groups are there but nothing grows yet, and nothing is stuck
    assert main(["check", DEMO, "--for", "30s"]) == 0
    assert main(["check", DEMO, "--for", "30s", "--fail-on", "leaked"]) == 1
    assert main(["check", DEMO, "--fail-on", "stuck"]) == 0
    capsys.readouterr()


def test_json_lists_each_verdict_with_its_timing(capsys):
    assert main(["check", DEMO, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit"] == 1 and doc["fail_on"] == ["growing", "leaked-growing"]
    (target,) = doc["targets"]
    assert target["polls"] > 100 and target["errors"] == []
    by_label = {v["label"]: v for v in target["verdicts"]}
    cache = by_label["main.(*LFUCache).increment"]
    assert cache["kind"] == "growing" and cache["fails"] and cache["present_at_end"]
    assert 30 < cache["first_seen_s"] < 120 and cache["appearances"] == 1
    assert not by_label["main.parkSelectNoCases [select (no cases)]"]["fails"]


def test_errors_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2  # a directory that is no recording
    assert "not a recording" in capsys.readouterr().err
    assert main(["check", DEMO, DEMO]) == 2
    assert main(["check", "127.0.0.1:1", "--for", "1"]) == 2  # nothing listens there
    out = capsys.readouterr().out
    assert "error: no answer in 1 s" in out and "memory:" not in out


def _report(t: float, *verdicts: Verdict) -> LeakReport:
    return LeakReport(t, verdicts, (), (), None, None, "", Reconciliation((), "nothing", "nothing growing"), None)


def test_verdict_log_counts_flaps_and_keeps_first_times():
    log = VerdictLog()
    v = Verdict(GROWING, "k", "main.f", 10.0, 100.0, 0.0, "rises", "goroutines")
    for t, present in ((0, False), (10, True), (20, True), (30, False), (40, True)):
        log.observe(_report(float(t), *((v,) if present else ())))
    (entry,) = log.entries()
    assert (entry.first_seen, entry.last_seen, entry.appearances, entry.present) == (10.0, 40.0, 2, True)
    assert entry.flapped and log.since_start(entry.first_seen) == 10.0


def test_target_text_is_cleaned_in_text_and_json():
    hostile = "main.f\x1b]0;pwned\x07\x1b]52;c;ZWNobw==\x07"
    watch = Watched("t\x1b[2J", LeakTracker(), VerdictLog(), None, 60.0, answered=True)
    verdict = Verdict(LEAKED, hostile, hostile, 5.0, 7.0, 0.0, "evidence " + hostile, "goroutines")
    watch.log.observe(_report(0.0, verdict))
    text = render_text([watch], ("leaked",))
    blob = render_json([watch], ("leaked",), exit_status([watch], ("leaked",)))
    for out in (text, blob):
        assert "\x1b" not in out and "\x07" not in out
    assert "main.f␛]0;pwned" in text and json.loads(blob)["targets"][0]["verdicts"][0]["fails"]
