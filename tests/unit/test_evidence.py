"""Incident bundles (tui/evidence): the trigger, the kept baseline bodies, the writer on real captures,
crash safety (a writer SIGKILLed mid-bundle), the caps and the masking of our credentials."""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from pathlib import Path

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tui.evidence import readme as names
from tui.evidence.bundle import BundleLimits, Incident, write_bundle
from tui.evidence.capture import Evidence
from tui.evidence.keeper import BodyKeeper, memstats_trailer
from tui.evidence.listing import list_bundles
from tui.evidence.trigger import FIRST, Fired, Trigger, fails
from tui.goroutines.match_keys import match_key
from tui.leaks.growth import GROWING, LEAKED, STUCK, Verdict
from tui.leaks.tracker import LeakTracker
from tui.model.snapshot import Snapshot
from tui.recording.tap import Body, LatestBodies

SECRET = "s3cr3t-token-value"


def verdict(kind: str = GROWING, key: str = "k1", rate: float = 50.0, unit: str = "goroutines") -> Verdict:
    return Verdict(kind, key, f"main.worker [{kind}]", rate, 500.0, 10.0, f"{kind}: +{rate}/min over 3 min", unit)


def gz_fixture(name: str) -> bytes:
    return gzip.decompress(fixture_path("go1.27", name).read_bytes())


def test_fails_follows_check_fail_on() -> None:
    assert fails(verdict(GROWING), ("growing",))
    assert not fails(verdict(STUCK), ("growing", "leaked-growing"))
    assert fails(verdict(LEAKED, rate=3), ("leaked-growing",))
    assert not fails(verdict(LEAKED, rate=0), ("leaked-growing",))


def test_trigger_fires_once_then_on_escalation_only() -> None:
    t = Trigger(("growing", "stuck", "leaked-growing"))
    first = t.update([verdict(STUCK)])
    assert [(f.verdict.kind, f.why) for f in first] == [(STUCK, FIRST)]
    assert t.update([verdict(STUCK)]) == ()  # still failing: nothing new
    assert t.update([]) == ()
    assert t.update([verdict(STUCK)]) == ()  # a flap does not write again
    up = t.update([verdict(GROWING)])
    assert [f.why for f in up] == ["escalated from stuck"]
    assert t.update([verdict(STUCK)]) == ()  # less severe again: nothing
    assert [f.why for f in t.update([verdict(LEAKED, rate=9)])] == ["escalated from growing"]
    t.forget()
    assert [f.why for f in t.update([verdict(STUCK)])] == [FIRST]


def test_trigger_ignores_what_does_not_fail() -> None:
    t = Trigger()  # growing, leaked-growing
    assert t.update([verdict(STUCK), verdict(LEAKED, rate=0)]) == ()


def put(bodies: LatestBodies, endpoint: str, data: bytes, at: float) -> None:
    bodies.put(Body(endpoint, data, "application/octet-stream", at, 1_700_000_000 + at))


def test_keeper_follows_the_baseline_time() -> None:
    bodies = LatestBodies()
    keeper = BodyKeeper(bodies, ring=2)
    put(bodies, "heap", b"first", 10.0)
    put(bodies, "heap?debug=1", b"records\n# runtime.MemStats\n# Alloc = 1\n", 10.5)
    keeper.observe(None)
    for i, t in enumerate((20.0, 30.0, 40.0)):
        put(bodies, "heap", f"h{i}".encode(), t)
        keeper.observe(None)
    keeper.observe(10.0)  # the tracker pinned on the first profile: kept though the ring moved on
    heap, stats = keeper.baseline()
    assert heap is not None and heap.body == b"first"
    assert stats is not None and stats.body.startswith(b"# runtime.MemStats")
    keeper.observe(39.0)  # `b`: pinned on the newest
    heap, _ = keeper.baseline()
    assert heap is not None and heap.body == b"h2"
    keeper.restarted()
    assert keeper.baseline() == (None, None)


def test_memstats_trailer_keeps_only_memstats() -> None:
    text = fixture_path("go1.27", "heap_debug1.txt").read_bytes()
    trailer = memstats_trailer(text)
    assert trailer.startswith(b"# runtime.MemStats") and b"# NumGC" in trailer
    assert len(trailer) < len(text) and len(trailer) < 8000


def real_snapshot(t: float = 100.0) -> Snapshot:
    dump = parse_debug2(fixture_path("go1.27", "goroutine_debug2.txt").read_text())
    return Snapshot(seq=1, time=t, target="t", state="live", goroutine_groups=group_goroutines(dump))


