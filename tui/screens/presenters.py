"""What the dashboard shows, derived from a Snapshot: heap view settings, the heap table's rows
(`top_for`, `diff_rows_for`), the goroutine tree's groups (`groups_for`), metrics, status.

Pure functions of immutable data: the screens call them (the slow ones in a thread worker) and
cache their results; nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.core.bytesize import format_bytes
from tui.core.durations import age_text
from tui.core.filters import filter_pattern
from tui.core.textsafe import clean
from tui.goroutines.filtering import filter_stacks, stack_matcher
from tui.goroutines.grouping import ReasonGroup, group_stack_counts
from tui.goroutines.records import StackCounts
from tui.heap.units import format_value
from tui.model.gc_rates import ALLOC_RATE, GC_CPU, GC_PER_MIN, PAUSE_P99
from tui.widgets.sparklines import Formatter, fmt_bytes_per_s, fmt_count, fmt_ns, fmt_per_min, fmt_percent
from tui.widgets.status_bar import StatusInfo

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport, TopRow
    from tui.leaks.heap_baseline import HeapDiff
    from tui.model.snapshot import Snapshot

# Keys 1-6, in order. The last two are rates: what each function allocated per second between the
# two newest heap profiles (alloc_* are cumulative since the process started): churn, next to inuse.
SAMPLE_TYPES = ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "alloc_space/s", "alloc_objects/s")
RATE_TYPES = {"alloc_space/s": "alloc_space", "alloc_objects/s": "alloc_objects"}
TOP_ROWS = 500  # rows of the interactive heap table


def base_sample_type(sample_type: str) -> str:
    """The profile's sample type behind a view's ("alloc_space/s" -> "alloc_space")."""
    return RATE_TYPES.get(sample_type, sample_type)


@dataclass(frozen=True, slots=True)
class HeapWindow:
    """The heap profile before the newest one and the seconds between their fetches: the window
    of the alloc/s views (costs the target nothing: the heap profile is polled anyway)."""

    previous: Profile
    seconds: float


@dataclass(frozen=True, slots=True)
class HeapView:
    """How the heap table is asked to look: everything that changes its rows."""

    sample_type: str = "inuse_space"
    sort: str = "flat"  # "flat" | "cum"
    line_mode: bool = False
    filter: str = ""  # sticky filter on the function (and file:line in line mode): literal, or "re:" regex
    diff: bool = False  # show Δ against the pinned baseline instead of the current profile


def heap_row_filter(view: HeapView) -> Callable[[TopRow], bool] | None:
    """The view's sticky filter as a row predicate (None: no filter): it searches the function
    name, and in line mode also "file:line", for a literal substring (a regex after ``re:``,
    tui.core.filters). One filter for the table and its Δ rows."""
    if not view.filter:
        return None
    pattern = filter_pattern(view.filter)
    line_mode = view.line_mode

    def keep(row: TopRow) -> bool:
        return bool(pattern.search(row.name) or (line_mode and pattern.search(f"{row.file}:{row.line}")))

    return keep


def _filtered(rows: tuple[TopRow, ...], view: HeapView) -> tuple[TopRow, ...]:
    keep = heap_row_filter(view)
    return rows if keep is None else tuple(r for r in rows if keep(r))


def rate_top_for(heap: Profile, window: HeapWindow | None, view: HeapView) -> TopReport:
    """An alloc/s view: the per-function delta of alloc_space (alloc_objects) between the window's
    previous profile and ``heap`` (tui.heap.diff, like pprof -base), divided by its seconds; no rows
    until there are two profiles (``window`` None)."""
    from tui.heap.diff import diff
    from tui.heap.top import top

    base = base_sample_type(view.sample_type)
    names = [st.type for st in heap.sample_types]
    index = names.index(base) if base in names else heap.default_sample_index
    granularity = "lines" if view.line_mode else "functions"
    if window is None or window.seconds <= 0:
        return replace(top(heap, index, granularity=granularity, sort=view.sort, node_fraction=0.0), rows=(), total=0)
    report = top(diff(heap, window.previous), index, granularity=granularity, sort=view.sort, node_fraction=0.0)

    def per_s(v: float) -> int:
        return round(v / window.seconds)

    rows = tuple(replace(r, flat=per_s(r.flat), cum=per_s(r.cum)) for r in report.rows)
    return replace(
        report,
        rows=_filtered(rows, view)[:TOP_ROWS],
        total=per_s(report.total),
        shown_total=per_s(report.shown_total),
        sample_type=view.sample_type,
    )


@dataclass(frozen=True, slots=True)
class HeapSeen:
    """The newest heap profile, when its content was first fetched, and the last different one.

    A heap profile changes only when a GC cycle completes (it is the state at the last GC): two polls
    between GCs get the same counts. The alloc/s window is therefore between the first sightings of
    the two newest *different* contents (to within one poll of the GCs that published them)."""

    profile: Profile
    first_at: float | None
    alloc: tuple[int | None, ...]  # alloc_space, alloc_objects totals: the content's identity
    previous: HeapSeen | None = None


def _alloc_totals(heap: Profile) -> tuple[int | None, ...]:
    totals = heap.totals()
    return tuple(totals.get(name) for name in RATE_TYPES.values())


def heap_seen(seen: HeapSeen | None, heap: Profile, at: float | None) -> HeapSeen:
    """``seen`` after a heap profile fetched at ``at`` (same counts: the same content, newer object)."""
    alloc = _alloc_totals(heap)
    if seen is not None and seen.alloc == alloc:
        return replace(seen, profile=heap)
    return HeapSeen(heap, at, alloc, replace(seen, previous=None) if seen is not None else None)


def heap_window(seen: HeapSeen | None) -> HeapWindow | None:
    """The alloc/s window, or None: one content seen so far, no fetch times (offline files), or
    counters that went backwards (a restart: the difference would mix two processes)."""
    prev = seen.previous if seen is not None else None
    if seen is None or prev is None or seen.first_at is None or prev.first_at is None:
        return None
    if seen.first_at <= prev.first_at:
        return None
    if any(a is not None and b is not None and a < b for a, b in zip(seen.alloc, prev.alloc)):
        return None
    return HeapWindow(prev.profile, seen.first_at - prev.first_at)


def top_for(heap: Profile, view: HeapView, window: HeapWindow | None = None) -> TopReport:
    """The heap table's report for one view (pure and slow on big profiles: run it in a worker);
    ``window``: the previous profile, for the alloc/s views."""
    if view.sample_type in RATE_TYPES:
        return rate_top_for(heap, window, view)
    names = [st.type for st in heap.sample_types]
    index = names.index(view.sample_type) if view.sample_type in names else heap.default_sample_index
    # node_fraction=0: the interactive table keeps small functions (pprof -top drops them).
    from tui.heap.top import top  # numpy's import is paid in the worker, after the first frame

    report = top(heap, index, granularity="lines" if view.line_mode else "functions", sort=view.sort, node_fraction=0.0)
    return replace(report, rows=_filtered(report.rows, view)[:TOP_ROWS])


def diff_rows_for(diff: HeapDiff, view: HeapView) -> TopReport:
    """The Δ-since-baseline report as the table shows it: the view's filter, unchanged rows left out."""
    rows = _filtered(diff.report.rows, view)
    return replace(diff.report, rows=tuple(r for r in rows if r.flat or r.cum))


