"""Parse the ``# runtime.MemStats`` trailer (and header totals) of heap?debug=1 text."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields

from tui.core.errors import ParseError

_MARKER = "# runtime.MemStats"
# The value is stripped in Python: "(.*?)\s*$" would be quadratic on a run of inner spaces.
_LINE = re.compile(r"#\s*(\w+)\s*=(.*)$")
_HEADER = re.compile(r"heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ heap/(\d+)")
_MAX_ARRAY = 4096


@dataclass(frozen=True, slots=True)
class HeapTotals:
    """The ``heap profile: a: b [c: d] @ heap/rate`` header line."""

    inuse_objects: int
    inuse_bytes: int
    alloc_objects: int
    alloc_bytes: int
    sample_rate: int


@dataclass(frozen=True, slots=True)
class MemStats:
    """runtime.MemStats as printed by heap?debug=1; a field Go did not print is None."""

    alloc: int | None = None
    total_alloc: int | None = None
    sys: int | None = None
    lookups: int | None = None
    mallocs: int | None = None
    frees: int | None = None
    heap_alloc: int | None = None
    heap_sys: int | None = None
    heap_idle: int | None = None
    heap_inuse: int | None = None
    heap_released: int | None = None
    heap_objects: int | None = None
    stack_inuse: int | None = None
    stack_sys: int | None = None
    mspan_inuse: int | None = None
    mspan_sys: int | None = None
    mcache_inuse: int | None = None
    mcache_sys: int | None = None
    buck_hash_sys: int | None = None
    gc_sys: int | None = None
    other_sys: int | None = None
    next_gc: int | None = None
    last_gc: int | None = None  # ns since the Unix epoch
    pause_ns: tuple[int, ...] | None = None  # circular buffer of 256
    pause_end: tuple[int, ...] | None = None
    num_gc: int | None = None
    num_forced_gc: int | None = None
    gc_cpu_fraction: float | None = None
    debug_gc: bool | None = None
    max_rss: int | None = None
    header: HeapTotals | None = None


_INT_FIELDS = {
    "Alloc": "alloc",
    "TotalAlloc": "total_alloc",
    "Sys": "sys",
    "Lookups": "lookups",
    "Mallocs": "mallocs",
    "Frees": "frees",
    "HeapAlloc": "heap_alloc",
    "HeapSys": "heap_sys",
    "HeapIdle": "heap_idle",
    "HeapInuse": "heap_inuse",
    "HeapReleased": "heap_released",
    "HeapObjects": "heap_objects",
    "BuckHashSys": "buck_hash_sys",
    "GCSys": "gc_sys",
    "OtherSys": "other_sys",
    "NextGC": "next_gc",
    "LastGC": "last_gc",
    "NumGC": "num_gc",
    "NumForcedGC": "num_forced_gc",
    "MaxRSS": "max_rss",
}
_PAIR_FIELDS = {
    "Stack": ("stack_inuse", "stack_sys"),
    "MSpan": ("mspan_inuse", "mspan_sys"),
    "MCache": ("mcache_inuse", "mcache_sys"),
}
_ARRAY_FIELDS = {"PauseNs": "pause_ns", "PauseEnd": "pause_end"}
FIELD_NAMES = tuple(f.name for f in fields(MemStats))


def _int(name: str, value: str) -> int:
    if not re.fullmatch(r"-?\d{1,24}", value):
        raise ParseError(f"MemStats {name}: not an integer: {value[:40]!r}", kind="heap-debug1")
    return int(value)


def _parse_value(name: str, value: str, out: dict[str, object]) -> None:
    if name in _INT_FIELDS:
        out[_INT_FIELDS[name]] = _int(name, value)
    elif name in _PAIR_FIELDS:
        parts = value.split("/")
        if len(parts) != 2:
            raise ParseError(f"MemStats {name}: expected 'inuse / sys', got {value[:40]!r}", kind="heap-debug1")
        inuse, sys_ = _PAIR_FIELDS[name]
        out[inuse] = _int(name, parts[0].strip())
        out[sys_] = _int(name, parts[1].strip())
    elif name in _ARRAY_FIELDS:
        if not (value.startswith("[") and value.endswith("]")):
            raise ParseError(f"MemStats {name}: expected [n n ...]", kind="heap-debug1")
        items = value[1:-1].split()
        if len(items) > _MAX_ARRAY:
            raise ParseError(f"MemStats {name}: too many values", kind="heap-debug1")
        out[_ARRAY_FIELDS[name]] = tuple(_int(name, v) for v in items)
    elif name == "GCCPUFraction":
        try:
            fraction = float(value[:64])
        except ValueError:
            fraction = math.nan
        if not math.isfinite(fraction):  # nan/inf would poison the history series and the charts
            raise ParseError(f"MemStats GCCPUFraction: not a finite number: {value[:40]!r}", kind="heap-debug1")
        out["gc_cpu_fraction"] = fraction
    elif name == "DebugGC":
        if value not in ("true", "false"):
            raise ParseError(f"MemStats DebugGC: not a bool: {value[:40]!r}", kind="heap-debug1")
        out["debug_gc"] = value == "true"
    # Unknown names (a future Go) are ignored.


def parse_heap_totals(text: str) -> HeapTotals | None:
    m = _HEADER.match(text.lstrip()[:200])
    if m is None:
        return None
    a, b, c, d, rate = (int(g) for g in m.groups())
    return HeapTotals(inuse_objects=a, inuse_bytes=b, alloc_objects=c, alloc_bytes=d, sample_rate=rate)


def parse_memstats(text: str) -> MemStats:
    """Parse heap?debug=1 text. Raises ParseError if there is no MemStats trailer or a value is garbage."""
    start = text.rfind(_MARKER)
    if start < 0:
        raise ParseError("no '# runtime.MemStats' section (not heap?debug=1 text?)", kind="heap-debug1")
    values: dict[str, object] = {}
    for line in text[start + len(_MARKER) :].splitlines():
        line = line.strip()
        if not line:
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        _parse_value(m.group(1), m.group(2).strip(), values)
    if not values:
        raise ParseError("empty '# runtime.MemStats' section", kind="heap-debug1")
    return MemStats(header=parse_heap_totals(text), **values)  # type: ignore[arg-type]
