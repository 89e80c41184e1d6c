"""The leak report's sentences say what the evidence beside them says (tui/screens/leak_screen.py)."""

from __future__ import annotations

from tui.leaks.growth import GROWING, LEAKED, STUCK, Verdict
from tui.leaks.reconcile import Reconciliation
from tui.leaks.report import FunctionGrowth, LeakReport
from tui.screens.leak_screen import report_text

NOTHING = Reconciliation((), "nothing", "nothing growing")


def report(t, verdicts=(), *, functions=(), context=(), started=0.0) -> LeakReport:
    return LeakReport(
        t, tuple(verdicts), (), tuple(functions), None, None, "", NOTHING, None, watch_started=started, context=context
    )


def test_the_warm_up_sentence_only_while_warming_up():
    assert "nothing flagged yet: verdicts need ≥ 1 min of polls (30 s so far)" in report_text(report(30.0), 30.0).plain
    after = report_text(report(600.0), 600.0).plain
    assert "nothing flagged in 10 min of watching" in after and "verdicts need" not in after


def test_growing_functions_are_not_said_to_rise_on_every_poll():
    evidence = "578.66kB → 12MB over 5.0 min (2 rises, 0 falls in 145 polls), +858.35kB/min"
    heap = Verdict(GROWING, "main.appendTo", "main.appendTo", 858e3, 12e6, 0.0, evidence, "bytes")
    f = FunctionGrowth("main.appendTo", 12e6, 858e3, "↑", (1.0, 2.0), True)
    body = report_text(report(600.0, [heap], functions=[f]), 600.0).plain
    assert "rising on every poll" not in body
    assert evidence in body and "growing (their verdicts and evidence are above): main.appendTo" in body


def test_steady_leaks_are_called_so_and_context_is_set_apart():
    steady = Verdict(LEAKED, "n", "main.parkNilChanReceive [chan receive (nil chan)]", 0.0, 3, 0.0, "3 goroutines …")
    parked = Verdict(STUCK, "m", "main.main [select (no cases)]", 0.0, 1, 0.0, "1 goroutine in [select (no cases)] …")
    body = report_text(report(600.0, [steady], context=(parked,)), 600.0).plain
    assert " leaked, steady  main.parkNilChanReceive" in body
    head, _, tail = body.partition("context: waiting since before the watch, not alarms")
    assert "main.main [select (no cases)]" in tail and "main.main" not in head


def test_heap_since_the_baseline_quotes_the_floors_and_pprofs_own_share():
    r = LeakReport(
        600.0, (), (), (), None, 0.0, "start", NOTHING, None, watch_started=0.0,
        floor_growth=(("main.(*LFUCache).increment", 21.05 * 2**20),), pprof_own=1.5 * 2**20,
    )  # fmt: skip
    body = report_text(r, 600.0).plain
    floors, _, diff = body.partition("the profiles' difference (go tool pprof -base)")
    assert "held since the baseline (floor rise, as the findings judge it)" in floors
    assert "+   21.05MB  main.(*LFUCache).increment" in floors
    assert "waiting for a second heap profile" in diff
    assert "pprof's own: 1.50MB of the heap profile is the target serving our polls" in body
