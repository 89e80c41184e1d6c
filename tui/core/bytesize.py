"""The one byte formatter (stdlib only): every pane shows a byte count through :func:`format_bytes`.

The convention is `go tool pprof`'s (google/pprof internal/measurement): units scale by 1024 and
are labelled B, kB, MB, GB, TB, PB (1 kB = 1024 B, 1 MB = 1024 kB); the largest unit the value
reaches is used, printed with two decimals, ".00" dropped, and zero is "0". So the heap table,
`pprof-tui top`, the sparklines and the leak report show one figure for one value, the same
`go tool pprof -top` prints.
"""

from __future__ import annotations

# (label, bytes), smallest first: pprof's memory units.
BYTE_UNITS: tuple[tuple[str, int], ...] = (
    ("B", 1),
    ("kB", 1 << 10),
    ("MB", 1 << 20),
    ("GB", 1 << 30),
    ("TB", 1 << 40),
    ("PB", 1 << 50),
)
_FACTOR = dict(BYTE_UNITS)
AUTO = ("auto", "minimum")


def scaled_label(value: float, unit: str) -> str:
    """pprof's ScaledLabel text of an already scaled value: 1.5 "MB" -> "1.50MB", 512 "kB" ->
    "512kB", 0 -> "0" (no unit)."""
    text = f"{value:.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    if text in ("0", "-0"):
        return "0"
    return text + unit


def scale_bytes(n: float, unit: str = "auto") -> tuple[float, str]:
    """(value, label) of ``n`` bytes in ``unit`` (one of BYTE_UNITS' labels), or in the largest
    unit ``n`` reaches for "auto" (pprof's autoScale). An unknown unit means bytes."""
    if n < 0:
        v, label = scale_bytes(-n, unit)
        return -v, label
    value = float(n)
    if unit in AUTO:
        best_factor, best_label = 0, ""
        for label, factor in BYTE_UNITS:
            if factor >= best_factor and value / factor >= 1.0:
                best_factor, best_label = factor, label
        if best_factor:
            return value / best_factor, best_label
        return value, "B"
    fixed = _FACTOR.get(unit)
    if fixed is None:
        return value, "B"
    return value / fixed, unit


def format_bytes(n: float, unit: str = "auto") -> str:
    """``n`` bytes as `go tool pprof` prints them: 1572864 -> "1.50MB", 524288 -> "512kB",
    1000 -> "1000B", -2048 -> "-2kB", 0 -> "0". ``unit`` fixes the unit (a report's column)."""
    return scaled_label(*scale_bytes(n, unit))


__all__ = ["BYTE_UNITS", "format_bytes", "scale_bytes", "scaled_label"]
