"""Fewer glibc malloc arenas, and big blocks always given back, for the long-running UI.

glibc gives threads that allocate at the same time arenas of their own (up to eight per
core), and memory freed in one arena is not reused by another. In a watch that runs for
hours, the parse workers and the leak tracker's thread take turns, and a few MB of freed
but held memory piles up over the first hour: of the soak benchmark's +3.8 MiB after
3,000 polls, 1.4 MiB went away with two arenas (the main one and one the workers share),
which is what ``MALLOC_ARENA_MAX=2`` does; a value in the environment is left to rule.

Big blocks: glibc serves a block of 128 kB or more with its own mmap, returned to the system
when freed, but it then raises that threshold to the size of the freed block (up to 32 MB). A
30 MB goroutine dump body freed once makes the next ones come from the heap, where freed memory
stays: the app grew ~30 MB with each of its first dumps (89 -> 127 -> 157 MiB over three) while
the tap kept the newest body. `pin_mmap_threshold` fixes the threshold at 1 MiB
(``M_MMAP_THRESHOLD``, as ``MALLOC_MMAP_THRESHOLD_`` does): every block that big comes back
when freed (flat at 89 MiB).
"""

from __future__ import annotations

import os
import sys

from tui.core.limits import MiB

M_ARENA_MAX = -8  # glibc's mallopt parameter numbers
M_MMAP_THRESHOLD = -3
ARENAS = 2
MMAP_THRESHOLD = MiB


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """mallopt(M_ARENA_MAX, count) on Linux/glibc; True when it took effect."""
    return _mallopt(M_ARENA_MAX, count, "MALLOC_ARENA_MAX")


def pin_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """mallopt(M_MMAP_THRESHOLD, size) on Linux/glibc: blocks of `size` or more are always
    mmapped, so always returned when freed. True when it took effect."""
    return _mallopt(M_MMAP_THRESHOLD, size, "MALLOC_MMAP_THRESHOLD_")


def _mallopt(param: int, value: int, env: str) -> bool:
    if sys.platform != "linux" or os.environ.get(env):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(param, value))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
