"""Offline files: every captured kind is detected by content and lands in one snapshot."""

from __future__ import annotations

import gzip
import shutil

import pytest

from tests.conftest import FIXTURES_DIR, fixture_path
from tui.core.errors import ParseError
from tui.sources.offline import OFFLINE, OfflineSource, load_file

EXPECTED = {
    "heap.pb.gz": ("heap", "heap", False),
    "allocs.pb.gz": ("heap", "allocs", False),
    "heap_debug1.txt": ("heap-debug1", "heap?debug=1", False),
    "goroutine.pb.gz": ("goroutine-profile", "goroutine", False),
    "goroutine_debug1.txt": ("goroutine-debug1", "goroutine?debug=1", False),
    "goroutine_debug2.txt": ("goroutine-debug2", "goroutine?debug=2", False),
    "goroutineleak_debug1.txt": ("goroutine-debug1", "goroutineleak?debug=1", True),
    "goroutineleak_debug2.txt": ("goroutine-debug2", "goroutineleak?debug=2", True),
    "index.html": ("index", "index", False),
}
VERSIONS = ("go1.19", "go1.26", "go1.27")


def fixture_files(version: str) -> list[str]:
    d = FIXTURES_DIR / version
    return sorted(str(p) for p in d.iterdir() if p.name in EXPECTED)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_fixture_kind_is_detected_by_content(version, tmp_path):
    for path in fixture_files(version):
        name = path.rsplit("/", 1)[-1]
        # a neutral file name: detection must not look at it
        copy = tmp_path / f"capture-{name.replace('.', '-')}"
        shutil.copyfile(path, copy)
        f = load_file(str(copy), copy.read_bytes())
        assert (f.kind, f.endpoint, f.leak) == EXPECTED[name], name


@pytest.mark.parametrize("version", VERSIONS)
def test_all_files_make_one_snapshot(version):
    source = OfflineSource(fixture_files(version))
    seen = []
    source.on_snapshot = seen.append
    source.start()
    assert len(seen) == 1
    s = seen[0]
    assert s.state == OFFLINE and "offline" in s.status
    d = FIXTURES_DIR / version
    dump_total = (d / "goroutine_debug2.txt").read_text().count("\ngoroutine ") + 1
    assert s.goroutine_total == dump_total
    assert s.heap is not None and s.heap_totals["inuse_space"] > 0
    assert s.memstats is not None and s.memstats.heap_inuse > 0
    assert s.goroutine_stacks is not None and s.goroutine_stacks.total > 0
    assert s.history.values("goroutines") == (float(dump_total),)
    assert s.history.values("heap.inuse_space") == (s.heap_totals["inuse_space"],)
    assert s.profiles.get("goroutine", 0) > 0
    # the heap profile wins over allocs for the heap view
    assert s.heap.sample_types[s.heap.default_sample_index].type == "inuse_space"


def test_goroutineleak_dump_marks_leaked_groups():
    s = OfflineSource(
        [str(fixture_path("go1.27", "goroutine_debug2.txt")), str(fixture_path("go1.27", "goroutineleak_debug2.txt"))]
    ).snapshot
    leaked = [g for g in s.goroutine_groups if g.leaked]
    assert leaked and leaked[0].reason == "chan send" and leaked[0].count >= 100
    assert "goroutineleak" in s.tree_status
    plain = OfflineSource([str(fixture_path("go1.27", "goroutine_debug2.txt"))]).snapshot
    assert not any(g.leaked for g in plain.goroutine_groups)
    # a debug=1 leak profile (leaked goroutines only) is the snapshot's goroutine_leaks, like live
    with_counts = OfflineSource(
        [str(fixture_path("go1.27", "goroutine_debug2.txt")), str(fixture_path("go1.27", "goroutineleak_debug1.txt"))]
    ).snapshot
    assert with_counts.goroutine_leaks is not None and with_counts.goroutine_leaks.kind == "goroutineleak"
    assert with_counts.goroutine_leaks.total == 256
    assert with_counts.age("goroutine-leaks").fetched_at is not None
    assert with_counts.goroutine_groups == plain.goroutine_groups
    assert with_counts.goroutine_total == plain.goroutine_total
    # alone, it is the tree (leaked goroutines only)
    alone = OfflineSource([str(fixture_path("go1.27", "goroutineleak_debug1.txt"))]).snapshot
    assert alone.goroutine_groups and all(g.leaked for g in alone.goroutine_groups)


def test_raw_uncompressed_heap_proto_opens(tmp_path):
    raw = tmp_path / "heap.raw"
    raw.write_bytes(gzip.decompress(fixture_path("go1.19", "heap.pb.gz").read_bytes()))
    s = OfflineSource([str(raw)]).snapshot
    assert s.heap is not None and s.heap_totals["inuse_space"] > 0
    assert s.goroutine_total is None and s.goroutine_groups == ()


def test_unknown_or_missing_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello, this is not a profile\n")
    with pytest.raises(ParseError, match="notes.txt: not a pprof profile"):
        OfflineSource([str(junk)])
    with pytest.raises(Exception, match="no such file"):
        OfflineSource([str(tmp_path / "missing.pb.gz")])


def test_controls_do_nothing_offline():
    source = OfflineSource([str(fixture_path("go1.27", "heap_debug1.txt"))])
    source.pause()
    source.resume()
    source.refresh_now("all")
    seen = []
    source.on_snapshot = seen.append
    source.start()
    assert [s.seq for s in seen] == [1] and seen[0].memstats is not None


def test_a_saved_snapshot_names_only_its_own_files(tmp_path):
    """A crafted meta.json in a directory given as a saved snapshot names nothing outside it."""
    import json

    from tui.recording.export import saved_files
    from tui.recording.format import is_recording

    (tmp_path / "secret").write_text("x")
    snap_dir = tmp_path / "snap"
    snap_dir.mkdir()
    (snap_dir / "heap.pb.gz").write_bytes(b"x")
    files = {
        "../secret": {"endpoint": "heap?debug=1"},
        "heap.pb.gz": {"endpoint": "heap"},
        "missing.txt": {"endpoint": "goroutine?debug=2"},
    }
    (snap_dir / "meta.json").write_text(json.dumps({"tool": "pprof-tui 0.1.0", "files": files}))
    assert saved_files(snap_dir) == {"heap": snap_dir / "heap.pb.gz"}
    assert not is_recording(snap_dir)  # `pprof-tui DIR` opens it, not `replay` ("no records")
