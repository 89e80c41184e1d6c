"""Did a goroutine group ARRIVE while we watched? The line between an alarm and context.

A few goroutines parked since the process started are how healthy services are built: `main` in
`select {}`, an HTTP server's goroutine waiting on its errgroup / WaitGroup for the server's life,
a janitor asleep. They wait forever by design, so a long wait alone proves nothing. A group is
worth a STUCK verdict (and a proven leak without a stack worth a LEAKED one) only when

- some of its goroutines arrived while we watched (`Arrivals.arrival` says how we know):
  1. the group was not in the first goroutine dump of the watch, and its youngest goroutine's
     wait (Go's minutes) does not reach back to that dump;
  2. its count rose above the count it had when first seen;
  3. its youngest wait fell during the watch (a younger goroutine joined, or the youngest woke
     and parked again) and the youngest now has waited no longer than since that fall;
- or there are MATTERS_COUNT or more of them in one group (`matters`).

Go's wait minutes start at the first GC cycle that sees a goroutine parked (runtime `waitsince`),
so they can only under-count; nothing here concludes "arrived" from small minutes alone, which a
GC that ran late (GOGC=off) would fake. What we saw in the dumps decides.

Pure, stdlib only; bounded (entries of groups the tracker no longer keeps are dropped by `retain`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.goroutines.match_keys import GroupObservation

# One stack group this big, waiting on a send, a lock or a WaitGroup for 10+ minutes, is a pile-up,
# not a component. By-design waiters come one per component: in the seven Debian daemons of
# tests/fixtures/real (Prometheus, etcd, Caddy, Alertmanager, InfluxDB, idle and loaded) no stack
# group ever held more than 3 goroutines, and the service whose "few dozen goroutines parked for
# good since start" gave five false verdicts spread them over five groups. Worker pools are bigger
# (64 in tests/target -idle-pool), but they wait on a receive, select or sync.Cond: not stuck reasons.
MATTERS_COUNT = 50


@dataclass(slots=True)
class _Seen:
    first_t: float
    first_count: int
    last_count: int
    youngest: int | None  # Go's minutes of the youngest in the newest dump with ages
    fell_at: float | None = None  # newest time the youngest wait fell while we watched


class Arrivals:
    """Per group key: what it looked like when first seen in this watch, and since."""

    def __init__(self) -> None:
        self.first_dump: float | None = None
        self._seen: dict[str, _Seen] = {}
        self._new: set[str] = set()  # first seen after the first dump, and not older than the watch

    def observe(self, t: float, observations: Iterable[GroupObservation]) -> None:
        """One dump's groups (debug=2 with ages, or counts without)."""
        if self.first_dump is None:
            self.first_dump = t
        for o in observations:
            if o.count <= 0:
                continue
            seen = self._seen.get(o.key)
            if seen is None:
                self._seen[o.key] = _Seen(t, o.count, o.count, o.min_minutes)
                older_than_watch = o.min_minutes is not None and o.min_minutes * 60.0 >= t - self.first_dump
                if t > self.first_dump and not older_than_watch:
                    self._new.add(o.key)
                continue
            seen.last_count = o.count
            if o.min_minutes is not None:
                if seen.youngest is not None and o.min_minutes < seen.youngest:
                    seen.fell_at = t
                seen.youngest = o.min_minutes

    def arrival(self, key: str, now: float) -> str | None:
        """How we know some of the group's goroutines arrived while we watched, or None."""
        seen = self._seen.get(key)
        if seen is None:
            return None
        if key in self._new:
            return "not in the first goroutine dump of the watch"
        if seen.last_count > seen.first_count:
            return f"count rose {seen.first_count:,} → {seen.last_count:,} while we watched"
        if seen.fell_at is not None and seen.youngest is not None and seen.youngest * 60.0 <= now - seen.fell_at:
            return "a goroutine joined (or parked again) while we watched"
        return None

    def retain(self, keys: Iterable[str]) -> None:
        """Forget every group not in `keys` (the tracker dropped it: gone for a whole window)."""
        keep = set(keys)
        for key in [k for k in self._seen if k not in keep]:
            del self._seen[key]
            self._new.discard(key)

    def clear(self) -> None:
        self.first_dump = None
        self._seen.clear()
        self._new.clear()


def matters(count: float) -> bool:
    """Enough goroutines in one group to be an alarm however long they have been there."""
    return count >= MATTERS_COUNT


def alarm_reason(arrival: str | None, count: float) -> str | None:
    """Why a waiting group is an alarm (appended to its evidence), or None: context only."""
    if arrival is not None:
        return arrival
    if matters(count):
        return f"{count:,.0f} goroutines in one group (≥ {MATTERS_COUNT}: a pile-up, not one component)"
    return None
