"""Replay: the same poller on a virtual clock gives the same snapshots and history as live;
pause, step and speed on a fake real-time sleep; the end of a recording; loops."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import re

import pytest

from tests.conftest import fixture_path
from tui.config import Config
from tui.fetch.errors import Unreachable
from tui.fetch.fetcher import FetchResult
from tui.model import snapshot as snap
from tui.recording.format import open_recording
from tui.recording.replay_client import ReplayClient, ReplayFinished, VirtualClock
from tui.recording.tap import TapClient, endpoint_key
from tui.recording.writer import RecordingWriter
from tui.service.poller import Poller
from tui.sources.feeds import REPLAY, ReplaySource

FIX = "go1.27"
LATENCY = {
    "index": 0.004,
    "cmdline": 0.001,
    "heap?debug=1": 0.01,
    "heap": 0.02,
    "goroutine?debug=1": 0.01,
    "goroutine?debug=2": 0.05,
    "goroutineleak?debug=1": 0.01,
}


class FakeClock:
    """Virtual time for the live run: sleep advances it; after `limit` snapshots it blocks forever."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.limit = math.inf
        self.published = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if self.published >= self.limit:
            await asyncio.Event().wait()
        self.now += delay
        await asyncio.sleep(0)


class FakeTarget:
    """Answers like a leaking Go service: the goroutine count grows, the index is down for a while."""

    def __init__(self, clock: FakeClock, down_ticks: range = range(0)) -> None:
        self.clock = clock
        self.down_ticks = down_ticks
        self.index_calls = 0
        d = fixture_path(FIX, "index.html").parent
        self.files = {
            "heap?debug=1": (d / "heap_debug1.txt").read_bytes(),
            "heap": (d / "heap.pb.gz").read_bytes(),
            "goroutine?debug=1": (d / "goroutine_debug1.txt").read_bytes(),
            "goroutine": (d / "goroutine.pb.gz").read_bytes(),
            "goroutine?debug=2": (d / "goroutine_debug2.txt").read_bytes(),
            "goroutineleak?debug=1": (d / "goroutineleak_debug1.txt").read_bytes(),
            "cmdline": b"/srv/app\x00--password=cmd-secret",
        }
        # the index lists mutex and block: our target's captures (tests/fixtures/profiles/)
        contention = d.parent / "profiles" / FIX
        for name, file in (("mutex", "mutex.pb.gz"), ("block", "block.pb.gz"), ("mutex?debug=1", "mutex_debug1.txt")):
            self.files[name] = (contention / file).read_bytes()
        self.index = (d / "index.html").read_text()

    async def get(self, path, *, params=None, **_):
        key = endpoint_key(path, params)
        self.clock.now += LATENCY.get(key, 0.01)
        await asyncio.sleep(0)
        if key == "index":
            self.index_calls += 1
            if self.index_calls in self.down_ticks:
                raise Unreachable("127.0.0.1:6060: unreachable (connection refused)")
            count = 300 + 7 * self.index_calls
            body = re.sub(
                r"<td>\d+</td><td><a href='goroutine\?debug=1'>",
                f"<td>{count}</td><td><a href='goroutine?debug=1'>",
                self.index,
            ).encode()
        else:
            body = self.files[key]
        return FetchResult(key, 200, body, len(body), LATENCY.get(key, 0.01), "text/plain")

    async def aclose(self):
        return None


CONFIG = Config(interval=2.0, debug2_min_age=6.0, heap_every=2)


