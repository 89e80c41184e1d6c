"""`check --json` against our Go target with /metrics: the watched series' start and end values and
trends are in the JSON (tests/target/metrics.go, -latency-drift-ms-per-min makes the p99 rise)."""

from __future__ import annotations

import json

import pytest

from tui.cli import main

pytestmark = pytest.mark.e2e


def test_check_json_carries_the_watched_series(go_target, capsys):
    target = go_target("-metrics", "-requests", "80", "-latency-ms", "20", "-latency-drift-ms-per-min", "600")
    status = main(["check", target.addr, "--for", "12", "--interval", "0.5", "--metrics-every", "2", "--json"])
    assert status == 0
    doc = json.loads(capsys.readouterr().out)
    service = doc["targets"][0]["service"]
    series = {s["key"]: s for s in service["series"]}
    p99 = series["metric:http_request_duration_seconds:p99"]
    assert p99["unit"] == "s" and p99["points"] >= 3
    assert p99["end"] > p99["start"] and p99["trend_per_min"] > 0  # +10 ms a second of drift
    assert series["metric:http_request_duration_seconds:rate"]["end"] > 20  # ~80 requests/s
    assert service["latency_link"] is None  # 12 s: too short to say anything about GC or the heap
