"""Robust trends over timestamped series and conservative leak verdicts (pure: the stdlib and tui.core).

A trend is estimated on the recent window of a series: the Theil–Sen slope (median of
pairwise slopes: one spike or one dropped sample does not move it), the least-squares
slope, and how monotone the series is (share of its changes that are rises). The verdict
"growing" needs all of: enough points (K) over enough time (T), a robust slope above an
absolute floor and a relative floor (share of the current level per minute), a net rise,
mostly rising changes, and at least a few separate rises (one step up is not a trend).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from tui.core.durations import wait_minutes_text

GROWING = "growing"
STUCK = "stuck"
LEAKED = "leaked"
# A heap function whose sampled profile rose while the exact live heap did not (or not beyond the
# sampling noise): said in the leak report, never a failing verdict (tui/leaks/heap_floors.py)
DRIFT = "drift"
# Verdict.cause: heap bytes allocated while creating goroutines (tui/leaks/causes.py)
CAUSE_GOROUTINE_CREATION = "goroutine creation"
KIND_ORDER = {LEAKED: 0, GROWING: 1, STUCK: 2}
LEAKED_STEADY = "leaked, steady"  # what a LEAKED verdict whose count does not grow is called
# Severity, most urgent first (sort_verdicts, the findings line): a proven leak that still grows,
# anything else that grows, goroutines stuck that arrived while we watched (or pile up), then proven
# leaks that no longer grow (a fact worth telling, not an alarm: below everything that moves).
SEVERITY_LEAKED_GROWING, SEVERITY_GROWING, SEVERITY_STUCK, SEVERITY_LEAKED_STEADY = range(4)
MAX_TREND_POINTS = 60  # Theil–Sen is O(n²): longer windows are thinned evenly

# Wait reasons where a long, ever-growing wait means something is wrong (a sender nobody
# receives from, a lock never released). Idle waits (chan receive, select, IO wait, sleep,
# sync.Cond.Wait) are what healthy worker pools do, so they are never called "stuck".
STUCK_REASONS = frozenset(
    {
        "chan send",
        "chan send (nil chan)",
        "chan receive (nil chan)",
        "select (no cases)",
        "semacquire",
        "sync.Mutex.Lock",
        "sync.RWMutex.Lock",
        "sync.RWMutex.RLock",
        "sync.WaitGroup.Wait",
    }
)


@dataclass(frozen=True, slots=True)
class VerdictConfig:
    """Thresholds for one kind of series (goroutine counts, heap bytes). Rates are per minute."""

    min_points: int = 6  # K: points in the window
    min_span_minutes: float = 1.0  # T: time the window must span
    window_minutes: float = 10.0  # only this recent time is judged
    slope_floor: float = 10.0  # absolute: units per minute (goroutines/min, bytes/min)
    relative_floor: float = 0.02  # slope must also be >= this share of the current level per minute
    min_rise_share: float = 0.8  # of the non-zero changes, this share must be rises
    min_rises: int = 3  # separate rises needed (one step up is not a trend)
    # the rise over the window must be this many times the noise (median absolute residual
    # around the robust line); 0 = not checked
    min_signal_to_noise: float = 0.0
    # stuck: the same goroutines keep waiting longer
    stuck_min_points: int = 4
    stuck_min_minutes: int = 10  # the group's youngest goroutine waits at least this long
    stuck_reasons: frozenset[str] = STUCK_REASONS

    def with_(self, **changes: object) -> VerdictConfig:
        return replace(self, **changes)  # type: ignore[arg-type]


# A leak of >= 1 goroutine/s is 60/min; noise and bursts are judged by monotonicity and rises.
GOROUTINE_DEFAULTS = VerdictConfig()
# Heap profile values move only when a GC cycle completes, so fewer, bigger steps: fewer rises
# needed, an absolute floor of 128 kB/min and a 1%/min relative floor.
HEAP_DEFAULTS = VerdictConfig(min_points=5, slope_floor=128 * 1024, relative_floor=0.01, min_rises=2)


@dataclass(frozen=True, slots=True)
class Trend:
    n: int
    start: float  # time of the first point used
    end: float
    first: float
    last: float
    slope: float  # Theil–Sen, units per minute
    ls_slope: float  # least squares, units per minute
    rises: int  # consecutive changes that went up
    falls: int
    noise: float = 0.0  # median absolute residual around the Theil–Sen line (robust trends only)

    @property
    def span_minutes(self) -> float:
        return (self.end - self.start) / 60.0

    @property
    def rise_share(self) -> float:
        changes = self.rises + self.falls
        return self.rises / changes if changes else 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str  # GROWING, STUCK, LEAKED
    key: str  # series key (goroutine match key, heap function name)
    label: str  # what to show: function / reason
    rate_per_min: float  # growth per minute (0 for leaked/stuck without growth)
    current: float  # latest value (goroutines, bytes)
    since: float  # clock time the evidence starts
    evidence: str  # one line, plain text
    unit: str = ""  # "goroutines" or "bytes"
    cause: str = ""  # what the bytes are when the label cannot say it (CAUSE_GOROUTINE_CREATION)
    hint: str = ""  # a known leak shape's one-line fix (tui/leaks/shapes.py)


def _clean(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    last_t = -math.inf
    for t, v in points:
        t, v = float(t), float(v)
        if not (math.isfinite(t) and math.isfinite(v)) or t < last_t:
            continue
        if t == last_t and out:
            out[-1] = (t, v)  # same instant: keep the newer value
            continue
        out.append((t, v))
        last_t = t
    return out


def window(points: Iterable[tuple[float, float]], minutes: float) -> list[tuple[float, float]]:
    """Finite, time-ordered points of the last `minutes` (relative to the newest point)."""
    pts = _clean(points)
    if not pts:
        return pts
    cutoff = pts[-1][0] - minutes * 60.0
    return [p for p in pts if p[0] >= cutoff]


def _thin(pts: Sequence[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    if len(pts) <= limit:
        return list(pts)
    step = (len(pts) - 1) / (limit - 1)
    return [pts[round(i * step)] for i in range(limit)]


def _median(values: list[float]) -> float:
    values.sort()
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2.0


def trend(
    points: Iterable[tuple[float, float]], *, window_minutes: float | None = None, robust: bool = True
) -> Trend | None:
    """Trend of (t seconds, value) points; None with fewer than two distinct times.
    robust=False skips Theil–Sen (O(n²)): `slope` is then the least-squares slope."""
    pts = window(points, window_minutes) if window_minutes is not None else _clean(points)
    if len(pts) < 2 or pts[-1][0] <= pts[0][0]:
        return None
    rises = sum(1 for a, b in zip(pts, pts[1:]) if b[1] > a[1])
    falls = sum(1 for a, b in zip(pts, pts[1:]) if b[1] < a[1])
    if rises == 0 and falls == 0:  # constant: most groups of a healthy service
        return Trend(
            n=len(pts),
            start=pts[0][0],
            end=pts[-1][0],
            first=pts[0][1],
            last=pts[-1][1],
            slope=0.0,
            ls_slope=0.0,
            rises=0,
            falls=0,
        )
    n = len(pts)
    mt = sum(p[0] for p in pts) / n
    mv = sum(p[1] for p in pts) / n
    den = sum((p[0] - mt) ** 2 for p in pts)
    ls = sum((p[0] - mt) * (p[1] - mv) for p in pts) / den if den > 0 else 0.0
    if robust:
        sample = _thin(pts, MAX_TREND_POINTS)
        slopes = [(b[1] - a[1]) / (b[0] - a[0]) for i, a in enumerate(sample) for b in sample[i + 1 :] if b[0] > a[0]]
        slope = _median(slopes) if slopes else 0.0
        intercept = _median([v - slope * t for t, v in pts])
        noise = _median([abs(v - (intercept + slope * t)) for t, v in pts])
    else:
        slope, noise = ls, 0.0
    return Trend(
        n=n,
        start=pts[0][0],
        end=pts[-1][0],
        first=pts[0][1],
        last=pts[-1][1],
        slope=slope * 60.0,
        ls_slope=ls * 60.0,
        rises=rises,
        falls=falls,
        noise=noise,
    )


def may_be_growing(tr: Trend | None, config: VerdictConfig) -> bool:
    """The O(n) preconditions of is_growing (worth computing the robust slope)."""
    return (
        tr is not None
        and tr.n >= config.min_points
        and tr.span_minutes + 1e-9 >= config.min_span_minutes
        and tr.last > tr.first
        and tr.rise_share >= config.min_rise_share
        and tr.rises >= config.min_rises
    )


def growth_rate(tr: Trend) -> float:
    """The rate a verdict reports: Theil–Sen, unless it is 0 on a step-like series (then least squares)."""
    if tr.slope > 0:
        return min(tr.slope, tr.ls_slope) if tr.ls_slope > 0 else tr.slope
    return max(tr.ls_slope, 0.0) if tr.rise_share >= 0.999 else 0.0


def is_growing(tr: Trend | None, config: VerdictConfig) -> bool:
    """Conservative: every condition of the module docstring must hold."""
    if tr is None or tr.n < config.min_points or tr.span_minutes + 1e-9 < config.min_span_minutes:
        return False
    rate = growth_rate(tr)
    level = max(abs(tr.last), abs(tr.first))
    if config.min_signal_to_noise > 0 and rate * tr.span_minutes < config.min_signal_to_noise * tr.noise:
        return False
    return (
        rate >= config.slope_floor
        and rate >= config.relative_floor * level
        and tr.last > tr.first
        and tr.rise_share >= config.min_rise_share
        and tr.rises >= config.min_rises
    )


def growing_verdict(
    key: str,
    label: str,
    points: Iterable[tuple[float, float]],
    config: VerdictConfig,
    *,
    unit: str,
    fmt: Callable[[float], str] | None = None,
    precomputed: Trend | None = None,
) -> Verdict | None:
    """A GROWING verdict for one series, or None. `precomputed`: the series' trend over
    config.window_minutes, if the caller has it already."""
    tr = precomputed if precomputed is not None else trend(points, window_minutes=config.window_minutes)
    if tr is None or not is_growing(tr, config):
        return None
    rate = growth_rate(tr)
    show = fmt or (lambda v: f"{v:,.0f}")
    evidence = (
        f"{show(tr.first)} → {show(tr.last)} over {tr.span_minutes:.1f} min "
        f"({tr.rises} rises, {tr.falls} falls in {tr.n} polls), +{show(rate)}/min"
    )
    return Verdict(GROWING, key, label, rate, tr.last, tr.start, evidence, unit)


def plural(n: float, noun: str) -> str:
    """'1 goroutine', '2 goroutines', '1,234 goroutines' (n rounded to a whole number)."""
    return f"{n:,.0f} {noun}" if round(n) == 1 else f"{n:,.0f} {noun}s"


def stuck_run(rows: Sequence[tuple[float, int, int, int | None]]) -> list[tuple[float, int, int, int | None]]:
    """The newest rows over which the youngest wait never fell: the same goroutines kept waiting
    (a fall means a younger goroutine joined, or the youngest woke and parked again)."""
    start = len(rows) - 1
    while start > 0 and rows[start - 1][2] <= rows[start][2]:
        start -= 1
    return list(rows[start:])


def stuck_verdict(
    key: str,
    label: str,
    reason: str,
    ages: Iterable[tuple[float, int, int | None, int | None]],
    config: VerdictConfig,
    *,
    now: float | None = None,
) -> Verdict | None:
    """STUCK: (t, count, min_minutes, max_minutes) per dump of one group, minutes as Go printed them.
    Over the newest dumps (stuck_run) the youngest goroutine's wait kept rising (none was replaced),
    on at least stuck_min_points dumps, it is now >= stuck_min_minutes, and the wait reason is one
    where waiting that long is wrong (config.stuck_reasons). This is the waiting pattern only:
    whether it is an alarm (the goroutines arrived while we watched, or pile up) is the tracker's
    call (tui/leaks/arrivals.py). `now`: the report's time, to say how old the newest dump is."""
    if reason not in config.stuck_reasons:
        return None
    rows = [(float(t), int(c), lo, hi) for t, c, lo, hi in ages if lo is not None and c > 0 and math.isfinite(t)]
    rows.sort(key=lambda r: r[0])
    run = stuck_run(rows)
    if len(run) < config.stuck_min_points:
        return None
    first, last = run[0], run[-1]
    if last[2] <= first[2] or last[2] < config.stuck_min_minutes:
        return None
    count, lo = last[1], last[2]
    hi = max(last[3] if last[3] is not None else lo, lo)
    waits = f"{lo} min" if lo == hi else f"{lo}–{hi} min"
    if now is not None and now - last[0] >= 60.0:
        waits += f" at the goroutine dump {int((now - last[0]) // 60)} min ago"
    released = max(r[1] for r in run) - count
    who = "it" if count == 1 else "the youngest"
    evidence = (
        f"{plural(count, 'goroutine')} in [{reason}] waiting {waits} (Go's wait times); {who} went from "
        f"{wait_minutes_text(first[2])} to {wait_minutes_text(lo)} over {len(run)} dumps, "
        + (f"{released:,} released meanwhile" if released > 0 else "none released")
    )
    return Verdict(STUCK, key, label, 0.0, float(count), first[0], evidence, "goroutines")


