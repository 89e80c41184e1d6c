"""Sessions (issue #17): how long `attach` takes to read a long history, and what a session process
costs compared with `record`.

    python3 tests/benchmarks/bench_sessions.py attach [--hours 4]
    python3 tests/benchmarks/bench_sessions.py cost [--seconds 40]

`attach`: a 20-minute recording of the unit tests' fake target (2 s polls) is made with the real poller
and tap, copied end to end into a `--hours` long one, and a `FollowSource` (no UI) attached to it: the
time to its first snapshot and to the end of the history (then it is live).
`cost`: the Go test target (built by the e2e fixtures into ~/.cache/pprof-tui-tests/) polled every 0.5 s by
`record`, then by a session, one after the other: CPU share and RSS of each process.

Measured (2 cores, other work running): a 4-hour history (7,200 polls, 20,364 records, 38 MB): first
snapshot 0.75–0.92 s (the tail's first scan of every segment), whole history 33.6–41.6 s (~170–215 polls/s
through the poller: every body is parsed again; the issue's ≤ 1 s to a full screen of the whole history
needs an index of precomputed history, not done), 71 MB max RSS. Cost at 0.5 s
polls: `record` 2.5 % CPU, 61 MB; a session 2.9 % CPU, 63 MB (status.json rewritten each poll).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.unit.test_replay import CONFIG, live_run  # noqa: E402
from tui.recording.format import open_recording  # noqa: E402
from tui.recording.writer import RecordingWriter  # noqa: E402
from tui.sessions.follow import FollowSource  # noqa: E402


def long_recording(base: Path, hours: float) -> Path:
    asyncio.run(live_run(base / "short", ticks=600))
    records = open_recording(base / "short").records
    span = records[-1].header.t - records[0].header.t + CONFIG.interval
    copies = max(1, round(hours * 3600 / span))
    writer = RecordingWriter(base / "long", target="fake:1", interval=CONFIG.interval)
    bodies = [r.read_body() for r in records]
    for k in range(copies):
        for ref, body in zip(records, bodies):
            shift = k * span
            writer.append(dataclasses.replace(ref.header, t=ref.header.t + shift, wall=ref.header.wall + shift), body)
    writer.close()
    return base / "long"


async def attach_once(directory: Path) -> tuple[float, float, int]:
    source = FollowSource(directory, config=CONFIG)
    first: list[float] = []
    source.on_snapshot = lambda s: first.append(time.perf_counter()) if not first else None
    start = time.perf_counter()
    source.start()
    while not source.caught_up:
        await asyncio.sleep(0.01)
    done = time.perf_counter()
    await source.stop()
    return first[0] - start, done - start, source.snapshots


def bench_attach(hours: float) -> None:
    base = Path(tempfile.mkdtemp())
    try:
        directory = long_recording(base, hours)
        records = open_recording(directory).records
        covers = (records[-1].header.t - records[0].header.t) / 3600
        first, whole, polls = asyncio.run(attach_once(directory))
        print(
            f"{covers:.2f} h history, {polls} polls, {len(records)} records: first snapshot {first:.2f} s, whole history {whole:.1f} s"
        )
    finally:
        shutil.rmtree(base)


def _usage(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS"))
    return cpu, int(rss.split()[1]) / 1024


def _measure(pid: int, seconds: float) -> tuple[float, float]:
    time.sleep(5)  # start-up
    cpu0, _ = _usage(pid)
    start = time.monotonic()
    peak = 0.0
    while time.monotonic() - start < seconds:
        time.sleep(1)
        peak = max(peak, _usage(pid)[1])
    return (_usage(pid)[0] - cpu0) / (time.monotonic() - start), peak


def bench_cost(seconds: float) -> None:
    from tui.sessions.launch import start_session
    from tui.sessions.state import stop_session

    binary = sorted(Path.home().glob(".cache/pprof-tui-tests/*/target"), key=lambda p: p.stat().st_mtime)[-1]
    target = subprocess.Popen(
        [str(binary), "-chan-leak-rate", "5", "-parked", "-cache-leak-rate", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert target.stdout is not None
    addr = target.stdout.readline().split()[-1].replace("http://", "").split("/")[0]
    base = Path(tempfile.mkdtemp())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        rec = subprocess.Popen(
            [sys.executable, "-m", "tui", "record", addr, str(base / "rec"), "--interval", "0.5"],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        cpu, rss = _measure(rec.pid, seconds)
        rec.terminate()
        rec.wait()
        print(f"record : {cpu * 100:.1f} % CPU, {rss:.0f} MB RSS")
        session = start_session(base / "state", "bench", [addr, "--interval", "0.5"])
        cpu, rss = _measure(int(session.info["pid"]), seconds)
        stop_session(session)
        print(f"session: {cpu * 100:.1f} % CPU, {rss:.0f} MB RSS")
    finally:
        target.kill()
        shutil.rmtree(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("attach").add_argument("--hours", type=float, default=4.0)
    sub.add_parser("cost").add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    if args.what == "attach":
        bench_attach(args.hours)
    else:
        bench_cost(args.seconds)


if __name__ == "__main__":
    main()
