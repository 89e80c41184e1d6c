"""Canned snapshots built from the real fixtures, and a source that hands them to the app."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from tests.oracles.reference import group_goroutines, parse_debug2
from tui.heap.decode import decode_profile
from tui.model import snapshot as snap
from tui.model.history import History
from tui.model.memstats import parse_memstats

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(version: str = "go1.27"):
    d = FIXTURES / version
    heap = decode_profile((d / "heap.pb.gz").read_bytes())
    memstats = parse_memstats((d / "heap_debug1.txt").read_text())
    dump = parse_debug2((d / "goroutine_debug2.txt").read_text())
    return heap, memstats, dump


def make_snapshot(
    seq: int = 1,
    *,
    version: str = "go1.27",
    history: History | None = None,
    heap=None,
    groups=None,
    state: str = snap.LIVE,
    last_error: str = "",
    target: str = "127.0.0.1:6060",
    goroutine_total: int | None = None,
    tree_age: float = 4.0,
):
    fixture_heap, memstats, dump = load(version)
    heap = fixture_heap if heap is None else heap
    groups = group_goroutines(dump) if groups is None else groups
    if history is None:
        history = History()
        for i in range(30):
            history.push_many(
                float(i),
                {
                    "goroutines": 100 + 3 * i,
                    "mem.heap_inuse": 5e6 + 1e5 * i,
                    "mem.stack_inuse": 1e6 + 2e4 * i,
                    "mem.sys": 2e7 + 1e5 * i,
                    "mem.num_gc": i,
                    "mem.gc_cpu_fraction": 0.001 * i,
                    "gc.alloc_rate": 2e6 + 5e4 * (i % 7),
                    "gc.per_min": 6.0 + (i % 4),
                    "gc.pause_p99": 120_000.0 + 10_000 * (i % 5),
                },
            )
    ages = {
        snap.HEAP: snap.DataAge(snap.HEAP, 100.0, 1.0),
        snap.MEMSTATS: snap.DataAge(snap.MEMSTATS, 100.0, 1.0),
        snap.GOROUTINE_TREE: snap.DataAge(snap.GOROUTINE_TREE, 97.0, tree_age, "budget"),
    }
    return snap.Snapshot(
        seq=seq,
        time=100.0 + seq,
        target=target,
        state=state,
        last_error=last_error,
        ages=MappingProxyType(ages),
        heap=heap,
        memstats=memstats,
        goroutine_groups=tuple(groups),
        goroutine_total=goroutine_total if goroutine_total is not None else dump.total,
        tree_status=f"goroutine tree {tree_age:.0f} s old: budget",
        history=history.view(),
        costs=(snap.EndpointCost("goroutine?debug=2", count=1, last_latency=0.01, mean_latency=0.01),),
        stw_share=0.002,
    )


class CannedSource:
    """Implements the app's SnapshotSource with snapshots pushed by the test."""

    def __init__(self, *snapshots) -> None:
        self.initial = list(snapshots)
        self.on_snapshot = None
        self.calls: list[str] = []
        self.started = False

    def start(self) -> None:
        # like a real source, nothing is sent before start (the app starts it after its first frame)
        self.calls.append("start")
        self.started = True
        for s in self.initial:
            self.push(s)

    def push(self, snapshot) -> None:
        if not self.started:
            self.initial.append(snapshot)
            return
        assert self.on_snapshot is not None, "the app has not subscribed yet"
        self.on_snapshot(snapshot)

    async def stop(self) -> None:
        self.calls.append("stop")

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")

    def refresh_now(self, kind: str = "all") -> None:
        self.calls.append(f"refresh:{kind}")
