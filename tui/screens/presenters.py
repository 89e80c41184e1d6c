"""What the dashboard shows, derived from a Snapshot: heap view settings, metrics, status."""

from __future__ import annotations

from dataclasses import dataclass

from tui.widgets.sparklines import Formatter, fmt_bytes, fmt_count, fmt_percent
from tui.widgets.status_bar import StatusInfo, age_text

# Keys 1-4, in order.
SAMPLE_TYPES = ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects")


@dataclass(frozen=True, slots=True)
class HeapView:
    """How the heap table is asked to look: everything that changes its rows."""

    sample_type: str = "inuse_space"
    sort: str = "flat"  # "flat" | "cum"
    line_mode: bool = False
    filter: str = ""  # sticky regex on the function (and file:line in line mode)
    diff: bool = False  # show Δ against the pinned baseline instead of the current profile


@dataclass(frozen=True, slots=True)
class MetricSpec:
    id: str
    key: str  # history series key
    label: str
    formatter: Formatter
    classes: str = ""


def _gc_cpu(v: float) -> str:
    return fmt_percent(v * 100)


def metric_specs() -> tuple[MetricSpec, ...]:
    return (
        MetricSpec("goroutines", "goroutines", "gorout.", fmt_count),
        MetricSpec("heap", "mem.heap_inuse", "heap", fmt_bytes),
        MetricSpec("stack", "mem.stack_inuse", "stack", fmt_bytes),
        MetricSpec("sys", "mem.sys", "sys", fmt_bytes),
        MetricSpec("gc", "mem.num_gc", "GCs", fmt_count, classes="extra"),
        MetricSpec("gccpu", "mem.gc_cpu_fraction", "GC cpu", _gc_cpu, classes="extra"),
    )


AGE_KINDS = (("heap", "heap"), ("memstats", "mem"), ("goroutine-tree", "tree"))
RESTART_SHOWN_FOR = 300.0  # seconds a detected target restart stays in the status line
# kinds whose DataAge.reason is the endpoint's current error (the tree's reason is its budget)
ENDPOINT_KINDS = ("heap", "memstats", "goroutine-stacks")


def status_info(snapshot, *, paused: bool = False) -> StatusInfo:
    ages = tuple((short, age_text(snapshot.age(kind).age)) for kind, short in AGE_KINDS)
    cost = f"stw {snapshot.stw_share * 100:.2f}%" if snapshot.stw_share else ""
    if snapshot.state in ("replay", "paused", "finished", "offline") and snapshot.status:
        cost = snapshot.status  # "replay 10× 1:23 / 3:59": where the replay is
    state = "paused" if paused else snapshot.state
    error = snapshot.last_error if state in ("reconnecting", "error") or snapshot.last_error else ""
    if not error and snapshot.state in ("live", "replay"):
        # the target answers but one endpoint fails (e.g. heap 500, memstats not pprof): say which
        for kind in ENDPOINT_KINDS:
            reason = snapshot.age(kind).reason
            if reason:
                error = reason
                break
    notice = ""
    restarts = getattr(snapshot, "restarts", ())
    if restarts and 0 <= snapshot.time - restarts[-1].at <= RESTART_SHOWN_FOR:
        # the sparklines start over at a restart (the old segment is kept): say why
        notice = f"target restarted {snapshot.time - restarts[-1].at:.0f} s ago ({restarts[-1].reason})"
    return StatusInfo(
        target=snapshot.target,
        state=state,
        go_version=getattr(snapshot, "go_version", "") or "",
        ages=ages,
        cost=cost,
        error=error,
        notice=notice,
    )
