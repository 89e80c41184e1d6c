"""GC pressure in words, from MemStats series (pure, stdlib only): is the garbage collector busy,
and is that because the live heap grows or because the program churns through allocations?

The rule judges the recent window (``GCConfig.window_minutes``) of cumulative MemStats series:

- **live heap** (``growth.is_growing`` with the reconciliation's memory thresholds): HeapInuse at
  the first poll after each completed GC (``HEAP_AFTER_GC``) when there are enough such points,
  else NextGC (the heap goal, which the runtime sets from the live heap at each GC);
- **GC more often**: cycles per minute in the newer half of the window against the older half;
- **GC more CPU**: GCCPUFraction is cumulative since the process started, so only its *rise* says
  something about now: when it rises, the window's share is above the cumulative figure.

Findings (never a cause the series do not show):

- ``LIVE_HEAP``: the live heap grows AND GC runs more often or takes more CPU with it:
  "GC is running N×/min and takes X % CPU (since start, rising) because the live heap grows (+Y/min)".
- ``CHURN``: GC runs at least ``busy_per_min`` times a minute without that: the allocation rate
  is the cause ("... while the live heap is not growing: churn, allocating Z/s").
- nothing otherwise (a growing heap with a quiet GC is the heap verdicts' business, not this one).

Without a memory limit, Go's pacer lets the heap goal grow with the live heap, so a leak alone
makes GC run *less* often and its CPU share stays flat: that is no GC pressure and is not called
one. With GOMEMLIMIT (a pod's limit) the goal stops at the limit and a leak makes GC run ever more
often: the failure this rule is for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tui.core.bytesize import format_bytes
from tui.leaks.growth import VerdictConfig, growth_rate, is_growing, trend, window
from tui.leaks.reconcile import HEAP_AFTER_GC, MEMORY_CONFIG

LIVE_HEAP = "live heap"
CHURN = "churn"
# tracker metric keys (MemStats fields) this rule reads
NUM_GC, GC_CPU, TOTAL_ALLOC, NEXT_GC = "num_gc", "gc_cpu_fraction", "total_alloc", "next_gc"
GC_SERIES = (NUM_GC, GC_CPU, TOTAL_ALLOC, NEXT_GC, HEAP_AFTER_GC)

Points = Sequence[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class GCConfig:
    window_minutes: float = 10.0
    min_span_minutes: float = 1.5  # the window must span this long (and hold min_points)
    min_points: int = 6
    busy_per_min: float = 20.0  # churn: GC at least every 3 s
    rise_ratio: float = 1.5  # "more often": the newer half's GC/min >= this times the older half's
    min_rise_per_min: float = 2.0  # ... and at least this many more cycles a minute
    cpu_rise: float = 0.002  # "more CPU": GCCPUFraction (since start) rose >= 0.2 percentage points
    live: VerdictConfig = field(default_factory=lambda: MEMORY_CONFIG)


GC_DEFAULTS = GCConfig()


@dataclass(frozen=True, slots=True)
class GCFinding:
    kind: str  # LIVE_HEAP or CHURN
    sentence: str  # the finding in words (plain text)
    evidence: str  # the numbers behind it
    gc_per_min: float  # in the newer half of the window (now)
    gc_cpu_since_start: float | None  # GCCPUFraction, cumulative since the process started (0..1)
    gc_cpu_rising: bool
    gc_rising: bool  # GC/min rose from the older half of the window to the newer
    live_heap: float | None  # bytes, the newest live-heap point
    live_heap_rate: float | None  # bytes/min when growing, else None
    alloc_rate: float | None  # bytes/s over the window
    since: float  # start of the window judged


def _since_restart(points: Points) -> list[tuple[float, float]]:
    """A cumulative counter's points after its last drop (a restart the poller did not see)."""
    pts = list(points)
    for i in range(len(pts) - 1, 0, -1):
        if pts[i][1] < pts[i - 1][1]:
            return pts[i:]
    return pts


def _rate(points: Points) -> float | None:
    """(last - first) / seconds of a cumulative counter, or None over less than a second."""
    if len(points) < 2 or points[-1][0] - points[0][0] < 1.0:
        return None
    return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])


