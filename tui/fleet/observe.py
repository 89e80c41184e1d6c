"""What one target's Snapshot contributes to the fleet comparison (pure).

Goroutine groups come from the debug=1/proto counts when the snapshot has them (every replica is
polled for them on the same cadence, with the wait reason inferred the same way), else from the
debug=2 tree; heap functions are the flat values of the newest heap profile (its biggest functions,
our polling's own footprint left out: `tui.leaks.heap_baseline.function_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from tui.fleet.outliers import Metric, goroutine_metric, heap_metric
from tui.goroutines.match_keys import from_reason_groups, from_stack_counts
from tui.leaks.heap_baseline import function_values

if TYPE_CHECKING:
    from tui.model.snapshot import Snapshot


def goroutine_rows(s: Snapshot) -> tuple[tuple[str, str, int], ...] | None:
    """(function, wait reason, count) per group; None when the snapshot has no goroutine stacks."""
    if s.goroutine_stacks is not None:
        observations = from_stack_counts(s.goroutine_stacks)
    elif s.goroutine_groups:
        observations = from_reason_groups(s.goroutine_groups)
    else:
        return None
    return tuple((o.label, o.reason, o.count) for o in observations)


def heap_functions(s: Snapshot, sample_type: str = "inuse_space") -> Mapping[str, int] | None:
    """Flat value per function of the newest heap profile; None when there is none."""
    if s.heap is None:
        return None
    return function_values(s.heap, sample_type)


def fleet_metrics(snapshots: Mapping[str, Snapshot]) -> tuple[Metric, Metric]:
    """(goroutine groups, heap functions) over the targets' newest snapshots; a target without that
    data is left out of that metric."""
    groups = {label: rows for label, s in snapshots.items() if (rows := goroutine_rows(s)) is not None}
    heap = {label: dict(f) for label, s in snapshots.items() if (f := heap_functions(s)) is not None}
    return goroutine_metric(groups), heap_metric(heap)
