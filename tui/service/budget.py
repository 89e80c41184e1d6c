"""When may an expensive endpoint be fetched? Pure logic, one budget for all target-side work.

Two requests make the target work hard: goroutine?debug=2 stops the world for the whole dump,
goroutineleak?debug=1 forces GC cycles (measured 6.7-9.3 s each on an 86k-goroutine service).
Both are charged to the same budget (a share of wall time, 1 % by default): after a request that
cost ``c`` seconds, no expensive request of either kind starts before ``c / budget`` seconds have
passed since it started (``busy_until``), so their sum stays within the budget. Each kind is
scheduled from its own measured cost (scaled by the goroutine count until measured).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.bytesize import format_bytes

# Measured on a Go service: 3.1 s and 36 MB for 100k goroutines (see FORMATS.md).
SECONDS_PER_GOROUTINE = 31e-6
BYTES_PER_GOROUTINE = 360
BASE_COST = 0.005  # a tiny dump still costs a round trip
# goroutineleak?debug=1: 6.7-9.3 s on 86k goroutines (~1e-4 s each) until measured on this target.
LEAK_SECONDS_PER_GOROUTINE = 1e-4
LEAK_MIN_GAP = 60.0  # never more often than once a minute, however cheap
# Our side: parsing a dump costs CPU here too (a 100k-goroutine dump ~0.5 s, a hostile 70 MB one
# of distinct stacks ~4 s). Dumps are spaced so that their parses take at most this share of a core.
PARSE_SHARE = 0.05
# The index's goroutine count is a hint: a dump holding more than twice it (and this many more)
# proves the target under-reports, and from then on the last dump's real count is planned by.
UNDERREPORT_SLACK = 1000


# Below this an answer's work is too small to matter and too close to our own timing noise (a
# busy event loop reads an answer late) to judge: the endpoint keeps its cadence.
STRETCH_FROM = 0.05


def stretched_every(base_every: int, cost: float, interval: float, budget: float) -> int:
    """Ticks between fetches of a cheap endpoint whose last answer took ``cost`` seconds.

    Cheap endpoints keep their cadence (``base_every`` ticks of ``interval`` s) while one answer
    costs the target less than ``budget`` of that period (or less than STRETCH_FROM); a target big enough to make one slow
    (the goroutine profile of 100k goroutines takes ~0.25 s: 2.5 % at every 10 s) is asked less
    often, within its share of the budget (``cheap_allowance``). Never faster than its cadence.
    """
    if base_every <= 0 or interval <= 0 or budget <= 0 or not cost >= STRETCH_FROM:
        return base_every
    needed = cost / (budget * interval)
    return max(base_every, min(int(-(-needed // 1)), 10_000))


MIN_ALLOWANCE = 0.25  # a slow cheap endpoint may always take this share of the budget (never starved)


def cheap_allowance(budget: float, others: float) -> float:
    """The share of wall time one cheap endpoint may take when the others already take ``others``:
    the budget is one for all of them (each given the whole of it, a 100k-goroutine target's goroutine
    profile alone took 1.7 % beside 0.7 % of the rest, and the status line read 2.5 % of a 1 % budget).
    At least MIN_ALLOWANCE of it: what is then over the budget is said on the status line."""
    return max(budget - max(others, 0.0), budget * MIN_ALLOWANCE)


def others_share(
    recent: Mapping[str, Sequence[float]], endpoints: Mapping[str, Any], interval: float, name: str
) -> float:
    """The share of wall time the cheap endpoints but ``name`` take: the least of each one's recent
    answers' work, once per its cadence (``endpoints[n].every`` ticks of ``interval`` s)."""
    total = 0.0
    for other, works in recent.items():
        every = getattr(endpoints.get(other), "every", 0)
        if other != name and works and every > 0 and interval > 0:
            total += min(works) / (every * interval)
    return total


