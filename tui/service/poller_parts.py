"""What the poller's mixins (`poller_profiles`, `poller_intake`, `poller_output`) may use of it: the
`Poller`'s state and methods, declared once for the type checker (`Poller.__init__` sets them)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.model import snapshot as snap
from tui.service import endpoints as E

if TYPE_CHECKING:
    from tui.config import Config
    from tui.core.limits import LimitNote
    from tui.fetch.fetcher import Fetcher
    from tui.model.gc_rates import GCRates
    from tui.model.history import History
    from tui.model.parsers import Parsers
    from tui.service.budget import Debug2Budget
    from tui.service.costs import CostTracker, TargetWork
    from tui.service.cpu import CpuWatch
    from tui.service.gates import Gates
    from tui.service.restart import RestartDetector
    from tui.service.service_metrics import ServiceMetrics


class PollerParts:
    """The base of the poller's mixins: declarations only."""

    if TYPE_CHECKING:
        config: Config
        parsers: Parsers
        endpoints: dict[str, E.Endpoint]
        latest_data: E.Latest
        latest: snap.Snapshot | None
        on_snapshot: Callable[[snap.Snapshot], None] | None
        clock: Callable[[], float]
        history: History
        costs: CostTracker
        work: TargetWork
        budget: Debug2Budget | None
        gates: Gates | None
        cpu: CpuWatch
        restarts: RestartDetector
        gc_rates: GCRates
        service_metrics: ServiceMetrics
        restart_events: deque[snap.RestartEvent]
        state: str
        last_error: str
        tick: int
        _client: Fetcher | None
        _secrets: tuple[str, ...]
        _cpu_task: asyncio.Task[None] | None
        _cpu_shown: bool
        _wake: asyncio.Event
        _stopping: bool
        _background: bool
        _tree_notes: tuple[LimitNote, ...]
        _need_cmdline: bool
        _proto_ok: bool | None
        _running_kind: str
        _expensive: asyncio.Task[None] | None
        _seq: int
        _subscribers: list[asyncio.Queue[snap.Snapshot]]

        def _publish(self) -> None: ...

        async def _poll(
            self, ep: E.Endpoint, parse: Callable[[bytes], object], handler: Callable[..., None]
        ) -> bool: ...
