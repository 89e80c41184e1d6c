"""Live CPU top: when rolling `profile?seconds=N` windows run, what each costs the target, and what
the CPU view says about it. Decides and keeps count only: the poller starts the request (in the
background, like the expensive ones: a window never blocks a tick) and feeds the answers here.

What a window costs the target (charged to the one target-work budget, `budget.Debug2Budget`):
  - the request is held open N s: that is waiting, not work;
  - while the profiler runs, every thread using CPU gets SIGPROF 100 times per CPU second, and the
    handler unwinds its stack: SAMPLE_COST seconds of CPU per sample taken (measured on our target,
    `tests/benchmarks/bench_cpu_overhead.py`); a window's samples are in its profile;
  - building the profile at the end is work: the latency past the window and the round trip.
Before the first window is measured, a window is planned as if the target used PLAN_CORES cores.
Windows also take at most PROFILER_SHARE of the time: a process has one CPU profiler, and the rest
of the time it is free for someone else's `go tool pprof` (Go answers a second one HTTP 500
"cpu profiling already in use": then we back off and say so).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.model.cpu import CpuState, CpuTotals, CpuWindow
from tui.service.budget import Debug2Budget, fmt_secs

# Seconds of target CPU per sample taken: the SIGPROF handler's unwind, the profile writer
# goroutine turning samples into records, the proto built and gzip'd at the end. Measured
# (`tests/benchmarks/bench_cpu_overhead.py`, 2 busy cores): on fixed work, -88 ± 246 µs (Go 1.27)
# and 21 ± 185 µs (Go 1.19) per sample, mean ± 2 SE of 10 pairs; on our target +76 ± 225 ms per
# 10 s window of ~500 samples. Below what that machine resolves: charged at the upper end of the
# fixed-work bounds (158, 206 µs), so a window is never charged less than it may cost.
SAMPLE_COST = 200e-6
SAMPLE_HZ = 100  # Go's profiling rate: samples per CPU second
MAX_CORES = 256  # the most cores a target's window is taken to sample (a cap on a crafted sample count)
PLAN_CORES = 2.0  # until a window is measured, its samples are planned for this many busy cores
PROFILER_SHARE = 0.5  # windows hold the target's one CPU profiler at most this share of the time
IN_USE = "cpu profiling already in use"


def is_in_use(message: str) -> bool:
    """Go's answer when another CPU profile runs in the process (HTTP 500)."""
    return IN_USE in message.lower()


@dataclass(frozen=True, slots=True)
class CpuCharge:
    sampling: float  # seconds of CPU the profiler's sampling took in the target
    build: float  # seconds building and writing the profile (latency - window - round trip)

    @property
    def total(self) -> float:
        return self.sampling + self.build


def window_charge(samples: int, latency: float, window: float, round_trip: float) -> CpuCharge:
    """What one window cost the target: its samples' sampling, and the build after the window. The
    samples are capped at what a window can hold (SAMPLE_HZ x window x MAX_CORES): a profile claiming
    10**9 samples charged 200,000 s and put the next dump 16,666,666 min away."""
    build = max(latency - window - round_trip, 0.0) if latency == latency else 0.0
    most = SAMPLE_HZ * max(window, 0.0) * MAX_CORES if window == window else 0.0
    return CpuCharge(min(max(samples, 0), most) * SAMPLE_COST, build)