async def live_run(directory, ticks: int, down_ticks: range = range(0)):
    clock = FakeClock()
    clock.limit = ticks
    writer = RecordingWriter(directory, target=CONFIG.label, interval=CONFIG.interval)
    tap = TapClient(FakeTarget(clock, down_ticks), recorder=writer, clock=clock)
    snapshots = []
    done = asyncio.Event()

    def on_snapshot(s):
        snapshots.append(s)
        clock.published = len(snapshots)
        if len(snapshots) >= ticks:
            done.set()

    # inline like the replay (a replay's virtual time runs the expensive requests inline), so
    # the two produce the same snapshots tick for tick
    poller = Poller(
        CONFIG,
        client=tap,
        clock=clock,
        sleep=clock.sleep,
        rand=lambda: 0.5,
        on_snapshot=on_snapshot,
        expensive_in_background=False,
    )
    poller.start()
    await asyncio.wait_for(done.wait(), 30)
    await poller.stop()
    writer.close()
    return snapshots


async def replay_all(directory, **kwargs):
    source = ReplaySource(directory, config=CONFIG, speed=math.inf, **kwargs)
    out = []
    source.on_snapshot = out.append
    await asyncio.wait_for(source.start(), 30)
    return source, out


def comparable(s: snap.Snapshot) -> snap.Snapshot:
    return dataclasses.replace(s, state="", status="", target="")


async def test_replay_equals_live_snapshots_and_history(tmp_path):
    live = await live_run(tmp_path / "rec", ticks=14, down_ticks=range(6, 8))
    assert any(s.state == snap.RECONNECTING for s in live), "the outage must be part of the recording"
    assert any(s.goroutine_groups for s in live), "debug=2 must have been fetched"
    source, replayed = await replay_all(tmp_path / "rec")
    assert source.finished
    by_seq = {}
    for s in replayed:
        by_seq.setdefault(s.seq, s)  # the last one is republished with the "finished" status
    assert len(by_seq) == len(live)
    for a, b in zip(live, by_seq.values()):
        assert comparable(a) == comparable(b)
        assert b.state == (REPLAY if a.state == snap.LIVE else a.state)
    # the sparkline series themselves, point for point
    last_live, last_replay = live[-1].history, replayed[-1].history
    assert set(last_live.series) == set(last_replay.series)
    assert last_live.values("goroutines") == last_replay.values("goroutines")
    assert len(last_live.values("goroutines")) >= 10
    assert last_replay.values("goroutines")[-1] > last_replay.values("goroutines")[0]


async def test_pause_step_and_speed_on_fake_real_time(tmp_path):
    await live_run(tmp_path / "rec", ticks=10)
    slept: list[float] = []

    async def real_sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    source = ReplaySource(tmp_path / "rec", config=CONFIG, speed=1.0, real_sleep=real_sleep)
    seen = []
    source.on_snapshot = seen.append
    task = source.start()

    async def until(predicate, limit=5000):
        for _ in range(limit):  # parsing runs in threads: give them real time
            if predicate():
                return
            await asyncio.sleep(0.001)
        raise AssertionError("condition not reached")

    await until(lambda: len({s.seq for s in seen}) >= 2)
    # 1x: the poll interval (2 s) is slept in real chunks of at most 0.1 s
    assert slept and max(slept) <= 0.1 + 1e-9
    source.set_speed(10.0)
    slept.clear()
    await until(lambda: len(slept) >= 3)
    assert max(slept) <= 0.1 + 1e-9 and sum(slept) > 0
    assert "10×" in seen[-1].status

    source.pause()
    assert seen[-1].state == snap.PAUSED and "paused" in seen[-1].status
    await asyncio.sleep(0.2)  # a poll already under way finishes; then nothing moves
    frozen = source.clock.now
    seqs = {s.seq for s in seen}
    await asyncio.sleep(0.2)
    assert source.clock.now == frozen, "virtual time must not move while paused"
    assert {s.seq for s in seen} == seqs

    source.step()
    await until(lambda: max(s.seq for s in seen) == max(seqs) + 1)
    await asyncio.sleep(0.2)
    assert max(s.seq for s in seen) == max(seqs) + 1, "a step plays exactly one poll"
    assert source.clock.now > frozen

    source.set_speed(math.inf)
    source.resume()
    await asyncio.wait_for(task, 10)
    assert source.finished and seen[-1].state == "finished"
    assert "finished" in seen[-1].status


