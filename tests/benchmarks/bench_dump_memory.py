"""Memory that comes back (issue #14): the app's RSS around big goroutine dumps.

The whole app (headless `run_test`, 80x24: UI, leak tracker, the live source with its real HTTP
client, tap and poller) watches a loopback target (a separate process, so its memory is not
counted) that serves a 100k-goroutine goroutine?debug=2 dump (make it with make_big_dump.py)
and the go1.27 captures for everything else. The budget never dumps on its own: the benchmark
asks for each dump (`refresh_now("goroutine-tree")`) and waits until the app has shown it.

Prints the app's RSS, main process + its parse worker (if one is running), after a warm-up
with no dump, after the first dump, after each of --dumps dumps, and --wait seconds after the
last one. Goals: after 20 dumps <= 1.2x after the first; a minute later within 30 MB of the
level before any dump. --in-thread parses in a thread, as before the worker, for comparison.

    python3 tests/benchmarks/bench_dump_memory.py [--dump FILE] [--dumps 20] [--wait 60] [--in-thread]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIX = ROOT / "tests" / "fixtures" / "go1.27"
DEFAULT_DUMP = ROOT / "tests" / "benchmarks" / "data" / "goroutines_100k_debug2.txt"
MiB = 1024 * 1024


def serve(dump_path: Path) -> None:
    """The target, in its own process: prints its URL, serves until killed."""
    sys.path.insert(0, str(ROOT / "tests" / "unit"))
    from fake_pprof_server import FakeTarget, Reply, default_routes

    dump = dump_path.read_bytes()
    goroutines = dump.count(b"\ngoroutine ") + 1
    index = (FIX / "index.html").read_text().replace(">306<", f">{goroutines}<").encode()
    routes = default_routes()
    routes["/debug/pprof/"] = Reply(body=index, headers={"Content-Type": "text/html"})
    for path, name in (
        ("heap", "heap.pb.gz"),
        ("heap?debug=1", "heap_debug1.txt"),
        ("goroutine", "goroutine.pb.gz"),
        ("goroutine?debug=1", "goroutine_debug1.txt"),
        ("goroutine?debug=2", None),
    ):
        body = dump if name is None else (FIX / name).read_bytes()
        routes[f"/debug/pprof/{path}"] = Reply(body=body)
    target = FakeTarget(routes).start()
    print(target.url, flush=True)
    while True:
        time.sleep(3600)


def rss(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def app_rss(workers: tuple[int, ...]) -> tuple[float, float]:
    """(main process, parse workers) RSS in MiB."""
    gc.collect()
    import os

    return rss(os.getpid()), sum(rss(pid) for pid in workers)


async def run(url: str, dumps: int, wait: float, in_thread: bool) -> None:
    from tui.app import build_app
    from tui.config import build_config
    from tui.service import endpoints as E
    from tui.sources.feeds import LiveSource

    # the budget never dumps on its own (refresh_now ignores it): the benchmark asks for each dump
    config = build_config({"target": url, "stw_budget": 1e-6}, env={})
    source = LiveSource(config, parse_worker=not in_thread)
    poller = source.poller
    worker = poller.parse_worker
    d2 = poller.endpoints[E.GOROUTINE_DEBUG2]
    app = build_app(source)

    def measure(label: str) -> float:
        main, children = app_rss(worker.pids if worker is not None else ())
        print(
            f"{label:34s} main {main:7.1f} MiB  worker {children:6.1f} MiB  app {main + children:7.1f} MiB", flush=True
        )
        return main + children

    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 60
        while (poller.latest is None or poller.latest.heap is None) and time.monotonic() < deadline:
            await pilot.pause(0.2)
        await pilot.pause(8.0)  # a few polls: every endpoint answered, the tracker fed, the panes drawn
        await app.workers.wait_for_complete()
        before = measure("before any dump")
        first = after = before
        took = []
        for i in range(1, dumps + 1):
            last = d2.last_ok
            started = time.monotonic()
            source.refresh_now("goroutine-tree")
            while d2.last_ok == last:
                if time.monotonic() - started > 120:
                    raise SystemExit(f"dump {i}: no tree after 120 s ({d2.error or poller.latest_data.tree_reason})")
                await pilot.pause(0.05)
            took.append(time.monotonic() - started)
            await pilot.pause(1.0)  # the snapshot applied, the tracker fed
            await app.workers.wait_for_complete()
            if i == 1:
                first = measure("after the first dump")
            elif i == dumps or i % 5 == 0:
                after = measure(f"after {i} dumps")
        groups = poller.latest.goroutine_groups if poller.latest else ()
        print(
            f"each dump fetched + parsed in {min(took):.2f}-{max(took):.2f} s; tree of "
            f"{sum(g.count for g in groups):,} goroutines; workers started: "
            f"{worker.spawned if worker is not None else 0}",
            flush=True,
        )
        await pilot.pause(wait)
        await app.workers.wait_for_complete()
        later = measure(f"{wait:g} s after the last dump")
    print(f"main process peak (VmHWM): {peak_mib():.1f} MiB")
    print(f"after {dumps} dumps / after the first: {after / first:.2f} (goal <= 1.2)")
    print(f"{wait:g} s later - before any dump: {later - before:+.1f} MiB (goal within 30 MB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    ap.add_argument("--dumps", type=int, default=20)
    ap.add_argument("--wait", type=float, default=60.0, help="seconds to watch after the last dump")
    ap.add_argument("--in-thread", action="store_true", help="parse in a thread (no worker), for comparison")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.dump.exists():
        print(f"no dump at {args.dump}: run tests/benchmarks/make_big_dump.py first", file=sys.stderr)
        return 2
    if args.serve:
        serve(args.dump)
        return 0
    size = args.dump.stat().st_size
    print(f"dump: {size / 1e6:.1f} MB; parsing in {'a thread' if args.in_thread else 'the worker process'}")
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--dump", str(args.dump)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        asyncio.run(run(url, args.dumps, args.wait, args.in_thread))
    finally:
        server.kill()
        server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
