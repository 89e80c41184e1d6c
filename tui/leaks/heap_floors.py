"""The leak tracker's heap-side floors: one FloorSeries per heap function (flat inuse), the
GROWING verdicts of the floor rule (tui/leaks/floors.py) labelled with their allocation site, and
each function's floor growth since the baseline.

Only the biggest functions of each profile are listed (heap_baseline.SERIES_FUNCTIONS); a known
function missing from a profile is at most the smallest listed value then (0 when the listing
was not full), and that upper bound is what its floor gets: a function that drops out of the
listing cannot keep an old, higher floor. A new function starts from the first and the previous
listings' bounds for the same reason (it was not bigger than that before it showed up). Bounds
only ever make the rule more conservative (a lower rise, an earlier "high" to fall back from).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from tui.core.bytesize import format_bytes
from tui.heap.profile import Profile
from tui.leaks.alloc_site import AllocationSite, allocation_site
from tui.leaks.floors import HEAP_FLOORS, FloorConfig, FloorRise, FloorSeries, floor_delta, floor_rise
from tui.leaks.go_names import is_helper, short_name
from tui.leaks.growth import GROWING, Verdict
from tui.leaks.heap_baseline import SERIES_FUNCTIONS


def listing_bound(values: Mapping[str, float], limit: int = SERIES_FUNCTIONS) -> float:
    """What a function absent from this listing held at most."""
    return float(min(values.values())) if len(values) >= limit and values else 0.0


class HeapFloors:
    def __init__(self, config: FloorConfig = HEAP_FLOORS) -> None:
        self.config = config
        self._series: dict[str, FloorSeries] = {}
        self._first: tuple[float, float] | None = None  # (time, bound) of the first listing
        self._previous: tuple[float, float] | None = None  # ... and of the last one
        self._sites: dict[str, AllocationSite] = {}
        self._unnamed: dict[str, int] = {}  # helper functions without a caller in profile id(...)
        self._deltas: dict[str, tuple[tuple[int, float, float | None], float]] = {}  # growth_since memo

    def __contains__(self, key: str) -> bool:
        return key in self._series

    def clear(self) -> None:
        self._series.clear()
        self._sites.clear()
        self._unnamed.clear()
        self._deltas.clear()
        self._first = self._previous = None

    def observe(self, t: float, values: Mapping[str, float]) -> None:
        """One profile's listing (flat inuse per function, biggest first)."""
        bound = listing_bound(values)
        for key, v in values.items():
            s = self._series.get(key)
            if s is None:
                s = self._series[key] = FloorSeries(self.config)
                for seen in (self._first, self._previous):
                    if seen is not None and seen[0] < t:
                        s.push(*seen)
            s.push(t, float(v))
        for key, s in self._series.items():
            if key not in values:
                s.push(t, bound)
        self._previous = (t, bound)
        if self._first is None:
            self._first = self._previous

    def keep_only(self, keys: Mapping[str, object]) -> None:
        """Drop the series of functions the tracker no longer follows (bounded like its table)."""
        for key in [k for k in self._series if k not in keys]:
            del self._series[key]
            self._sites.pop(key, None)
            self._unnamed.pop(key, None)
            self._deltas.pop(key, None)

    def trim(self, now: float) -> None:
        cutoff = now - self.config.keep_seconds
        for s in self._series.values():
            s.trim(cutoff)

    def rise(self, key: str) -> FloorRise | None:
        s = self._series.get(key)
        if s is None:
            return None
        return s.cached("", lambda series: floor_rise(series, self.config))

    def site(self, key: str, profile: Profile | None, sample_type: str) -> AllocationSite:
        """The allocation site of a function (walked once per function in the newest profile)."""
        known = self._sites.get(key)
        if known is not None:
            return known
        if profile is None or not is_helper(key) or self._unnamed.get(key) == id(profile):
            return AllocationSite(key, "", 0.0)
        site = allocation_site(profile, key, sample_type)
        if site.caller:
            self._sites[key] = site
        else:
            self._unnamed[key] = id(profile)
        return site

    def label(self, key: str) -> str:
        """What to call a function in a sentence: its site label once known, else its short name."""
        site = self._sites.get(key)
        return site.label if site is not None else short_name(key)

    def verdicts(
        self, profile: Profile | None, sample_type: str, fmt: Callable[[float], str] = format_bytes
    ) -> dict[str, Verdict]:
        """GROWING verdicts by function: the floor rule, labelled "caller → helper" when the
        allocating function is a generic or standard-library helper. None on alloc_* sample types:
        those count every allocation ever made, so every allocating function's floor rises."""
        out: dict[str, Verdict] = {}
        if sample_type.startswith("alloc_"):
            return out
        for key in self._series:
            fr = self.rise(key)
            if fr is None:
                continue
            site = self.site(key, profile, sample_type)
            evidence = fr.evidence(fmt)
            if site.evidence:
                evidence = f"{evidence}; {site.evidence}"
            out[key] = Verdict(GROWING, key, site.label, fr.rate_per_min, fr.current, fr.start, evidence, "bytes")
        return out

    def growth_since(
        self, since: float | None, at_since: Mapping[str, float] | None = None
    ) -> tuple[tuple[str, float], ...]:
        """(function, floor growth since `since`) for those that grew, biggest first: the lowest
        value of the last `settle_seconds` minus the lowest value since `since` (since the series
        began, without a baseline). `at_since`: the listing at that time, for series that no
        longer reach back so far."""
        out: list[tuple[str, float]] = []
        start = since if since is not None else -math.inf
        bound = listing_bound(at_since) if at_since is not None else 0.0
        for key, s in self._series.items():
            before = float(at_since.get(key, bound)) if at_since is not None else None
            stamp = (s.version, start, before)
            memo = self._deltas.get(key)
            if memo is None or memo[0] != stamp:
                memo = self._deltas[key] = (stamp, floor_delta(s, start, before, self.config))
            if memo[1] > 0:
                out.append((key, memo[1]))
        return tuple(sorted(out, key=lambda kv: (-kv[1], kv[0])))