def leaked_verdict(key: str, label: str, count: int, at: float, *, source: str) -> Verdict:
    """LEAKED: Go proved these goroutines can never run again (goroutineleak profile / "(leaked)")."""
    evidence = (
        f"{plural(count, 'goroutine')} proven leaked by Go ({source}): blocked on something no live goroutine can reach"
    )
    return Verdict(LEAKED, key, label, 0.0, float(count), at, evidence, "goroutines")


def severity(v: Verdict) -> int:
    """0 = most urgent (SEVERITY_*): leaked and growing, growing, stuck, leaked but steady."""
    if v.kind == LEAKED:
        return SEVERITY_LEAKED_GROWING if v.rate_per_min > 0 else SEVERITY_LEAKED_STEADY
    return {GROWING: SEVERITY_GROWING, STUCK: SEVERITY_STUCK}.get(v.kind, 9)


def verdict_title(v: Verdict) -> str:
    """What to call a verdict: its kind, or LEAKED_STEADY for a proven leak that does not grow."""
    return LEAKED_STEADY if v.kind == LEAKED and v.rate_per_min <= 0 else v.kind


def sort_verdicts(verdicts: Iterable[Verdict]) -> tuple[Verdict, ...]:
    """By severity (leaked and growing, growing, stuck, leaked but steady); inside one the fastest
    growth / biggest count first."""
    return tuple(sorted(verdicts, key=lambda v: (severity(v), -v.rate_per_min, -v.current, v.key)))
