"""Rates derived from consecutive MemStats samples (heap?debug=1's trailer): the history series of
GC pressure and allocation churn (pure, stdlib only).

MemStats counters are cumulative since the process started, so a rate needs two samples:

- ``gc.alloc_rate``: bytes allocated per second (TotalAlloc delta / dt);
- ``gc.per_min``: GC cycles per minute over the trailing ``GC_WINDOW`` seconds (NumGC delta / dt * 60:
  measured poll to poll, a GC every 10 s would read 0, 0, 30, 0, 0/min at a 2 s poll);
- ``gc.pause_p99``: the p99 of the stop-the-world pauses that are new since the previous sample
  (PauseNs is a ring of the last 256 pauses, the newest at ``(NumGC + 255) % 256``): no new GC, no
  point; more than 256 new ones, the 256 the ring still holds.

GCCPUFraction is cumulative since the process started too, and a windowed figure would need the
process' start time, which MemStats does not carry: it stays ``mem.gc_cpu_fraction`` and is shown as
"since start". A counter that goes backwards (a restart) gives no point and starts over from the new
value, so no rate is ever negative or made of two processes' counters.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.model.memstats import MemStats

ALLOC_RATE = "gc.alloc_rate"  # bytes/s
GC_PER_MIN = "gc.per_min"  # cycles/min
PAUSE_P99 = "gc.pause_p99"  # ns
GC_CPU = "mem.gc_cpu_fraction"  # cumulative since the process started (tui.model.parsers.memstats_series)
PAUSE_RING = 256  # runtime.MemStats.PauseNs
MIN_DT = 0.05  # seconds: two samples closer than this give no rate (a rate over ~0 s is noise)
GC_WINDOW = 60.0  # seconds: GC/min is counted over the samples of the last minute


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of a non-empty sequence: a value that occurred."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def new_pauses(pause_ns: Sequence[int] | None, num_gc: int, new: int) -> tuple[int, ...]:
    """The pauses of the ``new`` GC cycles that ended at ``num_gc`` (at most the ring's 256)."""
    if not pause_ns or len(pause_ns) != PAUSE_RING or new <= 0:
        return ()
    new = min(new, PAUSE_RING, num_gc)
    return tuple(pause_ns[i % PAUSE_RING] for i in range(num_gc - new, num_gc))


class GCRates:
    """Feed it every MemStats sample in time order; ``observe`` returns the derived points."""

    __slots__ = ("_gcs", "_num_gc", "_t", "_total_alloc")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the previous sample (the target restarted): the next one is a new baseline."""
        self._t: float | None = None
        self._total_alloc: int | None = None
        self._num_gc: int | None = None
        self._gcs: deque[tuple[float, int]] = deque()  # (t, NumGC) of the last GC_WINDOW seconds

    def observe(self, t: float, ms: MemStats) -> dict[str, float]:
        total_alloc = _count(getattr(ms, "total_alloc", None))
        num_gc = _count(getattr(ms, "num_gc", None))
        prev_t, prev_alloc, prev_gc = self._t, self._total_alloc, self._num_gc
        if not math.isfinite(t) or (prev_t is not None and t < prev_t):
            return {}  # out of order: keep the older baseline
        backwards = (total_alloc is not None and prev_alloc is not None and total_alloc < prev_alloc) or (
            num_gc is not None and prev_gc is not None and num_gc < prev_gc
        )
        if prev_t is not None and not backwards and t - prev_t < MIN_DT:
            return {}  # too close: the next sample is measured from the same baseline
        self._t, self._total_alloc, self._num_gc = t, total_alloc, num_gc
        if backwards:
            self._gcs.clear()
        if num_gc is not None:
            self._gcs.append((t, num_gc))
            while len(self._gcs) > 2 and self._gcs[1][0] <= t - GC_WINDOW:
                self._gcs.popleft()  # keep one sample at or before the window's start
        if prev_t is None or backwards:
            return {}  # a first sample, or a new process: a baseline, no rate
        dt = t - prev_t
        out: dict[str, float] = {}
        if total_alloc is not None and prev_alloc is not None:
            out[ALLOC_RATE] = (total_alloc - prev_alloc) / dt
        if num_gc is not None and prev_gc is not None:
            first_t, first_gc = self._gcs[0]
            out[GC_PER_MIN] = (num_gc - first_gc) * 60.0 / (t - first_t)
            pauses = new_pauses(getattr(ms, "pause_ns", None), num_gc, num_gc - prev_gc)
            if pauses:
                out[PAUSE_P99] = percentile(pauses, 0.99)
        return out
