"""The endpoints, one frozen record each: everything that spells an endpoint reads it here.

A record says where the endpoint is (``path`` and ``params`` under the target's base, and ``key``, the
spelling recordings, costs, exports and the UI use: "goroutine?debug=2"), what its answer is (``content``:
the tui.model.detect kind the fetch layer validates, ``gunzip``), what the snapshot files it under
(``data``: the age key), how the poller treats it (``cost``: cheap, charged to the expensive budget, or a
window held open N s; ``every``: its cadence in ticks, a Config field's name or a number, "" = scheduled
by the budget or on demand), where its parser runs (``in_worker``: a big body goes to the parse worker process;
``parser``: the Parsers field, tui.model.parsers) and the file a save or an export names it (``file_name``,
None = never exported).

Adding an endpoint = one record here + its parser (a Parsers field) + its view: the poller's table
(tui/service/endpoints.py make_endpoints), the parse worker's list, exports and offline files read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Cost = Literal["cheap", "expensive", "window"]


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    key: str  # as recordings and the UI spell it: path, then "?" and the params ("index" for the page)
    path: str  # under the target's base URL ("" = the index page)
    params: tuple[tuple[str, str], ...] = ()
    content: str = "profile"  # the tui.model.detect kind its answer must be (tui/fetch/validate.py)
    gunzip: bool = False
    data: str = ""  # the snapshot's age key of what it feeds ("" = none of its own)
    cost: Cost = "cheap"
    every: str | int = ""  # its cadence in ticks: a Config field's name, or a number (0, "" = budget / on demand)
    in_worker: bool = False  # big bodies parse in the worker process (results pickle small)
    parser: str = ""  # the tui.model.parsers.Parsers field that parses it
    file_name: str | None = None  # in a save / export (None: never written out)

    @property
    def query(self) -> dict[str, str] | None:
        return dict(self.params) if self.params else None


def endpoint_key(path: str, params: Mapping[str, str] | None) -> str:
    """The key of a request: "goroutine?debug=2", "heap", "index" (the page has no path)."""
    shown = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    return shown or "index"


def _spec(path: str, params: tuple[tuple[str, str], ...] = (), **fields: object) -> EndpointSpec:
    return EndpointSpec(endpoint_key(path, dict(params)), path, params, **fields)  # type: ignore[arg-type]


INDEX = _spec("", content="index", every=1, parser="index", file_name="index.html")  # every tick: the count
CMDLINE = _spec("cmdline", content="cmdline", every="cmdline_every")  # may carry the target's own secrets
MEMSTATS = _spec(
    "heap", (("debug", "1"),), content="heap-debug1", data="memstats", every="memstats_every",
    in_worker=True, parser="memstats", file_name="heap_debug1.txt",
)  # fmt: skip
HEAP = _spec(
    "heap", content="profile", gunzip=True, data="heap", every="heap_every", parser="heap", file_name="heap.pb.gz"
)
ALLOCS = _spec("allocs", content="profile", gunzip=True, data="heap", parser="heap", file_name="allocs.pb.gz")
GOROUTINE_DEBUG1 = _spec(
    "goroutine", (("debug", "1"),), content="goroutine-debug1", data="goroutine_stacks",
    every="goroutine_debug1_every", in_worker=True, parser="goroutine_debug1", file_name="goroutine_debug1.txt",
)  # fmt: skip
# goroutine?debug=0: the same stacks as debug=1 (concurrent since Go 1.19) as a gzip'd profile.proto that
# KEEPS the runtime frames (runtime.chanrecv, runtime.selectgo, ...), so the tree's wait reasons can be
# inferred before any debug=2 dump. debug=1 text hides them.
GOROUTINE_PROTO = _spec(
    "goroutine", content="profile", gunzip=True, data="goroutine_stacks", every="goroutine_debug1_every",
    in_worker=True, parser="goroutine_proto", file_name="goroutine.pb.gz",
)  # fmt: skip
# The expensive endpoints: charged to the one target-work budget (service/budget.py), fetched one at a
# time in the background, each with its own deadline. debug=2 stops the target's world for the dump;
# goroutineleak forces GC cycles (Go 1.26+ with the experiment, default in 1.27: fetched when listed).
GOROUTINE_DEBUG2 = _spec(
    "goroutine", (("debug", "2"),), content="goroutine-debug2", data="goroutine_tree", cost="expensive",
    in_worker=True, parser="goroutine_debug2", file_name="goroutine_debug2.txt",
)  # fmt: skip
GOROUTINELEAK_DEBUG1 = _spec(
    "goroutineleak", (("debug", "1"),), content="goroutine-debug1", data="goroutine_leaks", cost="expensive",
    in_worker=True, parser="goroutineleak", file_name="goroutineleak_debug1.txt",
)  # fmt: skip
GOROUTINELEAK_PROTO = _spec(  # never polled: a saved or offline file
    "goroutineleak", content="profile", gunzip=True, data="goroutine_leaks", parser="goroutine_proto",
    file_name="goroutineleak.pb.gz",
)  # fmt: skip
GOROUTINELEAK_DEBUG2 = _spec(  # never polled: a saved or offline file
    "goroutineleak", (("debug", "2"),), content="goroutine-debug2", data="goroutine_tree",
    parser="goroutine_debug2", file_name="goroutineleak_debug2.txt",
)  # fmt: skip
# Contention (tui/model/contention.py): the mutex and block profiles are cumulative since start, so the
# cumulative proto is fetched every `contention_every` ticks and "this window" is the diff of two fetches.
# mutex?debug=1 only when the mutex profile is empty: its `sampling period=N` says whether mutex
# profiling is off. Fetched only where the index lists the profile.
MUTEX = _spec(
    "mutex", content="profile", gunzip=True, data="mutex", every="contention_every", parser="contention",
    file_name="mutex.pb.gz",
)  # fmt: skip
BLOCK = _spec(
    "block", content="profile", gunzip=True, data="block", every="contention_every", parser="contention",
    file_name="block.pb.gz",
)  # fmt: skip
MUTEX_DEBUG1 = _spec(
    "mutex", (("debug", "1"),), content="contention-debug1", every="contention_every",
    parser="contention_header", file_name="mutex_debug1.txt",
)  # fmt: skip
# The service's own numbers (tui/service/service_metrics.py): beside /debug/pprof/ on the target's origin (a
# path starting with "/": tui.fetch.client.TargetClient.url_of). /metrics is a cheap endpoint on its own
# cadence; /debug/vars and /debug/fgprof are asked once, at start (fgprof with seconds=0: a 400 at once says
# it is registered, without profiling).
METRICS = _spec("/metrics", content="metrics", every="metrics_every", file_name="metrics.txt")
VARS = _spec("/debug/vars", content="any", file_name="expvar.json")
FGPROF = _spec("/debug/fgprof", (("seconds", "0"),), content="any")
# Live CPU top: profile?seconds=N (N = Config.cpu_window, so the key has N in it: `cpu_key`), held open
# N s, only while CPU watching is on (tui/service/cpu.py schedules it on the same budget).
CPU = _spec("profile", content="profile", gunzip=True, data="cpu", cost="window", parser="cpu")

# What the poller reads, in its order.
POLLED = (
    INDEX, CMDLINE, MEMSTATS, HEAP, GOROUTINE_DEBUG1, GOROUTINE_PROTO, GOROUTINE_DEBUG2, GOROUTINELEAK_DEBUG1,
    MUTEX, BLOCK, MUTEX_DEBUG1, METRICS, VARS, FGPROF, CPU,
)  # fmt: skip
ALL = (*POLLED, ALLOCS, GOROUTINELEAK_PROTO, GOROUTINELEAK_DEBUG2)
BY_KEY: Mapping[str, EndpointSpec] = {spec.key: spec for spec in ALL}


def cpu_key(seconds: float) -> str:
    """The CPU window's key for a window of ``seconds``: "profile?seconds=10"."""
    return endpoint_key(CPU.path, {"seconds": f"{seconds:g}"})


def spec_for(key: str) -> EndpointSpec | None:
    """The record of a key as recorded ("goroutine?debug=2"); a CPU window of any length is CPU's."""
    spec = BY_KEY.get(key)
    if spec is None and key.startswith(CPU.path + "?seconds="):
        return CPU
    return spec
