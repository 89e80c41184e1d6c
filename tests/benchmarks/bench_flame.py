"""Flame graphs (#27) on a big heap profile: the numbers of the issue.

1. layout: stacks from the decoded tables + the tree + the columns at 80 (what the view computes
   once per profile and width), on the 200k-sample, 20k-function profile of gen_heap_profile.py;
2. `pprof-tui flame PROFILE -o x.svg`, the whole process (start-up, decode, tree, SVG, write);
3. keypress -> repaint in the flame view of that profile at 80x24 while moving and zooming (p50/p99/max);
4. bytes a second to the terminal at 80x24 with the flame view open: on the demo (live replay at 1x:
   a new heap profile every few seconds) and on the big profile as a file (nothing changes).

    python3 tests/benchmarks/bench_flame.py [--profile FILE] [--presses 300] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from tests.pty_app import PtyApp  # noqa: E402
from tui.heap.decode import decode_profile  # noqa: E402
from tui.heap.flame import ROOT as TOP  # noqa: E402
from tui.heap.flame import flame_tree  # noqa: E402
from tui.heap.flame_layout import layout  # noqa: E402
from tui.heap.flame_stacks import profile_stacks  # noqa: E402


def big_profile(path: Path | None) -> Path:
    if path is not None:
        return path
    out = Path(tempfile.gettempdir()) / "pprof-tui-bench-heap-200k.pb.gz"
    if not out.exists():
        subprocess.run([sys.executable, str(ROOT / "tests/benchmarks/gen_heap_profile.py"), str(out)], check=True)
    return out


def bench_layout(path: Path, runs: int = 7) -> None:
    profile = decode_profile(path.read_bytes())
    times = []
    tree = None
    cpu = []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        tree = flame_tree(profile_stacks(profile, "inuse_space"))
        layout(tree, TOP, 80)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert tree is not None
    ms = sorted(t * 1000 for t in times)
    print(
        f"layout ({profile.num_samples:,} samples, {len(profile.functions):,} functions -> {len(tree):,} frames, "
        f"{tree.max_depth} deep): wall min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms; "
        f"CPU min {min(cpu) * 1000:.0f} ms, median {statistics.median(cpu) * 1000:.0f} ms (load {os.getloadavg()[0]:.1f})"
    )


def bench_svg(path: Path, runs: int = 3) -> None:
    import resource

    times = []
    cpu = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "tui", "flame", str(path), "-o", f"{tmp}/x.svg"],
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
            times.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        size = Path(f"{tmp}/x.svg").stat().st_size
    print(
        f"flame -o x.svg, whole process: wall {', '.join(f'{t:.2f}' for t in times)} s, "
        f"CPU (user+sys) {', '.join(f'{t:.2f}' for t in cpu)} s (file {size / 1e6:.1f} MB; load {os.getloadavg()[0]:.1f})"
    )


async def bench_keys(path: Path, presses: int) -> None:
    from tui.app import build_app
    from tui.screens.flame_screen import FlameScreen
    from tui.sources.offline import OfflineSource
    from tui.widgets.flame_view import FlameView

    app = build_app(OfflineSource([str(path)]))
    times: list[float] = []
    kinds: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        while app.snapshot is None:
            await pilot.pause(0.1)
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FlameScreen)
        while screen.graph is None:
            await pilot.pause(0.1)
        view = screen.query_one(FlameView)
        await app.workers.wait_for_complete()  # the heap table's top of the same profile, started at open
        await pilot.pause(0.5)
        for i in range(presses):
            lay = view.lay
            assert lay is not None
            cur, zoom = view.cursor, view.zoom
            if i % 5 == 4 and cur != zoom:
                key = "enter"
            elif i % 5 == 0 and zoom != TOP:
                key = "escape"
            elif lay.child(cur) != cur:
                key = "j"
            elif lay.sibling(cur, 1) != cur:
                key = "l"
            elif lay.sibling(cur, -1) != cur:
                key = "h"
            else:
                key = "k"
            t0 = time.perf_counter()
            # Not pilot.press: it also waits for the app to go idle, which includes unrelated work.
            app.post_message(events.Key(key, None))
            while (view.cursor, view.zoom) == (cur, zoom):
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError(f"key {key!r} not processed within 10 s")
                await asyncio.sleep(0.0005)
            app.screen._compositor_refresh()  # the repaint (the compositor runs on a timer)
            times.append(time.perf_counter() - t0)
            kinds.append(key)
            await asyncio.sleep(0.02)
    slowest = sorted(zip(times, kinds), reverse=True)[:5]
    print("slowest presses: " + ", ".join(f"{k} {t * 1000:.0f} ms" for t, k in slowest))
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"keypress -> repaint at 80x24 ({len(ms)} presses: moves, zoom in/out): p50 {statistics.median(ms):.1f} ms, "
        f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
    )


def bench_bytes(args: list[str], seconds: float, label: str, warmup: float = 8.0) -> None:
    start = time.monotonic()
    measured = 0
    with PtyApp(*args, cols=80, rows=24, env=dict(os.environ)) as app:
        pressed = False
        while (now := time.monotonic()) < start + warmup + seconds:
            chunk = app.read(0.2)
            if chunk is None:
                break
            if not pressed and now > start + warmup / 2:
                os.write(app.fd, b"f")  # open the flame view
                pressed = True
            if now >= start + warmup:
                measured += len(chunk)
        app.signal(signal.SIGTERM)
        app.wait_exit(5.0)
    print(f"terminal bytes, flame view open at 80x24, {label}: {measured / seconds / 1000:.2f} kB/s over {seconds:g} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", type=Path, default=None)
    ap.add_argument("--presses", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    path = big_profile(args.profile)
    bench_layout(path)
    bench_svg(path)
    asyncio.run(bench_keys(path, args.presses))
    bench_bytes(["--demo"], args.seconds, "demo (live replay at 1x)")
    bench_bytes([str(path)], args.seconds, "the 200k-sample profile as a file", warmup=20.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
