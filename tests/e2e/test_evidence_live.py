"""Incident bundles against the real Go target with both leaks on, which also echoes our credentials
back (`-echo-auth`: a goroutine labelled with the Authorization value):

- in-process (what `check --evidence` and a foreground watch do): a bundle for each leak within 10 s
  of its verdict; every profile in it opens in `go tool pprof`; the README's commands run as written;
  no file holds the token, nor does `pprof-tui bundle --tar`'s archive;
- a background session writes them into its directory by itself, `sessions` counts them, and a UI's
  request (E, r) gets one within seconds.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from tui.config import build_config
from tui.evidence import readme as names
from tui.evidence.capture import Evidence, for_config, request_capture
from tui.evidence.listing import BundleInfo, list_bundles
from tui.leaks.tracker import LeakTracker
from tui.model import snapshot as snap
from tui.sources.feeds import LiveSource

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SECRET = "Evid3nce-T0ken-5a9c1e"
CHAN_LEAF = "main.(*Dispatcher).deliver"
CACHE_FUNC = "main.(*LFUCache).increment"
LEAKS = ("-chan-leak-rate", "1", "-cache-leak-rate", "1000", "-heap-steady-mb", "2", "-echo-auth")
WATCH_LIMIT = 240.0


class Watch:
    """The poller, the tracker and an Evidence, as `check --evidence` drives them."""

    def __init__(self, addr: str, root: Path) -> None:
        config = build_config({"target": addr, "interval": 1.0}, env={"PPROF_TUI_TOKEN": SECRET})
        self.source = LiveSource(config)
        self.tracker = LeakTracker()
        self.fired: dict[str, float] = {}  # verdict label -> monotonic time its first failing report came
        self.written: dict[Path, float] = {}
        self.evidence: Evidence = for_config(root, self.source.bodies, config)
        self.evidence.on_written = lambda path: self.written.setdefault(path, time.monotonic())
        self.source.on_snapshot = self.on_snapshot

    def on_snapshot(self, s: snap.Snapshot) -> None:
        self.evidence.observe(s)
        for f in self.evidence.on_report(self.tracker.feed(s)):
            self.fired.setdefault(f.verdict.label, time.monotonic())

    def bundle_for(self, prefix: str) -> BundleInfo | None:
        for b in list_bundles(self.evidence.root):
            if any(v.label.startswith(prefix) for v in b.verdicts):
                return b
        return None


def _files(bundle: Path) -> dict[str, bytes]:
    out = {}
    for f in bundle.iterdir():
        data = f.read_bytes()
        out[f.name] = gzip.decompress(data) if f.name.endswith(".gz") else data
    return out


def _readme_commands(bundle: Path) -> list[str]:
    text = (bundle / names.README).read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None, text
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def _run_as_written(command: str, cwd: Path) -> None:
    env = dict(os.environ, BROWSER="true")  # the -http commands: no browser here
    if "-http=" in command:
        proc = subprocess.Popen(
            command, shell=True, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            assert proc.stderr is not None
            line = ""
            end = time.monotonic() + 120
            while "Serving web UI" not in line and time.monotonic() < end and proc.poll() is None:
                line = proc.stderr.readline()
            assert "Serving web UI" in line, f"{command}: {line}"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the shell, go and the pprof it runs
            proc.wait()
        return
    done = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, timeout=180)
    assert done.returncode == 0 and done.stdout, f"{command}: {done.stderr[-500:]!r}"


async def test_a_bundle_for_each_leak_within_10_s_that_opens_and_holds_no_secret(go_target, tmp_path):
    target = go_target(*LEAKS)
    watch = Watch(target.addr, tmp_path / "ev")
    task = watch.source.start()
    try:
        end = time.monotonic() + WATCH_LIMIT
        while time.monotonic() < end and not (watch.bundle_for(CHAN_LEAF) and watch.bundle_for(CACHE_FUNC)):
            await asyncio.sleep(0.5)
    finally:
        await watch.source.stop()
        task.cancel()
        await asyncio.to_thread(watch.evidence.close, 30.0)
    # the target did echo the token (so the bundle had it to leak): its goroutine profile shows it
    assert SECRET.encode() in target.get("goroutine?debug=1")
    assert watch.evidence.errors == []
    delays = {}
    for prefix in (CHAN_LEAF, CACHE_FUNC):
        bundle = watch.bundle_for(prefix)
        assert bundle is not None, f"no bundle for {prefix}: fired {watch.fired}"
        label = next(v.label for v in bundle.verdicts if v.label.startswith(prefix))
        delays[prefix] = watch.written[bundle.path] - watch.fired[label]
        assert delays[prefix] <= 10.0, delays
    print(f"bundle written after its verdict: {delays}")
    for bundle in list_bundles(watch.evidence.root):
        files = _files(bundle.path)
        for name, data in files.items():
            assert SECRET.encode() not in data, name
        for name in files:
            if name.endswith(".pb.gz"):
                _run_as_written(f"go tool pprof -top {name}", bundle.path)
        for command in _readme_commands(bundle.path):
            _run_as_written(command, bundle.path)
        tar = tmp_path / f"{bundle.name}.tar.gz"
        env = dict(os.environ, PPROF_TUI_TOKEN=SECRET)
        done = subprocess.run(
            [sys.executable, "-m", "tui", "bundle", str(bundle.path), "--tar", str(tar)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        with tarfile.open(tar) as archive:
            for member in archive.getmembers():
                fh = archive.extractfile(member)
                assert fh is not None
                data = fh.read()
                data = gzip.decompress(data) if member.name.endswith(".gz") else data
                assert SECRET.encode() not in data, member.name
                assert member.uname == "" and member.name.startswith(bundle.name + "/")


async def test_a_session_writes_bundles_by_itself_and_on_request(go_target, tmp_path):
    from tui.commands import sessions as sessions_cmd
    from tui.sessions.launch import start_session
    from tui.sessions.state import stop_session

    target = go_target(*LEAKS)
    root = tmp_path / "state"
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    session = start_session(root, "ev-1", [target.addr, "--interval", "1", "--token-file", str(token)])
    try:
        evidence = session.evidence
        end = time.monotonic() + WATCH_LIMIT
        while time.monotonic() < end and len({v.label for b in list_bundles(evidence) for v in b.verdicts}) < 2:
            await asyncio.sleep(1.0)
        labels = {v.label for b in list_bundles(evidence) for v in b.verdicts}
        assert any(label.startswith(CHAN_LEAF) for label in labels), labels
        assert any(label.startswith(CACHE_FUNC) for label in labels), labels
        before = len(list_bundles(evidence))
        asked = time.monotonic()
        request_capture(evidence)
        while time.monotonic() < asked + 30 and len(list_bundles(evidence)) == before:
            await asyncio.sleep(0.2)
        assert [b.why for b in list_bundles(evidence)][-1] == "asked"
        print(f"a requested bundle came after {time.monotonic() - asked:.1f} s")
        row = sessions_cmd.rows(str(root))[0]
        assert row[0] == "ev-1" and int(row[6]) == before + 1
        for b in list_bundles(evidence):
            for name, data in _files(b.path).items():
                assert SECRET.encode() not in data, name
    finally:
        stop_session(session)
    urllib.request.urlopen(target.base_url, timeout=10).close()  # the target outlived the session
