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
from tui.core.filters import filter_pattern
from tui.core.textsafe import clean
from tui.goroutines.filtering import filter_stacks, stack_matcher
from tui.goroutines.grouping import ReasonGroup, group_stack_counts
from tui.goroutines.records import StackCounts
from tui.heap.units import format_value
from tui.widgets.sparklines import Formatter, fmt_count, fmt_percent
from tui.widgets.status_bar import StatusInfo, age_text

if TYPE_CHECKING:
    from tui.heap.profile import Profile
    from tui.heap.top import TopReport, TopRow
    from tui.leaks.heap_baseline import HeapDiff
    from tui.model.snapshot import Snapshot

# Keys 1-4, in order.
SAMPLE_TYPES = ("inuse_space", "inuse_objects", "alloc_space", "alloc_objects")
TOP_ROWS = 500  # rows of the interactive heap table


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


def top_for(heap: Profile, view: HeapView) -> TopReport:
    """The heap table's report for one view (pure and slow on big profiles: run it in a worker)."""
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


def _gc_cpu(v: float) -> str:
    return fmt_percent(v * 100)


def metric_specs() -> tuple[MetricSpec, ...]:
    return (
        MetricSpec("goroutines", "goroutines", "gorout.", fmt_count),
        MetricSpec("heap", "mem.heap_inuse", "heap", format_bytes),
        MetricSpec("stack", "mem.stack_inuse", "stack", format_bytes),
        MetricSpec("sys", "mem.sys", "sys", format_bytes),
        MetricSpec("gc", "mem.num_gc", "GCs", fmt_count, classes="extra"),
        MetricSpec("gccpu", "mem.gc_cpu_fraction", "GC cpu", _gc_cpu, classes="extra"),
    )


AGE_KINDS = (("heap", "heap"), ("memstats", "mem"), ("goroutine-tree", "tree"))
RESTART_SHOWN_FOR = 300.0  # seconds a detected target restart stays in the status line
# kinds whose DataAge.reason is the endpoint's current error (the tree's reason is its budget)
ENDPOINT_KINDS = ("heap", "memstats", "goroutine-stacks")


def status_info(snapshot: Snapshot, *, paused: bool = False) -> StatusInfo:
    ages = tuple((short, age_text(snapshot.age(kind).age)) for kind, short in AGE_KINDS)
    # what the target spent answering us (every request, as timed) / wall time: the budget's figure
    share = snapshot.target_share or snapshot.stw_share
    cost = f"target {share * 100:.2f}%" if share else ""
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


def heap_pane_title(view: HeapView) -> str:
    """What the user chose for the heap pane (changes rarely: the border title)."""
    title = f"heap{' Δ since baseline' if view.diff else ''} · {view.sample_type} · by {view.sort}"
    title += " · lines" if view.line_mode else ""
    return title + (f" · /{view.filter}/" if view.filter else "")


# A number read more than this long ago says its age beside it (the sparklines and the status line
# are of this poll; the heap profile comes every other poll, the goroutine dump far more rarely).
STALE_SECONDS = 10.0


def heap_pane_info(
    report: TopReport, shown: int, view: HeapView, selected: TopRow | None = None, profile_age: float | None = None
) -> str:
    """The line under the heap table (changes every profile): the whole name of the row under the
    cursor (the table shortens names to its column), then the profile's total, which is the sampled
    heap profile's (not MemStats' HeapInuse beside the "heap" sparkline) and says its age when the
    profile is older than STALE_SECONDS."""
    what = "lines" if view.line_mode else "functions"
    total = f"{'Δ ' if view.diff else ''}{view.sample_type} {format_value(report.total, report.unit)}"
    if not view.diff:
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
