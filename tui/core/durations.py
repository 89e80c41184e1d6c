"""Durations in one place (stdlib only): the one parser of what users type (`90`, `90s`, `10m`, `1.5h`,
`1d`) and the one family of formatters for ages and waits, so the same data reads the same everywhere.

- ``age_text``: how old something is, compact ("45s", "2m05s", "1h02m"); ``ago_text`` adds " ago".
- Goroutine waits are whole minutes as Go prints them, and Go prints none below one minute (nor before
  a GC cycle saw the goroutine parked): a wait it did not print is under a minute, never "0 min".
  ``wait_minutes_text`` says so in a sentence ("under 1 min"), ``wait_minutes_range`` in a column or a
  label ("<1 min", "3 min", "<1–5 min").
"""

from __future__ import annotations

import argparse
import math
import re

# suffix -> seconds; no suffix is seconds
UNITS: dict[str, float] = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*")
DURATION_HELP = "a duration is a number of seconds, or with s, m, h or d: 90s, 10m, 1.5h, 1d"


def parse_duration(text: str) -> float:
    """'90', '90s', '10m', '1.5h', '1d' -> seconds (finite, > 0); ValueError otherwise."""
    m = _DURATION.fullmatch(text.lower())
    if not m:
        raise ValueError(DURATION_HELP)
    value = float(m.group(1)) * UNITS[m.group(2) or ""]
    if not (math.isfinite(value) and value > 0):
        raise ValueError("a duration must be > 0")
    return value


def duration_argument(text: str) -> float:
    """parse_duration as an argparse type (its message instead of argparse's generic one)."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def age_text(seconds: float | None) -> str:
    """'–' (unknown), '45s', '2m05s', '1h02m'."""
    if seconds is None:
        return "–"
    s = max(int(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def ago_text(seconds: float) -> str:
    """'45s ago', '2m05s ago', '1h02m ago'."""
    return f"{age_text(seconds)} ago"


def wait_minutes_text(minutes: int) -> str:
    """One goroutine wait in a sentence: 'under 1 min' or '12 min'."""
    return "under 1 min" if minutes <= 0 else f"{minutes} min"


def wait_minutes_range(lo: int | None, hi: int | None) -> str:
    """The waits of a group in a column: '' (unknown: debug=1, proto), '<1 min', '3 min', '<1–5 min',
    '2–5 min'."""
    if hi is None:
        return ""
    lo = 0 if lo is None else lo
    if hi <= 0:
        return "<1 min"
    if lo == hi:
        return f"{hi} min"
    return f"{'<1' if lo <= 0 else lo}–{hi} min"
