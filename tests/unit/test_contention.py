"""Contention model and presenter: the debug=1 header, the cumulative pair and its window, why an
empty profile is empty, the table of a window (a client-side diff) — on captures of our target and
of Prometheus and etcd (tests/fixtures/profiles/, recorded by record_profiles.py there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.pprof_builder import Builder
from tui.core.errors import ParseError
from tui.fetch.errors import NotPprof
from tui.fetch.validate import CONTENTION_DEBUG1, check_body
from tui.heap.decode import decode_profile
from tui.model.contention import (
    BLOCK,
    CONTENTIONS,
    DELAY,
    MUTEX,
    Contention,
    advance,
    parse_contention_header,
    with_header,
)
from tui.model.detect import detect_kind
from tui.model.parsers import default_parsers, profile_totals
from tui.screens.contention_presenter import (
    BLOCK_EMPTY,
    MUTEX_OFF,
    MUTEX_UNKNOWN,
    SINCE_START,
    ContentionView,
    summary,
    table_for,
    why_empty,
)

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
TYPES = ((CONTENTIONS, "count"), (DELAY, "nanoseconds"))


def mutex_profile(work: int, other: int = 0):
    """A mutex profile as Go writes it: contentions and delay at sync.(*Mutex).Unlock, called from
    main.(*hotLock).work (and main.other)."""
    b = Builder(TYPES)
    b.sample(["sync.(*Mutex).Unlock", "main.(*hotLock).work", "main.main"], [work, work * 1000])
    if other:
        b.sample(["sync.(*Mutex).Unlock", "main.other", "main.main"], [other, other * 1000])
    return decode_profile(b.bytes(gz=True))


def state(*profiles_at):
    c = None
    for profile, at in profiles_at:
        c = advance(c, MUTEX, profile, profile_totals(profile), at)
    return c


# --- the debug=1 header ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kind", "name", "period"),
    [
        ("prometheus-load", "mutex", "mutex", 0),
        ("etcd-load", "mutex", "mutex", 5),
        ("go1.19", "mutex", "mutex", 5),
        ("go1.27", "mutex", "mutex", 5),
        ("prometheus-load", "block", "contention", None),  # Go prints no rate for block
        ("etcd-load", "block", "contention", None),
        ("go1.27", "block", "contention", None),
    ],
)
def test_header_of_real_answers(source, kind, name, period):
    data = (PROFILES / source / f"{kind}_debug1.txt").read_bytes()
    assert detect_kind(data) == "contention-debug1"
    check_body(CONTENTION_DEBUG1, data)
    header = default_parsers().contention_header(data)
    assert header.name == name and header.sampling_period == period
    assert header.cycles_per_second and header.cycles_per_second > 1e8


def test_header_empty_and_not_a_header():
    assert parse_contention_header("--- mutex:\ncycles/second=2000000000\nsampling period=0\n").empty
    assert not parse_contention_header("--- mutex:\ncycles/second=2\nsampling period=5\n12 3 @ 0x1 0x2\n").empty
    for junk in ("", "<html>login</html>", "goroutine profile: total 3\n", "--- heap:\n"):
        with pytest.raises(ParseError):
            parse_contention_header(junk)
    with pytest.raises(NotPprof):
        check_body(CONTENTION_DEBUG1, b"<html><body>Sign in</body></html>")


# --- the cumulative pair -------------------------------------------------------------------------


def test_window_is_the_difference_of_two_fetches():
    c = state((mutex_profile(10), 100.0), (mutex_profile(25, other=4), 110.0))
    assert c.window == pytest.approx(10.0)
    assert c.delta(CONTENTIONS) == 19 and c.totals[CONTENTIONS] == 29
    _, report = table_for(c, ContentionView(sample_type=CONTENTIONS))
    flat = {r.name: r.flat for r in report.rows}
    cum = {r.name: r.cum for r in report.rows}
    assert {k: v for k, v in flat.items() if v} == {"sync.(*Mutex).Unlock": 19}  # this window only
    assert cum["main.(*hotLock).work"] == 15 and cum["main.other"] == 4
    _, since = table_for(c, ContentionView(sample_type=CONTENTIONS, scope=SINCE_START))
    assert {r.name: r.cum for r in since.rows}["main.(*hotLock).work"] == 25
    assert "1.9 contentions/s" in summary(c, ContentionView())


def test_no_window_on_the_first_fetch_and_after_a_restart():
    first = state((mutex_profile(10), 100.0))
    assert first.window is None and first.delta(CONTENTIONS) is None
    assert "after the next fetch" in summary(first, ContentionView())
    _, report = table_for(first, ContentionView(sample_type=CONTENTIONS))
    assert report.rows[0].flat == 10  # since start until there is a window
    restarted = state((mutex_profile(50), 100.0), (mutex_profile(3), 110.0))  # the counters went down
    assert restarted.window is None and restarted.totals[CONTENTIONS] == 3


def test_quiet_window_has_no_rows():
    c = state((mutex_profile(10), 100.0), (mutex_profile(10), 110.0))
    assert c.delta(CONTENTIONS) == 0 and not c.empty
    assert table_for(c, ContentionView())[1].rows == ()


def test_header_kept_across_fetches():
    empty = decode_profile(Builder(TYPES).bytes(gz=True))
    c = advance(None, MUTEX, empty, profile_totals(empty), 1.0)
    c = with_header(c, MUTEX, parse_contention_header("--- mutex:\ncycles/second=2\nsampling period=0\n"), 1.0)
    c = advance(c, MUTEX, empty, profile_totals(empty), 2.0)
    assert c.sampling_period == 0 and c.empty and c.window == 1.0


# --- why empty ----------------------------------------------------------------------------------


def _empty_state(kind: str, period: int | None) -> Contention:
    empty = decode_profile(Builder(TYPES).bytes(gz=True))
    c = advance(None, kind, empty, profile_totals(empty), 1.0)
    if period is not None:
        c = with_header(
            c, kind, parse_contention_header(f"--- mutex:\ncycles/second=2\nsampling period={period}\n"), 1.0
        )
    return c


def test_why_empty_says_what_to_set():
    assert why_empty(_empty_state(MUTEX, 0), MUTEX, True) == MUTEX_OFF
    assert "runtime.SetMutexProfileFraction(5)" in MUTEX_OFF
    assert "1 in 5" in why_empty(_empty_state(MUTEX, 5), MUTEX, True)  # on, and nothing contended yet
    assert why_empty(_empty_state(MUTEX, None), MUTEX, True) == MUTEX_UNKNOWN  # header not read
    assert why_empty(_empty_state(BLOCK, None), BLOCK, True) == BLOCK_EMPTY
    assert "runtime.SetBlockProfileRate(" in BLOCK_EMPTY
    assert "not fetched yet" in why_empty(None, MUTEX, True)
    assert "lists no block profile" in why_empty(None, BLOCK, False)
    assert why_empty(state((mutex_profile(1), 1.0)), MUTEX, True) == ""


@pytest.mark.parametrize("source", ["prometheus-load", "etcd-load", "go1.19", "go1.27"])
def test_real_captures(source):
    """Prometheus: mutex off (sampling period=0), block empty; etcd: mutex on (5), block empty;
    our target (rates set): both populated, with our functions in them."""
    parsers = default_parsers()
    shown = {}
    for kind in (MUTEX, BLOCK):
        data = parsers.contention((PROFILES / source / f"{kind}.pb.gz").read_bytes())
        c = advance(None, kind, data.profile, data.totals, 1.0)
        c = with_header(
            c, kind, parsers.contention_header((PROFILES / source / f"{kind}_debug1.txt").read_bytes()), 1.0
        )
        reason = why_empty(c, kind, True)
        names = {r.name for r in table_for(c, ContentionView(kind=kind))[1].rows} if not reason else set()
        shown[kind] = (reason, names)
    if source == "prometheus-load":
        assert shown[MUTEX][0] == MUTEX_OFF and shown[BLOCK][0] == BLOCK_EMPTY
    elif source == "etcd-load":
        assert shown[MUTEX][0] == "" and "sync.(*Mutex).Unlock" in shown[MUTEX][1]
        assert shown[BLOCK][0] == BLOCK_EMPTY
    else:
        assert "main.(*hotLock).work" in shown[MUTEX][1]
        assert "main.blockOnChan" in shown[BLOCK][1]
