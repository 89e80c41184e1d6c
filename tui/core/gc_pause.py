"""Pause the cyclic garbage collector around bulk work that allocates many containers.

Decoding a 200k-sample profile creates millions of tuples/frozensets that are never
cyclic; letting the collector rescan them repeatedly costs more than the work itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
