"""Contention: the mutex and block profiles, as the poller keeps them (pure, stdlib only at run time).

Both are cumulative since the process started (or since the rate was set): every fetch is the
whole history, and "this window" is the newest profile minus the one before it (the client-side
diff, `tui.heap.diff`, done by the screen's worker). `advance` keeps the pair; a profile whose
totals went DOWN (a restart, a reset) starts a new history: no window until the next fetch.

Whether an empty profile means "no contention" or "profiling off": Go's `mutex?debug=1` prints
`sampling period=N` (runtime.SetMutexProfileFraction(-1); 0 = off) — `parse_contention_header`.
The block profile prints no rate (`--- contention:` then `cycles/second=`), so an empty one is
only "no blocking events recorded".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from tui.core.errors import ParseError

if TYPE_CHECKING:
    from tui.heap.profile import Profile

MUTEX = "mutex"
BLOCK = "block"
CONTENTION_KINDS = (MUTEX, BLOCK)
CONTENTIONS = "contentions"  # Go's sample types: contentions/count, delay/nanoseconds
DELAY = "delay"

_HEADER = re.compile(r"\A\s*--- (mutex|contention):[ \t]*\r?\n")
_CYCLES = re.compile(r"(?m)^cycles/second=(\d{1,20})[ \t]*\r?$")
_PERIOD = re.compile(r"(?m)^sampling period=(-?\d{1,20})[ \t]*\r?$")
_HEAD_CHARS = 4096  # the header is the first three lines; records follow


@dataclass(frozen=True, slots=True)
class ContentionHeader:
    """The first lines of `mutex?debug=1` / `block?debug=1`."""

    name: str  # "mutex" or "contention" (Go's name for the block profile's text)
    cycles_per_second: int | None
    sampling_period: int | None  # mutex only: the fraction (0 = off); None = not printed (block)
    empty: bool  # no record follows the header


def parse_contention_header(text: str) -> ContentionHeader:
    """The header of a mutex/block debug=1 answer; ParseError if it is not one."""
    head = text[:_HEAD_CHARS]
    m = _HEADER.match(head)
    if m is None:
        raise ParseError(
            "not a mutex/block debug=1 profile (no '--- mutex:' or '--- contention:' line)", kind="contention"
        )
    cycles = _CYCLES.search(head)
    period = _PERIOD.search(head)
    # a record line is "<cycles> <count> @ 0x..."
    empty = re.search(r"(?m)^\d+ \d+ @", head) is None and len(text) <= _HEAD_CHARS
    return ContentionHeader(
        m.group(1),
        int(cycles.group(1)) if cycles else None,
        int(period.group(1)) if period else None,
        empty,
    )


def _empty() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Contention:
    """The newest cumulative mutex or block profile and the one before it (the window's start)."""

    kind: str  # MUTEX or BLOCK
    profile: Profile | None = None  # newest, cumulative
    at: float | None = None  # clock time it was fetched
    totals: Mapping[str, float] = field(default_factory=_empty)  # contentions, delay (ns)
    base: Profile | None = None  # the fetch before: "this window" = profile - base
    base_at: float | None = None
    base_totals: Mapping[str, float] = field(default_factory=_empty)
    sampling_period: int | None = None  # mutex?debug=1's "sampling period" (0 = off); None = not read
    period_at: float | None = None

    @property
    def window(self) -> float | None:
        """Seconds between the base and the newest profile (None: no window yet)."""
        if self.base is None or self.at is None or self.base_at is None:
            return None
        return self.at - self.base_at

    @property
    def empty(self) -> bool:
        """No contention recorded since start (a profile with no sample, or only zeros)."""
        return self.profile is not None and not any(self.totals.values())

    def delta(self, name: str) -> float | None:
        """The window's growth of one total (contentions or delay); None without a window."""
        if self.window is None:
            return None
        return self.totals.get(name, 0.0) - self.base_totals.get(name, 0.0)


def advance(prev: Contention | None, kind: str, profile: Profile, totals: Mapping[str, float], at: float) -> Contention:
    """The state after a new cumulative fetch: the previous newest becomes the window's base,
    unless a total went down (the target restarted, or the profile was reset)."""
    totals = MappingProxyType(dict(totals))
    period = prev.sampling_period if prev else None
    period_at = prev.period_at if prev else None
    if prev is None or prev.profile is None or prev.at is None:
        return Contention(kind, profile, at, totals, sampling_period=period, period_at=period_at)
    went_down = any(totals.get(k, 0.0) < v for k, v in prev.totals.items())
    if went_down:
        return Contention(kind, profile, at, totals, sampling_period=None, period_at=None)
    return Contention(kind, profile, at, totals, prev.profile, prev.at, prev.totals, period, period_at)


def with_header(prev: Contention | None, kind: str, header: ContentionHeader, at: float) -> Contention:
    """The state after reading the debug=1 header (the mutex sampling period)."""
    base = prev or Contention(kind)
    return Contention(
        kind,
        base.profile,
        base.at,
        base.totals,
        base.base,
        base.base_at,
        base.base_totals,
        header.sampling_period,
        at,
    )
