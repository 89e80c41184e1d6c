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
from concurrent.futures import ThreadPoolExecutor
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


def go_top(path: Path, sample_index: str | None, lines: bool, extra: tuple[str, ...] = ()) -> str:
    """None: no -sample_index, pprof's own default (the profile's default_sample_type, else the last)."""
    cmd = [GO, "tool", "pprof", "-top", "-symbolize=none", *extra]
    if sample_index is not None:
        cmd.append(f"-sample_index={sample_index}")
    if lines:
        cmd.append("-lines")
    cmd.append(str(path))
    env = dict(os.environ, PPROF_BINARY_PATH="/nonexistent", PPROF_TMPDIR="/tmp")
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    return res.stdout


_SAVED_TOPS: dict[tuple[Path, str | None, bool], str] = {}


def go_top_of_capture(path: Path, sample_index: str | None, lines: bool) -> str:
    """`go tool pprof -top` of a saved capture (CASES, PROFILE_CASES): all of them are run at the first
    call, several at a time (one run is ~0.5 s, mostly start-up: 176 one after the other took ~90 s)."""
    if not _SAVED_TOPS:
        jobs = [(FIXTURES / v / n, si, ln) for v, n, si, ln in CASES]
        jobs += [(FIXTURES / "profiles" / d / n, si, ln) for d, n, si, ln in PROFILE_CASES]
        jobs = [job for job in jobs if job[0].exists()]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            _SAVED_TOPS.update(zip(jobs, pool.map(lambda job: go_top(*job), jobs)))
    return _SAVED_TOPS.get((path, sample_index, lines)) or go_top(path, sample_index, lines)


def our_top(path: Path, sample_index: str | None, lines: bool, focus=None, ignore=None) -> str:
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
    assert_same(our_top(path, sample_index, lines), go_top_of_capture(path, sample_index, lines))


# tests/fixtures/profiles/ (record_profiles.py): CPU, mutex, block and ?seconds= deltas from our target
# (hot paths on, rates set) and from Prometheus and etcd (no rate set: empty mutex/block profiles).
PROFILE_DIRS = ("go1.19", "go1.27", "prometheus-load", "etcd-load")
PROFILE_TYPES = (
    ("cpu.pb.gz", (None, "samples", "cpu")),
    ("mutex.pb.gz", (None, "contentions", "delay")),
    ("block.pb.gz", (None, "contentions", "delay")),
    ("mutex_delta.pb.gz", (None, "contentions", "delay")),
    ("block_delta.pb.gz", (None, "contentions", "delay")),
    # Go's delta loses default_sample_type: pprof shows the last (inuse_space), with negative values
    ("allocs_delta.pb.gz", (None, "alloc_space", "alloc_objects", "inuse_objects")),
    ("heap_delta.pb.gz", (None, "alloc_space", "inuse_objects")),
)
PROFILE_CASES = [
    (d, name, si, lines)
    for d in PROFILE_DIRS
    for name, indexes in PROFILE_TYPES
    for si in indexes
    for lines in (False, True)
]


@pytest.mark.parametrize("where,name,sample_index,lines", PROFILE_CASES)
def test_saved_profile_top_matches_go_pprof(where, name, sample_index, lines):
    path = FIXTURES / "profiles" / where / name
    assert path.exists(), f"{path} missing: run tests/fixtures/profiles/record_profiles.py"
    ours = our_top(path, sample_index, lines)
    assert_same(ours, go_top_of_capture(path, sample_index, lines))


@pytest.mark.parametrize("where", ["go1.19", "go1.27"])
def test_saved_profiles_hold_what_the_target_does(where):
    """The captures are what the README says (so a comparison on an empty profile cannot pass for one on a real one)."""
    d = FIXTURES / "profiles" / where
    assert split(our_top(d / "cpu.pb.gz", None, False))[1][0].endswith("main.burnCPU")
    assert any(r.endswith("main.burnCPUSmall") for r in split(our_top(d / "cpu.pb.gz", None, False))[1][:4])
    assert any("main.(*hotLock).work" in r for r in split(our_top(d / "mutex_delta.pb.gz", None, False))[1])
    block = split(our_top(d / "block_delta.pb.gz", None, False))[1]
    assert any("main.blockOnChan" in r for r in block) and any("main.(*hotLock).work" in r for r in block)
    churn = split(our_top(d / "allocs_delta.pb.gz", "alloc_space", False))[1][0]
    assert churn.endswith("main.churnAllocs")