def biggest_stack_key(snapshot: Snapshot) -> str:
    stacks = [s for r in snapshot.goroutine_groups for b in r.buckets for s in b.stacks]
    return match_key(max(stacks, key=lambda s: s.count).frames)


def filled_bodies(secret: bytes = b"") -> LatestBodies:
    bodies = LatestBodies()
    heap = gz_fixture("heap.pb.gz")
    put(bodies, "heap", heap, 10.0)
    put(bodies, "heap?debug=1", fixture_path("go1.27", "heap_debug1.txt").read_bytes(), 10.0)
    put(bodies, "goroutine", gz_fixture("goroutine.pb.gz"), 90.0)
    put(bodies, "goroutine?debug=2", fixture_path("go1.27", "goroutine_debug2.txt").read_bytes() + secret, 95.0)
    return bodies


def incident(snapshot: Snapshot, fired: tuple[Fired, ...], report=None) -> Incident:
    report = report or dataclasses.replace(LeakTracker().report(snapshot.time), baseline_at=10.0)
    return Incident("verdict", fired, report, snapshot, 1_700_000_100.0, "127.0.0.1:6060")


def test_bundle_of_real_captures(tmp_path: Path) -> None:
    from tui.heap.decode import decode_profile

    heap = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    snapshot = dataclasses.replace(real_snapshot(), heap=heap)
    key = biggest_stack_key(snapshot)
    bodies = filled_bodies()
    keeper = BodyKeeper(bodies)
    keeper.observe(10.0)
    fired = (Fired(verdict(key=key), FIRST),)
    path = write_bundle(tmp_path, incident(snapshot, fired), bodies, keeper)
    files = {p.name for p in path.iterdir()}
    assert {names.HEAP_BASE, names.HEAP_NOW, names.GOROUTINES_PROTO, names.GOROUTINES_DEBUG2} <= files
    assert {names.MEMSTATS_BASE, names.MEMSTATS_NOW, names.STACKS, names.FINDINGS_TXT, names.FINDINGS_JSON} <= files
    assert {names.SERIES, names.README, "bundle.json", names.FLAME_HEAP, names.FLAME_HEAP_DIFF} <= files
    assert (path / names.FLAME_HEAP).read_text().startswith("<svg") and "main.(*LFUCache).increment" in (
        path / names.FLAME_HEAP
    ).read_text()
    assert gzip.decompress((path / names.HEAP_NOW).read_bytes()) == bodies.get("heap").body  # raw pprof
    stacks = (path / names.STACKS).read_text()
    assert "goroutines [" in stacks and "\t/" in stacks  # the group's frames with files
    readme = (path / names.README).read_text()
    assert f"go tool pprof -top -base {names.HEAP_BASE} {names.HEAP_NOW}" in readme
    assert "debug=2 (every goroutine), 5 s old" in readme
    assert json.loads((path / names.FINDINGS_JSON).read_text())["fired"][0]["key"] == key
    [info] = list_bundles(tmp_path)
    assert info.path == path and info.verdicts[0].key == key and info.size > 0
    assert info.summary.startswith("growing main.worker")


def test_old_dump_is_left_out_and_said(tmp_path: Path) -> None:
    bodies = filled_bodies()
    path = write_bundle(tmp_path, incident(real_snapshot(t=2000.0), ()), bodies, BodyKeeper(bodies))
    assert not (path / names.GOROUTINES_DEBUG2).exists()
    readme = (path / names.README).read_text()
    assert "goroutine dump: the goroutine profile (proto)" in readme and "min old" in readme
    assert "heap profile at the baseline: none kept yet" in readme


def test_dump_over_the_size_cap_falls_back_to_the_proto(tmp_path: Path) -> None:
    bodies = filled_bodies()
    limits = BundleLimits(max_bundle_bytes=12_000)
    path = write_bundle(tmp_path, incident(real_snapshot(), ()), bodies, BodyKeeper(bodies), limits=limits)
    assert not (path / names.GOROUTINES_DEBUG2).exists()
    assert "over the bundle's" in (path / names.README).read_text()


