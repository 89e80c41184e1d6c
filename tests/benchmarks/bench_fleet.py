"""A fleet of 20 loopback Go targets watched at once (`watch TARGET x 20`), at default settings: the app's
CPU (goal: at most 25 % of one core), its RSS (goal: at most 300 MB) and the keypress-to-repaint
latency on the fleet view (goal: p99 at most 50 ms).

The targets are our Go service (tests/target), each with a few hundred goroutines and a small steady
heap; one of them leaks 3,000 goroutines on [chan send] (the outlier the view must flag). Optionally some
dead (nothing listening) and hanging (accepting, never answering) targets beside them. The app is the
real one (FleetApp over LiveSource members sharing one `service/gates.py Gates`, as `watch` builds it),
headless under Textual's Pilot at 160x48. After a warm-up (the first dumps), CPU time of this process
(user + system) and of any parse-worker child is measured over `--seconds` of watching; then j/k are
pressed on the fleet view and each press is timed until the cursor moved and the screen repainted.

    python3 tests/benchmarks/bench_fleet.py [--targets 20] [--seconds 120] [--presses 300]
        [--dead 0] [--hanging 0] [--go go]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stw_share import build_target, start_with_flags  # noqa: E402
from textual import events  # noqa: E402

from tui.app import FleetApp, build_app  # noqa: E402
from tui.config import build_config  # noqa: E402
from tui.service.gates import Gates  # noqa: E402
from tui.sources.feeds import LiveSource  # noqa: E402
from tui.sources.fleet import FleetSource  # noqa: E402
from tui.widgets.keyed_table import KeyedTable  # noqa: E402

COMMON = ("-idle-pool", "8", "-heap-steady-mb", "2", "-chan-leak-initial", "200", "-chan-leak-rate", "0")
LEAKING = ("-idle-pool", "8", "-heap-steady-mb", "2", "-chan-leak-initial", "3000", "-chan-leak-rate", "0")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


class Hanging:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.addr = f"127.0.0.1:{self.sock.getsockname()[1]}"


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(args: argparse.Namespace, addrs: list[tuple[str, str]]) -> None:
    gates = Gates()
    members = []
    for label, addr in addrs:
        config = build_config({"target": addr}, env={})
        members.append((label, LiveSource(config, gates=gates)))
    app = build_app(FleetSource(members, gates=gates))
    assert isinstance(app, FleetApp)
    worker_cpu: dict[int, float] = {}
    rss_peak = 0.0

    def sample() -> None:
        nonlocal rss_peak
        rss_peak = max(rss_peak, rss_mb())
        if gates.parse_worker is not None:
            for pid in gates.parse_worker.pids:
                worker_cpu[pid] = cpu_seconds(pid)

    async with app.run_test(size=(160, 48)) as pilot:
        t_end = time.monotonic() + args.warmup
        while time.monotonic() < t_end:
            sample()
            await pilot.pause(1.0)
        answered = sum(1 for s in app.newest.values() if s.goroutine_total is not None)
        workers_before = sum(worker_cpu.values())
        t0, c0 = time.monotonic(), sum(os.times()[:2])
        while time.monotonic() - t0 < args.seconds:
            sample()
            await pilot.pause(1.0)
        wall, cpu = time.monotonic() - t0, sum(os.times()[:2]) - c0
        workers = sum(worker_cpu.values()) - workers_before
        outliers = sorted({o.target for o in app.outliers})
        print(f"targets: {len(addrs)} ({answered} answered by the end of the {args.warmup:.0f} s warm-up)")
        print(
            f"app CPU over {wall:.0f} s of watching: {100 * cpu / wall:.1f} % of one core "
            f"(+ parse workers {100 * workers / wall:.1f} %)  [goal <= 25 %]"
        )
        print(f"outliers flagged: {outliers}")
        print(
            f"gates: peak {gates.peak_requests} requests in slots (cap {gates.requests}), "
            f"{gates.requests_released_slow} slow requests gave their slot back, "
            f"peak {gates.peak_parses} parses (cap {gates.parses})"
        )

        table = app.screen.query_one(KeyedTable)
        times: list[float] = []
        for i in range(args.presses):
            before = table.cursor_row
            key = "j" if (i // 10) % 2 == 0 else "k"
            if before == 0:
                key = "j"
            elif before >= table.row_count - 1:
                key = "k"
            t0 = time.perf_counter()
            app.post_message(events.Key(key, key))
            while table.cursor_row == before:
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError(f"key {key!r} not processed within 10 s")
                await asyncio.sleep(0.0005)
            app.screen._compositor_refresh()
            times.append(time.perf_counter() - t0)
            sample()
            await asyncio.sleep(0.1)
        ms = sorted(t * 1000 for t in times)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"keypress on the fleet view: presses={len(ms)} p50={statistics.median(ms):.1f} ms "
            f"p99={p99:.1f} ms max={ms[-1]:.1f} ms  [goal p99 <= 50 ms]"
        )
        sample()
        print(f"RSS: peak {rss_peak:.0f} MB, now {rss_mb():.0f} MB  [goal <= 300 MB]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=20, help="live Go targets (one of them leaking)")
    ap.add_argument("--dead", type=int, default=0, help="targets with nothing listening")
    ap.add_argument("--hanging", type=int, default=0, help="targets that accept and never answer")
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--warmup", type=float, default=30.0)
    ap.add_argument("--presses", type=int, default=300)
    ap.add_argument("--go", default=shutil.which("go") or "go")
    args = ap.parse_args()
    binary = build_target(args.go)
    procs: list[subprocess.Popen[bytes]] = []
    addrs: list[tuple[str, str]] = []
    hanging = [Hanging() for _ in range(args.hanging)]
    try:
        for i in range(args.targets):
            proc, addr = start_with_flags(binary, LEAKING if i == args.targets // 2 else COMMON)
            procs.append(proc)
            addrs.append((f"pod-{i + 1:02d}", addr))
        addrs += [(f"dead-{i + 1}", dead_address()) for i in range(args.dead)]
        addrs += [(f"hang-{i + 1}", h.addr) for i, h in enumerate(hanging)]
        asyncio.run(run(args, addrs))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for h in hanging:
            h.sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
