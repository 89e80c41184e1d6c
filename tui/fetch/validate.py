"""Is this answer what the endpoint returns? Login pages, proxy pages and JSON are refused.

The content itself is sniffed by tui.model.detect (the one place that tells kinds apart).
"""

from __future__ import annotations

from tui.fetch.errors import NotPprof
from tui.model.detect import describe, detect_kind, foreign_kind

# What each kind of request expects.
INDEX = "index"
PROFILE = "profile"  # profile.proto, gzip'd or raw
HEAP_DEBUG1 = "heap-debug1"
GOROUTINE_DEBUG1 = "goroutine-debug1"
GOROUTINE_DEBUG2 = "goroutine-debug2"
CONTENTION_DEBUG1 = "contention-debug1"  # mutex?debug=1, block?debug=1
CMDLINE = "cmdline"
METRICS = "metrics"  # a Prometheus text / OpenMetrics page (tui/metrics parses it)
ANY = "any"


# The content kind (tui.model.detect.detect_kind) each request kind expects.
_EXPECTED_CONTENT = {
    INDEX: "index",
    PROFILE: "profile",
    HEAP_DEBUG1: "heap-debug1",
    GOROUTINE_DEBUG1: "goroutine-debug1",
    GOROUTINE_DEBUG2: "goroutine-debug2",
    CONTENTION_DEBUG1: "contention-debug1",
}


def check_body(kind: str, body: bytes, content_type: str = "", *, what: str = "") -> None:
    """Raise NotPprof when body cannot be the answer to a `kind` request.

    What the body is comes from tui.model.detect; this decides only whether that fits the
    endpoint. A raw profile.proto is checked by its first field tag (the parser reads it next).
    """
    if kind == ANY:
        return
    if kind in (CMDLINE, METRICS):  # text of its own, but not a page from a proxy or a login wall
        ok = foreign_kind(body, content_type) == "other"
    elif kind in _EXPECTED_CONTENT:
        ok = detect_kind(body, parse=False) == _EXPECTED_CONTENT[kind]
    else:
        raise ValueError(f"unknown body kind {kind!r}")
    if not ok:
        label = what or kind
        raise NotPprof(f"{label}: got {describe(body, content_type)}, not a pprof answer")