@dataclass(frozen=True, slots=True)
class Decision:
    due: bool
    reason: str  # why (not) now, for the status line
    wait: float | None = None  # seconds until it would be due; None = not automatically


def fmt_secs(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"
    return f"{s / 60:.0f} min"


class Debug2Budget:
    """Keeps the target's measured work (debug=2 dumps + goroutineleak GC cycles) / wall time <= budget.

    `min_age`: never more often than this. If the interval the budget demands is
    over `max_age`, automatic dumps stop (the concurrent debug=1 profile is used
    instead) until the goroutine count drops or the user asks.
    """

    def __init__(self, *, budget: float, min_age: float, max_age: float, max_bytes: int, started_at: float) -> None:
        self.budget = budget
        self.min_age = min_age
        self.max_age = max_age
        self.max_bytes = max_bytes
        self.started_at = started_at
        self.last_start: float | None = None
        self.last_cost: float | None = None
        self.last_goroutines: int | None = None  # what the last dump really held
        self.last_parse = 0.0  # CPU seconds parsing it took us
        self.last_hint: int | None = None  # the index's count when it was asked for
        self.index_underreports = False  # a dump held far more goroutines than the index said
        self.total_cost = 0.0  # every expensive request, both kinds: what the target spent
        self.count = 0
        self.busy_until = started_at  # no expensive request starts before this
        self.leak_last_start: float | None = None
        self.leak_last_cost: float | None = None
        self.leak_last_goroutines: int | None = None
        self.leak_count = 0

    def planned_goroutines(self, hint: int) -> int:
        """The goroutine count to plan the next dump by: the index's ``hint``, unless a dump proved
        that the index under-reports; then at least what the last dump really held."""
        if self.index_underreports and self.last_goroutines:
            return max(hint, self.last_goroutines)
        return hint

    def estimate_cost(self, goroutines: int) -> float:
        """Seconds a dump of `goroutines` would take, scaled from the last measurement if any."""
        goroutines = max(goroutines, 1)
        if self.last_cost is not None and self.last_goroutines:
            return max(BASE_COST, self.last_cost * goroutines / self.last_goroutines)
        return BASE_COST + SECONDS_PER_GOROUTINE * goroutines

    def estimate_parse(self, goroutines: int) -> float:
        """CPU seconds parsing a dump of `goroutines` would take us (0 until one was parsed)."""
        if not self.last_parse or not self.last_goroutines:
            return 0.0
        return self.last_parse * max(goroutines, 1) / self.last_goroutines

    def required_gap(self, goroutines: int) -> float:
        """Seconds between dumps of `goroutines`: the target's budget, and our parse share."""
        return max(self.estimate_cost(goroutines) / self.budget, self.estimate_parse(goroutines) / PARSE_SHARE)

    def decide(self, now: float, goroutines: int | None) -> Decision:
        if goroutines is None:
            return Decision(False, "waiting for the goroutine count before the first dump")
        hint = goroutines
        goroutines = self.planned_goroutines(hint)
        said = f" (the index says {hint:,})" if goroutines != hint else ""
        est_bytes = goroutines * BYTES_PER_GOROUTINE
        if est_bytes > self.max_bytes:
            return Decision(
                False,
                f"a dump of {goroutines:,} goroutines{said} would be ~{format_bytes(est_bytes)}, "
                "over the body limit; tree inferred from stacks",
            )
        cost = self.estimate_cost(goroutines)
        gap = self.required_gap(goroutines)
        pct = f"{self.budget * 100:g}%"
        if gap > self.max_age:
            parse = self.estimate_parse(goroutines)
            why = (
                f"parsing one takes ~{fmt_secs(parse)} here"
                if parse / PARSE_SHARE > cost / self.budget
                else f"{pct} budget allows one per {fmt_secs(gap)}"
            )
            return Decision(
                False,
                f"{goroutines:,} goroutines{said}: a dump stops the world ~{fmt_secs(cost)}; "
                f"{why}; tree inferred from stacks (refresh on demand)",
            )
        busy = self.busy_until - now
        if self.last_start is None:
            waited = now - self.started_at
            if waited >= gap and busy <= 0:
                return Decision(True, "first dump")
            if waited >= gap:
                return Decision(False, f"first dump in {fmt_secs(busy)} ({pct} budget, shared)", busy)
            return Decision(
                False, f"first dump in {fmt_secs(gap - waited)} ({pct} stop-the-world budget)", gap - waited
            )
        gap = max(gap, self.min_age)
        age = now - self.last_start
        if age >= gap and busy <= 0:
            return Decision(True, "budget allows")
        if age >= gap:
            return Decision(False, f"next dump in {fmt_secs(busy)} ({pct} budget, shared)", busy)
        if self.estimate_parse(goroutines) / PARSE_SHARE > cost / self.budget:
            why = f"parsing the last took {fmt_secs(self.last_parse)} here"
        else:
            why = f"{pct} stop-the-world budget, last took {fmt_secs(self.last_cost or 0.0)}"
        return Decision(False, f"next dump in {fmt_secs(gap - age)} ({why})", gap - age)

    def charge(self, started: float, cost: float) -> None:
        """What one expensive request cost the target (either kind, failed ones too)."""
        cost = max(cost, 0.0)
        self.total_cost += cost
        self.busy_until = max(self.busy_until, started + cost / self.budget)

    def record(
        self, started: float, cost: float, goroutines: int, *, hint: int | None = None, parse_seconds: float = 0.0
    ) -> None:
        """A goroutine?debug=2 dump (or a failed attempt) started at ``started``: ``goroutines`` is
        what it held (a failed one: the index's count), ``hint`` what the index said when it was
        asked for, ``parse_seconds`` the CPU its parse took us. A dump holding far more than the
        hint proves the index under-reports: its real count is planned by from then on."""
        self.last_start = started
        self.last_cost = max(cost, 0.0)
        self.last_goroutines = max(goroutines, 1)
        self.last_parse = max(parse_seconds, 0.0) if parse_seconds == parse_seconds else 0.0
        if hint is not None:
            self.last_hint = hint
            if goroutines > max(2 * hint, hint + UNDERREPORT_SLACK):
                self.index_underreports = True
        self.charge(started, cost)
        self.count += 1

    # ---- goroutineleak?debug=1 ------------------------------------------------------------
    def estimate_leak_cost(self, goroutines: int | None) -> float:
        n = max(goroutines or 1, 1)
        if self.leak_last_cost is not None and self.leak_last_goroutines:
            return max(BASE_COST, self.leak_last_cost * n / self.leak_last_goroutines)
        return BASE_COST + LEAK_SECONDS_PER_GOROUTINE * n

    def decide_leak(self, now: float, goroutines: int | None) -> Decision:
        """goroutineleak?debug=1: at most once per LEAK_MIN_GAP, else per its cost / budget."""
        if goroutines is None:
            return Decision(False, "waiting for the goroutine count")
        cost = self.estimate_leak_cost(goroutines)
        gap = max(cost / self.budget, LEAK_MIN_GAP if self.leak_last_start is not None else 0.0)
        since = self.started_at if self.leak_last_start is None else self.leak_last_start
        wait = max(since + gap - now, self.busy_until - now, 0.0)
        if wait <= 0:
            return Decision(True, "budget allows")
        return Decision(False, f"leak check in {fmt_secs(wait)} (~{fmt_secs(cost)} of GC)", wait)

    def record_leak(self, started: float, cost: float, goroutines: int | None) -> None:
        self.leak_last_start = started
        self.leak_last_cost = max(cost, 0.0)
        self.leak_last_goroutines = max(goroutines or 1, 1)
        self.leak_count += 1
        self.charge(started, cost)

    def share(self, now: float) -> float:
        wall = now - self.started_at
        return self.total_cost / wall if wall > 0 else 0.0
