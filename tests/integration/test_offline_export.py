"""`s` export: raw bodies of the current snapshot into a new directory; the heap opens in go tool pprof."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import subprocess

import pytest

from tests.conftest import find_go, fixture_path
from tui.config import Config
from tui.fetch.fetcher import FetchResult
from tui.heap.decode import decode_profile
from tui.recording.export import SCREENSHOT_NAME, save_snapshot
from tui.recording.tap import Body, LatestBodies, endpoint_key
from tui.sources.feeds import LiveSource, ReplaySource
from tui.sources.offline import OfflineSource


class FixtureTarget:
    """Serves the go1.27 captures the way TargetClient returns them (heap gunzipped)."""

    def __init__(self) -> None:
        d = fixture_path("go1.27", "index.html").parent
        self.bodies = {
            "index": (d / "index.html").read_bytes(),
            "cmdline": b"/srv/app\x00--secret-flag=1",
            "heap?debug=1": (d / "heap_debug1.txt").read_bytes(),
            "heap": gzip.decompress((d / "heap.pb.gz").read_bytes()),
            "goroutine?debug=1": (d / "goroutine_debug1.txt").read_bytes(),
            "goroutine": (d / "goroutine.pb.gz").read_bytes(),
            "goroutine?debug=2": (d / "goroutine_debug2.txt").read_bytes(),
            "goroutineleak?debug=1": (d / "goroutineleak_debug1.txt").read_bytes(),
            # the index lists mutex and block: our target's captures (tests/fixtures/profiles/)
            "mutex": gzip.decompress((d.parent / "profiles" / "go1.27" / "mutex.pb.gz").read_bytes()),
            "block": gzip.decompress((d.parent / "profiles" / "go1.27" / "block.pb.gz").read_bytes()),
        }

    async def get(self, path, *, params=None, **_):
        key = endpoint_key(path, params)
        await asyncio.sleep(0)
        body = self.bodies[key]
        return FetchResult(key, 200, body, len(body), 0.001, "application/octet-stream")

    async def aclose(self):
        return None


def go_pprof_top(path) -> str:
    go = find_go()
    if go is None:
        pytest.skip("`go` not on PATH: cannot check the export with go tool pprof")
    out = subprocess.run([go, "tool", "pprof", "-top", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_offline_export_writes_each_body_under_its_name(tmp_path):
    names = [
        "heap.pb.gz",
        "heap_debug1.txt",
        "goroutine_debug2.txt",
        "goroutine_debug1.txt",
        "index.html",
        "goroutineleak_debug2.txt",
    ]
    source = OfflineSource([str(fixture_path("go1.27", n)) for n in names])
    out = source.save(tmp_path / "exports")
    assert out.parent == tmp_path / "exports" and out.name.startswith("pprof-tui-")
    for name in names:
        assert (out / name).read_bytes() == fixture_path("go1.27", name).read_bytes(), name
    meta = json.loads((out / "meta.json").read_text())
    assert set(meta["files"]) == set(names)
    assert meta["source"] == "offline" and meta["screenshot"] == SCREENSHOT_NAME
    again = source.save(tmp_path / "exports")
    assert again != out and again.is_dir()  # never overwrites an earlier export


async def test_live_export_gzips_the_heap_and_leaves_out_the_command_line(tmp_path):
    source = LiveSource(Config(interval=1.0), client=FixtureTarget())
    done = asyncio.Event()
    source.on_snapshot = lambda s: done.set()
    source.start()
    await asyncio.wait_for(done.wait(), 20)
    await source.stop()
    out = source.save(tmp_path)
    files = {p.name for p in out.iterdir()}
    assert {"heap.pb.gz", "heap_debug1.txt", "index.html", "meta.json"} <= files
    assert not any("cmdline" in f for f in files)
    heap = (out / "heap.pb.gz").read_bytes()
    assert heap[:2] == b"\x1f\x8b"
    expected = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    assert decode_profile(heap).totals() == expected.totals()
    assert "--secret-flag" not in "".join(p.read_text(errors="replace") for p in out.iterdir())


async def test_replay_export_heap_opens_in_go_tool_pprof(tmp_path):
    rec = tmp_path / "rec"
    live = LiveSource(Config(interval=1.0), client=FixtureTarget(), record_dir=rec)
    count = 0
    done = asyncio.Event()

    def on_snapshot(_):
        nonlocal count
        count += 1
        if count >= 3:
            done.set()

    live.on_snapshot = on_snapshot
    live.start()
    await asyncio.wait_for(done.wait(), 20)
    await live.stop()
    replay = ReplaySource(rec, speed=math.inf)
    await asyncio.wait_for(replay.start(), 20)
    out = replay.save(tmp_path / "exports")
    assert json.loads((out / "meta.json").read_text())["source"] == "replay"
    text = go_pprof_top(out / "heap.pb.gz")
    assert "inuse_space" in text and "flat%" in text
    assert "main.(*LFUCache)" in text


def test_save_snapshot_skips_unknown_names_safely(tmp_path):
    bodies = LatestBodies()
    bodies.put(Body("threadcreate?debug=1", b"x", "", 0.0, 0.0))
    bodies.put(Body("../../etc/passwd", b"y", "", 0.0, 0.0))
    bodies.put(Body("cmdline", b"z", "", 0.0, 0.0))
    out = save_snapshot(tmp_path, bodies, target="h:1/../x", now=0.0)
    assert out.parent == tmp_path
    assert sorted(p.name for p in out.iterdir()) == ["etc_passwd.bin", "meta.json", "threadcreate_debug_1.bin"]


def test_latest_bodies_keep_big_bodies_packed_and_give_them_back_whole():
    import os
    import time as _time

    bodies = LatestBodies(pack_above=1000)
    big = b"goroutine 1 [chan send]:\n" * 4000 + os.urandom(100)
    bodies.put(Body("goroutine?debug=2", big, "text/plain", 1.0, 2.0))
    bodies.put(Body("index", b"small", "text/html", 1.0, 2.0))
    deadline = _time.monotonic() + 10
    while "goroutine?debug=2" not in bodies._packed and _time.monotonic() < deadline:
        _time.sleep(0.01)
    assert "goroutine?debug=2" in bodies._packed  # held compressed
    assert len(bodies._packed["goroutine?debug=2"][1]) < len(big) // 10
    assert bodies.get("goroutine?debug=2").body == big  # and given back whole
    assert set(bodies.all()) == {"goroutine?debug=2", "index"} and len(bodies) == 2
    newer = Body("goroutine?debug=2", b"x" * 2000, "text/plain", 3.0, 4.0)
    bodies.put(newer)
    assert bodies.get("goroutine?debug=2").body == b"x" * 2000  # the newest wins over a packed older one
