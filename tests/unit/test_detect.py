"""detect_kind: by content, on every capture and on look-alikes."""

from __future__ import annotations

import gzip

import pytest

from tests.conftest import fixture_path
from tui.model.detect import detect_kind
from tui.wire import profile_pb2


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("heap.pb.gz", "profile"),
        ("allocs.pb.gz", "profile"),
        ("goroutine.pb.gz", "profile"),
        ("goroutine_debug1.txt", "goroutine-debug1"),
        ("goroutine_debug2.txt", "goroutine-debug2"),
        ("heap_debug1.txt", "heap-debug1"),
        ("index.html", "index"),
    ],
)
def test_fixtures(version: str, name: str, kind: str) -> None:
    assert detect_kind(fixture_path(version, name).read_bytes()) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [("goroutineleak_debug1.txt", "goroutine-debug1"), ("goroutineleak_debug2.txt", "goroutine-debug2")],
)
def test_goroutineleak(name: str, kind: str) -> None:
    assert detect_kind(fixture_path("go1.27", name).read_bytes()) == kind


def test_raw_uncompressed_profile() -> None:
    raw = gzip.decompress(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    assert detect_kind(raw) == "profile"


def test_minimal_proto() -> None:
    p = profile_pb2.Profile()
    p.string_table.extend(["", "goroutine", "count"])
    p.sample_type.add(type=1, unit=2)
    assert detect_kind(p.SerializeToString()) == "profile"


def test_debug2_with_panic_preamble_and_crlf() -> None:
    assert detect_kind(b"panic: boom\r\n\r\ngoroutine 1 [running]:\r\nmain.main()\r\n") == "goroutine-debug2"
    assert detect_kind(b"goroutine 5 gp=0xc000007 m=nil [running]:\n") == "goroutine-debug2"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"<html><body>404 page not found</body></html>",
        b"\x00\x01\x02\x03",
        b'{"memstats": {}}',
        "ünïcode".encode(),
    ],
)
def test_unknown(data: bytes) -> None:
    assert detect_kind(data) == "unknown"
