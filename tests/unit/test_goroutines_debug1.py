"""parse_debug1 (goroutine / goroutineleak ?debug=1) and decode_goroutine_profile (proto)."""

from __future__ import annotations

import gzip

import pytest

from tests.conftest import fixture_path
from tui.core.errors import LimitExceeded, ParseError
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.proto import decode_goroutine_profile
from tui.goroutines.records import Frame
from tui.wire import profile_pb2

SAMPLE = (
    "goroutine profile: total 2744\n"
    "2704 @ 0x48c18a 0x418c9c 0x4930c1\n"
    '# labels: {"worker":"cache", "req":"a-b c"}\n'
    "#\t0x684c64\tmain.fetchAll.func1+0x24\t/src/main.go:40\n"
    "#\t0x4642a8\tinternal/poll.runtime_pollWait+0x88\t\t/go/src/runtime/netpoll.go:305\n"
    "\n"
    "40 @ 0x48c18a 0x4930c1\n"
    "#\t0x684d00\tmain.idle+0x10\t/src/main.go:90\n"
    "\n"
)


def test_records_counts_labels_frames() -> None:
    sc = parse_debug1(SAMPLE)
    assert sc.kind == "goroutine" and sc.total == 2744
    assert [r.count for r in sc.records] == [2704, 40]
    first = sc.records[0]
    assert first.labels == (("worker", "cache"), ("req", "a-b c"))
    assert first.frames == (
        Frame("main.fetchAll.func1", "", "/src/main.go", 40, 0x24),
        Frame("internal/poll.runtime_pollWait", "", "/go/src/runtime/netpoll.go", 305, 0x88),
    )
    assert sc.records[1].labels == ()


def test_goroutineleak_kind() -> None:
    sc = parse_debug1(SAMPLE.replace("goroutine profile", "goroutineleak profile"))
    assert sc.kind == "goroutineleak"


def test_crlf_and_escaped_labels() -> None:
    text = SAMPLE.replace('"req":"a-b c"', r'"req":"q\"uote\\ \x1b"').replace("\n", "\r\n")
    sc = parse_debug1(text)
    assert sc.records[0].labels[1] == ("req", 'q"uote\\ \x1b')
    assert sc.records[0].frames[0].line == 40


def test_path_with_spaces() -> None:
    sc = parse_debug1("goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/my src/main.go:7\n")
    assert sc.records[0].frames[0].file == "/my src/main.go"


def test_unknown_lines_are_ignored() -> None:
    sc = parse_debug1(SAMPLE + "# something new\nweird line\n")
    assert [r.count for r in sc.records] == [2704, 40]


@pytest.mark.parametrize("text", ["", "goroutine 1 [running]:\nmain.main()\n", "heap profile: 1: 2 [3: 4] @ heap/1\n"])
def test_not_debug1_is_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_debug1(text)


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_fixture_debug1(version: str) -> None:
    sc = parse_debug1(fixture_path(version, "goroutine_debug1.txt").read_text())
    assert sc.kind == "goroutine"
    assert sum(r.count for r in sc.records) == sc.total
    top = sc.records[0]
    assert top.count == 250 and top.frames[0].func == "main.(*Dispatcher).deliver"
    labelled = [r for r in sc.records if r.labels]
    assert len(labelled) == 1 and dict(labelled[0].labels) == {"req": "a-b c", "worker": "cache"}
    assert all(f.file.endswith(".go") and f.line > 0 for r in sc.records for f in r.frames)


def test_fixture_goroutineleak_debug1() -> None:
    sc = parse_debug1(fixture_path("go1.27", "goroutineleak_debug1.txt").read_text())
    assert sc.kind == "goroutineleak" and sc.total == 256
    assert [r.count for r in sc.records] == [250, 3, 3]


# --- proto ---------------------------------------------------------------------------------


def _goroutine_proto(type_name: str = "goroutine") -> bytes:
    p = profile_pb2.Profile()
    p.string_table.extend(["", type_name, "count", "main.leaf", "main.caller", "/src/m.go", "worker", "cache"])
    st = p.sample_type.add()
    st.type, st.unit = 1, 2
    p.function.add(id=1, name=3, filename=5)
    p.function.add(id=2, name=4, filename=5)
    loc = p.location.add(id=1, address=0x10)
    loc.line.add(function_id=1, line=10)  # inlined into...
    loc.line.add(function_id=2, line=20)  # ...its caller
    s = p.sample.add(location_id=[1], value=[7])
    s.label.add(key=6, str=7)
    p.sample.add(location_id=[1], value=[2])
    return gzip.compress(p.SerializeToString())


def test_proto_decoding() -> None:
    sc = decode_goroutine_profile(_goroutine_proto())
    assert sc.total == 9 and sc.kind == "goroutine"
    assert sc.records[0].count == 7 and sc.records[0].labels == (("worker", "cache"),)
    assert sc.records[0].frames == (
        Frame("main.leaf", "", "/src/m.go", 10, None, True),
        Frame("main.caller", "", "/src/m.go", 20, None, False),
    )


def test_proto_goroutineleak_kind() -> None:
    assert decode_goroutine_profile(_goroutine_proto("goroutineleak")).kind == "goroutineleak"


def test_proto_other_profile_rejected() -> None:
    with pytest.raises(ParseError, match="not a goroutine profile"):
        decode_goroutine_profile(_goroutine_proto("alloc_objects"))


@pytest.mark.parametrize("data", [b"", b"\x1f\x8b\x08garbage", b"\xff\xff\xff\xff", b"hello"])
def test_proto_garbage_rejected(data: bytes) -> None:
    with pytest.raises(ParseError):
        decode_goroutine_profile(data)


def test_gunzip_is_bounded() -> None:
    """The proto decoder goes through the one bounded gunzip (tui/core/gunzip.py)."""
    bomb = gzip.compress(b"\0" * 1_000_000)
    with pytest.raises(LimitExceeded, match="limit"):
        decode_goroutine_profile(bomb, max_decompressed=1000)
    with pytest.raises(ParseError, match="truncated"):
        decode_goroutine_profile(bomb[:-20], max_decompressed=10_000_000)


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_fixture_proto(version: str) -> None:
    sc = decode_goroutine_profile(fixture_path(version, "goroutine.pb.gz").read_bytes())
    text = parse_debug1(fixture_path(version, "goroutine_debug1.txt").read_text())
    assert sc.kind == "goroutine"
    assert sc.total >= 250
    assert sum(r.count for r in sc.records) == sc.total
    leak = max(sc.records, key=lambda r: r.count)
    assert [f.func for f in leak.frames[:4]] == [
        "runtime.gopark",
        "runtime.chansend",
        "runtime.chansend1",
        "main.(*Dispatcher).deliver",
    ]
    assert any(dict(r.labels) == {"req": "a-b c", "worker": "cache"} for r in sc.records)
    assert abs(sc.total - text.total) <= 20  # captured moments apart, bursts come and go
