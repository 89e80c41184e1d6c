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
from dataclasses import dataclass

from tui.core.bytesize import format_bytes
from tui.core.names import collapse_generics, is_helper
from tui.heap.profile import Profile
from tui.leaks.alloc_site import AllocationSite, allocation_site
from tui.leaks.floors import (
    HEAP_FLOORS,
    FloorConfig,
    FloorRise,
    FloorSeries,
    floor_between,
    floor_delta,
    floor_rise,
    rise_since,
    step_times,
)
from tui.leaks.growth import CAUSE_GOROUTINE_CREATION, DRIFT, GROWING, Verdict
from tui.leaks.heap_baseline import SERIES_FUNCTIONS
from tui.leaks.sampling import SampleNoise, rise_noise
from tui.leaks.shapes import is_own_code
from tui.leaks.witness import LiveHeap, Witness

# How many standard deviations of the sampling noise a floor rise must clear: with the exact live heap
# as a witness (it rose as much, and kept rising), the profile only has to say WHICH function grows;
# without one (no MemStats over the window), the profile stands alone and must be far past its noise.
Z_WITNESSED = 1.0
Z_ALONE = 3.0
DOUBT_SECONDS = 60.0
# a verdict that cleared less than REFIRE_SECONDS ago comes back only on stronger evidence (holds_again)
REFIRE_SECONDS = 600.0
REFIRE_SHARE = 0.8
Z_REFIRE = 2.0
EXACT_Z = 50.0  # past this many standard deviations, the sampling noise is not worth a number


