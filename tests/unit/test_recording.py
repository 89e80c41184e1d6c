"""The recording format and writer: round trip, torn tails at every byte, rotation, bounds, no secrets."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import httpx
import pytest

from tests.conftest import fixture_path
from tui.config import Auth, Config, Secret
from tui.core.errors import ParseError
from tui.fetch.client import TargetClient
from tui.fetch.errors import FetchError
from tui.recording.format import (
    PREFIX,
    RecordHeader,
    decode_body,
    encode_record,
    list_segments,
    open_recording,
    scan_stream,
)
from tui.recording.writer import RecordingError, RecordingWriter, RecordLimits, safe_label


def header(i: int, ep: str = "heap", **kw) -> RecordHeader:
    return RecordHeader(
        t=100.0 + i, dt=0.25, wall=1.7e9 + i, ep=ep, status=200, elapsed=0.2, wire=10 + i, ctype="text/plain", **kw
    )


def test_round_trip_headers_and_bodies_compressed_or_not(tmp_path):
    bodies = [
        b"",
        b"x",
        os.urandom(3000),
        b"goroutine 1 [chan send]:\n" * 500,
        fixture_path("go1.27", "heap.pb.gz").read_bytes(),
    ]
    w = RecordingWriter(tmp_path / "r", target="127.0.0.1:6060", interval=2.0)
    for i, body in enumerate(bodies):
        w.append(header(i, ep=f"ep{i}?debug=2"), body)
    w.append(header(9, ep="index", err="index: unreachable", etype="Unreachable"), b"")
    w.close()
    rec = open_recording(tmp_path / "r")
    assert rec.torn_segments == 0
    assert [r.read_body() for r in rec.records[:-1]] == bodies
    assert [r.header.ep for r in rec.records] == [f"ep{i}?debug=2" for i in range(5)] + ["index"]
    assert rec.records[3].header.enc == "zlib"  # repetitive text is stored compressed
    assert rec.records[2].header.enc == ""  # random bytes are not
    assert rec.records[-1].header.failed and rec.records[-1].header.etype == "Unreachable"
    assert rec.records[0].header.t == 100.0 and rec.records[0].header.wire == 10
    assert rec.label == "127.0.0.1:6060" and rec.interval == 2.0
    assert rec.latest("index") is None  # failures are not "latest bodies"


def test_torn_tail_at_every_byte_offset_keeps_every_earlier_record():
    whole = [encode_record(header(i), f"body {i} ".encode() * (i + 1)) for i in range(3)]
    last = encode_record(header(3), b"goroutine 7 [select]:\n" * 40)
    prefix = b"".join(whole)
    for cut in range(len(last)):
        scan = scan_stream(io.BytesIO(prefix + last[:cut]))
        assert len(scan.records) == 3, cut
        assert scan.valid_bytes == len(prefix)
        assert scan.torn == (cut > 0)
    scan = scan_stream(io.BytesIO(prefix + last))
    assert len(scan.records) == 4 and not scan.torn


@pytest.mark.parametrize("where", ["magic", "length", "header", "body", "crc"])
def test_corruption_stops_the_segment_at_the_bad_record(where):
    good = encode_record(header(0), b"a" * 100)
    bad = bytearray(encode_record(header(1), b"b" * 100))
    offset = {"magic": 0, "length": 7, "crc": 13, "header": PREFIX.size + 2, "body": len(bad) - 1}[where]
    bad[offset] ^= 0xFF
    after = encode_record(header(2), b"c" * 100)
    scan = scan_stream(io.BytesIO(good + bytes(bad) + after))
    assert len(scan.records) == 1 and scan.torn


def test_bad_zlib_body_and_unknown_encoding_are_parse_errors():
    with pytest.raises(ParseError):
        decode_body(header(0, enc="zlib"), b"not zlib")
    with pytest.raises(ParseError):
        decode_body(header(0, enc="lz9"), b"")
    assert decode_body(header(0, enc="zlib"), zlib.compress(b"ok")) == b"ok"


def test_rotation_by_size_and_age_and_bounds(tmp_path):
    now = [1000.0]
    limits = RecordLimits(segment_bytes=4000, segment_seconds=50.0, max_bytes=20_000, compress=False)
    w = RecordingWriter(tmp_path / "r", target="t", limits=limits, wall=lambda: now[0])
    for i in range(60):
        w.append(header(i), bytes([i]) * 1000)
        now[0] += 1.0
    w.close()
    segs = list_segments(Path(tmp_path / "r"))
    assert len(segs) >= 4
    assert all(s.stat().st_size <= 4000 for s in segs)
    assert sum(s.stat().st_size for s in segs) <= 20_000 + 4000  # the open segment may pass the bound
    assert w.dropped_segments > 0
    rec = open_recording(tmp_path / "r")
    ts = [r.header.t for r in rec.records]
    assert ts == sorted(ts) and ts[-1] == 159.0  # the newest records survive, in order
    assert rec.records[-1].read_body() == bytes([59]) * 1000

    # age: a new segment every 50 s of wall time, and only max_age seconds kept
    now[0] = 0.0
    aged = RecordingWriter(
        tmp_path / "a",
        target="t",
        wall=lambda: now[0],
        limits=RecordLimits(segment_seconds=50.0, max_age=120.0, compress=False),
    )
    for i in range(30):
        aged.append(header(i), b"x" * 10)
        now[0] += 10.0
    aged.close()
    rec = open_recording(tmp_path / "a")
    last_wall = 10.0 * 29
    newest_per_segment: dict[str, float] = {}
    for r in rec.records:
        newest_per_segment[r.segment.name] = r.header.wall - 1.7e9
    # every kept segment has a record younger than max_age; the record exactly max_age old is kept
    assert all(wall >= (last_wall - 120.0) / 10.0 for wall in newest_per_segment.values())
    walls = [r.header.wall - 1.7e9 for r in rec.records]
    assert min(walls) <= (last_wall - 120.0) / 10.0 < max(walls)
    assert len(newest_per_segment) < 30 // 5  # old segments were deleted
    assert rec.records[-1].header.t == 129.0


def test_writer_refuses_a_directory_that_holds_a_recording(tmp_path):
    RecordingWriter(tmp_path / "r", target="t").close()
    with pytest.raises(RecordingError, match="already holds a recording"):
        RecordingWriter(tmp_path / "r", target="t")
    with pytest.raises(ParseError, match="not a pprof-tui recording"):
        open_recording(tmp_path)


@pytest.mark.parametrize(
    "label, expected",
    [
        ("127.0.0.1:6060", "127.0.0.1:6060"),
        ("https://user:pw@host:8443/app/debug/pprof/?token=abc", "host:8443/app/debug/pprof/"),
        ("user:pw@host:6060?k=v", "host:6060"),
    ],
)
def test_safe_label_drops_credentials_and_queries(label, expected):
    assert safe_label(label) == expected


TOKEN = "tok-PLANTED-0001"
PASSWORD = "pw-PLANTED-0002"
HEADER_VALUE = "hdr-PLANTED-0003"
CMDLINE_SECRET = "cmd-PLANTED-0004"


async def test_no_secret_reaches_the_recording_or_an_export(tmp_path):
    import base64

    from tui.sources.feeds import LiveSource

    seen_headers: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = "\n".join(f"{k}: {v}" for k, v in request.headers.items())  # a proxy that echoes headers
        seen_headers.append(echoed)
        path = request.url.path.rsplit("/", 1)[-1]
        if path == "cmdline":
            return httpx.Response(200, content=f"/srv/app\x00--db-password={CMDLINE_SECRET}".encode())
        if path == "goroutine":
            return httpx.Response(401, content=f"denied: {echoed}".encode())
        body = fixture_path("go1.27", "heap_debug1.txt").read_bytes() + f"\n# {echoed}\n".encode()
        return httpx.Response(200, content=body, headers={"content-type": "text/plain"})

    for auth in (
        Auth(headers=(("X-Api-Key", Secret(HEADER_VALUE)),), bearer_token=Secret(TOKEN)),
        Auth(basic_user="ops", basic_password=Secret(PASSWORD)),
    ):
        config = Config(target="http://127.0.0.1:6060/debug/pprof/", auth=auth)
        rec_dir = tmp_path / f"r-{auth.basic_user}"
        live = LiveSource(
            config, client=TargetClient(config, transport=httpx.MockTransport(handler)), record_dir=rec_dir
        )
        await live.tap.get("heap", params={"debug": "1"})
        await live.tap.get("cmdline")
        with pytest.raises(FetchError):
            await live.tap.get("goroutine", params={"debug": "2"})
        export = live.save(tmp_path / "exports")
        await live.tap.aclose()
        basic = base64.b64encode(f"ops:{PASSWORD}".encode()).decode()
        planted = (TOKEN, HEADER_VALUE) if auth.bearer_token else (PASSWORD, basic)
        assert all(any(p in h for h in seen_headers) or p == PASSWORD for p in planted), "really sent"
        rec = open_recording(rec_dir)
        assert [r.header.ep for r in rec.records] == ["heap?debug=1", "cmdline", "goroutine?debug=2"]
        stored = b"".join(p.read_bytes() for p in rec_dir.iterdir())
        stored += b"".join(r.read_body() for r in rec.records) + b"".join(r.header.to_json() for r in rec.records)
        stored += b"".join(p.read_bytes() for p in export.iterdir())
        for secret in (*planted, CMDLINE_SECRET):
            assert secret.encode() not in stored, secret
        assert rec.records[0].read_body().startswith(b"heap profile:")  # masked, not dropped
        assert rec.records[1].header.redacted == "sha256"
        assert rec.records[2].header.status == 401 and rec.records[2].header.etype == "Unauthorized"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=255))
def test_scanner_never_raises_on_damaged_bytes(noise, flip_at, flip_with):
    good = encode_record(header(0), b"ok" * 40) + encode_record(header(1), b"goroutine 1 [running]:\n" * 30)
    damaged = bytearray(good)
    damaged[flip_at % len(damaged)] ^= flip_with
    for data in (noise, bytes(damaged), good + noise, PREFIX.pack(b"PTR1", 3, 0, 0) + b"{x}"):
        scan = scan_stream(io.BytesIO(data))
        assert scan.valid_bytes <= len(data)
        for ref in scan.records:
            assert isinstance(ref.header.ep, str)


def test_crafted_deeply_nested_header_or_meta_is_refused_cleanly(tmp_path):
    nested = b"[" * 30000 + b"]" * 30000
    crc = zlib.crc32(b"", zlib.crc32(nested))
    data = PREFIX.pack(b"PTR1", len(nested), 0, crc) + nested
    scan = scan_stream(io.BytesIO(encode_record(header(0), b"x") + data))
    assert len(scan.records) == 1 and scan.torn
    (tmp_path / "meta.json").write_bytes(b"[" * 30000)
    with pytest.raises(ParseError, match="meta.json"):
        open_recording(tmp_path)
