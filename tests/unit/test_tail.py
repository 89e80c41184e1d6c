"""Following a recording while it is written: torn records, growth, rotation, deleted segments."""

from __future__ import annotations

from pathlib import Path

from tui.recording.format import RecordHeader, encode_record, list_segments, segment_name
from tui.recording.tail import RecordingTail
from tui.recording.writer import RecordingWriter, RecordLimits


def header(i: int, ep: str = "index") -> RecordHeader:
    return RecordHeader(t=100.0 + i, dt=0.1, wall=1.7e9 + i, ep=ep, status=200, ctype="text/plain")


def body(i: int) -> bytes:
    return f"body {i} ".encode() * (i + 1)


def test_growth_is_read_incrementally_once(tmp_path):
    w = RecordingWriter(tmp_path / "r", target="t:1", interval=1.0)
    tail = RecordingTail(tmp_path / "r")
    assert tail.poll() == []
    for i in range(3):
        w.append(header(i), body(i))
    got = tail.poll()
    assert [r.header.t for r in got] == [100.0, 101.0, 102.0]
    assert [r.read_body() for r in got] == [body(i) for i in range(3)]
    assert tail.poll() == []  # nothing new: nothing returned twice
    w.append(header(3), body(3))
    again = tail.poll()
    assert [r.read_body() for r in again] == [body(3)]
    assert tail.meta["target"] == "t:1"
    w.close()


def test_a_torn_record_is_read_once_it_is_whole(tmp_path):
    rec = tmp_path / "r"
    w = RecordingWriter(rec, target="t:1")
    w.append(header(0), body(0))
    w.close()
    segment = list_segments(rec)[0]
    data = encode_record(header(1), body(1) * 50)
    for cut in (1, 10, len(data) // 2, len(data) - 1):
        tail = RecordingTail(rec)
        assert [r.header.t for r in tail.poll()] == [100.0]
        with open(segment, "ab") as fh:
            fh.write(data[:cut])
        assert tail.poll() == [] and tail.torn
        with open(segment, "ab") as fh:
            fh.write(data[cut:])
        whole = tail.poll()
        assert [r.read_body() for r in whole] == [body(1) * 50] and not tail.torn
        # back to one record for the next cut
        with open(segment, "r+b") as fh:
            fh.truncate(whole[0].body_offset - len(data) + whole[0].body_len)


def test_rotation_and_deleted_old_segments(tmp_path):
    rec = tmp_path / "r"
    limits = RecordLimits(segment_bytes=300, max_bytes=900)
    w = RecordingWriter(rec, target="t:1", limits=limits)
    tail = RecordingTail(rec)
    seen: list[float] = []
    for i in range(40):
        w.append(header(i), body(i % 5) * 3)
        if i % 3 == 0:
            seen += [r.header.t for r in tail.poll()]
    seen += [r.header.t for r in tail.poll()]
    w.close()
    assert w.dropped_segments > 0, "the bounds must have deleted old segments"
    assert seen == sorted(seen) and len(seen) == len(set(seen))  # in order, never twice
    assert seen[-1] == 139.0
    # every record still on disk was read, and nothing was read from a segment out of order
    on_disk = [Path(s).name for s in list_segments(rec)]
    assert segment_name(1) not in on_disk
    assert tail.poll() == []


def test_a_shrunk_segment_is_not_trusted_and_a_missing_dir_is_empty(tmp_path):
    rec = tmp_path / "r"
    w = RecordingWriter(rec, target="t:1")
    for i in range(3):
        w.append(header(i), body(i))
    w.close()
    tail = RecordingTail(rec)
    assert len(tail.poll()) == 3
    segment = list_segments(rec)[0]
    segment.write_bytes(b"")
    w2 = encode_record(header(9), body(9))
    segment.write_bytes(w2)  # replaced with something shorter than what was read
    assert tail.poll() == []
    assert RecordingTail(tmp_path / "nothing").poll() == []
