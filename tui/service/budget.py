"""When may goroutine?debug=2 (stop-the-world for the whole dump) be fetched? Pure logic."""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.bytesize import format_bytes

# Measured on a Go service: 3.1 s and 36 MB for 100k goroutines (see FORMATS.md).
SECONDS_PER_GOROUTINE = 31e-6
BYTES_PER_GOROUTINE = 360
BASE_COST = 0.005  # a tiny dump still costs a round trip


@dataclass(frozen=True, slots=True)
class Decision:
    due: bool
    reason: str  # why (not) now, for the status line
    wait: float | None = None  # seconds until it would be due; None = not automatically


def _fmt_secs(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"
    return f"{s / 60:.0f} min"


class Debug2Budget:
    """Keeps measured debug=2 cost / interval since the previous dump <= budget.

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
        self.last_goroutines: int | None = None
        self.total_cost = 0.0
        self.count = 0

    def estimate_cost(self, goroutines: int) -> float:
        """Seconds a dump of `goroutines` would take, scaled from the last measurement if any."""
        goroutines = max(goroutines, 1)
        if self.last_cost is not None and self.last_goroutines:
            return max(BASE_COST, self.last_cost * goroutines / self.last_goroutines)
        return BASE_COST + SECONDS_PER_GOROUTINE * goroutines

    def required_gap(self, goroutines: int) -> float:
        return self.estimate_cost(goroutines) / self.budget

    def decide(self, now: float, goroutines: int | None) -> Decision:
        if goroutines is None:
            return Decision(False, "waiting for the goroutine count before the first dump")
        est_bytes = goroutines * BYTES_PER_GOROUTINE
        if est_bytes > self.max_bytes:
            return Decision(
                False,
                f"a dump of {goroutines:,} goroutines would be ~{format_bytes(est_bytes)}, "
                "over the body limit; using debug=1 counts",
            )
        cost = self.estimate_cost(goroutines)
        gap = cost / self.budget
        pct = f"{self.budget * 100:g}%"
        if gap > self.max_age:
            return Decision(
                False,
                f"{goroutines:,} goroutines: a dump stops the world ~{_fmt_secs(cost)}; "
                f"{pct} budget allows one per {_fmt_secs(gap)}; using debug=1 counts "
                "(refresh on demand)",
            )
        if self.last_start is None:
            waited = now - self.started_at
            if waited >= gap:
                return Decision(True, "first dump")
            return Decision(
                False, f"first dump in {_fmt_secs(gap - waited)} ({pct} stop-the-world budget)", gap - waited
            )
        gap = max(gap, self.min_age)
        age = now - self.last_start
        if age >= gap:
            return Decision(True, "budget allows")
        return Decision(
            False,
            f"next dump in {_fmt_secs(gap - age)} ({pct} stop-the-world budget, "
            f"last took {_fmt_secs(self.last_cost or 0.0)})",
            gap - age,
        )

    def record(self, started: float, cost: float, goroutines: int) -> None:
        self.last_start = started
        self.last_cost = max(cost, 0.0)
        self.last_goroutines = max(goroutines, 1)
        self.total_cost += max(cost, 0.0)
        self.count += 1

    def share(self, now: float) -> float:
        wall = now - self.started_at
        return self.total_cost / wall if wall > 0 else 0.0
