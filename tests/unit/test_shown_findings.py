"""StableFindings (tui/leaks/shown.py): the findings line's verdicts, by severity, held steady."""

from __future__ import annotations

from tui.leaks.growth import GROWING, LEAKED, STUCK, Verdict
from tui.leaks.shown import HOLD_SECONDS, StableFindings


def V(kind: str, key: str, rate: float = 0.0, current: float = 10.0) -> Verdict:
    return Verdict(kind, key, f"main.{key}", rate, current, 0.0, "", "goroutines")


def keys(shown) -> list[str]:
    return [s.verdict.key for s in shown]


def test_order_is_by_severity_then_first_shown_not_by_wobbling_rates():
    st = StableFindings()
    assert keys(st.update([V(GROWING, "a", 50.0), V(STUCK, "s"), V(LEAKED, "steady")], 0.0)) == ["a", "s", "steady"]
    assert keys(st.update([V(GROWING, "a", 50.0), V(GROWING, "b", 90.0), V(STUCK, "s")], 10.0)) == [
        "a",
        "b",  # same severity as a, faster, but came later: after a, and it stays there
        "s",
        "steady",  # held
    ]
    assert keys(st.update([V(GROWING, "b", 10.0), V(GROWING, "a", 90.0)], 20.0))[:2] == ["a", "b"]
    # a change of severity is not a tie: the steady leak that starts growing goes first
    assert keys(st.update([V(GROWING, "a", 5.0), V(LEAKED, "steady", 30.0)], 30.0))[0] == "steady"


def test_a_verdict_absent_for_a_poll_stays_until_it_has_been_gone_hold_seconds():
    st = StableFindings()
    st.update([V(STUCK, "s"), V(GROWING, "g", 20.0)], 0.0)
    shown = st.update([V(GROWING, "g", 20.0)], 10.0)
    assert keys(shown) == ["g", "s"] and [s.present for s in shown] == [True, False]
    shown = st.update([V(STUCK, "s"), V(GROWING, "g", 20.0)], 20.0)
    assert keys(shown) == ["g", "s"] and all(s.present for s in shown) and shown[1].first_shown == 0.0
    assert keys(st.update([], 20.0 + HOLD_SECONDS)) == ["g", "s"]
    assert keys(st.update([], 21.0 + HOLD_SECONDS)) == []


def test_the_newest_version_is_shown_and_a_clock_going_back_starts_over():
    st = StableFindings()
    st.update([V(GROWING, "g", 20.0)], 1000.0)
    (s,) = st.update([V(LEAKED, "g", 40.0)], 1010.0)
    assert s.verdict.kind == LEAKED and s.verdict.rate_per_min == 40.0 and s.first_shown == 1000.0
    # a report made between polls (baseline pinned) carries the newest data's time, a little earlier
    (s,) = st.update([], 1008.0)
    assert s.first_shown == 1000.0 and not s.present
    assert st.update([], 5.0) == ()  # back by more than HOLD_SECONDS: a replay from its start, a new source
