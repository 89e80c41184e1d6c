"""Quantiles from histogram bucket deltas between two scrapes, against Prometheus' histogram_quantile.

On the real /metrics pages of tests/fixtures/metrics (Prometheus, etcd: daemons we did not write),
for every pair of consecutive scrapes of the family the default pick watches, our quantile must fall
within one bucket of what `histogram_quantile(q, sum by (le) (increase(x_bucket[...])))` gives over
the same two scrapes: computed here by a second implementation written from the PromQL docs, and by
Prometheus itself (`promtool test rules`) where promtool is installed.
"""

from __future__ import annotations

import bisect
import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tui.metrics.page import index_page
from tui.metrics.parse import parse_family
from tui.metrics.quantile import bucket_quantile, quantile_between
from tui.metrics.spec import SeriesSpec
from tui.metrics.values import series_value
from tui.metrics.watch import MetricsWatch, pick_default

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "metrics"
SCENARIOS = ("prometheus-load", "etcd-load", "etcd-extensive")
QUANTILES = (0.5, 0.9, 0.99)


def scrapes(name: str) -> list[tuple[float, bytes, str]]:
    capture = json.loads((FIXTURES / name / "capture.json").read_text())
    return [(s["unix"], (FIXTURES / name / s["file"]).read_bytes(), s["content_type"]) for s in capture["scrapes"]]


