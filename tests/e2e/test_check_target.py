"""`pprof-tui check` as a service's CI would run it, against the real Go target: the leaking
build exits 1 naming both leaks, the same program with its leaks off exits 0, both watched
at the same time for the same `--for`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_leak_verdicts import CACHE_FUNC, CHAN_LEAF, LEAKS_OFF, LEAKS_ON

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
FOR = "110s"  # the fast leaks are named within 2 minutes (test_leak_verdicts)


def _check(addr: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "check", addr, "--for", FOR, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_check_exits_1_on_the_leaking_target_and_0_on_the_clean_one(go_target):
    on, off = go_target(*LEAKS_ON), go_target(*LEAKS_OFF)
    runs = {"on": _check(on.addr), "off": _check(off.addr)}
    done = {name: (p.wait(timeout=240), *p.communicate()) for name, p in runs.items()}

    status, out, err = done["on"]
    assert status == 1, (out, err)
    doc = json.loads(out)
    failing = [v["label"] for v in doc["targets"][0]["verdicts"] if v["fails"]]
    assert any(label.startswith(CHAN_LEAF) for label in failing), failing
    assert any(label.startswith(CACHE_FUNC) for label in failing), failing

    status, out, err = done["off"]
    assert status == 0, (out, err)
    target = json.loads(out)["targets"][0]
    assert target["errors"] == [] and target["polls"] >= 40
    assert [v for v in target["verdicts"] if v["fails"]] == []
