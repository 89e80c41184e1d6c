"""Value and percentage formatting the way pprof prints them (internal/measurement)."""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.bytesize import AUTO, BYTE_UNITS, format_bytes, scaled_label
from tui.core.textsafe import clean

# A unit the profile names and pprof does not know is printed as-is after every value: cleaned
# (a crafted unit must not carry terminal escapes into each cell) and cut to this length.
MAX_UNIT = 40

# (canonical name, aliases, factor); the first unit of each type is its default.
_Unit = tuple[str, tuple[str, ...], float]
# Memory units are tui.core.bytesize's (the one byte formatter); these are the names pprof reads.
_MEMORY_ALIASES = {
    "B": ("b", "byte"),
    "kB": ("kb", "kbyte", "kilobyte"),
    "MB": ("mb", "mbyte", "megabyte"),
    "GB": ("gb", "gbyte", "gigabyte"),
    "TB": ("tb", "tbyte", "terabyte"),
    "PB": ("pb", "pbyte", "petabyte"),
}
_MEMORY = tuple((name, _MEMORY_ALIASES[name], float(factor)) for name, factor in BYTE_UNITS)
_TIME = (
    ("ns", ("ns", "nanosecond"), 1.0),
    ("us", ("μs", "us", "microsecond"), 1e3),
    ("ms", ("ms", "millisecond"), 1e6),
    ("s", ("s", "sec", "second"), 1e9),
    ("hrs", ("hour", "hr"), 3600e9),
)
_GCU = (
    ("n*GCU", ("nanogcu",), 1e-9),
    ("u*GCU", ("microgcu",), 1e-6),
    ("m*GCU", ("milligcu",), 1e-3),
    ("GCU", ("gcu",), 1.0),
    ("k*GCU", ("kilogcu",), 1e3),
    ("M*GCU", ("megagcu",), 1e6),
    ("G*GCU", ("gigagcu",), 1e9),
    ("T*GCU", ("teragcu",), 1e12),
    ("P*GCU", ("petagcu",), 1e15),
)
# (units, default unit)
_UNIT_TYPES = ((_MEMORY, _MEMORY[0]), (_TIME, _TIME[3]), (_GCU, _GCU[3]))


def _sniff(units: tuple[_Unit, ...], unit: str) -> _Unit | None:
    unit = unit.lower()
    if len(unit) > 2 and unit.endswith("s"):
        unit = unit[:-1]
    for u in units:
        if unit in u[1]:
            return u
    return None


def scale(value: int, from_unit: str, to_unit: str = "auto") -> tuple[float, str]:
    """pprof's measurement.Scale: (scaled value, unit suffix); "" for plain counts."""
    if value < 0:
        v, u = scale(-value, from_unit, to_unit)
        return -v, u
    for units, default in _UNIT_TYPES:
        src = _sniff(units, from_unit)
        if src is None:
            continue
        v = float(value) * src[2]
        if to_unit in ("minimum", "auto"):
            best_f, best_u = 0.0, ""
            for name, _aliases, factor in units:
                if factor >= best_f and v / factor >= 1.0:
                    best_f, best_u = factor, name
            if best_f:
                return v / best_f, best_u
            return v / default[2], default[0]
        dst = _sniff(units, to_unit) or default
        return v / dst[2], dst[0]
    if to_unit in ("count", "sample", "unit", "minimum", "auto", ""):
        return float(value), ""
    return float(value), clean(to_unit, MAX_UNIT)


def format_value(value: int, unit: str, output_unit: str = "auto") -> str:
    """pprof's ScaledLabel: 1572864 bytes -> "1.50MB", 524288 -> "512kB", 42 count -> "42".

    Memory values go through tui.core.bytesize.format_bytes, the formatter every pane uses.
    """
    src = _sniff(_MEMORY, unit)
    if src is not None:
        if output_unit in AUTO:
            return format_bytes(value * src[2])
        dst = _sniff(_MEMORY, output_unit) or _MEMORY[0]
        return format_bytes(value * src[2], dst[0])
    v, u = scale(value, unit, output_unit)
    return scaled_label(v, u)


def format_shown(value: int, unit: str) -> str:
    """format_value for the screens: microseconds as "µs", as the sparklines write them (`top` keeps
    pprof's "us", to stay equal to `go tool pprof -top`)."""
    text = format_value(value, unit)
    return text[:-2] + "µs" if text.endswith("us") else text


def choose_output_unit(values: Iterable[tuple[int, int]], total: int, unit: str) -> str:
    """pprof's selectOutputUnit ("minimum"): one unit for a whole report.

    ``values`` are the shown rows' (flat, cum); the smallest non-zero |flat| (or |cum|
    when flat is 0) and the total decide.
    """
    min_value = 0
    for flat, cum in values:
        node_min = abs(flat) or abs(cum)
        if node_min > 0 and (min_value == 0 or node_min < min_value):
            min_value = node_min
    max_value = total
    if min_value == 0:
        min_value = max_value
    _, min_unit = scale(min_value, unit, "minimum")
    _, max_unit = scale(max_value, unit, "minimum")
    chosen = min_unit
    if min_unit != max_unit and min_value * 100 < max_value:
        _, chosen = scale(100 * min_value, unit, "minimum")
    return chosen or clean(unit, MAX_UNIT)


def format_pct(value: int, total: int) -> str:
    """pprof's Percentage: always 5+ wide, of |value/total|; "  100%" near 100."""
    ratio = abs(value / total) * 100 if total else 0.0
    if 99.95 <= ratio <= 100.05:
        return "  100%"
    if ratio >= 1.0:
        return f"{ratio:5.2f}%"
    return f"{ratio:5.2g}%"


def format_duration(nanos: int) -> str:
    return format_value(nanos, "nanoseconds")
