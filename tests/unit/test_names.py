"""tui.core.names: Go symbols shortened from the left of the import path, generics collapsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.names import collapse_generics, cut_middle, shorten_location, shorten_symbol

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"

# from the heap profiles of tests/fixtures/real/prometheus-idle and etcd-idle
PROMETHEUS = (
    "github.com/prometheus/prometheus/tsdb.newStripeSeries",
    "github.com/prometheus/prometheus/scrape.(*scrapeCache).trackStaleness",
    "github.com/prometheus/client_golang/prometheus.(*MetricVec).GetMetricWithLabelValues",
    "github.com/prometheus/client_golang/prometheus.(*SummaryVec).GetMetricWithLabelValues",
    "github.com/prometheus/client_golang/prometheus.(*SummaryVec).WithLabelValues",
    "github.com/prometheus/client_golang/prometheus.(*summary).newStream",
    "github.com/prometheus/client_golang/prometheus.NewSummary",
)
ETCD = (
    "go.etcd.io/etcd/wal.newEncoder",
    "github.com/prometheus/client_golang/prometheus.(*GaugeVec).GetMetricWith",
    "github.com/prometheus/client_golang/prometheus.(*GaugeVec).With",
    "github.com/prometheus/client_golang/prometheus.(*MetricVec).GetMetricWith",
    "github.com/prometheus/client_golang/prometheus.NewGaugeVec.func1",
)


def test_the_issue_examples():
    name = "github.com/prometheus/prometheus/tsdb.(*memSeries).cutNewHeadChunk"
    assert shorten_symbol(name, 40) == "…/tsdb.(*memSeries).cutNewHeadChunk"
    assert shorten_symbol(name, 60) == "…/prometheus/prometheus/tsdb.(*memSeries).cutNewHeadChunk"
    assert shorten_symbol(name, len(name)) == name
    assert shorten_symbol("main.appendTo[go.shape.struct { a []int; b [3]string }]", 28) == "main.appendTo[...]"


def test_generics_collapse_first_and_nested():
    assert collapse_generics("main.appendTo[go.shape.int,go.shape.[]string]") == "main.appendTo[...]"
    assert collapse_generics("pkg.(*List[go.shape.int]).Push") == "pkg.(*List[...]).Push"
    assert collapse_generics("pkg.Map[...].func1") == "pkg.Map[...].func1"
    assert collapse_generics("main.f[go.shape.int") == "main.f[...]"  # cut short: to the end
    assert collapse_generics("main.[x]") == "main.[x]"  # not after an identifier: not a type argument
    # generics collapse before any path element goes
    name = "github.com/acme/lib/pkg.Reduce[go.shape.struct { Name string; Tags []string }]"
    assert shorten_symbol(name, 50) == "github.com/acme/lib/pkg.Reduce[...]"
    assert shorten_symbol(name, 25) == "…/lib/pkg.Reduce[...]"
    assert shorten_symbol(name, 20) == "…/pkg.Reduce[...]"


def test_whole_path_elements_only_and_the_end_is_kept():
    name = "github.com/prometheus/client_golang/prometheus.(*metricMap).getOrCreateMetricWithLabelValues"
    for width in range(1, len(name) + 3):
        short = shorten_symbol(name, width)
        assert len(short) <= width
        assert short == name or "…" in short or not short, (width, short)  # every cut is marked
        if width >= 20:
            assert short.endswith("LabelValues"), (width, short)
        if short.startswith("…/"):
            assert name.endswith(short[1:])  # a cut at a "/", never inside a directory name
    assert shorten_symbol(name, 62) == "…/prometheus.(*metricMap).getOrCreateMetricWithLabelValues"
    assert shorten_symbol(name, 48) == "…(*metricMap).getOrCreateMetricWithLabelValues"
    assert shorten_symbol("main.main", 0) == ""
    assert cut_middle("abcdefghij", 7) == "ab…ghij"


@pytest.mark.parametrize("names", [PROMETHEUS, ETCD])
@pytest.mark.parametrize("width", [28, 40])
def test_real_names_stay_distinguishable(names, width):
    shown = [shorten_symbol(n, width) for n in names]
    assert len(set(shown)) == len(names), shown
    assert all(len(s) <= width for s in shown)
    # the old cut kept the shared prefix: at 28 they were all "github.com/prometheus/client…"
    assert not any(s.startswith("github.com/prometheus/cli") for s in shown)


def test_every_function_of_the_real_heap_profiles():
    """Every function of the real daemons' heap profiles, at the 80-column width: as many distinct
    shown names as the old right-cut, usually many more."""
    from tui.heap.decode import decode_profile
    from tui.heap.top import top
    from tui.recording.format import open_recording

    for daemon in ("prometheus-idle", "etcd-idle"):
        ref = open_recording(REAL / daemon).latest("heap")
        assert ref is not None
        profile = decode_profile(ref.read_body())
        names = [r.name for r in top(profile, profile.default_sample_index, node_fraction=0.0).rows]
        width = 28
        old = {n if len(n) <= width else n[: width - 1] + "…" for n in names}
        new = {shorten_symbol(n, width) for n in names}
        assert len(new) > len(old) and len(new) >= 0.9 * len(set(names)), (daemon, len(new), len(old), len(names))


def test_location_keeps_the_function_first():
    name = "github.com/prometheus/prometheus/tsdb.(*memSeries).cutNewHeadChunk"
    where = "/build/prometheus/tsdb/head.go:1234"
    assert shorten_location(name, where, 200) == f"{name} {where}"
    assert shorten_location(name, where, 60) == "…/tsdb.(*memSeries).cutNewHeadChunk …/head.go:1234"
    assert len(shorten_location(name, where, 30)) <= 30
    assert shorten_location(name, "", 40) == shorten_symbol(name, 40)
