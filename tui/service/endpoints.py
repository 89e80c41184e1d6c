"""The endpoints the poller reads, each with its own cadence and backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.config import Config
from tui.model import catalog
from tui.service.backoff import Backoff
from tui.service.budget import LEAK_MIN_GAP

if TYPE_CHECKING:
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.model.contention import Contention
    from tui.model.memstats import MemStats

# The poller's names for the endpoints: their catalog keys (tui/model/catalog.py holds the records).
INDEX = catalog.INDEX.key
CMDLINE = catalog.CMDLINE.key
MEMSTATS = catalog.MEMSTATS.key
HEAP = catalog.HEAP.key
GOROUTINE_DEBUG1 = catalog.GOROUTINE_DEBUG1.key
GOROUTINE_PROTO = catalog.GOROUTINE_PROTO.key
GOROUTINE_DEBUG2 = catalog.GOROUTINE_DEBUG2.key
GOROUTINELEAK_DEBUG1 = catalog.GOROUTINELEAK_DEBUG1.key
EXPENSIVE = tuple(spec.key for spec in catalog.POLLED if spec.cost == "expensive")
LEAK_EVERY_SECONDS = LEAK_MIN_GAP  # at most this often; less often when its measured cost says so
CPU = catalog.CPU.key
MUTEX = catalog.MUTEX.key
BLOCK = catalog.BLOCK.key
MUTEX_DEBUG1 = catalog.MUTEX_DEBUG1.key
CONTENTION = (MUTEX, BLOCK)
# The service's own numbers (service/service_metrics.py): beside /debug/pprof/ on the target's origin
# (a path starting with "/": tui.fetch.client.TargetClient.url_of). /metrics is a cheap endpoint on its
# own cadence; /debug/vars and /debug/fgprof are asked once, at start (fgprof with seconds=0: a 400
# at once says it is registered, without profiling).
METRICS = catalog.METRICS.key
VARS = catalog.VARS.key
FGPROF = catalog.FGPROF.key


@dataclass(slots=True)
class Endpoint:
    name: str
    path: str
    params: dict[str, str] | None
    expect: str
    every: int  # ticks between fetches now (0 = only on demand / budget)
    deadline: float
    gunzip: bool
    backoff: Backoff
    not_before: float = 0.0  # clock time before which it is backing off
    last_tick: int | None = None
    last_ok: float | None = None  # clock time of the last success
    error: str = ""
    forced: bool = False
    base_every: int = -1  # the configured cadence; `every` stretches from it when answers are slow

    def __post_init__(self) -> None:
        if self.base_every < 0:
            self.base_every = self.every

    def due(self, tick: int, now: float) -> bool:
        if self.forced:
            return True
        if now < self.not_before:
            return False
        if self.every <= 0:
            return False
        return self.last_tick is None or tick - self.last_tick >= self.every


def make_endpoints(config: Config, rand: Callable[[], float]) -> dict[str, Endpoint]:
    """The poller's scheduling state of every endpoint it reads (catalog.POLLED): cadence from the
    record's Config field (0: the budget or a request schedules it), deadline by its cost class."""
    out: dict[str, Endpoint] = {}
    for spec in catalog.POLLED:
        params = spec.query
        deadline = config.request_timeout
        if spec.cost == "expensive":
            deadline = config.debug2_timeout
        elif spec.cost == "window":  # held open N s
            params = {"seconds": f"{config.cpu_window:g}"}
            deadline = config.cpu_window + config.request_timeout
        every = spec.every if isinstance(spec.every, int) else int(getattr(config, spec.every)) if spec.every else 0
        backoff = Backoff(config.backoff_base, config.backoff_max, rand=rand)
        out[spec.key] = Endpoint(spec.key, spec.path, params, spec.content, every, deadline, spec.gunzip, backoff)
    return out


@dataclass(slots=True)
class Latest:
    """The newest parsed value of each kind (mutable, owned by the poller)."""

    profiles: dict[str, int] = field(default_factory=dict)
    goroutine_total: int | None = None
    heap: Profile | None = None
    heap_totals: dict[str, float] = field(default_factory=dict)
    memstats: MemStats | None = None
    stacks: StackCounts | None = None  # goroutine proto (debug=0), or debug=1 where the proto is not served
    groups: tuple[ReasonGroup, ...] = ()
    leaks: StackCounts | None = None  # goroutineleak?debug=1 (kind "goroutineleak")
    tree_reason: str = ""
    tree_wait: float | None = None  # seconds until the budget allows a dump; None = not automatically
    contention: dict[str, Contention] = field(default_factory=dict)  # MUTEX / BLOCK
