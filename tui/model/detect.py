"""Tell what a pprof body is by its content (not by URL or file name)."""

from __future__ import annotations

import re

GZIP_MAGIC = b"\x1f\x8b"
_SNIFF = 4096

_GOROUTINE_DEBUG1 = re.compile(rb"\A\s*(?:goroutine|goroutineleak) profile: total \d+")
_HEAP_DEBUG1 = re.compile(rb"\A\s*heap profile: \d+: \d+ \[\d+: \d+\] @ heap/\d+")
_GOROUTINE_DEBUG2 = re.compile(rb"(?m)^goroutine \d+ (?:[a-z]+=\S* )*\[")
_INDEX = re.compile(rb"<td[^<>]*>\s*\d+\s*</td>\s*<td[^<>]*>\s*<a\s", re.IGNORECASE)  # linear: stops at "<"

KINDS = ("profile", "goroutine-debug1", "goroutine-debug2", "heap-debug1", "index", "unknown")


def _looks_like_profile(data: bytes) -> bool:
    # Imported lazily: protobuf costs ~50 ms of start-up the text paths do not need.
    from google.protobuf.message import DecodeError

    from tui.wire import profile_pb2

    prof = profile_pb2.Profile()
    try:
        prof.ParseFromString(data)
    except (DecodeError, RecursionError, ValueError):
        return False
    return len(prof.sample_type) > 0 and len(prof.string_table) > 0 and prof.string_table[0] == ""


def detect_kind(data: bytes) -> str:
    """One of KINDS. gzip data is reported as "profile" (pprof serves profile.proto gzip'd)."""
    if data[:2] == GZIP_MAGIC:
        return "profile"
    head = data[:_SNIFF]
    if _GOROUTINE_DEBUG1.match(head):
        return "goroutine-debug1"
    if _HEAP_DEBUG1.match(head):
        return "heap-debug1"
    if _GOROUTINE_DEBUG2.search(head):
        return "goroutine-debug2"
    if b"runtime.MemStats" in data[-65536:] and b"# Alloc = " in data[-65536:]:
        return "heap-debug1"
    if _INDEX.search(data[:65536]):
        return "index"
    if data and len(data) <= 256 * 1024 * 1024 and _looks_like_profile(data):
        return "profile"
    return "unknown"