def _halves(points: Points) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The points up to the middle time and from it (the middle point in both)."""
    mid = (points[0][0] + points[-1][0]) / 2
    older = [p for p in points if p[0] <= mid]
    newer = [p for p in points if p[0] >= mid]
    if older and newer and older[-1] != newer[0]:
        newer.insert(0, older[-1])  # the newer half is measured from the last older point
    return older, newer


def _pct(fraction: float) -> str:
    pct = fraction * 100
    return f"{pct:.1f} %" if pct >= 1 else f"{pct:.2f} %"


def _times(per_min: float) -> str:
    return f"{per_min:.0f}×/min" if per_min >= 10 else f"{per_min:.1f}×/min"


def gc_pressure(series: Mapping[str, Points], config: GCConfig = GC_DEFAULTS) -> GCFinding | None:
    """The finding for the tracker's MemStats series (keys: GC_SERIES; (t seconds, value) points,
    oldest first), or None when GC is not busy and not getting busier with a growing live heap."""
    gcs = _since_restart(window(series.get(NUM_GC, ()), config.window_minutes))
    if len(gcs) < config.min_points or (gcs[-1][0] - gcs[0][0]) / 60 + 1e-9 < config.min_span_minutes:
        return None
    since = gcs[0][0]
    per_sec = _rate(gcs)
    if per_sec is None:
        return None
    older, newer = _halves(gcs)
    old_rate, new_rate = _rate(older), _rate(newer)
    gc_per_min = (new_rate if new_rate is not None else per_sec) * 60  # now: the newer half of the window
    gc_rising = (
        old_rate is not None
        and new_rate is not None
        and new_rate * 60 >= config.rise_ratio * old_rate * 60
        and (new_rate - old_rate) * 60 >= config.min_rise_per_min
    )
    cpu = [p for p in window(series.get(GC_CPU, ()), config.window_minutes) if p[0] >= since]
    cpu_now = cpu[-1][1] if cpu else None
    cpu_rising = (
        len(cpu) >= 2 and cpu[-1][1] - cpu[0][1] >= config.cpu_rise and cpu[-1][1] > max(v for _, v in cpu[:-1])
    )
    live_pts = [p for p in window(series.get(HEAP_AFTER_GC, ()), config.window_minutes) if p[0] >= since]
    if len(live_pts) < config.live.min_points:
        live_pts = [p for p in window(series.get(NEXT_GC, ()), config.window_minutes) if p[0] >= since]
    live_trend = trend(live_pts, window_minutes=config.live.window_minutes)
    live_growing = is_growing(live_trend, config.live)
    live_rate = growth_rate(live_trend) if live_growing and live_trend is not None else None
    live_now = live_pts[-1][1] if live_pts else None
    allocs = _since_restart([p for p in window(series.get(TOTAL_ALLOC, ()), config.window_minutes) if p[0] >= since])
    alloc_rate = _rate(allocs)

    cpu_text = f"{_pct(cpu_now)} CPU since start{' and rising' if cpu_rising else ''}" if cpu_now is not None else ""
    alloc_text = f"allocating {format_bytes(alloc_rate)}/s" if alloc_rate is not None else ""
    gc_text = (
        f"GC/min {old_rate * 60:.1f} → {new_rate * 60:.1f}" if old_rate is not None and new_rate is not None else ""
    )
    live_text = ""
    if live_trend is not None:
        live_text = f"live heap {format_bytes(live_trend.first)} → {format_bytes(live_trend.last)}"
    span = (gcs[-1][0] - since) / 60
    evidence = "; ".join(
        x
        for x in (
            f"{gcs[-1][1] - gcs[0][1]:,.0f} GC cycles in {span:.1f} min",
            gc_text,
            f"GC CPU since start {_pct(cpu[0][1])} → {_pct(cpu[-1][1])}" if cpu else "",
            live_text,
            alloc_text,
        )
        if x
    )

    def finding(kind: str, sentence: str) -> GCFinding:
        return GCFinding(
            kind=kind,
            sentence=sentence,
            evidence=evidence,
            gc_per_min=gc_per_min,
            gc_cpu_since_start=cpu_now,
            gc_cpu_rising=cpu_rising,
            gc_rising=gc_rising,
            live_heap=live_now,
            live_heap_rate=live_rate,
            alloc_rate=alloc_rate,
            since=since,
        )

    runs = f"GC is running {_times(gc_per_min)}"
    if live_rate is not None and (gc_rising or cpu_rising):
        takes = f" and takes {cpu_text}," if cpu_text else ""
        return finding(LIVE_HEAP, f"{runs}{takes} because the live heap grows (+{format_bytes(live_rate)}/min)")
    judged = (
        live_trend is not None
        and live_trend.n >= config.live.min_points
        and live_trend.span_minutes + 1e-9 >= config.live.min_span_minutes
    )
    if gc_per_min >= config.busy_per_min and judged:  # "not growing" only once it could have been seen to grow
        takes = f", {cpu_text}," if cpu_text else ""
        if live_rate is not None:
            heap = f"the live heap grows (+{format_bytes(live_rate)}/min) but GC is not getting busier with it"
        else:
            heap = "the live heap is not growing" + (f" (~{format_bytes(live_now)})" if live_now is not None else "")
        cause = f": churn, {alloc_text}" if alloc_text else ": churn"
        return finding(CHURN, f"{runs}{takes} while {heap}{cause}")
    return None