@pytest.mark.parametrize("where", ["prometheus-load", "etcd-load"])
def test_daemons_without_a_rate_have_empty_contention_profiles(where):
    """Neither sets a block rate; Prometheus sets no mutex fraction ("sampling period=0"), etcd sets 5
    itself (its --enable-pprof handlers do, when none is set) and its mutex profile has rows."""
    d = FIXTURES / "profiles" / where
    mutex_rate_set = "sampling period=0" not in (d / "mutex_debug1.txt").read_text()
    assert mutex_rate_set == (where == "etcd-load")
    for name in ("mutex.pb.gz", "block.pb.gz", "mutex_delta.pb.gz", "block_delta.pb.gz"):
        header, rows = split(our_top(d / name, None, False))
        if mutex_rate_set and name.startswith("mutex"):
            assert rows and any(r.endswith(("sync.(*Mutex).Unlock", "sync.(*RWMutex).Unlock")) for r in rows[:3])
        else:
            assert rows == [] and "Showing nodes accounting for 0, 0% of 0 total" in header
    assert len(split(our_top(d / "cpu.pb.gz", None, False))[1]) > 20


def _built(tmp_path: Path, types, samples, *, duration=0, default="") -> Path:
    from tests.unit.pprof_builder import Builder

    b = Builder(types)
    for frames, values in samples:
        b.sample(frames, values)
    b.p.duration_nanos = duration
    if default:
        b.p.default_sample_type = b.s(default)
    path = tmp_path / "built.pb.gz"
    path.write_bytes(b.bytes(gz=True))
    return path


CPU_US = (("samples", "count"), ("cpu", "microseconds"))
CONTENTION = (("contentions", "count"), ("delay", "nanoseconds"))
SECOND = 1_000_000_000


@pytest.mark.parametrize(
    "types,values,duration,default,sample_index",
    [
        # a time unit other than nanoseconds: still a share of the duration
        (CPU_US, ((3, 300_000), (1, 100_000), (0, 0)), 2 * SECOND, "", None),
        # hours, and a total over the duration
        ((("wait", "hours"),), ((3,), (1,), (2,)), 3600 * SECOND, "", None),
        # default_sample_type wins over the last
        (CONTENTION, ((7, 2_500), (1, 10), (2, 999_999)), 0, "contentions", None),
        (CONTENTION, ((7, 2_500), (1, 10), (2, 999_999)), 0, "contentions", "delay"),
        # a delta: negative values in a time unit
        (CONTENTION, ((-7, -2_500_000), (1, 10), (2, 999_999)), 5 * SECOND, "", None),
    ],
)
def test_built_profiles_with_other_units_match_go_pprof(tmp_path, types, values, duration, default, sample_index):
    stacks = (["main.f", "main.main"], ["main.g", "main.main"], ["runtime.h", "main.g", "main.main"])
    path = _built(tmp_path, types, list(zip(stacks, values)), duration=duration, default=default)
    for lines in (False, True):
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


def test_nodecount_and_cum_on_cpu_profiles_match_go_pprof():
    for where in ("go1.27", "etcd-load"):
        path = FIXTURES / "profiles" / where / "cpu.pb.gz"
        for cum in (False, True):
            out = io.StringIO()
            args = Namespace(
                source=str(path), sample_index=None, nodecount=4, cum=cum, focus=None, ignore=None,
                base=None, lines=False, json=False,
            )  # fmt: skip
            assert _run(args, out) == 0
            extra = ("-nodecount=4", *(("-cum",) if cum else ()))
            assert_same(out.getvalue(), go_top(path, None, False, extra))


def _top_cli(source: str, *flags: str) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run(
        [sys.executable, "-m", "tui", "top", source, *flags], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_top_reads_windowed_urls_of_a_live_target(go_target):
    """`top URL?seconds=N` waits for the window and prints the profile; a CPU profile already running in
    that process is said in words, not as a traceback."""
    import threading
    import urllib.request

    target = go_target("-cpu-burn", "0.3", "-contend", "2", "-mutex-fraction", "5")
    res = _top_cli(target.base_url + "profile?seconds=1", "--timeout", "3")
    assert res.returncode == 0, res.stderr
    assert "pprof-tui top: waiting 1 s" in res.stderr
    assert "Type: cpu" in res.stdout and "main.burnCPU" in res.stdout
    res = _top_cli(target.base_url + "mutex?seconds=1", "--sample-index", "contentions")
    assert res.returncode == 0, res.stderr
    assert "Type: contentions" in res.stdout and "main.(*hotLock).work" in res.stdout

    # Another CPU profile of that process: started first, then ours is tried until it meets it.
    def hold() -> None:
        with urllib.request.urlopen(target.base_url + "profile?seconds=6", timeout=30) as resp:
            resp.read()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        for _ in range(5):
            res = _top_cli(target.base_url + "profile?seconds=1")
            if res.returncode != 0:
                break
        assert res.returncode == 1
        assert "cpu profiling already in use" in res.stderr
        assert "another CPU profile of that process is running" in res.stderr
        assert "Traceback" not in res.stderr
    finally:
        holder.join()
