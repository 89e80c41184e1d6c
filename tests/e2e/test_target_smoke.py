"""The Go test target serves every pprof endpoint (FORMATS.md) with meaningful content."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable

import pytest

from tui.wire import profile_pb2

pytestmark = pytest.mark.e2e

ALL_SWITCHES = (
    "-cache-leak-rate",
    "20000",
    "-chan-leak-rate",
    "5",
    "-chan-leak-initial",
    "20",
    "-parked",
    "-labels",
    "-deep",
    "150",
    "-idle-pool",
    "3",
    "-burst",
    "4",
    "-burst-every",
    "1s",
    "-heap-steady-mb",
    "1",
)


def _profile(body: bytes) -> profile_pb2.Profile:
    assert body[:2] == b"\x1f\x8b", "pprof protos are served gzip'd (no Content-Encoding)"
    prof = profile_pb2.Profile()
    prof.ParseFromString(gzip.decompress(body))
    return prof


def _function_names(prof: profile_pb2.Profile) -> set[str]:
    return {prof.string_table[f.name] for f in prof.function}


def _sample_types(prof: profile_pb2.Profile) -> list[str]:
    return [prof.string_table[t.type] for t in prof.sample_type]


@pytest.fixture
def target(go_target):
    """A target with every switch on; parked goroutines given a moment to park."""
    t = go_target(*ALL_SWITCHES)
    _eventually(lambda: b"[chan receive (nil chan)]" in t.get("goroutine?debug=2"))
    return t


def _eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll until check() holds (the target's goroutines start asynchronously)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition never held within {timeout} s: {check}")
        time.sleep(0.2)


def test_index_lists_profiles_with_counts(target) -> None:
    index = target.get().decode()
    for name in ("allocs", "goroutine", "heap", "cmdline"):
        assert f"href='{name}" in index
    count = re.search(r"<td>(\d+)</td><td><a href='goroutine\?debug=1'>", index)
    assert count is not None and int(count.group(1)) >= 20 + 27  # initial leak + parked goroutines


def test_heap_proto_has_leaking_increment(target) -> None:
    prof = _profile(target.get("heap"))
    assert _sample_types(prof) == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    # Sampled every ~512 KB: give the leak a few seconds to be seen.
    _eventually(lambda: "main.(*LFUCache).increment" in _function_names(_profile(target.get("heap"))))


def test_allocs_proto_has_default_sample_type(target) -> None:
    prof = _profile(target.get("allocs"))
    assert prof.string_table[prof.default_sample_type] == "alloc_space"
    assert len(prof.sample) > 0


def test_heap_debug1_has_memstats(target) -> None:
    text = target.get("heap?debug=1").decode()
    assert text.startswith("heap profile: ")
    assert "# runtime.MemStats" in text
    assert re.search(r"^# Stack = \d+ / \d+$", text, re.M)


def test_goroutine_proto_counts_goroutines(target) -> None:
    prof = _profile(target.get("goroutine"))
    assert _sample_types(prof) == ["goroutine"]
    total = sum(s.value[0] for s in prof.sample)
    assert total >= 47
    assert "main.(*Dispatcher).deliver" in _function_names(prof)


def test_goroutine_debug1_groups_with_labels(target) -> None:
    text = target.get("goroutine?debug=1").decode()
    assert text.startswith("goroutine profile: total ")
    assert '# labels: {"req":"a-b c", "worker":"cache"}' in text
    assert "main.(*Dispatcher).deliver+" in text


def test_goroutine_debug2_shows_states(target) -> None:
    text = target.get("goroutine?debug=2").decode()
    headers = re.findall(r"^goroutine \d+ \[([^\]]*)\]", text, re.M)
    assert headers.count("chan send") >= 20
    for status in ("select", "chan receive", "IO wait", "sleep", "select (no cases)", "chan receive (nil chan)"):
        assert status in headers, status
    assert "created by main.(*Dispatcher).fanOut" in text
    deep = next(block for block in text.split("\n\n") if "main.recurse(" in block)
    recurse_frames = deep.count("\nmain.recurse(")
    if "frames elided..." not in deep:
        # Go <= 1.20 truncates at 100 frames and, when runtime frames were hidden,
        # prints no "...additional frames elided..." marker at all.
        assert recurse_frames < 150
    else:
        assert 0 < recurse_frames < 150


def test_goroutineleak_when_served(target) -> None:
    if "href='goroutineleak" not in target.get().decode():
        pytest.skip("this Go does not serve goroutineleak (Go < 1.26 or experiment off)")
    debug1 = target.get("goroutineleak?debug=1").decode()
    assert debug1.startswith("goroutineleak profile: total ")
    assert "main.(*Dispatcher).deliver+" in debug1
    assert "main.parkSelect+" not in debug1  # parked on a reachable channel: not a leak
    debug2 = target.get("goroutineleak?debug=2").decode()
    assert re.search(r"^goroutine \d+ \[chan send \(leaked\)", debug2, re.M)


def test_cmdline_echoes_flags(target) -> None:
    args = target.get("cmdline").split(b"\0")
    assert b"-chan-leak-initial" in args and b"-parked" in args


def test_restart_starts_a_new_process_and_stop_kills_it(go_target) -> None:
    target = go_target("-idle-pool", "2")
    first = target.proc
    target.restart()
    assert first is not None and first.poll() is not None  # the old process is gone
    assert target.proc is not first and target.pid != first.pid
    assert b"<td>" in target.get()
    current = target.proc
    target.stop()
    assert current is not None and current.poll() is not None
