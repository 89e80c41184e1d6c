"""A recording's `meta.json`: read and checked like any input (stdlib only).

A crafted meta.json is input like any other: `check_meta` checks the types, ranges and finite numbers
of what a reader or a replay uses, and raises ParseError naming the field.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tui.core.errors import ParseError

META_NAME = "meta.json"
MAX_META_BYTES = 64 * 1024


def read_meta(directory: Any) -> dict[str, Any]:
    """meta.json, checked (see check_meta); {} when there is none."""
    for entry in directory.iterdir():
        if entry.name == META_NAME:
            if not entry.is_file():
                raise ParseError("recording: meta.json is not a regular file", kind="recording")
            try:
                with entry.open("rb") as fh:
                    raw = fh.read(MAX_META_BYTES + 1)
            except OSError as exc:
                raise ParseError(f"recording: meta.json: {exc.strerror or 'unreadable'}", kind="recording") from None
            if len(raw) > MAX_META_BYTES:
                raise ParseError(f"recording: meta.json is over {MAX_META_BYTES} bytes", kind="recording")
            try:
                meta = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise ParseError("recording: meta.json is not valid JSON", kind="recording") from None
            if not isinstance(meta, dict):
                raise ParseError("recording: meta.json is not an object", kind="recording")
            check_meta(meta)
            return meta
    return {}


# meta.json "poll" settings (tui.recording.writer.POLL_FIELDS): (low, high, low allowed?)
_POLL_RANGES: dict[str, tuple[float, float, bool]] = {
    "interval": (0.0, 86400.0, False),
    "stw_budget": (0.0, 1.0, False),
    "debug2_min_age": (0.0, 1e7, True),
    "debug2_max_age": (0.0, 1e7, True),
    "heap_every": (1, 1e6, True),
    "memstats_every": (1, 1e6, True),
    "goroutine_debug1_every": (1, 1e6, True),
    "cmdline_every": (1, 1e6, True),
    "contention_every": (1, 1e6, True),
    "metrics_every": (1, 1e6, True),
    "backoff_base": (0.0, 1e6, True),
    "backoff_max": (0.0, 1e7, True),
    "request_timeout": (0.0, 1e6, False),
    "debug2_timeout": (0.0, 1e6, False),
}


def _bad_meta(field: str, why: str) -> ParseError:
    return ParseError(f"recording: meta.json: {field} {why}", kind="recording")


def _number(value: object, field: str, low: float, high: float, *, low_ok: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad_meta(field, f"must be a number (got {type(value).__name__})")
    if not math.isfinite(value):
        raise _bad_meta(field, f"must be a finite number (got {value!r})")
    if value < low or (value == low and not low_ok) or value > high:
        relation = ">=" if low_ok else ">"
        raise _bad_meta(field, f"must be {relation} {low:g} and <= {high:g} (got {value!r})")
    return float(value)


def check_meta(meta: dict[str, Any]) -> None:
    """Types and ranges of what a reader or a replay uses (a crafted meta.json is input like any
    other): ParseError naming the field. Unknown keys are left alone."""
    for name in ("target", "tool", "format"):
        if name in meta and not isinstance(meta[name], str):
            raise _bad_meta(name, "must be a string")
    if meta.get("interval") is not None:
        low, high, low_ok = _POLL_RANGES["interval"]
        _number(meta["interval"], "interval", low, high, low_ok=low_ok)
    if meta.get("started") is not None:
        _number(meta["started"], "started", 0.0, 1e11)
    if "version" in meta:
        _number(meta["version"], "version", 0, 1e6)
    poll = meta.get("poll")
    if poll is None:
        return
    if not isinstance(poll, dict):
        raise _bad_meta("poll", "must be an object")
    for name, (low, high, low_ok) in _POLL_RANGES.items():
        if poll.get(name) is not None:
            _number(poll[name], f"poll.{name}", low, high, low_ok=low_ok)
            if name.endswith("_every") and float(poll[name]) != int(poll[name]):
                raise _bad_meta(f"poll.{name}", "must be a whole number")
    if _pair_bad(poll, "debug2_min_age", "debug2_max_age") or _pair_bad(poll, "backoff_base", "backoff_max"):
        raise _bad_meta("poll", "has a minimum over its maximum (debug2_min_age/max_age or backoff_base/max)")


def _pair_bad(poll: dict[str, Any], low: str, high: str) -> bool:
    a, b = poll.get(low), poll.get(high)
    return a is not None and b is not None and a > b
