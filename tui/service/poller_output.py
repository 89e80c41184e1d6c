"""What the poller publishes (a part of `Poller`, split out of poller.py): its status lines, the limit
notes, one frozen Snapshot per completed poll (assembled by `poller_status.py`) handed to `on_snapshot`
and to every `snapshots()` iterator (a full queue drops its oldest)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.model import snapshot as snap
from tui.service import endpoints as E
from tui.service import poller_status as status
from tui.service.poller_parts import PollerParts

if TYPE_CHECKING:
    from tui.core.limits import LimitNote


class Output(PollerParts):
    """Mixed into `Poller` (what it uses of the poller: `poller_parts.PollerParts`)."""

    def _stacks_endpoint(self) -> str:
        """Which endpoint gives the goroutine stacks: the proto, or debug=1 where it is not served."""
        if self.parsers.goroutine_proto is not None and self._proto_ok is not False:
            return E.GOROUTINE_PROTO
        return E.GOROUTINE_DEBUG1

    def limit_notes(self) -> dict[str, tuple[LimitNote, ...]]:
        """Per data kind, the work limits its newest parse reached (`poller_status.limit_notes`)."""
        return status.limit_notes(self.latest_data, self._tree_notes)

    def _running(self) -> str:
        """The expensive endpoint in flight ("" when none)."""
        return self._running_kind if self._expensive is not None and not self._expensive.done() else ""

    def status_line(self, now: float) -> str:
        index = self.endpoints[E.INDEX]
        line = status.status_line(
            now, state=self.state, last_error=self.last_error, index=index, interval=self.config.interval
        )
        found = self.service_metrics.found_line()  # what discovery found: "/metrics 169 families · fgprof"
        return f"{line} · {found}" if found else line

    def tree_status(self, now: float) -> str:
        """Why the goroutine tree is what it is (`poller_status.tree_status`)."""
        return status.tree_status(
            now,
            data=self.latest_data,
            dump=self.endpoints[E.GOROUTINE_DEBUG2],
            tree_notes=self._tree_notes,
            dump_running=self._running() == E.GOROUTINE_DEBUG2,
            budget=self.budget,
            stw_budget=self.config.stw_budget,
        )

    def build_snapshot(self) -> snap.Snapshot:
        now = self.clock()
        self._seq += 1
        notes = self.limit_notes()
        tree_status = self.tree_status(now)
        return status.build_snapshot(
            seq=self._seq,
            now=now,
            target=self.config.label,
            state=self.state,
            last_error=self.last_error,
            status=self.status_line(now),
            ages=status.ages(now, self.endpoints, self.latest_data, self._stacks_endpoint(), notes),
            data=self.latest_data,
            notes=notes,
            tree_status=tree_status,
            history=self.history,
            costs=self.costs,
            budget=self.budget,
            work=self.work,
            restarts=tuple(self.restart_events),
            cpu=self.cpu.state(now, self.budget, self.endpoints[E.CPU].not_before) if self._cpu_shown else None,
            metrics=self.service_metrics.state(),
        )

    def _publish(self) -> None:
        snapshot = self.build_snapshot()
        self.latest = snapshot
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(snapshot)