@dataclass(frozen=True, slots=True)
class Judged:
    """One function's floor rise weighed against the sampling noise and the exact heap."""

    rise: FloorRise
    sigma: float | None  # one standard deviation of the rise (None: the profile gave no sampling data)
    samples: float | None  # sampled records behind the rise
    witness: Witness | None

    @property
    def z(self) -> float | None:
        return self.rise.rise / self.sigma if self.sigma else None

    @property
    def holds(self) -> bool:
        if self.witness is not None and not self.witness.confirms:
            return False
        z = self.z
        need = Z_WITNESSED if self.witness is not None else Z_ALONE
        return z is None or z >= need

    @property
    def holds_again(self) -> bool:
        """Stricter, for a function whose verdict cleared lately: the live heap must account for most of
        the profile's rise, and the rise be past twice its noise (a cache that filled, then drifts in the
        profile while its live heap creeps, does not come back on every drift step)."""
        if not self.holds:
            return False
        w, z = self.witness, self.z
        if w is not None and w.total < REFIRE_SHARE * self.rise.rise:
            return False
        return z is None or z >= Z_REFIRE

    def confidence(self, fmt: Callable[[float], str]) -> str:
        parts = []
        if self.samples is not None and self.sigma is not None:
            z = self.z or 0.0
            if z > EXACT_Z:  # objects far above the sampling rate: every one is in the profile
                parts.append("exact: its objects are far bigger than the sampling rate")
            else:
                n = f"~{self.samples:,.0f} sample{'' if round(self.samples) == 1 else 's'}"
                parts.append(f"{n} behind the rise, ±{fmt(self.sigma)} ({z:.1f}σ)")
        if self.witness is not None:
            parts.append(self.witness.sentence(fmt))
        else:
            parts.append("no MemStats over the window: judged on the profile alone")
        return "; ".join(parts)


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
        self._noise: dict[str, SampleNoise] = {}  # the newest profile's sampling noise per function
        self._latched: dict[str, float] = {}  # function -> start of the rise its standing verdict is on
        self._doubted: dict[str, float] = {}  # function -> since when its standing verdict's witness fails
        self._last_rise: dict[str, FloorRise] = {}  # function -> the rise it was judged on last
        self._shown: dict[str, Verdict] = {}  # function -> its standing GROWING verdict
        self._cleared: dict[str, float] = {}  # function -> when its last verdict cleared
        self.drift: dict[str, Verdict] = {}  # the newest verdicts() call's profile drift (never failing)

    def __contains__(self, key: str) -> bool:
        return key in self._series

    def clear(self) -> None:
        self._series.clear()
        self._sites.clear()
        self._unnamed.clear()
        self._deltas.clear()
        self._noise.clear()
        self._latched.clear()
        self._doubted.clear()
        self._last_rise.clear()
        self._shown.clear()
        self._cleared.clear()
        self.drift = {}
        self._first = self._previous = None

    def observe(self, t: float, values: Mapping[str, float], noise: Mapping[str, SampleNoise] | None = None) -> None:
        """One profile's listing (flat inuse per function, biggest first) and, when the profile says
        how it was sampled, each function's sampling noise (tui/leaks/sampling.py)."""
        if noise is not None:
            self._noise = {k: noise[k] for k in values if k in noise}
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
            self._latched.pop(key, None)

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
        if profile is None or (not is_helper(key) and is_own_code(key)) or self._unnamed.get(key) == id(profile):
            return AllocationSite(key, "", 0.0)
        site = allocation_site(profile, key, sample_type)
        if site.caller or site.creation or site.path:
            self._sites[key] = site
        else:
            self._unnamed[key] = id(profile)
        return site

    def stack_of(self, key: str) -> tuple[str, ...]:
        """What the stack of a function's bytes shows, leaf first: itself, its caller, its heaviest path."""
        site = self._sites.get(key)
        if site is None:
            return (key,)
        return tuple(dict.fromkeys(f for f in (key, site.caller, *site.path) if f))

    def is_creation(self, key: str) -> bool:
        """Whether the function's bytes are goroutines being created (as far as its site is known)."""
        site = self._sites.get(key)
        return site is not None and site.creation

    def label(self, key: str) -> str:
        """What to call a function in a sentence: its site label once known, else its short name."""
        site = self._sites.get(key)
        return site.label if site is not None else collapse_generics(key)

    def judge(self, key: str, live: LiveHeap | None) -> Judged | None:
        """The function's floor rise (the rule, or the rise its standing verdict is on while the floor
        keeps stepping up: no flapping), weighed against the noise and the exact heap; None: no rise.
        The exact heap must also have risen in the rise's later part, from the profile's last step
        less the longer of the shortest horizon and its last wait between steps: a cache that filled
        and now only drifts in the profile, or buffers shown late, fail there."""
        s = self._series.get(key)
        if s is None:
            return None
        fr = self.rise(key)
        latched = self._latched.get(key)
        if latched is not None:
            held = rise_since(s, latched, self.config)
            if held is None and fr is None and live is not None:
                # the profile paused (sampling steps minutes apart): the live heap says whether it grows on
                before = self._last_rise.get(key)
                span = min(self.config.horizons_minutes, default=3.0) * 60.0
                if before is not None and live.still_rising(s.last_t - self.config.settle_seconds - span, s.last_t):
                    held = before
            if held is not None and (fr is None or held.rise >= fr.rise):
                fr = held
        if fr is None:
            self._last_rise.pop(key, None)
            return None
        self._last_rise[key] = fr
        noise = self._noise.get(key)
        sigma = rise_noise(noise, fr.floor_start, fr.floor_end)
        samples = fr.rise / noise.value_per_sample if noise is not None and noise.value_per_sample > 0 else None
        witness = None
        if live is not None:
            steps = step_times(s, fr.start, fr.settled) or [fr.last_step]
            last = steps[-1]
            wait = last - steps[-2] if len(steps) >= 2 else 0.0
            recent = min(self.config.horizons_minutes, default=3.0) * 60.0
            wait = min(wait, 0.5 * (fr.settled - fr.start))  # a long pause: the later half, not more
            late_start = max(fr.start, last - max(recent, wait) - self.config.bucket_seconds)
            late = floor_between(s, late_start, fr.settled)
            late_rise = late[1] - late[0] if late is not None else 0.0
            late_noise = rise_noise(noise, *late) if late is not None else None
            witness = live.judge(fr, sigma, (late_start, max(0.0, late_rise), fr.settled), late_noise)
        return Judged(fr, sigma, samples, witness)

    def _kind(self, key: str, judged: Judged) -> str:
        """GROWING or DRIFT; a standing verdict is demoted only when it has failed for DOUBT_SECONDS
        (one report at the edge of a jump, where the 10 s buckets and the GC lag disagree, is no flap)."""
        now = judged.rise.end
        cleared = self._cleared.get(key)
        recently = key not in self._latched and cleared is not None and now - cleared < REFIRE_SECONDS
        if judged.holds_again if recently else judged.holds:
            self._latched.setdefault(key, judged.rise.start)
            self._doubted.pop(key, None)
            return GROWING
        if key in self._latched and now - self._doubted.setdefault(key, now) < DOUBT_SECONDS:
            return GROWING
        self._clear(key, now)
        return DRIFT

    def _clear(self, key: str, now: float) -> None:
        if key in self._latched:
            self._cleared[key] = now
        self._latched.pop(key, None)
        self._doubted.pop(key, None)
        self._shown.pop(key, None)

    def verdicts(
        self,
        profile: Profile | None,
        sample_type: str,
        fmt: Callable[[float], str] = format_bytes,
        live: LiveHeap | None = None,
    ) -> dict[str, Verdict]:
        """GROWING verdicts by function: the floor rule, past the sampling noise and witnessed by the
        exact live heap (`live`), labelled "caller → helper" when the allocating function is a generic
        or standard-library helper. A rise that fails the noise or the witness is profile drift
        (`self.drift`, never failing). None on alloc_* sample types: those count every allocation
        ever made, so every allocating function's floor rises."""
        out: dict[str, Verdict] = {}
        self.drift = {}
        if sample_type.startswith("alloc_"):
            return out
        for key, series in self._series.items():
            judged = self.judge(key, live)
            if judged is None:
                shown = self._shown.get(key)
                if key in self._latched and shown is not None:
                    # the rise it stood on is gone this report: it clears only after DOUBT_SECONDS, so a
                    # rule that fires again at the next step is the same verdict, not a flap
                    now = series.last_t
                    if now - self._doubted.setdefault(key, now) < DOUBT_SECONDS:
                        out[key] = shown
                        continue
                self._clear(key, series.last_t)
                continue
            fr = judged.rise
            site = self.site(key, profile, sample_type)
            evidence = f"{fr.evidence(fmt)}; {judged.confidence(fmt)}"
            if site.evidence:
                evidence = f"{evidence}; {site.evidence}"
            cause = CAUSE_GOROUTINE_CREATION if site.creation else ""
            kind = self._kind(key, judged)
            v = Verdict(kind, key, site.label, fr.rate_per_min, fr.current, fr.start, evidence, "bytes", cause)
            (out if kind == GROWING else self.drift)[key] = v
            if kind == GROWING:
                self._shown[key] = v
            else:
                self._shown.pop(key, None)
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