def test_secrets_masked_in_every_file(tmp_path: Path) -> None:
    bodies = filled_bodies(secret=f"\ngoroutine 99 [select] {{auth: {SECRET}}}:\n".encode())
    put(bodies, "heap", gz_fixture("heap.pb.gz") + SECRET.encode(), 11.0)
    forms = (SECRET.encode(),)
    path = write_bundle(tmp_path, incident(real_snapshot(), ()), bodies, BodyKeeper(bodies), secrets=forms)
    for f in path.iterdir():
        data = f.read_bytes()
        if f.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert SECRET.encode() not in data, f.name
    assert b"*" * len(SECRET) in gzip.decompress((path / names.HEAP_NOW).read_bytes())


def test_count_cap_prunes_the_oldest(tmp_path: Path) -> None:
    bodies = filled_bodies()
    limits = BundleLimits(max_bundles=2)
    made = []
    for i in range(3):
        inc = dataclasses.replace(incident(real_snapshot(), ()), wall=1_700_000_000.0 + i)
        made.append(write_bundle(tmp_path, inc, bodies, BodyKeeper(bodies), limits=limits))
    assert [b.path for b in list_bundles(tmp_path)] == made[1:]


def test_evidence_captures_in_its_own_thread(tmp_path: Path) -> None:
    bodies = filled_bodies()
    written: list[Path] = []
    ev = Evidence(tmp_path, bodies, target="t", on_written=written.append)
    snapshot = real_snapshot()
    ev.observe(snapshot)
    report = dataclasses.replace(LeakTracker().report(100.0), baseline_at=10.0)
    assert ev.on_report(report) == ()
    firing = dataclasses.replace(report, verdicts=(verdict(key=biggest_stack_key(snapshot)),))
    t0 = time.monotonic()
    assert len(ev.on_report(firing)) == 1
    assert time.monotonic() - t0 < 5  # not a timing goal: only that on_report did not write it (see below)
    assert ev.wait_idle(30)
    assert ev.on_report(firing) == ()  # once per verdict
    assert ev.capture_now()
    assert ev.wait_idle(30)
    ev.close()
    assert len(written) == 2 and [b.why for b in ev.bundles()] == ["verdict", "asked"]
    assert ev.bundled_keys == {firing.verdicts[0].key}
    assert ev.errors == []


@pytest.mark.parametrize("bad", [b"{", b'{"complete": false}', b"[]"])
def test_listing_skips_what_is_not_a_complete_bundle(tmp_path: Path, bad: bytes) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "bundle.json").write_bytes(bad)
    assert list_bundles(tmp_path) == ()


def test_foreground_watch_bundles_go_under_the_state_dir_or_evidence_dir(tmp_path: Path) -> None:
    import argparse

    from tui.commands.watch import foreground_evidence
    from tui.config import build_config
    from tui.sources.feeds import LiveSource

    source = LiveSource(build_config({"target": "127.0.0.1:9"}, env={"PPROF_TUI_TOKEN": SECRET}))
    ev = foreground_evidence(argparse.Namespace(evidence=None, state_dir=str(tmp_path)), source)
    assert ev.root.parent == tmp_path / "evidence" and ev.root.name.endswith("127.0.0.1_9")
    assert SECRET.encode() in ev.secrets and ev.cpu_endpoint == "profile?seconds=10"  # with its echoed forms
    ev = foreground_evidence(argparse.Namespace(evidence=str(tmp_path / "mine"), state_dir=None), source)
    assert ev.root == tmp_path / "mine"


def test_cpu_window_and_its_flame_when_cpu_watching_is_on(tmp_path: Path) -> None:
    from tui.heap.decode import decode_profile
    from tui.model.cpu import CpuState, CpuWindow

    raw = (Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "go1.27" / "cpu.pb.gz").read_bytes()
    bodies = filled_bodies()
    put(bodies, "profile?seconds=10", gzip.decompress(raw), 99.0)
    window = CpuWindow(decode_profile(raw), (), 0, 0, 10.0, 0)
    snapshot = dataclasses.replace(real_snapshot(), cpu=CpuState(on=True, window=window, window_at=99.0))
    inc = dataclasses.replace(incident(snapshot, ()), cpu_endpoint="profile?seconds=10")
    path = write_bundle(tmp_path, inc, bodies, BodyKeeper(bodies))
    assert gzip.decompress((path / names.CPU).read_bytes()) == bodies.get("profile?seconds=10").body
    assert (path / names.FLAME_CPU).read_text().startswith("<svg")
    assert f"go tool pprof -top {names.CPU}" in (path / names.README).read_text()
    off = dataclasses.replace(inc, snapshot=dataclasses.replace(snapshot, cpu=CpuState(on=False)))
    assert not (write_bundle(tmp_path, off, bodies, BodyKeeper(bodies)) / names.CPU).exists()
