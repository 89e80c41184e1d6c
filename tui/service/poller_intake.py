"""What each parsed answer changes in the poller (a part of `Poller`, split out of poller.py): the newest
data (`endpoints.Latest`), the history series, the budget's record of what a dump or a leak check cost,
and restart detection (a new process: history segment, GC rates and contention bases start over).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from tui.model import snapshot as snap
from tui.model.parsers import memstats_series
from tui.service.poller_parts import PollerParts

if TYPE_CHECKING:
    from tui.goroutines.records import StackCounts
    from tui.model.memstats import MemStats
    from tui.model.parsers import HeapData, TreeData


class Intake(PollerParts):
    """Mixed into `Poller` (what it uses of the poller: `poller_parts.PollerParts`)."""

    def _on_index(self, profiles: Mapping[str, int], _cost: float) -> None:
        self.latest_data.profiles = dict(profiles)
        total = profiles.get("goroutine")
        if isinstance(total, int):
            self.latest_data.goroutine_total = total
            self.history.push("goroutines", self.clock(), total)

    def _on_cmdline(self, body: bytes, _cost: float) -> None:
        self._restart_if(self.restarts.observe_cmdline(bytes(body)))

    def _on_memstats(self, ms: MemStats, _cost: float) -> None:
        self._restart_if(self.restarts.observe_memstats(getattr(ms, "total_alloc", None), getattr(ms, "num_gc", None)))
        self.latest_data.memstats = ms
        self.history.push_many(self.clock(), memstats_series(ms))
        self.history.push_many(self.clock(), self.gc_rates.observe(self.clock(), ms))

    def _on_heap(self, heap: HeapData, _cost: float) -> None:
        self.latest_data.heap = heap.profile
        self.latest_data.heap_totals = dict(heap.totals)
        self.history.push_many(self.clock(), {f"heap.{k}": v for k, v in heap.totals.items()})

    def _on_debug1(self, stacks: StackCounts, _cost: float) -> None:
        self.latest_data.stacks = stacks
        if "goroutine" not in self.latest_data.profiles:
            self.latest_data.goroutine_total = int(stacks.total)
            self.history.push("goroutines", self.clock(), stacks.total)

    def _on_leaks(self, leaks: StackCounts, cost: float) -> None:
        assert self.budget is not None
        self.budget.record_leak(self.clock() - cost, cost, self.latest_data.goroutine_total)
        self.latest_data.leaks = leaks

    def _on_tree(self, tree: TreeData, cost: float) -> None:
        assert self.budget is not None
        # The index's count is a hint: the dump's real count and what parsing it cost feed the budget.
        self.budget.record(
            self.clock() - cost,
            cost,
            tree.total,
            hint=self.latest_data.goroutine_total,
            parse_seconds=getattr(tree, "parse_seconds", 0.0),
        )
        self._restart_if(self.restarts.observe_goroutines(tree.creators))
        self.latest_data.groups = tuple(tree.groups)
        self._tree_notes = tuple(getattr(tree, "notes", ()))

    def _restart_if(self, reason: str | None) -> None:
        if reason:
            now = self.clock()
            self.history.restart(now, reason)
            self.gc_rates.reset()
            self.restart_events.append(snap.RestartEvent(now, reason))
            self.latest_data.contention.clear()  # cumulative since the old process' start: gone with it
            self._need_cmdline = True  # re-learn the new process' command line at once
