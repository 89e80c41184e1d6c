"""parse_memstats on heap?debug=1 captures and hand-made trailers."""

from __future__ import annotations

import pytest

from tests.conftest import fixture_path
from tui.core.errors import ParseError
from tui.model.memstats import MemStats, parse_heap_totals, parse_memstats

TRAILER = """heap profile: 31: 2154768 [41: 3531024] @ heap/1048576
1: 2097152 [1: 2097152] @ 0x48805a
#	0x6810a4	main.allocSteady+0x44	/src/main.go:150


# runtime.MemStats
# Alloc = 21230488
# TotalAlloc = 28538568
# Sys = 34453768
# Lookups = 0
# Mallocs = 307818
# Frees = 78883
# HeapAlloc = 21230488
# HeapSys = 28246016
# HeapIdle = 5840896
# HeapInuse = 22405120
# HeapReleased = 5840896
# HeapObjects = 228935
# Stack = 47185920 / 47185920
# MSpan = 331360 / 342720
# MCache = 4592 / 16072
# BuckHashSys = 1446142
# GCSys = 2655984
# OtherSys = 632722
# NextGC = 28670930
# LastGC = 1795675378978115457
# PauseNs = [2102635 287279 0]
# PauseEnd = [1795675259982882729 1795675261975283672 0]
# NumGC = 7
# NumForcedGC = 1
# GCCPUFraction = 4.164982966528647e-05
# DebugGC = false
# MaxRSS = 29704192
"""


def test_every_field() -> None:
    ms = parse_memstats(TRAILER)
    assert ms.alloc == 21230488 and ms.total_alloc == 28538568 and ms.sys == 34453768 and ms.lookups == 0
    assert (ms.mallocs, ms.frees) == (307818, 78883)
    assert (ms.heap_alloc, ms.heap_sys, ms.heap_idle, ms.heap_inuse, ms.heap_released, ms.heap_objects) == (
        21230488,
        28246016,
        5840896,
        22405120,
        5840896,
        228935,
    )
    assert (ms.stack_inuse, ms.stack_sys) == (47185920, 47185920)
    assert (ms.mspan_inuse, ms.mspan_sys, ms.mcache_inuse, ms.mcache_sys) == (331360, 342720, 4592, 16072)
    assert (ms.buck_hash_sys, ms.gc_sys, ms.other_sys) == (1446142, 2655984, 632722)
    assert (ms.next_gc, ms.last_gc) == (28670930, 1795675378978115457)
    assert ms.pause_ns == (2102635, 287279, 0)
    assert ms.pause_end == (1795675259982882729, 1795675261975283672, 0)
    assert (ms.num_gc, ms.num_forced_gc) == (7, 1)
    assert ms.gc_cpu_fraction == pytest.approx(4.164982966528647e-05)
    assert ms.debug_gc is False and ms.max_rss == 29704192
    assert ms.header is not None and ms.header.inuse_bytes == 2154768 and ms.header.sample_rate == 1048576


def test_missing_fields_are_none() -> None:
    text = "\n".join(line for line in TRAILER.splitlines() if "MaxRSS" not in line and "MCache" not in line)
    ms = parse_memstats(text)
    assert ms.max_rss is None and ms.mcache_inuse is None and ms.mcache_sys is None
    assert ms.alloc == 21230488


def test_unknown_future_field_is_ignored_and_crlf_ok() -> None:
    ms = parse_memstats(TRAILER.replace("# NumGC = 7", "# NewThing = 42\n# NumGC = 7").replace("\n", "\r\n"))
    assert ms.num_gc == 7


def test_header_is_optional() -> None:
    trailer_only = TRAILER[TRAILER.index("# runtime.MemStats") :]
    assert parse_memstats(trailer_only).header is None
    assert parse_heap_totals("nonsense") is None


@pytest.mark.parametrize(
    ("bad", "good"),
    [
        ("# Alloc = 21230488", "# Alloc = lots"),
        ("# Stack = 47185920 / 47185920", "# Stack = 47185920"),
        ("# Stack = 47185920 / 47185920", "# Stack = a / b"),
        ("# PauseNs = [2102635 287279 0]", "# PauseNs = 2102635"),
        ("# PauseNs = [2102635 287279 0]", "# PauseNs = [1 x 3]"),
        ("# GCCPUFraction = 4.164982966528647e-05", "# GCCPUFraction = many"),
        ("# DebugGC = false", "# DebugGC = maybe"),
    ],
)
def test_garbage_values_are_parse_errors(bad: str, good: str) -> None:
    with pytest.raises(ParseError):
        parse_memstats(TRAILER.replace(bad, good))


@pytest.mark.parametrize("text", ["", "hello", "goroutine profile: total 3\n", "# runtime.MemStats\n\n"])
def test_no_trailer_is_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_memstats(text)


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_fixtures(version: str) -> None:
    ms = parse_memstats(fixture_path(version, "heap_debug1.txt").read_text())
    none = [name for name in MemStats.__slots__ if getattr(ms, name) is None]
    assert none == []  # Go 1.19 and 1.27 print every field we know
    assert ms.heap_inuse <= ms.heap_sys <= ms.sys
    assert 0 < ms.stack_inuse <= ms.stack_sys
    assert len(ms.pause_ns) == len(ms.pause_end) == 256
    assert ms.num_gc >= 1 and 0 <= ms.gc_cpu_fraction < 1
    # Go prints 2*MemProfileRate there (default rate 512 KiB).
    assert ms.header is not None and ms.header.sample_rate == 2 * 512 * 1024
