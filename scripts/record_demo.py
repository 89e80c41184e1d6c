#!/usr/bin/env python3
"""Record the bundled demo (tui/demo/) with pprof-tui's own recorder and the Go test target.

Usage: python3 scripts/record_demo.py [--go go] [--seconds 240] [--interval 2] [--out tui/demo]

Starts tests/target leaking both ways (an LFU cache that leaks heap on every read, goroutines
leaking on [chan send]) plus parked, labelled and idle goroutines, watches it exactly like
`pprof-tui record` would, then swaps the new recording into place. Needs Go; the result does not.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.record import build, go_version  # noqa: E402
from tui.config import Config  # noqa: E402
from tui.core.tasks import cancel_and_wait  # noqa: E402
from tui.recording.writer import RecordLimits  # noqa: E402
from tui.sources.feeds import LiveSource  # noqa: E402

FLAGS = (
    "-cache-leak-rate",
    "1500",
    "-chan-leak-rate",
    "3",
    "-chan-leak-initial",
    "60",
    "-parked",
    "-labels",
    "-idle-pool",
    "6",
    "-burst",
    "12",
    "-burst-every",
    "15s",
    "-heap-steady-mb",
    "4",
)


async def watch(base: str, out: Path, seconds: float, interval: float) -> int:
    config = Config(target=base, interval=interval)
    source = LiveSource(config, record_dir=out, record_limits=RecordLimits(max_bytes=64 * 1024 * 1024))
    task = asyncio.ensure_future(source.run())
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=seconds)
    except asyncio.TimeoutError:
        pass
    await cancel_and_wait(task)
    assert source.recorder is not None
    return source.recorder.writer.records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--go", default="go")
    ap.add_argument("--seconds", type=float, default=240.0)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--out", type=Path, default=ROOT / "tui" / "demo")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "target"
        build(args.go, binary)
        proc = subprocess.Popen([str(binary), *FLAGS], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            line = proc.stdout.readline().decode().strip()
            if not line.startswith("LISTENING "):
                raise SystemExit(f"target did not start: {line!r}")
            base = f"http://{line.split()[1]}/debug/pprof/"
            staging = Path(tmp) / "recording"
            print(f"{go_version(args.go)}: recording {base} for {args.seconds:.0f} s", file=sys.stderr)
            records = asyncio.run(watch(base, staging, args.seconds, args.interval))
        finally:
            proc.kill()
            proc.wait()
        # The demo names no host or port: the meta's target is a fixed label.
        meta = staging / "meta.json"
        text = meta.read_text().replace(f'"{base.split("//", 1)[1].split("/", 1)[0]}"', '"demo-target:6060"')
        meta.write_text(text)
        old = args.out.with_name(args.out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if args.out.exists():
            args.out.rename(old)
        shutil.copytree(staging, args.out)
        shutil.rmtree(old, ignore_errors=True)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{records} records, {size / 1e6:.2f} MB in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
