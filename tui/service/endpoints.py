"""The endpoints the poller reads, each with its own cadence and backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.config import Config
from tui.fetch import validate
from tui.service.backoff import Backoff
from tui.service.budget import LEAK_MIN_GAP

if TYPE_CHECKING:
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.model.contention import Contention
    from tui.model.memstats import MemStats

INDEX = "index"
CMDLINE = "cmdline"
MEMSTATS = "heap?debug=1"
HEAP = "heap"
GOROUTINE_DEBUG1 = "goroutine?debug=1"
# goroutine?debug=0: the same stacks as debug=1 (concurrent since Go 1.19) as a gzip'd
# profile.proto that KEEPS the runtime frames (runtime.chanrecv, runtime.selectgo, ...), so
# the tree's wait reasons can be inferred before any debug=2 dump. debug=1 text hides them.
GOROUTINE_PROTO = "goroutine"
GOROUTINE_DEBUG2 = "goroutine?debug=2"
GOROUTINELEAK_DEBUG1 = "goroutineleak?debug=1"
# The expensive endpoints: charged to the one target-work budget (service/budget.py), fetched
# one at a time in the background (cheap endpoints keep their cadence), each with its own
# deadline. goroutineleak forces GC cycles in the target; it is fetched only when the index
# lists the profile (Go 1.26+ with the goroutineleak experiment, default in 1.27).
EXPENSIVE = (GOROUTINE_DEBUG2, GOROUTINELEAK_DEBUG1)
LEAK_EVERY_SECONDS = LEAK_MIN_GAP  # at most this often; less often when its measured cost says so
# Live CPU top: profile?seconds=N, held open N s, only while CPU watching is on (service/cpu.py
# schedules it on the same budget; it runs in its own background task: it may overlap a dump).
CPU = "profile"
# Contention (tui/model/contention.py): the mutex and block profiles are cumulative since start, so
# the cumulative proto is fetched every `contention_every` ticks and "this window" is the diff of two
# fetches (no `?seconds=N` request held open N s; same work in the target: Go's ?seconds= reads the
# profile twice too). mutex?debug=1 only when the mutex profile is empty: its `sampling period=N`
# says whether mutex profiling is off. Fetched only where the index lists the profile.
MUTEX = "mutex"
BLOCK = "block"
MUTEX_DEBUG1 = "mutex?debug=1"
CONTENTION = (MUTEX, BLOCK)
# The service's own numbers (service/service_metrics.py): beside /debug/pprof/ on the target's origin
# (a path starting with "/": tui.fetch.client.TargetClient.url_of). /metrics is a cheap endpoint on its
# own cadence; /debug/vars and /debug/fgprof are asked once, at start (fgprof with seconds=0: a 400
# at once says it is registered, without profiling).
METRICS = "/metrics"
VARS = "/debug/vars"
FGPROF = "/debug/fgprof?seconds=0"


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
    def ep(
        name: str,
        path: str,
        params: dict[str, str] | None,
        expect: str,
        every: int,
        deadline: float | None = None,
        gunzip: bool = False,
    ) -> Endpoint:
        return Endpoint(
            name,
            path,
            params,
            expect,
            every,
            deadline or config.request_timeout,
            gunzip,
            Backoff(config.backoff_base, config.backoff_max, rand=rand),
        )

    eps = [
        ep(INDEX, "", None, validate.INDEX, 1),
        ep(CMDLINE, "cmdline", None, validate.CMDLINE, config.cmdline_every),
        ep(MEMSTATS, "heap", {"debug": "1"}, validate.HEAP_DEBUG1, config.memstats_every),
        ep(HEAP, "heap", None, validate.PROFILE, config.heap_every, gunzip=True),
        ep(GOROUTINE_DEBUG1, "goroutine", {"debug": "1"}, validate.GOROUTINE_DEBUG1, config.goroutine_debug1_every),
        ep(GOROUTINE_PROTO, "goroutine", None, validate.PROFILE, config.goroutine_debug1_every, gunzip=True),
        ep(GOROUTINE_DEBUG2, "goroutine", {"debug": "2"}, validate.GOROUTINE_DEBUG2, 0, deadline=config.debug2_timeout),
        # every=0: scheduled by the budget from its measured cost, not by ticks
        ep(
            GOROUTINELEAK_DEBUG1,
            "goroutineleak",
            {"debug": "1"},
            validate.GOROUTINE_DEBUG1,
            0,
            deadline=config.debug2_timeout,
        ),
        ep(MUTEX, "mutex", None, validate.PROFILE, config.contention_every, gunzip=True),
        ep(BLOCK, "block", None, validate.PROFILE, config.contention_every, gunzip=True),
        ep(MUTEX_DEBUG1, "mutex", {"debug": "1"}, validate.CONTENTION_DEBUG1, config.contention_every),
        ep(METRICS, "/metrics", None, validate.METRICS, config.metrics_every),
        ep(VARS, "/debug/vars", None, validate.ANY, 0),
        ep(FGPROF, "/debug/fgprof", {"seconds": "0"}, validate.ANY, 0),
        ep(
            CPU,
            "profile",
            {"seconds": f"{config.cpu_window:g}"},
            validate.PROFILE,
            0,
            deadline=config.cpu_window + config.request_timeout,
            gunzip=True,
        ),
    ]
    return {e.name: e for e in eps}


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
