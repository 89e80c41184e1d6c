"""Opening a huge goroutine dump (issue #31, item 3): the first frame comes before the parse, which runs
in the parse worker's child process; `q` while it parses quits at once and kills the child. A dump with a
wait reason per goroutine (one group per reason) is generated in the test."""

from __future__ import annotations

import os
import time

from tests.tui.waiting import wait_for
from tui.app import build_app
from tui.model import snapshot as snap
from tui.sources.offline import OfflineSource


def reasons_dump(path, n: int) -> None:
    path.write_text("".join(f"goroutine {i} [r{i}]:\nmain.f()\n\t/x.go:1 +0x1\n\n" for i in range(1, n + 1)))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def test_q_while_a_big_dump_parses_quits_and_kills_the_parse(tmp_path):
    path = tmp_path / "reasons.txt"
    reasons_dump(path, 400_000)  # 20 MB: seconds of parse
    source = OfflineSource([str(path)])
    seen: list[snap.Snapshot] = []
    assert "parsing reasons.txt" in source.snapshot.status  # not parsed before the app is up
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: source._worker is not None and bool(source._worker.pids))
        pids = source._worker.pids
        seen.append(source.latest)
        await pilot.press("q")
    assert "parsing" in seen[0].status and seen[0].goroutine_total is None
    end = time.monotonic() + 10  # SIGKILL'd on the way out: gone once the kernel has reaped it
    while any(alive(pid) for pid in pids) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


async def test_a_big_dump_parsed_after_start_is_shown_whole(tmp_path):
    path = tmp_path / "reasons.txt"
    reasons_dump(path, 60_000)  # 3 MB: over the worker's 2 MiB
    source = OfflineSource([str(path)])
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    assert task is not None
    await task
    await source.stop()
    final = seen[-1]
    assert final.state == "offline" and "parsing" not in final.status
    assert final.goroutine_total == 60_000 and len(final.goroutine_groups) == 257  # 256 reasons + the rest
