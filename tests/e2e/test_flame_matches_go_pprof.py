"""`pprof-tui flame -o x.folded` holds the stacks `go tool pprof -traces` prints, with the same values.

pprof prints one trace per sample (leaf first, one line per inlined function, values in the unit
asked for with -unit); summed by stack, root first, they are our folded lines, exactly.
"""

from __future__ import annotations

import os
import subprocess
from argparse import Namespace
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import find_go
from tui.commands.flame import _run
from tui.heap.decode import decode_profile

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GO = find_go()

pytestmark = pytest.mark.e2e

if GO is None:
    if os.environ.get("CI"):
        pytest.fail("`go` is required in CI for the pprof comparison", pytrace=False)
    pytest.skip("`go` not on PATH", allow_module_level=True)

CASES = [FIXTURES / v / n for v in ("go1.19", "go1.26", "go1.27") for n in ("heap.pb.gz", "allocs.pb.gz")] + [
    FIXTURES / "profiles" / d / n for d in ("go1.19", "go1.27") for n in ("cpu.pb.gz", "mutex.pb.gz", "block.pb.gz")
]
UNITS = {"bytes": "B", "nanoseconds": "ns"}


def go_traces(path: Path, sample_type: str, unit: str) -> Counter[tuple[str, ...]]:
    cmd = [GO, "tool", "pprof", "-traces", "-symbolize=none", f"-sample_index={sample_type}"]
    if unit in UNITS:
        cmd.append(f"-unit={UNITS[unit]}")
    env = dict(os.environ, PPROF_BINARY_PATH="/nonexistent", PPROF_TMPDIR="/tmp")
    res = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    stacks: Counter[tuple[str, ...]] = Counter()
    blocks = res.stdout.split("-----------+-------------------------------------------------------\n")[1:]
    for block in blocks:
        value = None
        frames: list[str] = []
        for line in block.splitlines():
            if len(line) > 10 and line[10] == ":":
                continue  # a label line ("     bytes:  24kB")
            if value is None:  # the first frame: "%10s   %s", the value wider than 10 columns pushes it right
                text, name = line.lstrip().split("   ", 1)
                value = int(text.rstrip("Bns"))
            else:
                name = line[13:]
            frames.append(name.removesuffix(" (inline)"))
        if value:
            stacks[tuple(reversed(frames))] += value
    return stacks


def ours(path: Path, sample_type: str, tmp: Path) -> Counter[tuple[str, ...]]:
    out = tmp / f"{path.parent.name}-{path.name}-{sample_type}.folded"
    args = Namespace(source=str(path), output=str(out), base=None, sample_index=sample_type)
    assert _run(args, None) == 0  # type: ignore[arg-type]
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in out.read_text().splitlines():
        path_text, value = line.rsplit(" ", 1)
        stacks[tuple(path_text.split(";"))] += int(value)
    return stacks


def test_folded_equals_go_pprof_traces(tmp_path):
    jobs = []
    for path in CASES:
        profile = decode_profile(path.read_bytes())
        jobs += [(path, st.type, st.unit) for st in profile.sample_types]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        theirs = list(pool.map(lambda job: go_traces(*job), jobs))
    for (path, sample_type, _), expected in zip(jobs, theirs):
        got = ours(path, sample_type, tmp_path)
        assert +got == +expected, f"{path.parent.name}/{path.name} {sample_type}"
        assert sum(got.values()) == sum(
            decode_profile(path.read_bytes()).values[[j[1] for j in jobs if j[0] == path].index(sample_type)]
        )
