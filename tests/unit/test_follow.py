"""Attaching to a recording being written: the whole history through the poller, then each new tick."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tests.unit.test_replay import CONFIG, live_run
from tui.model import snapshot as snap
from tui.recording.format import open_recording
from tui.recording.writer import RecordingWriter
from tui.sessions.follow import FollowSource
from tui.sessions.state import SessionDir, private_dir


def comparable(s: snap.Snapshot) -> snap.Snapshot:
    return dataclasses.replace(s, state="", status="", target="", time=0.0)


def copy_records(refs, writer: RecordingWriter) -> None:
    for ref in refs:
        writer.append(ref.header, ref.read_body())


async def wait_for(check, timeout: float = 20.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < end, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_history_first_then_new_ticks_as_they_land(tmp_path):
    live = await live_run(tmp_path / "full", ticks=14, down_ticks=range(9, 10))
    records = open_recording(tmp_path / "full").records
    index_at = [i for i, r in enumerate(records) if r.header.ep == "index"]
    half = index_at[7]  # the records of the first 7 ticks
    writer = RecordingWriter(tmp_path / "grow", target=CONFIG.label, interval=CONFIG.interval)
    copy_records(records[:half], writer)
    session = SessionDir(private_dir(tmp_path / "session"))
    source = FollowSource(tmp_path / "grow", session=None, config=CONFIG, poll_every=0.01, settle=0.02)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    try:
        await wait_for(lambda: source.caught_up)
        history = [s for s in seen if s.state == snap.HISTORY]
        assert source.snapshots == 7 and len(history) == 7
        assert [comparable(s) for s in history] == [comparable(s) for s in live[:7]]
        assert "live" in seen[-1].status and seen[-1].state == snap.LIVE
        # the writer goes on: each tick it adds is played as it lands, with the same history
        for a, b in zip(index_at[7:], [*index_at[8:], len(records)]):
            copy_records(records[a:b], writer)
        await wait_for(lambda: source.snapshots == 14)
        assert source.client is not None
        held = sum(len(refs) for refs in source.client._by_ep.values())
        assert source.client.prune(source.client.recording_time) > 0
        assert sum(len(refs) for refs in source.client._by_ep.values()) == held - (held - len(source.client._by_ep))
        emitted = [s for s in seen if s.seq][-7:]
        assert [comparable(s) for s in emitted] == [comparable(s) for s in live[7:]]
        assert any(s.state == snap.RECONNECTING for s in emitted), "the outage of tick 9 is replayed too"
    finally:
        await source.stop()
        writer.close()
    assert task.done()
    del session


async def test_the_newest_poll_is_shown_first_then_the_history_is_read_behind_it(tmp_path):
    """Issue #25: attaching showed the history's first polls under a `live` chip. The screens get
    the recording's newest poll first, as "catching up"; the older polls go to the leak tracker only
    (state HISTORY, in order), and `live` comes once they are all read."""
    live = await live_run(tmp_path / "rec", ticks=30)
    source = FollowSource(tmp_path / "rec", config=CONFIG, poll_every=0.01, settle=0.0)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    source.start()
    try:
        await wait_for(lambda: source.caught_up)
    finally:
        await source.stop()
    first = seen[0]
    assert first.state == snap.CATCHING_UP
    assert first.status.startswith("history 0:00/") and "newest poll" in first.status
    newest = live[-1]
    assert first.goroutine_total == newest.goroutine_total
    assert first.memstats == newest.memstats
    # the same moment (a replay does not spend the live parse times: within a second), the same
    # tree, and data of the same ages give or take one poll (the final stretch's poller asks each
    # endpoint on its own cadence, not always on the ticks the recorder did)
    assert first.time == pytest.approx(newest.time, abs=1.0)
    for kind in (snap.HEAP, snap.MEMSTATS, snap.GOROUTINE_COUNT):
        assert first.age(kind).age == pytest.approx(newest.age(kind).age, abs=CONFIG.interval + 1.0), kind
    # first without the goroutine dump (seconds to parse at 100k goroutines), said so; then with it
    assert first.goroutine_groups == () and "dump is being read" in first.tree_status
    second = seen[1]
    assert second.state == snap.CATCHING_UP and second.goroutine_groups == newest.goroutine_groups
    tree = second.age(snap.GOROUTINE_TREE).age
    assert tree == pytest.approx(newest.age(snap.GOROUTINE_TREE).age, abs=CONFIG.interval + 1.0)
    shown = [s for s in seen if s.state != snap.HISTORY]
    behind = [s for s in shown if s.state == snap.CATCHING_UP]
    assert all(s.time in (first.time, second.time) for s in behind), "no history poll reaches the screens"
    assert [comparable(s) for s in seen if s.state == snap.HISTORY] == [comparable(s) for s in live]
    assert shown[-1].state == snap.LIVE and shown[-1].status.endswith("· live")


async def test_two_followers_see_the_same_snapshots_and_hold_ui_locks(tmp_path):
    await live_run(tmp_path / "full", ticks=6)
    session = SessionDir(private_dir(tmp_path / "session"))
    (tmp_path / "full").rename(session.recording)
    a = FollowSource(session.recording, session=session, config=CONFIG, poll_every=0.01, settle=0.0)
    b = FollowSource(session.recording, session=session, config=CONFIG, poll_every=0.01, settle=0.0)
    got_a: list[snap.Snapshot] = []
    got_b: list[snap.Snapshot] = []
    a.on_snapshot, b.on_snapshot = got_a.append, got_b.append
    a.start()
    b.start()
    try:
        assert session.attached() == 2
        # the session is not running (no session lock held): once caught up, the followers end
        await wait_for(lambda: a.error and b.error)
        assert a.snapshots == b.snapshots == 6
        assert [comparable(s) for s in got_a if s.seq] == [comparable(s) for s in got_b if s.seq]
        assert "the session ended" in got_a[-1].status and got_a[-1].state == snap.ERROR
    finally:
        await a.stop()
        await b.stop()
    assert session.attached() == 0


async def test_an_empty_directory_that_is_not_written_is_an_error(tmp_path):
    session = SessionDir(private_dir(tmp_path / "s"))
    private_dir(session.recording)
    source = FollowSource(session.recording, session=session, poll_every=0.01)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    await asyncio.wait_for(source.start(), 10)
    assert "no records" in source.error and seen[-1].state == snap.ERROR
    await source.stop()


async def test_live_but_quiet_says_so(tmp_path):
    await live_run(tmp_path / "rec", ticks=3)
    newest = max(r.header.wall for r in open_recording(tmp_path / "rec").records)
    now = [newest + 5.0]
    source = FollowSource(tmp_path / "rec", config=CONFIG, poll_every=0.5, wall=lambda: now[0], real_sleep=fast_sleep)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    source.start()
    try:
        await wait_for(lambda: source.caught_up)
        assert seen[-1].status.endswith("· live")
        now[0] = newest + 125.0
        count = len(seen)
        await wait_for(lambda: len(seen) > count)  # republished while waiting, no new record needed
        assert "nothing recorded for 2:05" in seen[-1].status
    finally:
        await source.stop()


async def fast_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.001))


async def test_a_session_dir_that_cannot_take_a_ui_lock_is_still_shown(tmp_path):
    await live_run(tmp_path / "rec", ticks=3)
    session = SessionDir(private_dir(tmp_path / "s"))
    (tmp_path / "rec").rename(session.recording)
    (session.path / "ui").write_text("not a directory")  # as unusable as a read-only copy
    source = FollowSource(session.recording, session=session, config=CONFIG, poll_every=0.01, settle=0.0)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    await asyncio.wait_for(source.start(), 10)
    assert source.snapshots == 3 and "the session ended" in seen[-1].status
    await source.stop()
