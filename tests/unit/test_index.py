"""parse_index on the net/http/pprof index page."""

from __future__ import annotations

import pytest

from tests.conftest import fixture_path
from tui.core.errors import ParseError
from tui.model.index_page import parse_index


def test_go_format() -> None:
    page = (
        "<table>\n<thead><td>Count</td><td>Profile</td></thead>\n"
        "<tr><td>11</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n"
        "<tr><td>306</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n"
    )
    assert parse_index(page) == {"allocs": 11, "goroutine": 306}


def test_quote_case_and_whitespace_variants() -> None:
    page = (
        '<TR><TD> 7 </TD>\n  <TD><A HREF="heap?debug=1" class=x> heap </A></TD></TR>'
        "<tr><td>3</td><td><a href=mutex?debug=1>mutex</a></td></tr>"
        "<tr><td>1</td><td><a href='x?debug=1'>a&amp;b</a></td></tr>"
    )
    assert parse_index(page) == {"heap": 7, "mutex": 3, "a&b": 1}


@pytest.mark.parametrize(
    "page",
    [
        "",
        "<html><body>404 page not found</body></html>",
        "goroutine profile: total 3",
        "<td>Count</td><td>Profile</td>",
    ],
)
def test_not_pprof_is_parse_error(page: str) -> None:
    with pytest.raises(ParseError):
        parse_index(page)


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_fixtures(version: str) -> None:
    counts = parse_index(fixture_path(version, "index.html").read_text())
    assert {"allocs", "block", "goroutine", "heap", "mutex", "threadcreate"} <= set(counts)
    assert counts["goroutine"] >= 250
    if version == "go1.27":
        assert "goroutineleak" in counts
