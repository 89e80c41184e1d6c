"""Incident bundles (issue #29): how big is one of a 100k-goroutine service, and what does capturing
cost the target?

1. size: starts tests/target with `-chan-leak-initial N` (default 100,000) and both leaks on, takes
   what the poller would hold (heap, heap?debug=1, the goroutine proto, the debug=2 dump: fetched
   once through the fetch client), groups the dump as the poller does, and writes a bundle for the
   two leaks' verdicts; then packs it with `pprof-tui bundle --tar`. Prints each file's size, the
   directory's, the .tar.gz's (goal ≤ 30 MB compressed) and the seconds the write took (in the
   evidence thread: off the UI's loop).
2. share: two identical targets (leaks on), each behind a timing proxy (bench_stw_share.TimingProxy:
   what the target spent serving each request), watched for --seconds by a LiveSource + tracker, one
   with an Evidence writing bundles and one without. Prints the requests per endpoint and the serving
   time / wall time of each, and the difference (goal: capture adds ≤ 0.1 % of the target's time).
   Capture makes no request of its own, so the difference is the noise of two runs.

Measured (2026-12-07, 2 cores at load ~20): size — 100k goroutines, a 32.9 MB dump: directory 631 kB,
.tar.gz 159 kB, written in 0.75 s; share (240 s) — 0.947 % with capture (2 bundles) against 0.869 %
without, the same requests per endpoint ±2: +0.078 points, the noise of two runs.

    python3 tests/benchmarks/bench_evidence.py                       # both parts
    python3 tests/benchmarks/bench_evidence.py --part size --goroutines 100000
    python3 tests/benchmarks/bench_evidence.py --part share --seconds 240
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_stw_share import TimingProxy, build_target, start_with_flags  # noqa: E402
from tui.config import build_config  # noqa: E402
from tui.core.bytesize import format_bytes  # noqa: E402

LEAKS = ("-chan-leak-rate", "5", "-cache-leak-rate", "1000")


async def _fetch_bodies(addr: str) -> dict[str, bytes]:
    from tui.fetch.client import TargetClient

    client = TargetClient(build_config({"target": addr, "debug2_timeout": 120.0}, env={}))
    out = {}
    try:
        for key, path, params, gz in (
            ("heap", "heap", None, True),
            ("heap?debug=1", "heap", {"debug": "1"}, False),
            ("goroutine", "goroutine", None, True),
            ("goroutine?debug=2", "goroutine", {"debug": "2"}, False),
        ):
            result = await client.get(path, params=params, gunzip=gz, deadline=120.0)
            out[key] = result.body
    finally:
        await client.aclose()
    return out


def part_size(binary: Path, goroutines: int) -> None:
    import dataclasses

    from tui.evidence.bundle import Incident, write_bundle
    from tui.evidence.keeper import BodyKeeper
    from tui.evidence.pack import pack_bundle
    from tui.evidence.trigger import FIRST, Fired
    from tui.goroutines.fastgroup import group_debug2_text
    from tui.goroutines.match_keys import match_key
    from tui.heap.decode import decode_profile
    from tui.leaks.growth import GROWING, Verdict
    from tui.leaks.tracker import LeakTracker
    from tui.model.snapshot import Snapshot
    from tui.recording.tap import Body, LatestBodies

    proc, addr = start_with_flags(binary, ("-chan-leak-initial", str(goroutines), *LEAKS))
    try:
        time.sleep(20)  # let the goroutines park and the cache grow
        bodies_raw = asyncio.run(_fetch_bodies(addr))
    finally:
        proc.kill()
        proc.wait()
    bodies = LatestBodies()
    now = 1000.0
    for key, body in bodies_raw.items():
        bodies.put(Body(key, body, "", now - (30.0 if key == "goroutine?debug=2" else 1.0), time.time()))
    keeper = BodyKeeper(bodies)
    keeper.observe(None)
    keeper.observe(now - 1.0)  # the baseline: the same profile (the size is what matters here)
    grouped = group_debug2_text(bodies_raw["goroutine?debug=2"].decode())
    stacks = [s for r in grouped.groups for b in r.buckets for s in b.stacks]
    chan_key = match_key(max(stacks, key=lambda s: s.count).frames)
    heap = decode_profile(bodies_raw["heap"])
    snapshot = Snapshot(seq=1, time=now, target=addr, state="live", heap=heap, goroutine_groups=grouped.groups)
    fired = (
        Fired(
            Verdict(GROWING, chan_key, "main.(*Dispatcher).deliver [chan send]", 300, goroutines, 0, "", "goroutines"),
            FIRST,
        ),
        Fired(
            Verdict(GROWING, "main.(*LFUCache).increment", "main.(*LFUCache).increment", 4e6, 3e7, 0, "", "bytes"),
            FIRST,
        ),
    )
    report = dataclasses.replace(LeakTracker().report(now), baseline_at=now - 1.0)
    out = Path(tempfile.mkdtemp(prefix="pprof-tui-bench-evidence-"))
    try:
        t0 = time.perf_counter()
        path = write_bundle(out, Incident("verdict", fired, report, snapshot, time.time(), addr), bodies, keeper)
        took = time.perf_counter() - t0
        print(
            f"bundle of a {goroutines:,}-goroutine target ({len(bodies_raw['goroutine?debug=2']) / 1e6:.1f} MB dump):"
        )
        total = 0
        for f in sorted(path.iterdir()):
            total += f.stat().st_size
            print(f"  {f.name:28} {format_bytes(f.stat().st_size):>10}")
        tar = out / "bundle.tar.gz"
        packed = pack_bundle(path, tar, ())
        print(
            f"  directory {format_bytes(total)}, .tar.gz {format_bytes(packed.size)} (goal <= 30MB); written in {took:.2f} s"
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


async def _watch(addr: str, seconds: float, evidence_root: Path | None) -> tuple[int, float]:
    from tui.evidence.capture import for_config
    from tui.leaks.tracker import LeakTracker
    from tui.sources.feeds import LiveSource

    config = build_config({"target": addr}, env={})
    source = LiveSource(config)
    tracker = LeakTracker()
    evidence = for_config(evidence_root, source.bodies, config) if evidence_root is not None else None

    def on_snapshot(s) -> None:
        report = tracker.feed(s)
        if evidence is not None:
            evidence.observe(s)
            evidence.on_report(report)

    source.on_snapshot = on_snapshot
    task = source.start()
    started = time.monotonic()
    await asyncio.sleep(seconds)
    await source.stop()
    task.cancel()
    if evidence is not None:
        await asyncio.to_thread(evidence.close, 60.0)
        return len(evidence.written), time.monotonic() - started
    return 0, time.monotonic() - started


async def _share(addrs: tuple[str, str], seconds: float, root: Path) -> None:
    proxies = (TimingProxy(addrs[0]), TimingProxy(addrs[1]))
    proxied = [await p.start() for p in proxies]
    (bundles, wall_on), (_, wall_off) = await asyncio.gather(
        _watch(proxied[0], seconds, root), _watch(proxied[1], seconds, None)
    )
    for p in proxies:
        await p.close()
    shares = []
    for name, proxy, wall in (("with capture", proxies[0], wall_on), ("without", proxies[1], wall_off)):
        spent = sum(s.seconds for s in proxy.served.values())
        shares.append(100 * spent / wall)
        counts = ", ".join(f"{ep} {s.count}" for ep, s in sorted(proxy.served.items()))
        print(f"  {name:13} serving {spent:6.2f} s of {wall:5.0f} s = {shares[-1]:.3f} %  ({counts})")
    print(f"  bundles written: {bundles}; capture's difference: {shares[0] - shares[1]:+.3f} points (goal <= 0.1)")


def part_share(binary: Path, seconds: float) -> None:
    procs = [start_with_flags(binary, LEAKS) for _ in range(2)]
    root = Path(tempfile.mkdtemp(prefix="pprof-tui-bench-evidence-"))
    try:
        print(f"target time with and without capture, {seconds:g} s, both leaks on:")
        asyncio.run(_share((procs[0][1], procs[1][1]), seconds, root))
    finally:
        for proc, _ in procs:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("size", "share", "both"), default="both")
    ap.add_argument("--goroutines", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--go", default=os.environ.get("PPROF_TUI_GO") or shutil.which("go") or "go")
    args = ap.parse_args()
    binary = build_target(args.go)
    if args.part in ("size", "both"):
        part_size(binary, args.goroutines)
    if args.part in ("share", "both"):
        part_share(binary, args.seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
