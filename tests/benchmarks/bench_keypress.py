"""Keypress-to-repaint latency while the app parses a 100,000-goroutine dump.

The real Poller and parsers run against an in-process canned target that serves a
100k-goroutine goroutine?debug=2 dump (make it with make_big_dump.py), asked for a dump again
and again (back to back, whatever the budget says); meanwhile Pilot presses
j/k in the goroutine tree and we time each press until the app has processed it and
refreshed. Reports p50/p99/max, with an idle baseline (no parsing) for comparison.
The dumps parse in the poller's worker process (tui/service/parse_worker.py); --in-thread
parses them in a thread of the app's process, as before the worker.

    python3 tests/benchmarks/bench_keypress.py [--dump FILE] [--presses 300] [--in-thread]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from tui.app import build_app  # noqa: E402
from tui.config import build_config  # noqa: E402
from tui.fetch.fetcher import FetchResult  # noqa: E402
from tui.service.poller import Poller  # noqa: E402
from tui.widgets.goroutine_tree import GoroutineTree  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "go1.27"
DEFAULT_DUMP = ROOT / "tests" / "benchmarks" / "data" / "goroutines_100k_debug2.txt"


class CannedTarget:
    """Answers the poller's get() from files; counts debug=2 fetches."""

    def __init__(self, dump: bytes, goroutines: int) -> None:
        index = (FIX / "index.html").read_text()
        index = index.replace(">306<", f">{goroutines}<")
        self.bodies = {
            "": index.encode(),
            "heap": (FIX / "heap.pb.gz").read_bytes(),
            "heap?debug=1": (FIX / "heap_debug1.txt").read_bytes(),
            "goroutine?debug=1": (FIX / "goroutine_debug1.txt").read_bytes(),
            "goroutine?debug=2": dump,
            "cmdline": b"/srv/target\x00-leak",
        }
        self.debug2_fetches = 0

    async def get(self, path, *, params=None, expect=None, deadline=None, max_bytes=None, gunzip=False):
        key = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        if key == "goroutine?debug=2":
            self.debug2_fetches += 1
        body = self.bodies.get(key, b"")
        await asyncio.sleep(0.001)
        return FetchResult(key, 200, body, len(body), 0.001, "text/plain")

    async def aclose(self) -> None:
        pass


async def measure(
    dump: bytes, goroutines: int, presses: int, parse: bool, in_thread: bool = False
) -> tuple[list[float], int]:
    target = CannedTarget(dump if parse else b"", goroutines)
    config = build_config(
        {"target": "127.0.0.1:1", "interval": 0.5, "stw_budget": 0.9 if parse else 1e-6, "debug2_min_age": 0.1}, env={}
    )
    poller = Poller(config, client=target, parse_worker=not in_thread)
    app = build_app(poller)
    times: list[float] = []

    async def dump_again() -> None:  # the next one as soon as the last is in, whatever the budget says
        d2 = poller.endpoints["goroutine?debug=2"]
        while True:
            last = d2.last_ok
            poller.refresh_now("goroutine-tree")
            while d2.last_ok == last:
                await asyncio.sleep(0.05)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.0)
        refresher = asyncio.create_task(dump_again()) if parse else None
        while parse and not (app.snapshot and app.snapshot.goroutine_groups):
            await pilot.pause(0.1)  # the first dump's tree is shown (the cursor starts over then)
        await pilot.press("tab")
        tree = app.screen.query_one(GoroutineTree)
        for i in range(presses):
            before = tree.cursor_line
            key = "j" if i % 2 == 0 or before <= 0 else "k"
            t0 = time.perf_counter()
            # Not pilot.press: it also waits for the app to go idle, which includes unrelated work.
            app.post_message(events.Key(key, key))
            while tree.cursor_line == before:
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError(f"key {key!r} not processed within 10 s (cursor {before})")
                await asyncio.sleep(0.0005)
            # then wait for the screen to repaint (the compositor runs on a timer)
            app.screen._compositor_refresh()
            times.append(time.perf_counter() - t0)
            await asyncio.sleep(0.02)
        if refresher is not None:
            refresher.cancel()
    return times, target.debug2_fetches


def summary(name: str, times: list[float], fetches: int) -> None:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{name:24s} presses={len(ms)} p50={statistics.median(ms):6.1f} ms  p99={p99:6.1f} ms  "
        f"max={ms[-1]:6.1f} ms  debug=2 dumps parsed meanwhile={fetches}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    ap.add_argument("--presses", type=int, default=300)
    ap.add_argument("--in-thread", action="store_true", help="parse the dumps in a thread, not the worker process")
    args = ap.parse_args()
    if not args.dump.exists():
        print(f"no dump at {args.dump}: run tests/benchmarks/make_big_dump.py first", file=sys.stderr)
        return 2
    dump = args.dump.read_bytes()
    goroutines = dump.count(b"\ngoroutine ") + 1
    print(f"dump: {len(dump) / 1e6:.1f} MB, {goroutines:,} goroutines")
    summary("idle (no parsing)", *asyncio.run(measure(dump, goroutines, args.presses, parse=False)))
    where = "in a thread" if args.in_thread else "in the worker"
    summary(f"parsing dumps {where}", *asyncio.run(measure(dump, goroutines, args.presses, True, args.in_thread)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