async def test_loop_starts_over_with_fresh_history(tmp_path):
    await live_run(tmp_path / "rec", ticks=4)
    source = ReplaySource(tmp_path / "rec", config=CONFIG, speed=math.inf, loop=True)
    seen = []
    source.on_snapshot = seen.append
    source.start()
    for _ in range(5000):
        if source.loops >= 2:
            break
        await asyncio.sleep(0.001)
    await source.stop()
    assert source.loops >= 2 and not source.finished
    firsts = [s for s in seen if s.seq == 1]
    assert len(firsts) >= 2
    assert firsts[0].history.values("goroutines") == firsts[1].history.values("goroutines")


async def test_client_picks_records_at_or_before_recording_time(tmp_path):
    await live_run(tmp_path / "rec", ticks=6)
    rec = open_recording(tmp_path / "rec")
    clock = VirtualClock(rec.records[0].header.t)
    client = ReplayClient(rec, clock)
    first = await client.get("")
    assert first.path == "index"
    # the same tick's records are found even when virtual time lags the recording (parse time not replayed)
    memstats = await client.get("heap", params={"debug": "1"})
    assert memstats.body.startswith(b"heap profile:")
    clock.now += 1000.0
    with pytest.raises(ReplayFinished):
        await client.get("")
    # an endpoint never recorded reads as "not served"
    fresh = ReplayClient(rec, VirtualClock(rec.records[0].header.t))
    with pytest.raises(Exception) as info:
        await fresh.get("allocs")
    assert "not in the recording" in str(info.value)


async def test_recorded_failures_replay_as_the_same_error(tmp_path):
    await live_run(tmp_path / "rec", ticks=8, down_ticks=range(2, 4))
    rec = open_recording(tmp_path / "rec")
    failed = [r for r in rec.records if r.header.failed]
    assert failed and failed[0].header.etype == "Unreachable"
    clock = VirtualClock(failed[0].header.t)
    client = ReplayClient(rec, clock)
    with pytest.raises(Unreachable, match="connection refused"):
        await client.get("")


async def test_virtual_clock_max_speed_and_bad_speed():
    clock = VirtualClock(5.0, speed=math.inf)
    await clock.sleep(100.0)
    assert clock() == 105.0
    with pytest.raises(ValueError):
        clock.set_speed(0)


async def test_replay_schedules_with_the_recorded_poll_settings(tmp_path):
    from tui.sources.feeds import LiveSource

    clock = FakeClock()
    config = Config(interval=0.5, stw_budget=0.05, debug2_min_age=3.0, heap_every=3)
    live = LiveSource(
        config,
        client=FakeTarget(clock),
        record_dir=tmp_path / "rec",
        clock=clock,
        sleep=clock.sleep,
        rand=lambda: 0.5,
        expensive_in_background=False,  # tick for tick like the replay
    )
    clock.limit = 12
    seen = []
    done = asyncio.Event()

    def on_snapshot(s):
        seen.append(s)
        clock.published = len(seen)
        if len(seen) >= 12:
            done.set()

    live.on_snapshot = on_snapshot
    live.start()
    await asyncio.wait_for(done.wait(), 30)
    await live.stop()
    source = ReplaySource(tmp_path / "rec", speed=math.inf)  # no config given: taken from meta.json
    assert (
        source.config.interval,
        source.config.stw_budget,
        source.config.debug2_min_age,
        source.config.heap_every,
    ) == (0.5, 0.05, 3.0, 3)
    replayed = []
    source.on_snapshot = replayed.append
    await asyncio.wait_for(source.start(), 30)
    by_seq = {}
    for s in replayed:
        by_seq.setdefault(s.seq, s)
    assert [comparable(s) for s in seen] == [comparable(s) for s in by_seq.values()]