GoroutineData = tuple[ReasonGroup, ...] | StackCounts | None


def goroutine_data(snapshot: Snapshot) -> GoroutineData:
    """What the goroutine tree is built from: the latest dump's groups (debug=2), else the stack
    counts (debug=1), else None (no goroutine data yet). Its identity is a cache key."""
    groups: tuple[ReasonGroup, ...] = snapshot.goroutine_groups
    if groups:
        return groups
    stacks: StackCounts | None = snapshot.goroutine_stacks
    return stacks


def groups_for(snapshot: Snapshot, pattern: str) -> tuple[ReasonGroup, ...]:
    """The goroutine tree's groups: of the latest dump, or of the stack counts when no dump yet;
    proven leaks first, then biggest first; only the stacks ``pattern`` finds (a literal substring,
    a regex after ``re:``: tui.core.filters)."""
    data = goroutine_data(snapshot)
    if isinstance(data, StackCounts):
        groups = group_stack_counts(data, snapshot.goroutine_leaks)  # Go's proven-leaked marks carried in
    else:
        groups = data or ()
    groups = tuple(sorted(groups, key=lambda g: not g.leaked))  # sorted() is stable
    if pattern:
        groups = filter_stacks(groups, stack_matcher(filter_pattern(pattern)))
    return groups


