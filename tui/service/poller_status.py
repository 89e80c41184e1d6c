"""What a poll shows: the status lines, the data ages and the frozen Snapshot, assembled from the
poller's state (passed in explicitly: this module keeps no state and never fetches)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tui.core.limits import LimitNote
from tui.metrics.state import MetricsState
from tui.model import snapshot as snap
from tui.model.cpu import CpuState
from tui.model.history import History
from tui.service import endpoints as E
from tui.service.budget import Debug2Budget, fmt_secs
from tui.service.costs import CostTracker, TargetWork


def limit_notes(data: E.Latest, tree_notes: tuple[LimitNote, ...]) -> dict[str, tuple[LimitNote, ...]]:
    """Per data kind, the work limits its newest parse reached (the first N kept, the rest
    counted: tui.core.limits). Kinds whose parse kept everything are left out."""
    notes = {
        snap.HEAP: getattr(data.heap, "notes", ()),  # (parsers of tests may give other types)
        snap.GOROUTINE_TREE: tree_notes,
        snap.GOROUTINE_STACKS: getattr(data.stacks, "notes", ()),
        snap.GOROUTINE_LEAKS: getattr(data.leaks, "notes", ()),
        snap.MUTEX: getattr(getattr(data.contention.get(E.MUTEX), "profile", None), "notes", ()),
        snap.BLOCK: getattr(getattr(data.contention.get(E.BLOCK), "profile", None), "notes", ()),
    }
    return {kind: tuple(n) for kind, n in notes.items() if n}


def ages(
    now: float,
    endpoints: Mapping[str, E.Endpoint],
    data: E.Latest,
    stacks_endpoint: str,
    notes: Mapping[str, tuple[LimitNote, ...]] | None = None,
) -> dict[str, snap.DataAge]:
    notes = notes or {}

    def age(kind: str, name: str, reason: str = "") -> snap.DataAge:
        ep = endpoints[name]
        at = ep.last_ok
        # no error: a limit the last parse reached is why the data is partial (the status bar
        # says it: "9,500,000 samples over --max-samples")
        reason = reason or ep.error or "; ".join(n.short for n in notes.get(kind, ()))
        return snap.DataAge(kind, at, None if at is None else now - at, reason)

    return {
        snap.GOROUTINE_COUNT: age(snap.GOROUTINE_COUNT, E.INDEX),
        snap.MEMSTATS: age(snap.MEMSTATS, E.MEMSTATS),
        snap.HEAP: age(snap.HEAP, E.HEAP),
        snap.GOROUTINE_TREE: age(snap.GOROUTINE_TREE, E.GOROUTINE_DEBUG2, data.tree_reason),
        snap.GOROUTINE_STACKS: age(snap.GOROUTINE_STACKS, stacks_endpoint),
        snap.GOROUTINE_LEAKS: age(snap.GOROUTINE_LEAKS, E.GOROUTINELEAK_DEBUG1),
        snap.MUTEX: age(snap.MUTEX, E.MUTEX),
        snap.BLOCK: age(snap.BLOCK, E.BLOCK),
    }


def status_line(now: float, *, state: str, last_error: str, index: E.Endpoint, interval: float) -> str:
    if state == snap.PAUSED:
        return "paused"
    if state in (snap.RECONNECTING, snap.ERROR):
        retry = max(index.not_before - now, 0.0)
        prefix = "reconnecting: " if state == snap.RECONNECTING else ""
        if not index.backoff.failures:
            return f"{prefix}{last_error}"  # nothing scheduled to retry
        return (
            f"{prefix}{last_error} (retry in {retry:.1f} s)"
            if retry < 10
            else (f"{prefix}{last_error} (retry in {retry:.0f} s)")
        )
    if state == snap.STARTING:
        return "connecting"
    return f"live, every {interval:g} s"


def tree_status(
    now: float,
    *,
    data: E.Latest,
    dump: E.Endpoint,
    tree_notes: tuple[LimitNote, ...],
    dump_running: bool,
    budget: Debug2Budget | None,
    stw_budget: float,
) -> str:
    """Why the goroutine tree is what it is, short enough for 80 columns. Before the first
    dump, when the stacks are there: the tree is inferred from them, when a full dump comes
    and how to get one now (`r`, then `y`). ``dump`` is the goroutine?debug=2 endpoint."""
    dumped_at = dump.last_ok
    if dumped_at is not None:
        if tree_notes:  # partial: that matters more than when the next dump comes
            over = "; ".join(n.short for n in tree_notes)
            return f"goroutine tree {now - dumped_at:.0f} s old: {over}"
        return f"goroutine tree {now - dumped_at:.0f} s old: {data.tree_reason}"
    if data.stacks is None:
        return f"goroutine tree not fetched yet: {data.tree_reason}" if data.tree_reason else ""
    pct = f"{stw_budget * 100:g}%"
    if dump_running:
        when = "full dump running"
    elif data.tree_wait is not None:
        when = f"full dump in {fmt_secs(data.tree_wait)} (budget {pct})"
    elif dump.error:
        when = "full dump failed"
    elif budget is not None and data.goroutine_total is not None:
        when = f"a dump stops the world ~{fmt_secs(budget.estimate_cost(data.goroutine_total))}"
    else:
        when = f"no auto dump (budget {pct})"
    return f"tree inferred from stacks; {when} — r: now"


def build_snapshot(
    *,
    seq: int,
    now: float,
    target: str,
    state: str,
    last_error: str,
    status: str,
    ages: dict[str, snap.DataAge],
    data: E.Latest,
    notes: dict[str, tuple[LimitNote, ...]],
    tree_status: str,
    history: History,
    costs: CostTracker,
    budget: Debug2Budget | None,
    work: TargetWork,
    restarts: tuple[snap.RestartEvent, ...],
    cpu: CpuState | None = None,
    metrics: MetricsState | None = None,
) -> snap.Snapshot:
    return snap.Snapshot(
        seq=seq,
        time=now,
        target=target,
        state=state,
        last_error=last_error,
        status=status,
        ages=MappingProxyType(ages),
        heap=data.heap,
        heap_totals=MappingProxyType(dict(data.heap_totals)),
        memstats=data.memstats,
        goroutine_groups=data.groups,
        goroutine_stacks=data.stacks,
        goroutine_leaks=data.leaks,
        goroutine_total=data.goroutine_total,
        tree_status=tree_status,
        history=history.view(),
        costs=costs.snapshot(),
        stw_share=budget.share(now) if budget else 0.0,
        target_share=work.spent / (now - budget.started_at) if budget is not None and now > budget.started_at else 0.0,
        budget=budget.budget if budget is not None else 0.0,
        restarts=restarts,
        profiles=MappingProxyType(dict(data.profiles)),
        limit_notes=MappingProxyType(notes),
        cpu=cpu,
        contention=MappingProxyType(dict(data.contention)),
        metrics=metrics,
    )
