"""Wait-duration buckets: edges in minutes, their bounds and labels ("<1m", "1–5m", "1–4h", "≥4h")."""

from __future__ import annotations

from collections.abc import Iterable

# Bucket edges in minutes: <1, 1-5, 5-15, 15-60, 60-240 (1-4 h), >=240.
DEFAULT_BUCKETS: tuple[int, ...] = (1, 5, 15, 60, 240)
# Go prints no wait time on a goroutine it proved leaked (goroutineleak, Go 1.26+): its "<1m" bucket says
# nothing of its age; the tree and `goroutines` say this instead
LEAKED_WAIT_UNKNOWN = "wait time not shown for leaked goroutines"


def _fmt_minutes(m: int) -> str:
    return f"{m // 60}h" if m >= 60 and m % 60 == 0 else f"{m}m"


def bucket_bounds(index: int, edges: tuple[int, ...]) -> tuple[int | None, int | None]:
    lo = 0 if index == 0 else edges[index - 1]
    hi = edges[index] if index < len(edges) else None
    return lo, hi


def bucket_label(index: int, edges: tuple[int, ...]) -> str:
    lo, hi = bucket_bounds(index, edges)
    if not edges:
        return "all"
    if index == 0:
        return f"<{_fmt_minutes(edges[0])}"
    if hi is None:
        return f"≥{_fmt_minutes(lo or 0)}"
    if lo and lo % 60 == 0 and hi % 60 == 0:
        return f"{lo // 60}–{hi // 60}h"
    return f"{lo}–{hi}m"


def check_buckets(edges: Iterable[int]) -> tuple[int, ...]:
    """Validate bucket edges (strictly increasing positive minutes)."""
    result = tuple(int(e) for e in edges)
    if any(e <= 0 for e in result) or any(a >= b for a, b in zip(result, result[1:])):
        raise ValueError("bucket edges must be strictly increasing positive minutes")
    return result
