"""How much stop-the-world time does the poller cost a 100k-goroutine service?

Builds and starts tests/target with `-chan-leak-initial 100000`, runs the poller at
default settings for --seconds (default 300), then prints the share of wall time the
target spent serving goroutine?debug=2 (sum of debug=2 response times / wall time)
and request counts per endpoint. `--refresh-at S` also asks for one on-demand dump
S seconds in (what pressing refresh costs).

    python3 tests/benchmarks/bench_stw_share.py --seconds 120
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui.config import build_config  # noqa: E402
from tui.service.budget import BASE_COST, SECONDS_PER_GOROUTINE  # noqa: E402
from tui.service.poller import Poller  # noqa: E402

TARGET_DIR = ROOT / "tests" / "target"


def build_target(go: str) -> Path:
    h = hashlib.sha256()
    for p in sorted(TARGET_DIR.iterdir()):
        if p.is_file() and (p.suffix == ".go" or p.name in ("go.mod", "go.sum")):
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    out_dir = Path(tempfile.gettempdir()) / f"pprof-tui-bench-{h.hexdigest()[:16]}"
    binary = out_dir / "target"
    if not binary.is_file():
        out_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=TARGET_DIR, env=env, check=True)
    return binary


def start_target(binary: Path, goroutines: int) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen([str(binary), "-chan-leak-initial", str(goroutines)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise SystemExit(f"target did not start: {line!r}")
    return proc, line.split(" ", 1)[1]


async def watch(addr: str, seconds: float, refresh_at: float | None) -> Poller:
    config = build_config({"target": addr}, env={})  # default interval, budget, ages
    poller = Poller(config)
    poller.start()
    started = time.monotonic()
    if refresh_at is not None and refresh_at < seconds:
        await asyncio.sleep(refresh_at)
        poller.refresh_now("goroutine-tree")
    while time.monotonic() - started < seconds:
        await asyncio.sleep(1)
    await poller.stop()
    return poller


def report(poller: Poller, goroutines: int) -> None:
    s = poller.latest
    assert s is not None and poller.budget is not None
    wall = s.time - poller.budget.started_at
    d2 = poller.costs.get("goroutine?debug=2")
    print(f"target: {goroutines:,} goroutines leaked at start; index says {s.goroutine_total}")
    print(
        f"watched {wall:.0f} s at interval {poller.config.interval:g} s, budget {poller.config.stw_budget:.1%}; "
        f"{poller.tick} ticks; state {s.state}"
    )
    n = s.goroutine_total or 1
    print(
        f"debug=2 cost estimated before any dump: {BASE_COST + SECONDS_PER_GOROUTINE * n:.2f} s "
        f"(first automatic dump no sooner than {(BASE_COST + SECONDS_PER_GOROUTINE * n) / poller.config.stw_budget:.0f} s in); "
        f"now estimated {poller.budget.estimate_cost(n):.2f} s"
    )
    print(
        f"debug=2 dumps: {d2.count} ok, {d2.errors} failed; total {d2.total_latency:.2f} s; "
        f"mean {d2.mean_latency or 0:.2f} s; bytes {d2.total_bytes:,}"
    )
    print(f"stop-the-world share (debug=2 time / wall time): {d2.total_latency / wall:.3%}")
    print(f"tree status: {s.tree_status}")
    print(f"{'endpoint':<20}{'count':>7}{'errors':>8}{'mean ms':>10}{'bytes':>14}")
    for c in s.costs:
        mean = (c.mean_latency or 0) * 1000
        print(f"{c.endpoint:<20}{c.count:>7}{c.errors:>8}{mean:>10.1f}{c.total_bytes:>14,}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--goroutines", type=int, default=100_000)
    ap.add_argument("--refresh-at", type=float, default=None, help="ask for one on-demand dump at S seconds")
    ap.add_argument("--go", default=os.environ.get("PPROF_TUI_GO") or shutil.which("go") or "go")
    args = ap.parse_args()
    binary = build_target(args.go)
    proc, addr = start_target(binary, args.goroutines)
    try:
        time.sleep(2)  # let the leaked goroutines park
        poller = asyncio.run(watch(addr, args.seconds, args.refresh_at))
        report(poller, args.goroutines)
    finally:
        proc.kill()
        proc.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
