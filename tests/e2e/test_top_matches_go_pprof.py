"""`pprof-tui top` prints what `go tool pprof -top` prints: same headers, rows, values.

Compares every row (flat, flat%, sum%, cum, cum%, name) on the real captures and on a
generated profile with inlining and dropped nodes. pprof's "(inline)"/"(partial-inline)"
suffixes depend on its edge trimming and are not compared.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
from argparse import Namespace
from pathlib import Path

import pytest

from tests.conftest import find_go
from tui.commands.top import _run

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GO = find_go()

pytestmark = pytest.mark.e2e

if GO is None:
    if os.environ.get("CI"):
        pytest.fail("`go` is required in CI for the pprof comparison", pytrace=False)
    pytest.skip("`go` not on PATH", allow_module_level=True)

_SUFFIX = re.compile(r" \((?:partial-)?inline\)$")


def go_top(path: Path, sample_index: str, lines: bool, extra: tuple[str, ...] = ()) -> str:
    cmd = [GO, "tool", "pprof", "-top", "-symbolize=none", f"-sample_index={sample_index}", *extra]
    if lines:
        cmd.append("-lines")
    cmd.append(str(path))
    env = dict(os.environ, PPROF_BINARY_PATH="/nonexistent", PPROF_TMPDIR="/tmp")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    return res.stdout


def our_top(path: Path, sample_index: str, lines: bool, focus=None, ignore=None) -> str:
    out = io.StringIO()
    args = Namespace(
        source=str(path),
        sample_index=sample_index,
        nodecount=None,
        cum=False,
        focus=focus,
        ignore=ignore,
        base=None,
        lines=lines,
        json=False,
    )
    assert _run(args, out) == 0
    return out.getvalue()


def split(text: str) -> tuple[list[str], list[str]]:
    lines = text.rstrip("\n").split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.split() == ["flat", "flat%", "sum%", "cum", "cum%"])
    header = [ln for ln in lines[:i] if not ln.startswith("Time:")]
    rows = [_SUFFIX.sub("", ln) for ln in lines[i + 1 :]]
    return header, rows


def assert_same(ours: str, theirs: str) -> None:
    our_header, our_rows = split(ours)
    go_header, go_rows = split(theirs)
    assert our_header == go_header
    assert len(our_rows) == len(go_rows)
    for mine, go in zip(our_rows, go_rows):
        assert mine.split(None, 5) == go.split(None, 5)
    assert our_rows == go_rows  # exact layout too


CASES = [
    (v, name, si, lines)
    for v in ("go1.19", "go1.27")
    for name, indexes in (
        ("heap.pb.gz", ("inuse_space", "inuse_objects", "alloc_space")),
        ("allocs.pb.gz", ("alloc_space", "alloc_objects")),
    )
    for si in indexes
    for lines in (False, True)
]


@pytest.mark.parametrize("version,name,sample_index,lines", CASES)
def test_fixture_top_matches_go_pprof(version, name, sample_index, lines):
    path = FIXTURES / version / name
    if not path.exists():
        pytest.skip(f"fixture {path} not recorded")
    assert_same(our_top(path, sample_index, lines), go_top(path, sample_index, lines))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("gen_heap_profile", ROOT / "tests/benchmarks/gen_heap_profile.py")
    gen = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(gen)
    import gzip

    path = tmp_path_factory.mktemp("gen") / "heap.pb.gz"
    path.write_bytes(gzip.compress(gen.build(4000, 1500, seed=7).SerializeToString()))
    return path


@pytest.mark.parametrize(
    "sample_index,lines", [("inuse_space", False), ("alloc_objects", False), ("inuse_space", True)]
)
def test_generated_profile_matches_go_pprof(generated, sample_index, lines):
    ours = our_top(generated, sample_index, lines)
    assert "Dropped" in ours  # the cutoff path is exercised
    assert_same(ours, go_top(generated, sample_index, lines))


def test_focus_and_ignore_match_go_pprof(generated):
    focus, ignore = "svc1[0-9]/", "fn1[0-9]{2}$"
    ours = our_top(generated, "inuse_space", False, focus=focus, ignore=ignore)
    assert len(split(ours)[1]) > 5
    theirs = go_top(generated, "inuse_space", False, (f"-focus={focus}", f"-ignore={ignore}"))
    assert_same(ours, theirs)


@pytest.mark.parametrize("version", ["go1.19", "go1.27"])
def test_base_diff_matches_go_pprof_for_the_same_process(version):
    # heap and allocs come from the same process: same binary, so pprof can match every location.
    heap, allocs = FIXTURES / version / "heap.pb.gz", FIXTURES / version / "allocs.pb.gz"
    if not heap.exists() or not allocs.exists():
        pytest.skip("fixtures not recorded")
    out = io.StringIO()
    args = Namespace(
        source=str(heap),
        sample_index="alloc_space",
        nodecount=None,
        cum=False,
        focus=None,
        ignore=None,
        base=str(allocs),
        lines=False,
        json=False,
    )
    assert _run(args, out) == 0
    assert_same(out.getvalue(), go_top(heap, "alloc_space", False, (f"-base={allocs}",)))


def _gzip_variants() -> dict[str, bytes]:
    import gzip

    served = (FIXTURES / "go1.27" / "heap.pb.gz").read_bytes()
    raw = gzip.decompress(served)
    half = len(raw) // 2
    return {
        "two-members": gzip.compress(raw[:half]) + gzip.compress(raw[half:]),
        "trailing-zeros": served + b"\x00" * 16,
        "trailing-garbage": served + b"junk",
        "truncated": served[:-5],
    }


@pytest.mark.parametrize("case", ["two-members", "trailing-zeros", "trailing-garbage", "truncated"])
def test_gzip_edge_cases_accepted_and_rejected_like_go_pprof(case, tmp_path):
    """tui/core/gunzip.py follows Go's gzip.Reader: what `go tool pprof` reads we read, what it refuses we refuse."""
    from tui.core.errors import ParseError

    path = tmp_path / f"{case}.pb.gz"
    path.write_bytes(_gzip_variants()[case])
    cmd = [GO, "tool", "pprof", "-top", "-symbolize=none", "-sample_index=inuse_space", str(path)]
    env = dict(os.environ, PPROF_BINARY_PATH="/nonexistent", PPROF_TMPDIR="/tmp")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if res.returncode == 0:
        assert_same(our_top(path, "inuse_space", False), res.stdout)
    else:
        assert "decompressing profile" in res.stderr
        with pytest.raises(ParseError, match="gzip"):
            our_top(path, "inuse_space", False)
    assert (res.returncode == 0) == (case == "two-members")
