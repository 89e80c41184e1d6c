"""The service's own numbers, live: our Go target with a hand-written /metrics page (tests/target/metrics.go:
a request-duration histogram, request counters, Go runtime metrics) and an fgprof-like handler, watched by
the real poller; recorded and replayed; a target without them loses nothing."""

from __future__ import annotations

import asyncio
import math

import pytest

from tui.config import build_config
from tui.metrics.state import NOT_SERVED, SERVED
from tui.model.snapshot import Snapshot
from tui.recording.format import open_recording
from tui.sources.feeds import LiveSource, ReplaySource

pytestmark = pytest.mark.e2e
P50 = "metric:http_request_duration_seconds:p50"
P99 = "metric:http_request_duration_seconds:p99"
RATE = "metric:http_request_duration_seconds:rate"
ERRORS = "metric:http_requests_total:errors"


def _config(addr: str, **extra: object):
    return build_config({"target": addr, "interval": 0.5, "metrics_every": 2, **extra}, env={})


def _points(s: Snapshot, key: str) -> list[float]:
    assert s.history is not None
    return list(s.history.values(key, last=100))


async def _watch(source, until, timeout: float = 60.0) -> Snapshot:
    seen: list[Snapshot] = []
    source.on_snapshot = seen.append
    source.start()
    try:
        for _ in range(int(timeout / 0.1)):
            await asyncio.sleep(0.1)
            if seen and until(seen[-1]):
                return seen[-1]
        raise AssertionError(f"not seen in {timeout} s; last: {seen[-1].status if seen else None}")
    finally:
        await source.stop()


async def test_latency_rates_and_fgprof_found_then_replayed(go_target, tmp_path):
    target = go_target("-metrics", "-fgprof", "-requests", "60", "-latency-ms", "30")
    rec = tmp_path / "rec"
    live = LiveSource(_config(target.addr), record_dir=rec)
    s = await _watch(live, lambda s: len(_points(s, P99)) >= 3)
    assert s.metrics is not None
    assert s.metrics.served("/metrics") and s.metrics.served("/debug/fgprof")
    assert dict(s.metrics.found)["/debug/vars"] == NOT_SERVED  # the target does not import expvar
    assert "/metrics 5 families" in s.status and "fgprof" in s.status
    roles = {w.key: w.role for w in s.metrics.watched}
    assert roles[P50] == roles[P99] == "latency" and roles[RATE] == "rate" and roles[ERRORS] == "errors"
    assert "metric:go_sched_latencies_seconds:p99" in roles  # Go's runtime histogram gets its own row
    p50, p99 = _points(s, P50)[-1], _points(s, P99)[-1]
    assert 0.025 <= p50 <= 0.05 and p50 < p99 <= 0.25  # log-normal around 30 ms
    assert 30 <= _points(s, RATE)[-1] <= 90  # 60 requests/s
    assert _points(s, ERRORS)[-1] < 10  # 1 in 50 fails
    names = {f.name: f.type for f in s.metrics.families}
    assert names["http_request_duration_seconds"] == "histogram" and names["go_goroutines"] == "gauge"

    recorded = {r.header.ep for r in open_recording(rec).records}
    assert {"/metrics", "/debug/fgprof?seconds=0", "/debug/vars"} <= recorded
    replay = ReplaySource(rec, speed=math.inf)
    r = await _watch(replay, lambda r: len(_points(r, P99)) >= 2)
    assert r.metrics is not None and r.metrics.served("/metrics") and r.metrics.served("/debug/fgprof")
    assert set(_points(r, P99)) <= set(_points(s, P99))  # the same scrapes give the same quantiles


async def test_pinned_series_and_other_port(go_target):
    target = go_target("-metrics", "-requests", "40")
    spec = 'http_request_duration_seconds{handler="/healthz"}:p90'
    config = _config(target.addr, metric_specs=[spec], metrics_url=f"http://{target.addr}/metrics")
    s = await _watch(LiveSource(config), lambda s: len(_points(s, "metric:" + spec)) >= 1)
    assert s.metrics is not None and s.metrics.watched[0].role == "pinned"


async def test_target_without_metrics_loses_nothing(go_target):
    target = go_target()
    s = await _watch(
        LiveSource(_config(target.addr)),
        lambda s: s.metrics is not None and s.metrics.found[0][1] != "not asked yet" and s.memstats is not None,
    )
    assert s.metrics is not None
    assert dict(s.metrics.found) == {"/metrics": NOT_SERVED, "/debug/vars": NOT_SERVED, "/debug/fgprof": NOT_SERVED}
    assert s.metrics.watched == () and s.last_error == "" and s.state == "live"
    assert "/metrics" not in s.status
    assert SERVED not in s.status
