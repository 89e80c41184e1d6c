"""The GC finding (tui/leaks/gc_pressure.py) on our real Go target, through `pprof-tui check --json`,
three targets watched at the same time:

- the cache leak under a memory limit (GOMEMLIMIT=24MiB, a pod's limit): the heap goal stops at the
  limit and GC runs ever more often as the live heap grows: "... because the live heap grows";
- pure churn (-alloc-churn-mb 20: inuse flat, 20 MB/s allocated and dropped): "churn";
- the same cache leak without a limit: Go's pacer lets the goal grow with the heap, GC runs *less*
  often and its CPU share stays flat: no GC finding (the heap verdict names the leak).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
WATCH = "105s"  # the rule wants 1.5 min of series; the heap verdict 1 min


def _check(addr: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "check", addr, "--for", WATCH, "--interval", "5", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_gc_finding_on_our_target(go_target):
    limited = go_target("-cache-leak-rate", "5000", env={"GOMEMLIMIT": "24MiB"})
    churn = go_target("-alloc-churn-mb", "20")
    unlimited = go_target("-cache-leak-rate", "5000")
    checks = {name: _check(t.addr) for name, t in (("limited", limited), ("churn", churn), ("unlimited", unlimited))}
    docs = {}
    for name, proc in checks.items():
        out, err = proc.communicate(timeout=600)
        assert out, err
        docs[name] = json.loads(out)["targets"][0]
    gc = docs["limited"]["gc"]
    assert gc is not None and gc["kind"] == "live heap", docs["limited"]
    assert "because the live heap grows" in gc["sentence"] and gc["gc_per_min"] > 60
    assert gc["live_heap_bytes_per_min"] > 1e6
    gc = docs["churn"]["gc"]
    assert gc is not None and gc["kind"] == "churn", docs["churn"]
    assert 10e6 < gc["alloc_bytes_per_s"] < 30e6 and gc["live_heap_bytes_per_min"] is None
    assert docs["unlimited"]["gc"] is None, docs["unlimited"]
    assert any(v["label"].endswith("(*LFUCache).increment") for v in docs["unlimited"]["verdicts"])