class CpuWatch:
    """State of CPU watching for one target (owned by the poller)."""

    def __init__(self, *, window: float, budget: float, on: bool = False) -> None:
        self.window = window
        self.budget = budget
        self.on = on
        self.totals = CpuTotals()
        self.latest: CpuWindow | None = None
        self.previous: CpuWindow | None = None  # the window before the latest
        self.latest_at: float | None = None
        self.last_start: float | None = None
        self.last_charge: float | None = None
        self.charged = 0.0  # every window's charge since the watch started
        self.running_since: float | None = None
        self.error = ""
        self.in_use = False  # the last attempt found another CPU profile running

    # ---- control ---------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        """Start (the since-start sums start over) or stop taking windows."""
        if on and not self.on:
            self.totals = CpuTotals()
            self.latest = self.previous = None
            self.latest_at = None
            self.error = ""
            self.in_use = False
        self.on = on
        if not on:
            self.running_since = None

    # ---- scheduling ------------------------------------------------------------------
    def planned_charge(self) -> float:
        """The next window's charge: the last one's, or PLAN_CORES busy cores' sampling."""
        if self.last_charge is not None:
            return self.last_charge
        return PLAN_CORES * SAMPLE_HZ * self.window * SAMPLE_COST

    def period(self) -> float:
        """Seconds from one window's start to the next one's."""
        return max(self.window / PROFILER_SHARE, self.window + self.planned_charge() / self.budget)

    def wait(self, now: float, budget: Debug2Budget | None, not_before: float) -> float:
        """Seconds until the next window may start (0: now)."""
        since = self.last_start
        due = now if since is None else since + self.period()
        busy = budget.busy_until if budget is not None else now
        return max(due - now, busy - now, not_before - now, 0.0)

    def due(self, now: float, budget: Debug2Budget | None, not_before: float, *, replay: bool = False) -> bool:
        """A window may start now. ``replay``: every tick (the recording's newest window is read
        back; a window already seen is skipped, `CpuTotals.add`)."""
        if not self.on or self.running_since is not None:
            return False
        return replay or self.wait(now, budget, not_before) <= 0

    # ---- answers -----------------------------------------------------------------------
    def started(self, now: float) -> None:
        self.running_since = now
        self.last_start = now

    def succeeded(self, window: CpuWindow, now: float, charge: CpuCharge) -> bool:
        """A window arrived; False when it is the one already counted (nothing charged)."""
        self.running_since = None
        self.error = ""
        self.in_use = False
        if not self.totals.add(window):
            return False
        self.previous = self.latest
        self.latest, self.latest_at = window, now
        self.last_charge = charge.total
        self.charged += charge.total
        return True

    def failed(self, message: str) -> None:
        self.running_since = None
        self.error = message
        self.in_use = is_in_use(message)

    # ---- what the view says ----------------------------------------------------------------
    def status(self, now: float, budget: Debug2Budget | None, not_before: float) -> str:
        if not self.on:
            return "CPU windows off — C: start"
        pct = f"{self.budget * 100:g} %"
        if self.running_since is not None:
            left = max(self.window - (now - self.running_since), 0.0)
            running = f"window running, {fmt_secs(left)} left; "
        else:
            running = ""
        if self.in_use and not_before > now:
            return (
                f"another CPU profile is running in the target; retrying in {fmt_secs(not_before - now)} "
                "(Go allows one at a time)"
            )
        if self.error and not_before > now:
            return f"{self.error} (retrying in {fmt_secs(not_before - now)})"
        period = self.period()
        cost = self.planned_charge()
        why = (
            f"budget {pct}: ~{fmt_secs(cost)} of target CPU each"
            if self.window + cost / self.budget > self.window / PROFILER_SHARE
            else f"the profiler free {(1 - PROFILER_SHARE) * 100:g} % of the time; ~{fmt_secs(cost)} of target CPU "
            f"each, budget {pct}"
        )
        return f"{running}window {fmt_secs(self.window)} every {fmt_secs(period)} ({why})"

    def state(self, now: float, budget: Debug2Budget | None, not_before: float) -> CpuState:
        return CpuState(
            on=self.on,
            status=self.status(now, budget, not_before),
            window=self.latest,
            previous=self.previous,
            window_at=self.latest_at,
            running_since=self.running_since,
            since=self.totals.funcs() if self.totals.windows else (),
            since_total=self.totals.total,
            since_seconds=self.totals.seconds,
            windows=self.totals.windows,
            dropped=self.totals.dropped,
        )
