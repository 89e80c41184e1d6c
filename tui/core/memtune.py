"""Fewer glibc malloc arenas for the long-running UI.

glibc gives threads that allocate at the same time arenas of their own (up to eight per
core), and memory freed in one arena is not reused by another. In a watch that runs for
hours, the parse workers and the leak tracker's thread take turns, and a few MB of freed
but held memory piles up over the first hour: of the soak benchmark's +3.8 MiB after
3,000 polls, 1.4 MiB went away with two arenas (the main one and one the workers share),
which is what ``MALLOC_ARENA_MAX=2`` does; a value in the environment is left to rule.
"""

from __future__ import annotations

import os
import sys

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """mallopt(M_ARENA_MAX, count) on Linux/glibc; True when it took effect."""
    if sys.platform != "linux" or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
