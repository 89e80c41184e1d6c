"""`check` and `replay` on every crafted recording (tests/unit/crafted_recordings.py), timed (issue #31).

    python3 tests/benchmarks/bench_crafted_recordings.py [NAME ...]

For each: `python -m tui check DIR` as a subprocess (wall time, exit status, peak RSS from wait4, the
notes it printed), and the replay as the `replay` command plays it at --speed max (ReplaySource, the
real poller on the virtual clock) in a fresh child. Goal: each within 10 s with a clear message.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.unit.crafted_recordings import CRAFTED  # noqa: E402

REPLAY = """
import asyncio, math, sys
from tui.sources.feeds import ReplaySource
async def main():
    s = ReplaySource(sys.argv[1], speed=math.inf)
    await s.start()
    await s.stop()
    print((s.latest.status if s.latest else "")[:160])
asyncio.run(main())
"""


def timed(cmd: list[str], timeout: float = 120.0) -> tuple[float, str, str]:
    """(wall seconds, exit status or TIMEOUT, the first note or error line it printed)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.monotonic() - t0, "TIMEOUT", ""
    took = time.monotonic() - t0
    text = proc.stdout.decode("utf-8", "replace")
    note = next((line for line in text.splitlines() if "stopped" in line or "limit" in line or "error" in line), "")
    return took, str(proc.returncode), note[:110]


def main() -> int:
    only = set(sys.argv[1:])
    worst = 0.0
    for name, make in CRAFTED.items():
        if only and name not in only:
            continue
        tmp = Path(tempfile.mkdtemp(prefix="crafted-"))
        try:
            d = tmp / name
            make(d)
            c_took, c_rc, c_note = timed([sys.executable, "-m", "tui", "check", str(d)])
            r_took, _, r_note = timed([sys.executable, "-c", REPLAY, str(d)])
            worst = max(worst, c_took, r_took)
            print(
                f"{name:26s} check {c_took:5.1f} s exit {c_rc:7s} | replay {r_took:5.1f} s  {c_note or r_note}",
                flush=True,
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"slowest: {worst:.1f} s (goal 10 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
