"""The committed captures in tests/fixtures/ are present, well-formed and what their meta.json says."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tui.wire import profile_pb2

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REQUIRED_VERSIONS = ("go1.19", "go1.27")
VERSIONS = tuple(
    sorted(
        {*REQUIRED_VERSIONS, *(p.name for p in FIXTURES.iterdir() if p.is_dir() and re.fullmatch(r"go1\.\d+", p.name))}
    )
)
BASE_FILES = (
    "index.html",
    "heap.pb.gz",
    "allocs.pb.gz",
    "heap_debug1.txt",
    "goroutine.pb.gz",
    "goroutine_debug1.txt",
    "goroutine_debug2.txt",
    "meta.json",
)
LEAK_FILES = ("goroutineleak_debug1.txt", "goroutineleak_debug2.txt")
HEADER = re.compile(r"^goroutine \d+ \[(?P<status>[^\]]*)\](?P<labels> \{.*\})?:$", re.M)


def _read(version: str, name: str) -> bytes:
    return (FIXTURES / version / name).read_bytes()


def _profile(version: str, name: str) -> profile_pb2.Profile:
    raw = _read(version, name)
    assert raw[:2] == b"\x1f\x8b", f"{version}/{name} is not gzip'd as served"
    prof = profile_pb2.Profile()
    prof.ParseFromString(gzip.decompress(raw))
    return prof


def _sample_types(prof: profile_pb2.Profile) -> list[str]:
    return [prof.string_table[t.type] for t in prof.sample_type]


@pytest.mark.parametrize("version", VERSIONS)
def test_all_files_present(version: str) -> None:
    index = _read(version, "index.html")
    expected = set(BASE_FILES)
    if b"href='goroutineleak?debug=1'" in index:
        expected |= set(LEAK_FILES)
    present = {p.name for p in (FIXTURES / version).iterdir()}
    assert expected <= present, f"missing: {sorted(expected - present)}"
    meta = json.loads(_read(version, "meta.json"))
    assert set(meta["files"]) == present - {"meta.json"}


@pytest.mark.parametrize("version", VERSIONS)
def test_meta_matches_directory(version: str) -> None:
    meta = json.loads(_read(version, "meta.json"))
    assert meta["go_version"].startswith(version + "."), meta["go_version"]
    assert meta["age_seconds"] >= 120  # old enough for "N minutes" headers
    assert meta["cmdline_args"] == meta["flags"]


@pytest.mark.parametrize("version", VERSIONS)
def test_heap_and_allocs_protos(version: str) -> None:
    heap = _profile(version, "heap.pb.gz")
    assert _sample_types(heap) == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    names = {heap.string_table[f.name] for f in heap.function}
    assert "main.(*LFUCache).increment" in names
    allocs = _profile(version, "allocs.pb.gz")
    assert allocs.string_table[allocs.default_sample_type] == "alloc_space"


@pytest.mark.parametrize("version", VERSIONS)
def test_goroutine_proto_total_matches_debug1(version: str) -> None:
    prof = _profile(version, "goroutine.pb.gz")
    assert _sample_types(prof) == ["goroutine"]
    debug1 = _read(version, "goroutine_debug1.txt").decode()
    m = re.match(r"goroutine profile: total (\d+)\n", debug1)
    assert m is not None
    # Captured a moment apart while a burst drains: close, not necessarily equal.
    assert abs(sum(s.value[0] for s in prof.sample) - int(m.group(1))) <= 20


@pytest.mark.parametrize("version", VERSIONS)
def test_heap_debug1_has_memstats(version: str) -> None:
    text = _read(version, "heap_debug1.txt").decode()
    assert text.startswith("heap profile: ")
    assert "\n# runtime.MemStats\n" in text
    assert re.search(r"^# Stack = \d+ / \d+$", text, re.M)


@pytest.mark.parametrize("version", VERSIONS)
def test_goroutine_debug2_headers(version: str) -> None:
    text = _read(version, "goroutine_debug2.txt").decode()
    assert text.startswith("goroutine ") and "[running]:" in text.split("\n", 1)[0]
    blocks = [b for b in text.split("\n\n") if b.strip()]
    headers = [b.split("\n", 1)[0] for b in blocks]
    assert all(h.startswith("goroutine ") for h in headers)
    assert any(re.search(r"\[chan send, \d+ minutes", h) for h in headers)
    assert sum("[chan send" in h for h in headers) >= 100
    assert len(text) < 300_000


def test_go127_debug2_label_headers() -> None:
    text = _read("go1.27", "goroutine_debug2.txt").decode()
    labelled = [m for m in HEADER.finditer(text) if m.group("labels")]
    assert labelled and all(m.group("labels") == ' {req: "a-b c", worker: cache}' for m in labelled)


def test_go127_goroutineleak_dumps() -> None:
    debug1 = _read("go1.27", "goroutineleak_debug1.txt").decode()
    assert debug1.startswith("goroutineleak profile: total ")
    assert "main.(*Dispatcher).deliver+" in debug1
    debug2 = _read("go1.27", "goroutineleak_debug2.txt").decode()
    leaked = [m.group("status") for m in HEADER.finditer(debug2) if "(leaked)" in m.group("status")]
    assert leaked.count("chan send (leaked)") >= 100
    assert not any("minutes" in s for s in leaked)  # leaked goroutines never show their age


def test_go119_has_no_label_headers_and_uses_semacquire() -> None:
    text = _read("go1.19", "goroutine_debug2.txt").decode()
    assert not any(m.group("labels") for m in HEADER.finditer(text))
    assert "[semacquire" in text and "[sync.Mutex.Lock" not in text


def test_go126_tracebacklabels_header_format() -> None:
    """Go 1.26 with GODEBUG=tracebacklabels=1: labels inside the brackets, no comma before them."""
    if not (FIXTURES / "go1.26" / "goroutine_debug2.txt").exists():
        pytest.skip("optional go1.26 capture not recorded")
    text = _read("go1.26", "goroutine_debug2.txt").decode()
    statuses = [m.group("status") for m in HEADER.finditer(text)]
    labelled = [s for s in statuses if "labels:" in s]
    assert labelled
    assert all(
        re.fullmatch(r'chan receive(, \d+ minutes)? labels:\{"req": "a-b c", "worker": "cache"\}', s) for s in labelled
    )
