"""Is this answer what a pprof endpoint returns? Detect login pages, proxy pages, JSON."""

from __future__ import annotations

from tui.fetch.errors import NotPprof
from tui.fetch.gzipped import is_gzip

# What each kind of request expects.
INDEX = "index"
PROFILE = "profile"  # profile.proto, gzip'd or raw
HEAP_DEBUG1 = "heap-debug1"
GOROUTINE_DEBUG1 = "goroutine-debug1"
GOROUTINE_DEBUG2 = "goroutine-debug2"
CMDLINE = "cmdline"
ANY = "any"


def describe(body: bytes, content_type: str = "") -> str:
    """A short description of what a non-pprof body looks like."""
    head = body[:512].lstrip().lower()
    if not body:
        return "an empty answer"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        if b"login" in body[:8192].lower() or b"sign in" in body[:8192].lower():
            return "an HTML login page"
        return "an HTML page (proxy or error page?)"
    if head.startswith((b"{", b"[")) or "json" in content_type.lower():
        return "JSON"
    if head.startswith(b"<"):
        return "markup (XML/HTML)"
    return f"unexpected content ({content_type or 'no content type'})"


def check_body(kind: str, body: bytes, content_type: str = "", *, what: str = "") -> None:
    """Raise NotPprof when body cannot be the answer to a `kind` request."""
    if kind == ANY:
        return
    ok = False
    head = body[:256].lstrip()
    if kind == INDEX:
        low = body[:65536].lower()
        ok = b"debug/pprof" in low or b"types of profiles available" in low or (b"goroutine?debug=1" in low)
    elif kind == PROFILE:
        # gzip'd, or a raw profile.proto: the first byte is the tag of a Profile field (1-14,
        # varint or length-delimited); Go writes period_type (11) first.
        ok = is_gzip(body) or (bool(body) and 1 <= body[0] >> 3 <= 14 and body[0] & 7 in (0, 2))
    elif kind == HEAP_DEBUG1:
        ok = head.startswith(b"heap profile:") or b"# runtime.MemStats" in body[-65536:]
    elif kind == GOROUTINE_DEBUG1:
        ok = head.startswith((b"goroutine profile:", b"goroutineleak profile:"))
    elif kind == GOROUTINE_DEBUG2:
        ok = head.startswith(b"goroutine ")
    elif kind == CMDLINE:
        ok = bool(body) and not describe(body, content_type).startswith(("an HTML", "JSON", "markup"))
    else:
        raise ValueError(f"unknown body kind {kind!r}")
    if not ok:
        label = what or kind
        raise NotPprof(f"{label}: got {describe(body, content_type)}, not a pprof answer")
