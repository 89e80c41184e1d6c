"""Issue #25: `attach` to a long, big session shows *now* first. How long until the newest poll is on
screen, and until the whole history is read behind it.

    python3 tests/benchmarks/bench_attach_now.py [--goroutines 100000] [--record-seconds 120]
        [--minutes 40] [--dump-every 120] [--whole]

The Go test target (built from tests/target) runs with `--goroutines` leaked goroutines (growing by 40/s),
`pprof-tui record --stw-budget B` polls it for `--record-seconds` (at the default 1 % budget a
100k-goroutine target gets no dump at all — the tree is inferred from stacks — so the default B is 5 %:
the history holds real 100k dumps to parse, like a session that grew to 100k with dumps on the way), and
one more goroutine?debug=2 dump is taken (timed). That recording is copied end to end into a `--minutes`
long one (with the timed dump added every `--dump-every` s if asked). A
`FollowSource` (the one `attach` uses, no UI) is attached to it: the time to its first snapshot (the
newest poll, "catching up"), and with `--whole` to the end of the history (then it is live).

Measured (2 cores shared with other work; see the report in the commit that added this file).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui.model import snapshot as snap  # noqa: E402
from tui.recording.format import RecordHeader, open_recording  # noqa: E402
from tui.recording.writer import RecordingWriter  # noqa: E402
from tui.sessions.follow import FollowSource  # noqa: E402


def build_target(out: Path) -> Path:
    go = shutil.which("go")
    if go is None:
        raise SystemExit("go is not on PATH")
    binary = out / "target"
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=ROOT / "tests" / "target", check=True)
    return binary


def record_target(base: Path, goroutines: int, seconds: float, budget: float) -> tuple[Path, bytes, float]:
    """(short recording, one debug=2 dump, its cost in s)."""
    binary = build_target(base)
    target = subprocess.Popen(
        [str(binary), "-chan-leak-initial", str(goroutines), "-chan-leak-rate", "40", "-parked", "-labels"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert target.stdout is not None
        addr = target.stdout.readline().split()[-1].replace("http://", "").split("/")[0]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        rec = base / "short"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tui",
                "record",
                addr,
                str(rec),
                "--duration",
                str(seconds),
                "--stw-budget",
                str(budget),
            ],
            env=env,
            cwd=ROOT,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        start = time.perf_counter()
        with urllib.request.urlopen(f"http://{addr}/debug/pprof/goroutine?debug=2", timeout=120) as answer:
            dump = answer.read()
        cost = time.perf_counter() - start
    finally:
        target.kill()
        target.wait()
    return rec, dump, cost


def long_recording(base: Path, short: Path, minutes: float, dump: bytes, dump_cost: float, dump_every: float) -> Path:
    recording = open_recording(short)
    records = recording.records
    bodies = [r.read_body() for r in records]
    t0 = records[0].header.t
    span = records[-1].header.t - t0 + 2.0
    copies = max(1, round(minutes * 60 / span))
    poll = recording.meta.get("poll")  # the recorded budget: the replay schedules dumps as the recorder did
    writer = RecordingWriter(
        base / "long", target="bench:100k", interval=2.0, poll=poll if isinstance(poll, dict) else None
    )
    next_dump = t0 + 30.0
    for k in range(copies):
        shift = k * span
        for ref, body in zip(records, bodies):
            header = dataclasses.replace(ref.header, t=ref.header.t + shift, wall=ref.header.wall + shift)
            writer.append(header, body)
            if dump_every > 0 and header.ep == "index" and header.t >= next_dump:
                writer.append(
                    RecordHeader(
                        t=header.t + 0.05,
                        dt=dump_cost,
                        wall=header.wall + 0.05,
                        ep="goroutine?debug=2",
                        status=200,
                        elapsed=dump_cost,
                        wire=len(dump),
                        ctype="text/plain; charset=utf-8",
                    ),
                    dump,
                )
                next_dump = header.t + dump_every
    writer.close()
    return base / "long"


async def attach(directory: Path, whole: bool) -> None:
    newest_index = max(r.header.t for r in open_recording(directory).records if r.header.ep == "index")
    source = FollowSource(directory)
    first: list[tuple[float, snap.Snapshot]] = []

    tree: list[tuple[float, snap.Snapshot]] = []

    def seen(s: snap.Snapshot) -> None:
        if not first and s.state != snap.HISTORY:
            first.append((time.perf_counter(), s))
        if not tree and s.state != snap.HISTORY and s.goroutine_groups:
            tree.append((time.perf_counter(), s))

    source.on_snapshot = seen
    start = time.perf_counter()
    source.start()
    try:
        while not first:
            await asyncio.sleep(0.01)
        at, shown = first[0]
        print(
            f"first snapshot shown after {at - start:.2f} s: state {shown.state!r}, "
            f"{shown.goroutine_total:,} goroutines, at recording time {shown.time:.0f} "
            f"(newest index tick {newest_index:.0f}); status {shown.status!r}"
        )
        while not tree and not source.caught_up:
            await asyncio.sleep(0.01)
        if tree:
            at, shown = tree[0]
            age = shown.age(snap.GOROUTINE_TREE).age
            print(
                f"newest goroutine tree shown after {at - start:.2f} s: "
                f"{sum(g.count for g in shown.goroutine_groups):,} goroutines, {age or 0:.0f} s old"
            )
        if whole:
            while not source.caught_up:
                await asyncio.sleep(0.1)
            print(f"whole history read after {time.perf_counter() - start:.1f} s ({source.snapshots} polls)")
    finally:
        await source.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--goroutines", type=int, default=100_000)
    parser.add_argument("--record-seconds", type=float, default=120.0)
    parser.add_argument("--minutes", type=float, default=40.0)
    parser.add_argument("--stw-budget", type=float, default=0.05, help="the recorder's (default 0.05: it dumps)")
    parser.add_argument("--dump-every", type=float, default=0.0, help="also add the one timed dump every N s")
    parser.add_argument("--whole", action="store_true", help="also wait for the whole history")
    parser.add_argument("--keep", metavar="DIR", help="keep the recordings in DIR (and reuse them there)")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp())
    base.mkdir(parents=True, exist_ok=True)
    try:
        long = base / "long"
        if not long.is_dir():
            short, dump, cost = record_target(base, args.goroutines, args.record_seconds, args.stw_budget)
            print(f"recorded {args.record_seconds:.0f} s; one debug=2 dump: {len(dump) / 1e6:.1f} MB, {cost:.2f} s")
            long_recording(base, short, args.minutes, dump, cost, args.dump_every)
        records = open_recording(long).records
        print(f"{(records[-1].header.t - records[0].header.t) / 60:.1f} min history, {len(records)} records")
        asyncio.run(attach(long, args.whole))
    finally:
        if not args.keep:
            shutil.rmtree(base)


if __name__ == "__main__":
    main()
