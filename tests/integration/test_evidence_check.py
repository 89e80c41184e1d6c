"""`pprof-tui check --evidence DIR` over the demo recording (two leaks): a bundle for every failing
verdict, their paths in the JSON, and what a bundle holds opens in `go tool pprof`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tui.cli import main
from tui.evidence import readme as names
from tui.evidence.listing import list_bundles

DEMO = "tui/demo"


def test_check_writes_a_bundle_per_failing_verdict(tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "ev"
    assert main(["check", DEMO, "--json", "--evidence", str(out_dir)]) == 1
    doc = json.loads(capsys.readouterr().out)
    (target,) = doc["targets"]
    failing = {v["key"] for v in target["verdicts"] if v["fails"]}
    assert len(failing) == 2
    bundles = list_bundles(out_dir)
    assert sorted(str(b.path) for b in bundles) == sorted(target["bundles"])
    covered = {v.key for b in bundles for v in b.verdicts}
    assert covered == failing
    for b in bundles:
        files = {p.name for p in b.path.iterdir()}
        assert {names.HEAP_BASE, names.HEAP_NOW, names.README, names.STACKS} <= files
        assert "=== " in (b.path / names.STACKS).read_text()


def test_check_text_names_the_bundles(tmp_path: Path, capsys) -> None:
    assert main(["check", DEMO, "--evidence", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert sum(line.startswith("  bundle: ") for line in out.splitlines()) == 2


@pytest.mark.skipif(shutil.which("go") is None, reason="needs go")
def test_bundle_profiles_open_in_go_tool_pprof(tmp_path: Path, capsys) -> None:
    assert main(["check", DEMO, "--evidence", str(tmp_path)]) == 1
    capsys.readouterr()
    bundle = list_bundles(tmp_path)[-1].path
    for name in (names.HEAP_NOW, names.HEAP_BASE, names.GOROUTINES_PROTO):
        if (bundle / name).exists():
            done = subprocess.run(["go", "tool", "pprof", "-top", name], cwd=bundle, capture_output=True, timeout=120)
            assert done.returncode == 0, done.stderr
    done = subprocess.run(
        ["go", "tool", "pprof", "-top", "-base", names.HEAP_BASE, names.HEAP_NOW],
        cwd=bundle,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0 and b"flat%" in done.stdout, done.stderr
