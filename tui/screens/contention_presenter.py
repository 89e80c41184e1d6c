"""What the contention screen shows (pure): the table's report for a view, the one-line summary,
and — when a profile is empty — why, in words, with what to set in the target.

An empty mutex profile is "off" only when Go said so: `mutex?debug=1` prints `sampling period=N`
(0 = off). The block profile prints no rate, so an empty one is "no blocking events recorded",
with the rate named as the likely reason (Prometheus and etcd, as Debian ships them, serve it
empty; etcd sets a mutex fraction of 5, Prometheus none: tests/fixtures/profiles/).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.core.filters import filter_pattern
from tui.heap.units import format_shown
from tui.model.contention import BLOCK, CONTENTIONS, DELAY, MUTEX, Contention

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport

WINDOW = "window"  # this window: the newest cumulative profile minus the one before
SINCE_START = "start"  # the cumulative profile itself
TOP_ROWS = 500

MUTEX_OFF = (
    "mutex profiling is off in the target (sampling period=0): call "
    "runtime.SetMutexProfileFraction(5) at start-up (1 in 5 contended Unlocks is recorded)"
)
MUTEX_UNKNOWN = (
    "no mutex contention recorded: the mutex profile fraction is probably 0 — call "
    "runtime.SetMutexProfileFraction(5) at start-up"
)
MUTEX_QUIET = "mutex profiling is on (1 in {n} events) and no contention has been recorded since start"
BLOCK_EMPTY = (
    "no blocking events recorded: the block profile rate is probably 0 (Go does not print it) — call "
    "runtime.SetBlockProfileRate(10000) at start-up (about one sample per 10 µs spent blocked) — or nothing has blocked yet"
)


@dataclass(frozen=True, slots=True)
class ContentionView:
    kind: str = MUTEX  # MUTEX | BLOCK
    sample_type: str = DELAY  # DELAY | CONTENTIONS
    scope: str = WINDOW  # WINDOW | SINCE_START
    sort: str = "flat"
    filter: str = ""  # literal, or re:REGEX (tui.core.filters), on the function name


def why_empty(c: Contention | None, kind: str, listed: bool) -> str:
    """Why there is nothing to show for ``kind`` ("" when there is something)."""
    name = "mutex" if kind == MUTEX else "block"
    if c is None or c.profile is None:
        if not listed:
            return f"the target's /debug/pprof/ index lists no {name} profile: not fetched"
        return f"{name} profile not fetched yet"
    if not c.empty:
        return ""
    if kind == BLOCK:
        return BLOCK_EMPTY
    if c.sampling_period == 0:
        return MUTEX_OFF
    if c.sampling_period is not None and c.sampling_period > 0:
        return MUTEX_QUIET.format(n=c.sampling_period)
    return MUTEX_UNKNOWN


def _per_s(value: float, seconds: float) -> float:
    return value / seconds if seconds > 0 else 0.0


def summary(c: Contention, view: ContentionView) -> str:
    """One line: the window's rates and the totals since start."""
    since = (
        f"since start {c.totals.get(CONTENTIONS, 0):,.0f} contentions, "
        f"{format_shown(int(c.totals.get(DELAY, 0)), 'nanoseconds')} delay"
    )
    window = c.window
    if window is None or window <= 0:
        return f"this window: after the next fetch · {since}"
    count = c.delta(CONTENTIONS) or 0.0
    delay = c.delta(DELAY) or 0.0
    rate = _per_s(count, window)
    return (
        f"last {window:.0f} s: {rate:,.1f} contentions/s, "
        f"{format_shown(round(_per_s(delay, window)), 'nanoseconds')}/s delay · {since}"
    )


def scope_title(c: Contention | None, view: ContentionView) -> str:
    """The table's title: what it holds."""
    name = "mutex" if view.kind == MUTEX else "block"
    if view.scope == SINCE_START:
        return f"{name} · {view.sample_type} · since start · by {view.sort}"
    window = None if c is None else c.window
    if window is None or window <= 0:
        return f"{name} · {view.sample_type} · since start (no window yet) · by {view.sort}"
    return f"{name} · {view.sample_type} · last {window:.0f} s · by {view.sort}"


def table_for(c: Contention, view: ContentionView) -> tuple[Profile, TopReport]:
    """The profile the table shows and its report (slow on big profiles: run it in a worker): the
    window's delta (tui.heap.diff, like pprof -base) or the cumulative profile. Rows that are zero
    in the window are left out."""
    from tui.heap.diff import diff
    from tui.heap.top import top

    assert c.profile is not None
    profile = c.profile
    if view.scope == WINDOW and c.base is not None and c.window is not None and c.window > 0:
        profile = diff(c.profile, c.base)
    names = [st.type for st in profile.sample_types]
    index = names.index(view.sample_type) if view.sample_type in names else profile.default_sample_index
    report = top(profile, index, granularity="functions", sort=view.sort, node_fraction=0.0)
    rows = tuple(r for r in report.rows if r.flat or r.cum)
    if view.filter:
        pattern = filter_pattern(view.filter)
        rows = tuple(r for r in rows if pattern.search(r.name))
    return profile, replace(report, rows=rows[:TOP_ROWS])
