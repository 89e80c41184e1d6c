"""tui/core/durations.py: the one duration parser (check --for, watch --max-age/--idle-stop) and the one
family of age and wait formatters (the tree, the drill-down, `goroutines`, the status bar, `sessions`)."""

from __future__ import annotations

import argparse

import pytest

from tests.oracles.reference import group_goroutines, parse_debug2
from tui.commands import goroutines as goroutines_command
from tui.core.durations import (
    age_text,
    ago_text,
    duration_argument,
    parse_duration,
    wait_minutes_range,
    wait_minutes_text,
)
from tui.widgets.goroutine_tree import bucket_label


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("2 sec", 2), ("10m", 600), ("5min", 300), ("1.5h", 5400), ("1d", 86400), (" 2H ", 7200)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds == duration_argument(text)


@pytest.mark.parametrize("bad", ["", "-1", "0", "0s", "-1h", "x", "1w", "inf", "nan", "1e400", "1.5.2m"])
def test_parse_duration_refuses(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="duration"):
        duration_argument(bad)


def test_every_duration_option_takes_days():
    from tui.commands import check, watch

    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    check.register(subparsers)
    watch.register(subparsers)
    assert parser.parse_args(["check", "x:1", "--for", "1d"]).duration == 86400
    watch_args = parser.parse_args(["watch", "x:1", "--max-age", "1d", "--idle-stop", "2h"])
    assert (watch_args.max_age, watch_args.idle_stop) == (86400, 7200)


def test_ages():
    assert age_text(None) == "–"
    assert [age_text(s) for s in (0, 45.9, 60, 125, 3600, 3720)] == ["0s", "45s", "1m00s", "2m05s", "1h00m", "1h02m"]
    assert age_text(-3) == "0s"  # a clock step back is never a negative age
    assert ago_text(125) == "2m05s ago"


def test_waits_never_say_zero_minutes():
    assert wait_minutes_text(0) == "under 1 min" and wait_minutes_text(12) == "12 min"
    assert wait_minutes_range(None, None) == "" and wait_minutes_range(0, None) == ""
    assert wait_minutes_range(0, 0) == wait_minutes_range(None, 0) == "<1 min"
    assert wait_minutes_range(3, 3) == "3 min"
    assert wait_minutes_range(0, 5) == "<1–5 min" and wait_minutes_range(2, 5) == "2–5 min"


def test_the_tree_and_the_goroutines_command_say_the_same_wait():
    """The same goroutines (parked for less than a minute: Go prints no wait) read alike in the tree's
    bucket label and in `goroutines`' text: "<1 min", never "0 min" in one and "<1 min" in the other."""
    dump = "goroutine 7 [chan receive]:\nmain.wait()\n\t/src/w.go:7 +0x1\n"
    groups = group_goroutines(parse_debug2(dump))
    bucket = groups[0].buckets[0]
    assert "(<1 min)" in bucket_label(bucket).plain
    text = goroutines_command.render_text(groups, {"total": 1, "format": "debug=2"})
    assert "<1 min" in text and "0 min" not in text