@dataclass(frozen=True, slots=True)
class MetricSpec:
    id: str
    key: str  # history series key
    label: str
    formatter: Formatter
    classes: str = ""
    suffix: str = ""  # after the current value: what it is when not obvious


SINCE_START = " since start"  # GCCPUFraction is cumulative since the process started


def _gc_cpu(v: float) -> str:
    return fmt_percent(v * 100)


def metric_specs() -> tuple[MetricSpec, ...]:
    """The sparklines, in grid order: at 80 columns two a row without the "extra" ones (what matters
    for a leak and for churn: goroutines, heap, stack, sys, allocation rate, GC cycles a minute);
    from WIDE columns three a row, all of them."""
    return (
        MetricSpec("goroutines", "goroutines", "gorout.", fmt_count),
        MetricSpec("heap", "mem.heap_inuse", "heap", format_bytes),
        MetricSpec("stack", "mem.stack_inuse", "stack", format_bytes),
        MetricSpec("sys", "mem.sys", "sys", format_bytes),
        MetricSpec("alloc", ALLOC_RATE, "alloc/s", fmt_bytes_per_s),
        MetricSpec("gcmin", GC_PER_MIN, "GC/min", fmt_per_min),
        MetricSpec("gc", "mem.num_gc", "GCs", fmt_count, classes="extra"),
        MetricSpec("gccpu", GC_CPU, "GC cpu", _gc_cpu, classes="extra", suffix=SINCE_START),
        MetricSpec("pause", PAUSE_P99, "pause99", fmt_ns, classes="extra"),
    )


OVER_BUDGET = 1.5  # the status line says "> 1% budget" past this many times the budget
AGE_KINDS = (("heap", "heap"), ("memstats", "mem"), ("goroutine-tree", "tree"))
RESTART_SHOWN_FOR = 300.0  # seconds a detected target restart stays in the status line
# kinds whose DataAge.reason is the endpoint's current error (the tree's reason is its budget)
ENDPOINT_KINDS = ("heap", "memstats", "goroutine-stacks")


def problem_text(snapshot: Snapshot) -> str:
    """The problem line (empty: none): while the target does not answer, its error whole (with the
    retry); else the error of an endpoint never read whose part of the screen is empty."""
    if snapshot.state in ("error", "reconnecting"):
        error, status = snapshot.last_error, snapshot.status
        return status if status and (not error or error in status) else (error or status)
    empty = {  # the part of the screen each endpoint alone fills
        "heap": snapshot.heap is None,
        "memstats": snapshot.memstats is None,
        "goroutine-stacks": not snapshot.goroutine_groups,
    }
    for kind in ENDPOINT_KINDS:
        age = snapshot.age(kind)
        if age.reason and age.fetched_at is None and empty[kind]:
            return f"{kind}: {age.reason}"
    return ""


def status_info(snapshot: Snapshot, *, paused: bool = False) -> StatusInfo:
    ages = tuple((short, age_text(snapshot.age(kind).age)) for kind, short in AGE_KINDS)
    # what the target spent answering us (every request, as timed) / wall time: the budget's figure
    share = snapshot.target_share or snapshot.stw_share
    cost = f"target {share * 100:.2f}%" if share else ""
    if share and snapshot.budget and share > OVER_BUDGET * snapshot.budget:
        # it cannot hold (one answer costs more than the budget allows per its interval): said
        cost += f" > {snapshot.budget * 100:g}% budget"
    if snapshot.state in ("replay", "paused", "finished", "offline", "catching up") and snapshot.status:
        cost = snapshot.status  # "replay 10× 1:23 / 3:59": where the replay (or an attach's history) is
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
    restarts = snapshot.restarts
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