def buckets_by_set(text: str, family: str) -> dict[tuple[tuple[str, str], ...], dict[float, float]]:
    """x_bucket per label set, read straight from prometheus-client (not through tui.metrics)."""
    out: dict[tuple[tuple[str, str], ...], dict[float, float]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if s.name == family + "_bucket":
                key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                out.setdefault(key, {})[float(s.labels["le"])] = s.value
    return out


def reference_quantile(q: float, before: dict, after: dict) -> float:
    """histogram_quantile(q, sum by (le) (increase(x_bucket[..]))) over exactly two samples, from the
    PromQL documentation: linear interpolation inside the bucket holding the q-th observation,
    the lower bound of the first bucket 0, the +Inf bucket answering the highest finite bound."""
    total: dict[float, float] = {}
    for key, now in after.items():
        if key not in before:
            continue
        for le, count in now.items():
            if le in before[key]:
                prev = before[key][le]
                total[le] = total.get(le, 0.0) + (count if count < prev else count - prev)
    bounds = sorted(total)
    if len(bounds) < 2 or not math.isinf(bounds[-1]) or total[bounds[-1]] == 0:
        return math.nan
    counts, running = [], 0.0
    for le in bounds:  # cumulative counts never fall
        running = max(running, total[le])
        counts.append(running)
    rank = q * counts[-1]
    i = next(i for i, c in enumerate(counts) if c >= rank)
    if i == len(bounds) - 1:
        return bounds[-2]
    lower, below = (bounds[i - 1], counts[i - 1]) if i else (0.0, 0.0)
    if i == 0 and bounds[0] <= 0:
        return bounds[0]
    return lower + (bounds[i] - lower) * (rank - below) / (counts[i] - below)


def bucket_index(value: float, bounds: list[float]) -> int:
    return bisect.bisect_left(bounds, value)


def pairs() -> list[tuple[str, str, int]]:
    out = []
    for name in SCENARIOS:
        page = index_page(scrapes(name)[0][1])
        latency = [w.spec.family for w in pick_default(page) if w.role == "latency"]
        assert latency, f"{name}: the default pick found no latency histogram"
        out += [(name, latency[0], i) for i in range(len(scrapes(name)) - 1)]
    return out


@pytest.mark.parametrize(("scenario", "family", "i"), pairs())
def test_quantiles_match_histogram_quantile_on_real_pages(scenario: str, family: str, i: int) -> None:
    (t0, b0, c0), (t1, b1, c1) = scrapes(scenario)[i : i + 2]
    before_page, after_page = index_page(b0, content_type=c0), index_page(b1, content_type=c1)
    before, after = parse_family(before_page, family), parse_family(after_page, family)
    sets0, sets1 = buckets_by_set(b0.decode(), family), buckets_by_set(b1.decode(), family)
    bounds = sorted({le for b in sets1.values() for le in b})
    for q in QUANTILES:
        ours, observations = quantile_between(q, before, after)
        ref = reference_quantile(q, sets0, sets1)
        if math.isnan(ref):
            assert observations == 0 and math.isnan(ours)
            continue
        assert abs(bucket_index(ours, bounds) - bucket_index(ref, bounds)) <= 1, (q, ours, ref)
        assert ours == pytest.approx(ref, rel=1e-9)  # in practice the same number
        assert series_value(SeriesSpec(family, (), f"p{round(q * 100)}"), before, after, t1 - t0) == pytest.approx(ref)


def promtool_quantiles(tmp: Path, family: str, sets0: dict, sets1: dict) -> dict[float, float]:
    """What Prometheus 2.x itself answers, through `promtool test rules` (the got: lines of a
    deliberately failing expectation)."""
    series = []
    for key, now in sets1.items():
        if key not in sets0:
            continue
        for le, count in now.items():
            if le not in sets0[key]:
                continue
            labels = ",".join(
                [f"{k}={json.dumps(v)}" for k, v in key] + [f'le="{"+Inf" if math.isinf(le) else repr(le)}"']
            )
            series.append(
                f"      - series: '{family}_bucket{{{labels}}}'\n        values: '{sets0[key][le]!r} {count!r}'\n"
            )
    tests = "".join(
        f"      - expr: histogram_quantile({q}, sum by (le) (increase({family}_bucket[1m])))\n"
        "        eval_time: 1m\n        exp_samples:\n          - labels: '{}'\n            value: -7\n"
        for q in QUANTILES
    )
    (tmp / "t.yml").write_text(
        "evaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n"
        + "".join(series)
        + "    promql_expr_test:\n"
        + tests
    )
    run = subprocess.run(["promtool", "test", "rules", "t.yml"], cwd=tmp, capture_output=True, text=True, timeout=120)
    got = [
        line.split("}", 1)[1].strip()
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip().startswith("got:")
    ]
    assert len(got) == len(QUANTILES), run.stdout + run.stderr
    return {q: float(g) for q, g in zip(QUANTILES, got, strict=True)}


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed")
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_quantiles_match_prometheus_itself(scenario: str, tmp_path: Path) -> None:
    (_, b0, c0), (_, b1, c1) = scrapes(scenario)[-2:]
    page = index_page(b1, content_type=c1)
    family = next(w.spec.family for w in pick_default(page) if w.role == "latency")
    before, after = parse_family(index_page(b0, content_type=c0), family), parse_family(page, family)
    sets0, sets1 = buckets_by_set(b0.decode(), family), buckets_by_set(b1.decode(), family)
    bounds = sorted({le for b in sets1.values() for le in b})
    theirs = promtool_quantiles(tmp_path, family, sets0, sets1)
    for q, value in theirs.items():
        ours, _ = quantile_between(q, before, after)
        assert abs(bucket_index(ours, bounds) - bucket_index(value, bounds)) <= 1, (q, ours, value)
        assert ours == pytest.approx(value, rel=1e-9)


def test_default_pick_shows_latency_within_two_scrapes() -> None:
    for name in SCENARIOS:
        watch = MetricsWatch()
        got: dict[str, float] = {}
        for t, body, ctype in scrapes(name)[:2]:
            got = watch.observe(t, index_page(body, content_type=ctype))
        latency = [w.key for w in watch.watched if w.role == "latency"]
        assert len(latency) == 2 and all(k in got for k in latency), (name, got)
        assert got[latency[0]] <= got[latency[1]]  # p50 <= p99


def test_bucket_quantile_edge_cases() -> None:
    inf = math.inf
    assert math.isnan(bucket_quantile(0.5, [(1.0, 3.0)]))  # no +Inf bucket
    assert math.isnan(bucket_quantile(0.5, [(1.0, 0.0), (inf, 0.0)]))  # no observations
    assert bucket_quantile(0.99, [(1.0, 1.0), (inf, 10.0)]) == 1.0  # in +Inf: the highest finite bound
    assert bucket_quantile(-1, [(1.0, 1.0), (inf, 1.0)]) == -inf
    assert bucket_quantile(2, [(1.0, 1.0), (inf, 1.0)]) == inf
    assert bucket_quantile(0.5, [(1.0, 4.0), (2.0, 2.0), (inf, 4.0)]) == 0.5  # forced monotonic
    assert bucket_quantile(0.5, [(2.0, 4.0), (1.0, 2.0), (inf, 4.0)]) == 1.0  # sorted by bound first
    assert bucket_quantile(0.25, [(-1.0, 1.0), (0.0, 2.0), (inf, 4.0)]) == -1.0  # first bound <= 0


def test_rates_and_quantiles_survive_a_counter_reset() -> None:
    def page(count: int, fast: int) -> bytes:
        return (
            "# TYPE h_seconds histogram\n"
            f'h_seconds_bucket{{le="0.1"}} {fast}\nh_seconds_bucket{{le="1"}} {count}\n'
            f'h_seconds_bucket{{le="+Inf"}} {count}\nh_seconds_count {count}\nh_seconds_sum 1\n'
        ).encode()

    fam = [parse_family(index_page(page(c, f)), "h_seconds") for c, f in ((100, 90), (10, 5))]
    spec = SeriesSpec("h_seconds", (), "rate")
    assert series_value(spec, fam[0], fam[1], 2.0) == 5.0  # restarted: the 10 new ones in 2 s
    value, observations = quantile_between(0.5, fam[0], fam[1])
    assert observations == 10 and value == pytest.approx(0.1)  # 5 of 10 under 0.1: the median is at 0.1
