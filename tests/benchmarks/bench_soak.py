"""Soak: the app through 10,000 polls of a canned target on a fake clock; RSS must stay flat.

The real Poller (real parsers, debug=2 on its stop-the-world budget) answers from an in-process
target built from the go1.27 captures, whose goroutine count, dump (leaking groups that come and
go) and heap profile (functions that come and go) change every poll. The poller's clock and sleep
are fake: a poll costs no real waiting, only the work. Each fake sleep waits until the app has
applied the snapshot of that poll, so the app renders every one (headless `run_test`, 80x24).
The leak tracker, top tables and tree refreshes all run as they do live.

Reports VmRSS (after gc.collect()) after --warmup polls and after --polls polls, the growth,
and the poller history's stored point count. Target: growth <= 5%.
With --trace, tracemalloc snapshots at both points are diffed (top allocation sites that grew).

    python3 tests/benchmarks/bench_soak.py [--polls 10000] [--warmup 100] [--trace]

Last run (10,000 polls, 5.6 h of fake time, 218 s): RSS 73.6 MiB after 100 polls, 76.4 MiB after
10,000: +3.8 %; second half -0.4 %; Python objects 94,324 -> 95,460.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import re
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.tui.heapgen import encode  # noqa: E402
from tui.app import build_app  # noqa: E402
from tui.config import build_config  # noqa: E402
from tui.fetch.fetcher import FetchResult  # noqa: E402
from tui.service.poller import Poller  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "go1.27"
BASE_GOROUTINES = 306
LEAK_FUNCS = 12  # distinct leaking functions; a few are live at any time
HEAP_FUNCS = 60  # distinct allocating functions; 25 at any time
HEAP_VARIANTS = 64
# fake seconds each request "takes" (debug=2 stops the world longest)
COSTS = {
    "": 0.002,
    "cmdline": 0.001,
    "heap?debug=1": 0.005,
    "heap": 0.01,
    "goroutine?debug=1": 0.01,
    "goroutine?debug=2": 0.05,
    "goroutineleak?debug=1": 0.01,
}


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class FakeClock:
    """Fake time for the poller; its sleep waits for the app, and holds at `hold_at` polls until released."""

    def __init__(self) -> None:
        self.t = 1_000.0
        self.settled = None  # async callable: wait until the app applied the last snapshot
        self.ticks = lambda: 0
        self.hold_at: int | None = None
        self.holding = False
        self.release = asyncio.Event()

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        if self.settled is not None:
            await self.settled()
        if self.hold_at is not None and self.ticks() >= self.hold_at:
            self.holding = True
            await self.release.wait()
            self.release.clear()
            self.holding = False
        await asyncio.sleep(0)


def heap_variant(i: int) -> bytes:
    """25 of HEAP_FUNCS functions (a window that slides), weights that change with i."""
    main = ("main.main", "/src/app/main.go", 5)
    samples = []
    for j in range(25):
        f = (i + j) % HEAP_FUNCS
        w = 4096 * (1 + (f * 7 + i) % 50)
        stack = ((f"main.alloc{f}", "/src/app/alloc.go", 10 + f), (f"main.caller{f % 5}", "/src/app/c.go", f), main)
        samples.append((stack, (1 + f, w * 2, 1 + f % 3, w)))
    return encode(samples)


LEAK_BLOCK = (
    "goroutine {gid} [chan send, {minutes} minutes]:\nmain.leak{f}(0xc000{gid:06x})\n"
    "\t/src/app/leak.go:{line} +0x1d\ncreated by main.start{f} in goroutine 1\n\t/src/app/main.go:3 +0x2a\n\n"
)


class SoakTarget:
    """Answers the poller's get() like a leaking Go service whose state moves every poll."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.index_text = (FIX / "index.html").read_text()
        self.memstats_text = (FIX / "heap_debug1.txt").read_text()
        self.dump = (FIX / "goroutine_debug2.txt").read_bytes().rstrip(b"\n") + b"\n\n"
        self.fixed = {
            "cmdline": b"/srv/target\x00-leak",
            "goroutine?debug=1": (FIX / "goroutine_debug1.txt").read_bytes(),
            "goroutineleak?debug=1": (FIX / "goroutineleak_debug1.txt").read_bytes(),
        }
        self.heaps = [heap_variant(i) for i in range(HEAP_VARIANTS)]
        self.polls = 0  # index fetches = poll ticks
        self.total_alloc = 10_000_000

    def extra(self) -> int:
        """Leaked goroutines: a saw-tooth (grows for 400 polls, then the leak is 'fixed')."""
        return (self.polls * 3) % 1200

    def body(self, key: str) -> bytes:
        n = self.polls
        if key == "":
            self.polls += 1
            return self.index_text.replace(f">{BASE_GOROUTINES}<", f">{BASE_GOROUTINES + self.extra()}<").encode()
        if key == "heap?debug=1":
            self.total_alloc += 50_000 + (n % 7) * 1000
            text = re.sub(r"# HeapInuse = \d+", f"# HeapInuse = {8_000_000 + (n % 400) * 20_000}", self.memstats_text)
            text = re.sub(r"# TotalAlloc = \d+", f"# TotalAlloc = {self.total_alloc}", text)
            text = re.sub(r"# NumGC = \d+", f"# NumGC = {100 + n // 3}", text)
            return text.encode()
        if key == "heap":
            return self.heaps[(n // 2) % HEAP_VARIANTS]
        if key == "goroutine?debug=2":
            blocks = []
            for k in range(self.extra() // 10):  # 1 in 10 leaked goroutines in the dump keeps it cheap
                f = (n // 100 + k % 3) % LEAK_FUNCS  # three live leaks; which ones drifts with time
                blocks.append(LEAK_BLOCK.format(gid=100_000 + f * 10_000 + k, minutes=1 + k % 40, f=f, line=20 + f))
            return self.dump + "".join(blocks).encode()
        return self.fixed.get(key, b"")

    async def get(self, path, *, params=None, expect=None, deadline=None, max_bytes=None, gunzip=False):
        key = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        body = self.body(key)
        cost = COSTS.get(key, 0.002)
        self.clock.t += cost
        await asyncio.sleep(0)
        return FetchResult(key, 200, body, len(body), cost, "text/plain")

    async def aclose(self) -> None:
        pass


def malloc_kib() -> tuple[int, int] | None:
    """glibc's (bytes in use, bytes held) over all arenas, in KiB; None off glibc."""
    try:
        import ctypes

        class MallInfo2(ctypes.Structure):
            _fields_ = [
                (name, ctypes.c_size_t)
                for name in (
                    "arena",
                    "ordblks",
                    "smblks",
                    "hblks",
                    "hblkhd",
                    "usmblks",
                    "fsmblks",
                    "uordblks",
                    "fordblks",
                    "keepcost",
                )
            ]

        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return None
    return (info.uordblks + info.hblkhd) // 1024, (info.arena + info.hblkhd) // 1024


def measure_point(label: str, poller: Poller, app, started: float) -> dict:
    gc.collect()
    rss = rss_kib()
    malloc = malloc_kib()
    traced = tracemalloc.get_traced_memory()[0] // 1024 if tracemalloc.is_tracing() else None
    history = poller.history
    leaks = app.leaks.tracker
    info = {
        "label": label,
        "polls": poller.tick,
        "rss_kib": rss,
        "points": history.stored_count(),
        "series": len(history.keys()),
        "seconds": time.perf_counter() - started,
        "snapshot_seq": app.snapshot.seq if app.snapshot else None,
        "fake_hours": (poller.clock() - 1000) / 3600,
        "gc_objects": len(gc.get_objects()),
        "leak_series": len(getattr(leaks, "_series", {}) or {}),
    }
    print(
        f"{label:>10}: polls={info['polls']:>6}  RSS={rss / 1024:7.1f} MiB  history points={info['points']:>7}"
        f" in {info['series']} series  gc objects={info['gc_objects']:,}  fake time={info['fake_hours']:.1f} h"
        f"  wall={info['seconds']:.0f} s"
        + (f"  malloc in use/held={malloc[0] / 1024:.1f}/{malloc[1] / 1024:.1f} MiB" if malloc else "")
        + (f"  traced={traced / 1024:.1f} MiB" if traced is not None else ""),
        flush=True,
    )
    return info


async def soak(polls: int, warmup: int, trace: bool, report_every: int) -> tuple[dict, dict, list]:
    clock = FakeClock()
    target = SoakTarget(clock)
    config = build_config({"target": "127.0.0.1:1"}, env={})  # defaults: 2 s interval, 1% STW budget
    poller = Poller(config, client=target, clock=clock, sleep=clock.sleep)
    app = build_app(poller, clock=clock)

    async def settled() -> None:
        # the app has applied this poll's snapshot and finished its table work
        for _ in range(10_000):
            if app.snapshot is not None and poller.latest is not None and app.snapshot.seq >= poller.latest.seq:
                break
            await asyncio.sleep(0.0005)
        await app.workers.wait_for_complete()

    clock.settled = settled
    clock.ticks = lambda: poller.tick
    started = time.perf_counter()
    points = []
    snaps = []

    async def held_at(n: int) -> None:
        clock.hold_at = n
        while not clock.holding:
            await asyncio.sleep(0.01)
            if poller.tick % 7 == 0 and not clock.holding:
                await pilot.press("j" if poller.tick % 2 else "k")  # keys keep moving the cursor

    def go_on() -> None:
        clock.hold_at = None
        clock.holding = False
        clock.release.set()

    clock.hold_at = warmup  # the app starts up while the first polls run
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")  # the tree has focus: its refreshes are the expensive ones
        await held_at(warmup)
        if trace:
            tracemalloc.start(10)
        first = measure_point("warm-up", poller, app, started)
        if trace:
            snaps.append(tracemalloc.take_snapshot())
        go_on()
        half = None
        stops = sorted({*range(warmup + report_every, polls, report_every), max(polls // 2, warmup + 1)})
        for stop in stops:
            await held_at(stop)
            point = measure_point(
                "half-way" if stop == max(polls // 2, warmup + 1) else "progress", poller, app, started
            )
            points.append(point)
            if stop == max(polls // 2, warmup + 1):
                half = point
            go_on()
        await held_at(polls)
        await settled()
        last = measure_point("end", poller, app, started)
        if trace:
            snaps.append(tracemalloc.take_snapshot())
        await poller.stop()
        go_on()
        await app.workers.wait_for_complete()
        await pilot.pause()
    return first, last, snaps, half


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polls", type=int, default=10_000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--report-every", type=int, default=1000)
    ap.add_argument("--trace", action="store_true", help="diff tracemalloc snapshots (slow)")
    args = ap.parse_args()
    first, last, snaps, half = asyncio.run(soak(args.polls, args.warmup, args.trace, args.report_every))
    growth = (last["rss_kib"] - first["rss_kib"]) / first["rss_kib"] * 100
    print(
        f"\nRSS after {first['polls']} polls: {first['rss_kib'] / 1024:.1f} MiB; after {last['polls']} polls: "
        f"{last['rss_kib'] / 1024:.1f} MiB; growth {growth:+.1f}% (target <= 5%)"
    )
    if half is not None:
        steady = (last["rss_kib"] - half["rss_kib"]) / half["rss_kib"] * 100
        print(f"second half ({half['polls']} -> {last['polls']} polls): {steady:+.1f}%")
    print(
        f"history: {first['points']} -> {last['points']} stored points ({last['series']} series); "
        f"python objects {first['gc_objects']:,} -> {last['gc_objects']:,}; wall {last['seconds']:.0f} s"
    )
    if snaps:
        diff = snaps[1].compare_to(snaps[0], "filename")
        print("\ngrowth by file (tracemalloc, between the two points):")
        for stat in diff[:15]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+8d} blocks  {stat.traceback[0].filename}")
        print("\ntop allocation lines that grew:")
        for stat in snaps[1].compare_to(snaps[0], "lineno")[:15]:
            frame = stat.traceback[0]
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+8d} blocks  {frame.filename}:{frame.lineno}")
        print("\ntop allocation stacks that grew (innermost last):")
        for stat in snaps[1].compare_to(snaps[0], "traceback")[:8]:
            print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+8d} blocks")
            for frame in list(stat.traceback)[-6:]:
                print(f"      {frame.filename}:{frame.lineno}")
    return 0 if growth <= 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
