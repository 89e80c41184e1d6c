"""The bundled demo: a small recording shipped as package data, replayed with no Go and no network."""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tui import cli
from tui.commands.demo import demo_recording, demo_source
from tui.recording.format import META_NAME, list_segments, open_recording
from tui.sources.feeds import ReplaySource

ROOT = Path(__file__).resolve().parents[2]
MAX_DEMO_BYTES = 1_500_000


def test_demo_recording_is_package_data_small_and_clean():
    entry = demo_recording()
    names = {e.name for e in entry.iterdir()}
    assert META_NAME in names and list_segments(entry)
    size = sum(len(e.read_bytes()) for e in entry.iterdir() if e.is_file())
    assert size < MAX_DEMO_BYTES
    rec = open_recording(entry)
    assert rec.torn_segments == 0
    assert "127.0.0.1" not in rec.label and rec.label == "demo-target:6060"
    eps = set(rec.endpoints())
    assert {"index", "heap", "heap?debug=1", "goroutine?debug=2"} <= eps


async def test_demo_replays_with_growing_goroutines_and_heap():
    source = demo_source(speed=math.inf, loop=False)
    seen = []
    source.on_snapshot = seen.append
    await asyncio.wait_for(source.start(), 60)
    assert source.finished and source.duration > 120
    last = seen[-1]
    goroutines = last.history.values("goroutines")
    heap = last.history.values("mem.heap_inuse")
    assert len(goroutines) > 50 and goroutines[-1] > goroutines[0] + 100
    assert heap[-1] > 2 * heap[0]
    chan_send = [g for g in last.goroutine_groups if g.reason == "chan send"]
    assert chan_send and chan_send[0].count > 100
    assert any(g.leaked for g in chan_send)  # Go 1.27 proves the leak (goroutineleak)
    assert any(b.min_minutes and b.min_minutes >= 1 for g in last.goroutine_groups for b in g.buckets)
    assert last.heap is not None and any("LFUCache" in name for name in last.heap.functions.names)


@pytest.mark.parametrize("argv", [[], ["--demo"], ["demo"], ["--demo", "--speed", "10"]])
def test_no_arguments_and_demo_flag_start_the_demo(argv, monkeypatch):
    started = []

    class FakeApp:
        def __init__(self, source):
            self.source = source

        def run(self):
            started.append(self.source)

    import tui.app

    monkeypatch.setattr(tui.app, "build_app", FakeApp)
    assert cli.main(argv) == 0
    (source,) = started
    assert isinstance(source, ReplaySource) and source.loop
    assert source.speed == (10.0 if "10" in argv else 1.0)
    assert source.label.startswith("demo")


def test_cli_shortcuts_for_files_and_recordings(tmp_path):
    rec = tmp_path / "rec"
    rec.mkdir()
    (rec / META_NAME).write_text("{}")
    assert cli.rewrite_argv([str(rec)]) == ["replay", str(rec)]
    assert cli.rewrite_argv(["heap.pb.gz", "dump.txt"]) == ["open", "heap.pb.gz", "dump.txt"]
    assert cli.rewrite_argv(["watch", "h:1"]) == ["watch", "h:1"]
    assert cli.rewrite_argv(["--version"]) == ["--version"]


def test_demo_is_in_the_built_wheel(tmp_path):
    """A fresh install gets the demo: build the wheel and look for the recording in it."""
    src = tmp_path / "src"  # build from a copy: setuptools writes build/ and *.egg-info next to the sources
    shutil.copytree(ROOT / "tui", src / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0 and "No module named" in out.stderr:
        pytest.skip(f"cannot build a wheel here: {out.stderr.strip()[-200:]}")
    assert out.returncode == 0, out.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tui/demo/meta.json" in names
    assert any(n.startswith("tui/demo/seg-") and n.endswith(".rec") for n in names)
