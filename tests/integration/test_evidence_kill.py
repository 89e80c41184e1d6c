"""A bundle whose writer is SIGKILLed mid-write (a real process killed) is never listed, and is pruned
once its pid is gone (tui/evidence/listing.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tui.evidence.listing import PARTIAL_PREFIX, list_bundles, prune

WRITER = """
import os, sys, time
from pathlib import Path
p = Path(sys.argv[1]) / f".partial-x-{os.getpid()}"
p.mkdir()
(p / "heap-now.pb.gz").write_bytes(b"half")
print("written", flush=True)
time.sleep(60)
"""


def test_a_bundle_killed_mid_write_is_never_listed_and_is_pruned(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"written\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = tmp_path / f"{PARTIAL_PREFIX}x-{proc.pid}"
    assert partial.is_dir() and list_bundles(tmp_path) == ()
    assert prune(tmp_path, max_bundles=5, max_bytes=1 << 30) == [partial]
    assert not partial.exists()
