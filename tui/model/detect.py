"""Tell what a body is by its content (not by URL or file name): the one place that does.

:func:`detect_kind` names the pprof answer a body is (offline files, command-line sources, and
the fetch layer's check that an endpoint answered what it serves). :func:`describe` says what a
body that is none of them looks like (an HTML login page, JSON...), for error messages.
"""

from __future__ import annotations

import re

from tui.core.gunzip import is_gzip
from tui.core.limits import MiB

_SNIFF = 4096

_GOROUTINE_DEBUG1 = re.compile(rb"\A\s*(?:goroutine|goroutineleak) profile: total \d+")
_HEAP_DEBUG1 = re.compile(rb"\A\s*heap profile: \d+: \d+ \[\d+: \d+\] @ heap/\d+")
_GOROUTINE_DEBUG2 = re.compile(rb"(?m)^goroutine \d+ (?:[a-z]+=\S* )*\[")
_CONTENTION_DEBUG1 = re.compile(rb"\A\s*--- (?:mutex|contention):\r?\ncycles/second=\d+")  # mutex/block?debug=1
_INDEX = re.compile(rb"<td[^<>]*>\s*\d+\s*</td>\s*<td[^<>]*>\s*<a\s", re.IGNORECASE)  # linear: stops at "<"

KINDS = ("profile", "goroutine-debug1", "goroutine-debug2", "heap-debug1", "contention-debug1", "index", "unknown")


def _looks_like_profile(data: bytes) -> bool:
    # Imported lazily: protobuf costs ~50 ms of start-up the text paths do not need.
    from google.protobuf.message import DecodeError

    from tui.heap.upb_views import Profile  # string_table as bytes: Go writes names as they are, UTF-8 or not

    prof = Profile()
    try:
        prof.ParseFromString(data)
    except (DecodeError, RecursionError, ValueError):
        return False
    return len(prof.sample_type) > 0 and len(prof.string_table) > 0 and prof.string_table[0] == b""


def _starts_like_profile(data: bytes) -> bool:
    """The first byte is the tag of a Profile field (1-14, varint or length-delimited); Go
    writes period_type (11) first."""
    return bool(data) and 1 <= data[0] >> 3 <= 14 and data[0] & 7 in (0, 2)


def detect_kind(data: bytes, *, parse: bool = True) -> str:
    """One of KINDS. gzip data is reported as "profile" (pprof serves profile.proto gzip'd).

    A raw (not gzip'd) profile.proto is recognised by parsing it; ``parse=False`` looks at its
    first field tag only: cheap, for a caller that parses the body next anyway and only needs to
    tell a profile from text, HTML or JSON (binary junk then passes as "profile").
    """
    if is_gzip(data):
        return "profile"
    head = data[:_SNIFF]
    if _GOROUTINE_DEBUG1.match(head):
        return "goroutine-debug1"
    if _HEAP_DEBUG1.match(head):
        return "heap-debug1"
    if _CONTENTION_DEBUG1.match(head):
        return "contention-debug1"
    if _GOROUTINE_DEBUG2.search(head):
        return "goroutine-debug2"
    if b"runtime.MemStats" in data[-65536:] and b"# Alloc = " in data[-65536:]:
        return "heap-debug1"
    if _INDEX.search(data[:65536]):
        return "index"
    if not parse:
        return "profile" if _starts_like_profile(data) else "unknown"
    if data and len(data) <= 256 * MiB and _looks_like_profile(data):
        return "profile"
    return "unknown"


# What a body that is not a pprof answer looks like (see describe).
FOREIGN_KINDS = ("empty", "html-login", "html", "json", "markup", "other")
_FOREIGN_TEXT = {
    "empty": "an empty answer",
    "html-login": "an HTML login page",
    "html": "an HTML page (proxy or error page?)",
    "json": "JSON",
    "markup": "markup (XML/HTML)",
}


def foreign_kind(data: bytes, content_type: str = "") -> str:
    """One of FOREIGN_KINDS: what a body looks like as something other than pprof output."""
    if not data:
        return "empty"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        page = data[:8192].lower()
        return "html-login" if b"login" in page or b"sign in" in page else "html"
    if head.startswith((b"{", b"[")) or "json" in content_type.lower():
        return "json"
    if head.startswith(b"<"):
        return "markup"
    return "other"


def describe(data: bytes, content_type: str = "") -> str:
    """A short description of what a non-pprof body looks like ("an HTML login page", "JSON", ...)."""
    kind = foreign_kind(data, content_type)
    return _FOREIGN_TEXT.get(kind) or f"unexpected content ({content_type or 'no content type'})"