def heap_pane_title(view: HeapView, window_seconds: float | None = None) -> str:
    """What the user chose for the heap pane (changes rarely: the border title); an alloc/s view
    says its window (between the two newest different heap profiles)."""
    rate = view.sample_type in RATE_TYPES and not view.diff and window_seconds is not None
    window = f" · last {window_seconds:.0f} s" if rate and window_seconds is not None else ""
    title = f"heap{' Δ since baseline' if view.diff else ''} · {view.sample_type}{window} · by {view.sort}"
    title += " · lines" if view.line_mode else ""
    return title + (f" · /{view.filter}/" if view.filter else "")


# A number read more than this long ago says its age beside it (the sparklines and the status line
# are of this poll; the heap profile comes every other poll, the goroutine dump far more rarely).
STALE_SECONDS = 10.0


def heap_pane_info(
    report: TopReport,
    shown: int,
    view: HeapView,
    selected: TopRow | None = None,
    profile_age: float | None = None,
    window_seconds: float | None = None,
) -> str:
    """The line under the heap table (changes every profile): the whole name of the row under the
    cursor (the table shortens names to its column), then the profile's total, which is the sampled
    heap profile's (not MemStats' HeapInuse beside the "heap" sparkline) and says its age when the
    profile is older than STALE_SECONDS. An alloc/s view says its window (``window_seconds``: between
    the two newest heap profiles) instead."""
    what = "lines" if view.line_mode else "functions"
    total = f"{'Δ ' if view.diff else ''}{view.sample_type} {format_value(report.total, report.unit)}"
    if view.sample_type in RATE_TYPES and not view.diff:
        if window_seconds is None:
            return "alloc/s: waiting for a second heap profile"
        total = f"{view.sample_type} {format_value(report.total, report.unit)}/s, last window {window_seconds:.0f} s"
    elif not view.diff:
        total = f"profile {total}"
        if profile_age is not None and profile_age > STALE_SECONDS:
            total += f" ({age_text(profile_age)} old)"
    info = f"{total} · {shown:,} of {report.total_nodes:,} {what}"
    if selected is None:
        return info
    name = selected.name + (f" {selected.file}:{selected.line}" if view.line_mode and selected.file else "")
    return f"{clean(name, 500)} · {info}"


def tree_pane_title(pattern: str, grouping: str = "") -> str:
    """ "goroutines", the grouping when it is not the reason tree ("by creator"), the filter."""
    return "goroutines" + (f" {grouping}" if grouping else "") + (f" · /{pattern}/" if pattern else "")


def tree_counts(snapshot: Snapshot) -> tuple[int | None, int | None]:
    """(goroutines in the tree, goroutines now). The tree is the newest debug=2 dump (without the
    goroutine that served it) or the stack counts, read rarely; "now" is the index page's count,
    read every poll (the "gorout." sparkline's value)."""
    groups = snapshot.goroutine_groups
    stacks = snapshot.goroutine_stacks
    if groups:
        tree: int | None = sum(g.count for g in groups)
    elif stacks is not None:
        tree = int(stacks.total)
    else:
        tree = None
    return tree, snapshot.goroutine_total


def tree_pane_info(snapshot: Snapshot, selected: str = "") -> str:
    """The line under the goroutine tree: the whole function name of the stack group under the
    cursor (``selected``: the tree shortens it), the tree's own count, the count now when it differs
    (the tree is as old as its dump), and why the tree is as old as it is (the debug=2 budget), e.g.
    "42,520 goroutines in the tree, 42,917 now · dump 3m10s old: budget 1%"."""
    tree, now = tree_counts(snapshot)
    if tree is None:
        info = f"{now:,} goroutines" if now is not None else ""
    elif now is None or now == tree:
        info = f"{tree:,} goroutines"
    elif snapshot.state == "offline":  # files: no "now", and the tree leaves out the goroutine that wrote the dump
        info = f"{tree:,} goroutines in the tree, {now:,} in the files"
    else:
        info = f"{tree:,} goroutines in the tree, {now:,} now"
    if snapshot.tree_status:
        info += (" · " if info else "") + snapshot.tree_status.replace("goroutine tree ", "dump ", 1)
    selected = clean(selected, 500)
    return f"{selected} · {info}" if selected and info else selected or info
