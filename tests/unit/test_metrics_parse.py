"""tui.metrics: the page index, prometheus-client parse of one family, specs; hostile input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.errors import ParseError
from tui.metrics.page import index_page
from tui.metrics.parse import parse_family
from tui.metrics.spec import Matcher, SeriesSpec, parse_spec, quantile_of

PAGE = b"""# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code="200",handler="/a"} 10
http_requests_total{code="500",handler="/a"} 2
# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{handler="/a",le="0.1"} 5
http_request_duration_seconds_bucket{handler="/a",le="0.5"} 9
http_request_duration_seconds_bucket{handler="/a",le="+Inf"} 12
http_request_duration_seconds_sum{handler="/a"} 2.5
http_request_duration_seconds_count{handler="/a"} 12
# HELP go_gc_duration_seconds A summary of GC pauses, with "quotes" and \\\\ escapes.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0.5"} 0.001
go_gc_duration_seconds{quantile="1"} 0.004
go_gc_duration_seconds_sum 0.1
go_gc_duration_seconds_count 40
# TYPE go_goroutines gauge
go_goroutines 42
"""

OPENMETRICS = b"""# TYPE app_requests counter
# HELP app_requests Requests.
app_requests_total{code="200"} 7.0
app_requests_created{code="200"} 1.6e9
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="1.0"} 3.0
app_latency_seconds_bucket{le="+Inf"} 4.0 # {trace_id="x"} 2.0
app_latency_seconds_count 4.0
app_latency_seconds_sum 3.1
# EOF
"""


def test_index_lists_every_family_with_type_and_help() -> None:
    page = index_page(PAGE)
    assert list(page.families) == [
        "http_requests_total",
        "http_request_duration_seconds",
        "go_gc_duration_seconds",
        "go_goroutines",
    ]
    assert page.families["http_request_duration_seconds"].type == "histogram"
    assert page.families["go_goroutines"].type == "gauge"
    assert page.families["http_requests_total"].help == "Requests served."
    assert not page.openmetrics
    block = page.block("http_requests_total")
    assert block.startswith("# HELP http_requests_total") and "duration" not in block


def test_parse_family_counter_histogram_summary_gauge() -> None:
    page = index_page(PAGE)
    counter = parse_family(page, "http_requests_total")
    assert [(s.name, dict(s.labels)["code"], s.value) for s in counter.samples] == [
        ("http_requests_total", "200", 10.0),
        ("http_requests_total", "500", 2.0),
    ]
    hist = parse_family(page, "http_request_duration_seconds")
    buckets = [s for s in hist.samples if s.name.endswith("_bucket")]
    assert [dict(s.labels)["le"] for s in buckets] == ["0.1", "0.5", "+Inf"]
    summary = parse_family(page, "go_gc_duration_seconds")
    assert {dict(s.labels).get("quantile") for s in summary.samples} >= {"0.5", "1"}
    assert parse_family(page, "go_goroutines").samples[0].value == 42


def test_openmetrics_page_parsed_with_its_own_parser() -> None:
    page = index_page(OPENMETRICS, content_type="application/openmetrics-text; version=1.0.0")
    assert page.openmetrics
    assert page.families["app_requests"].type == "counter"
    fam = parse_family(page, "app_requests")
    assert {s.name for s in fam.samples} == {"app_requests_total", "app_requests_created"}
    hist = parse_family(page, "app_latency_seconds")
    assert any(s.name == "app_latency_seconds_bucket" and s.value == 4.0 for s in hist.samples)
    assert index_page(OPENMETRICS).openmetrics  # known by its "# EOF" too


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Login</body></html>",
        b'{"error": "no"}',
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        b"\x00\x01\x02binary",
    ],
)
def test_not_an_exposition_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        index_page(body)


def test_malformed_sample_is_a_parse_error_naming_the_family() -> None:
    page = index_page(b'# TYPE x_total counter\nx_total{code="200" 5\n')
    with pytest.raises(ParseError, match="x_total"):
        parse_family(page, "x_total")


def test_overlong_line_refuses_the_family_not_the_page() -> None:
    body = b"# TYPE a gauge\na " + b"1" * 70_000 + b"\n# TYPE b gauge\nb 2\n"
    page = index_page(body)
    with pytest.raises(ParseError, match="over 65536"):
        parse_family(page, "a")
    assert parse_family(page, "b").samples[0].value == 2


def test_series_and_families_are_bounded() -> None:
    lines = "".join(f'x{{i="{i}"}} {i}\n' for i in range(50))
    page = index_page(("# TYPE x gauge\n" + lines).encode())
    fam = parse_family(page, "x", max_series=10)
    assert len(fam.samples) == 10 and fam.cut == 40
    many = "".join(f"# TYPE f{i} gauge\nf{i} 1\n" for i in range(30)).encode()
    page = index_page(many, max_families=20)
    assert len(page.families) == 20 and page.dropped_families == 10


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_never_raises_anything_but_parse_error(data: bytes) -> None:
    body = b"# TYPE g histogram\n" + data
    try:
        page = index_page(body)
        for name in page.families:
            parse_family(page, name)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab_{}="\\,# \n0123456789.+-eEInfNa', max_size=200))
def test_near_miss_text_never_raises_anything_but_parse_error(text: str) -> None:
    try:
        page = index_page(("# TYPE ab counter\n" + text).encode())
        for name in page.families:
            parse_family(page, name)
    except ParseError:
        pass


def test_spec_round_trip_and_errors() -> None:
    spec = parse_spec('http_request_duration_seconds{handler="/a",code!~"2.."}:p99')
    assert spec == SeriesSpec(
        "http_request_duration_seconds", (Matcher("handler", "=", "/a"), Matcher("code", "!~", "2..")), "p99"
    )
    assert parse_spec(spec.text) == spec
    assert spec.keep((("code", "500"), ("handler", "/a")))
    assert not spec.keep((("code", "200"), ("handler", "/a")))
    assert parse_spec("x").stat == ""
    assert parse_spec('x{a="q\\"uote"}').matchers[0].value == 'q"uote'
    assert quantile_of("p99") == 0.99 and quantile_of("p999") == 0.999 and quantile_of("p50") == 0.5
    assert parse_spec("a:b:rate") == SeriesSpec("a:b", (), "rate")
    assert parse_spec("job:x:median").family == "job:x:median"  # a recording rule's name, no statistic
    for bad in ("", "1x", "x{a=b}", 'x{a=~"("}', "x{", "x:p99 y", "x" * 600):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_nan_and_inf_values_are_kept_as_floats() -> None:
    page = index_page(b'# TYPE g gauge\ng{a="1"} NaN\ng{a="2"} +Inf\n')
    values = [s.value for s in parse_family(page, "g").samples]
    assert math.isnan(values[0]) and values[1] == math.inf
