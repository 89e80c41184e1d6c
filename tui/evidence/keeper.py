"""The raw bodies a bundle needs from the past: the heap profile the tracker's baseline was pinned on,
and the MemStats of that moment (the poller keeps only the newest body of each endpoint).

Fed from the leak tracker's thread (`observe`, once per report): when a new heap body arrived, it is
kept in a ring of the last `RING` ones (references to the bodies the tap already holds, never a
copy), and the first one after a start or restart is held until the tracker's baseline is known.
When `baseline_at` changes (first profile, a restart, `b` pinned it), the body fetched closest to
that time becomes the baseline. MemStats bodies keep only their `# runtime.MemStats` trailer (~2 kB).
Bounded: at most RING + 2 heap bodies (each within the fetch client's body limit).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from tui.model import catalog
from tui.recording.tap import Body, LatestBodies

HEAP = catalog.HEAP.key
MEMSTATS = catalog.MEMSTATS.key
MEMSTATS_MARK = b"# runtime.MemStats"
RING = 3
MAX_TRAILER = 64 * 1024


def memstats_trailer(body: bytes) -> bytes:
    """The `# runtime.MemStats` part of a heap?debug=1 body (the records before it are the heap
    profile in text, which the proto already holds); the whole body cut to MAX_TRAILER without one."""
    i = body.rfind(MEMSTATS_MARK)
    return body[i : i + MAX_TRAILER] if i >= 0 else body[:MAX_TRAILER]


@dataclass(frozen=True, slots=True)
class Kept:
    at: float  # watcher clock of the fetch
    wall: float
    body: bytes


class BodyKeeper:
    def __init__(self, bodies: LatestBodies, ring: int = RING) -> None:
        self.bodies = bodies
        self._lock = threading.Lock()
        self._heaps: deque[Kept] = deque(maxlen=ring)
        self._stats: deque[Kept] = deque(maxlen=ring)
        self._first_heap: Kept | None = None
        self._first_stats: Kept | None = None
        self._baseline_at: float | None = None
        self._baseline: Kept | None = None
        self._baseline_stats: Kept | None = None

    def _take(self, endpoint: str, ring: deque[Kept], trailer: bool) -> Kept | None:
        at = self.bodies.at(endpoint)
        if at is None or (ring and ring[-1].at == at):
            return None
        body: Body | None = self.bodies.get(endpoint)
        if body is None:
            return None
        kept = Kept(body.at, body.wall, memstats_trailer(body.body) if trailer else body.body)
        ring.append(kept)
        return kept

    def observe(self, baseline_at: float | None) -> None:
        """Take the newest bodies (when new) and follow the tracker's baseline time."""
        with self._lock:
            heap = self._take(HEAP, self._heaps, False)
            stats = self._take(MEMSTATS, self._stats, True)
            if self._first_heap is None and heap is not None:
                self._first_heap = heap
            if self._first_stats is None and stats is not None:
                self._first_stats = stats
            if baseline_at is not None and baseline_at != self._baseline_at:
                found = _closest(baseline_at, self._first_heap, self._heaps)
                if found is not None:
                    self._baseline_at, self._baseline = baseline_at, found
                    self._baseline_stats = _closest(baseline_at, self._first_stats, self._stats)
                    self._first_heap = self._first_stats = None  # held only until the baseline is known

    def restarted(self) -> None:
        """The target restarted: its old bodies are no baseline for the new process."""
        with self._lock:
            self._heaps.clear()
            self._stats.clear()
            self._first_heap = self._first_stats = None
            self._baseline_at = self._baseline = self._baseline_stats = None

    def baseline(self) -> tuple[Kept | None, Kept | None]:
        """(heap body, MemStats trailer) of the baseline; (None, None) before one is known."""
        with self._lock:
            return self._baseline, self._baseline_stats


def _closest(t: float, first: Kept | None, ring: deque[Kept]) -> Kept | None:
    candidates = [k for k in (first, *ring) if k is not None]
    return min(candidates, key=lambda k: abs(k.at - t)) if candidates else None
