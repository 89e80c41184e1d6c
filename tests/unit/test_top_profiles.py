"""`top` on CPU, mutex, block and ?seconds= delta profiles: headers and units as pprof prints them,
the default sample type as pprof picks it, and URLs that make the target collect first.

The exact equality with `go tool pprof -top` on every saved capture is in
tests/integration/test_top_matches_go_pprof.py; these run without Go.
"""

from __future__ import annotations

import argparse
import functools
import io
from pathlib import Path

import httpx
import pytest

from tests.unit.pprof_builder import Builder
from tui.commands import top as top_command
from tui.core.errors import ParseError, SourceError
from tui.fetch import oneshot
from tui.fetch.client import TargetClient
from tui.sources.inputs import MAX_PROFILE_SECONDS, collection_seconds

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    top_command.register(parser.add_subparsers())
    return parser.parse_args(["top", *argv])


def top_text(*argv: str) -> str:
    out = io.StringIO()
    assert top_command._run(parse(*argv), out) == 0
    return out.getvalue()


def header_and_rows(text: str) -> tuple[list[str], list[str]]:
    lines = text.rstrip("\n").split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.split() == ["flat", "flat%", "sum%", "cum", "cum%"])
    return [ln for ln in lines[:i] if not ln.startswith("Time:")], lines[i + 1 :]


# ---- the saved captures (what go tool pprof printed on them, checked by the e2e test) ----


def test_cpu_profile_header_rows_and_default_type():
    header, rows = header_and_rows(top_text(str(PROFILES / "go1.27" / "cpu.pb.gz")))
    assert header[:3] == ["File: target", header[1], "Type: cpu"] and header[1].startswith("Build ID: ")
    assert header[3] == "Duration: 5.01s, Total samples = 1.37s (27.34%)"
    assert header[4] == "Showing nodes accounting for 1.37s, 100% of 1.37s total"
    assert rows[0] == "     0.99s 72.26% 72.26%      1.04s 75.91%  main.burnCPU"
    assert rows[1] == "     0.15s 10.95% 83.21%      0.16s 11.68%  main.burnCPUSmall"


def test_cpu_samples_are_counts():
    header, rows = header_and_rows(top_text(str(PROFILES / "go1.27" / "cpu.pb.gz"), "--sample-index", "samples"))
    assert "Type: samples" in header
    assert "Duration: 5.01s, Total samples = 137 " in header  # a count: no share of the duration
    assert rows[0].split()[:4] == ["99", "72.26%", "72.26%", "104"] and rows[0].endswith("main.burnCPU")


def test_mutex_delay_and_contentions():
    header, rows = header_and_rows(top_text(str(PROFILES / "go1.27" / "mutex_delta.pb.gz")))
    assert "Type: delay" in header
    assert "Duration: 5s, Total samples = 10.56s (211.02%)" in header  # waits of many goroutines pass 100 %
    assert rows[0].endswith("sync.(*Mutex).Unlock (inline)")
    header, rows = header_and_rows(top_text(str(PROFILES / "go1.19" / "block.pb.gz"), "--sample-index", "contentions"))
    assert "Type: contentions" in header and not any(ln.startswith("Duration") for ln in header)
    assert all(r.split()[0].isdigit() or r.split()[0] == "0" for r in rows)


def test_a_delta_heap_profile_keeps_its_negative_values():
    header, rows = header_and_rows(top_text(str(PROFILES / "prometheus-load" / "heap_delta.pb.gz")))
    # Go's delta loses default_sample_type: the last type, as pprof
    assert "Type: inuse_space" in header
    assert "Duration: 5.09s, Total samples = 7178.79kB " in header  # sum of |value|
    assert "Showing nodes accounting for 349.41kB, 4.87% of 7178.79kB total" in header
    assert rows[0] == "-1805.17kB 25.15% 25.15% -2898.68kB 40.38%  compress/flate.NewWriter"
    assert rows[1].split()[2] == "8.65%"  # the running sum goes down past a negative row
    header, rows = header_and_rows(top_text(str(PROFILES / "go1.19" / "allocs_delta.pb.gz")))
    assert "Showing nodes accounting for -1MB, 100% of 1MB total" in header
    assert rows[0] == "      -1MB   100%   100%       -1MB   100%  main.churnAllocs"


def test_an_empty_contention_profile_of_a_daemon_without_a_rate():
    header, rows = header_and_rows(top_text(str(PROFILES / "prometheus-load" / "block_delta.pb.gz")))
    assert rows == []
    assert header[-2:] == ["Duration: 5.10s, Total samples = 0 ", "Showing nodes accounting for 0, 0% of 0 total"]


def test_a_debug1_text_is_refused_with_what_to_ask_instead():
    with pytest.raises(ParseError, match=r"mutex\?debug=1 or block\?debug=1: ask without debug=1"):
        top_text(str(PROFILES / "go1.27" / "mutex_debug1.txt"))


# ---- units and headers on built profiles ----


def _file(tmp_path: Path, builder: Builder, *, duration: int = 0, default: str = "") -> str:
    if duration:
        builder.p.duration_nanos = duration
    if default:
        builder.p.default_sample_type = builder.s(default)
    path = tmp_path / "p.pb.gz"
    path.write_bytes(builder.bytes(gz=True))
    return str(path)


def test_a_time_unit_other_than_nanoseconds_still_gets_its_share_of_the_duration(tmp_path):
    b = Builder((("samples", "count"), ("cpu", "microseconds")))
    b.sample(["main.f", "main.main"], [3, 300_000])
    b.sample(["main.g", "main.main"], [1, 100_000])
    header, rows = header_and_rows(top_text(_file(tmp_path, b, duration=2_000_000_000)))
    # go tool pprof prints exactly these on this profile (a twin is compared in tests/e2e)
    assert "Duration: 2s, Total samples = 400ms (20.00%)" in header
    assert rows[0] == "     300ms 75.00% 75.00%      300ms 75.00%  main.f"


def test_default_sample_type_wins_over_the_last(tmp_path):
    b = Builder((("contentions", "count"), ("delay", "nanoseconds")))
    b.sample(["sync.(*Mutex).Unlock", "main.work"], [7, 2_500])
    text = top_text(_file(tmp_path, b, default="contentions"))
    assert "Type: contentions" in text
    assert header_and_rows(text)[1][0].split()[0] == "7"
    assert "2.50us" in top_text(_file(tmp_path, b, default="contentions"), "--sample-index", "delay")


# ---- URLs that make the target collect first ----


@pytest.mark.parametrize(
    "url,seconds",
    [
        ("http://h:6060/debug/pprof/heap", 0),
        ("http://h:6060/debug/pprof/mutex?seconds=5", 5),
        ("http://h:6060/debug/pprof/allocs?seconds=2.5", 2.5),
        ("http://h:6060/debug/pprof/profile?seconds=10", 10),
        ("http://h:6060/debug/pprof/profile", 30),  # net/http/pprof's default
        ("http://h:6060/debug/pprof/profile?seconds=0", 30),
        ("http://h:6060/debug/pprof/profile?seconds=x", 30),
        ("http://h:6060/debug/pprof/profile?seconds=2.5", 30),  # the CPU handler parses an integer
        ("http://h:6060/debug/pprof/profile?seconds=%2B7", 7),
        ("http://h:6060/debug/pprof/profile?seconds=+7", 30),  # "+" is a space in a query: not an integer
        (f"http://h:6060/debug/pprof/block?seconds={MAX_PROFILE_SECONDS}", MAX_PROFILE_SECONDS),
    ],
)
def test_collection_seconds(url, seconds):
    assert collection_seconds(url) == seconds


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://h/debug/pprof/profile?seconds=301", "over the 300 s"),
        ("http://h/debug/pprof/mutex?seconds=1e9", "over the 300 s"),
        ("http://h/debug/pprof/heap?seconds=-1", "not a positive number"),
        ("http://h/debug/pprof/heap?seconds=nan", "not a positive number"),
        ("http://h/debug/pprof/heap?seconds=+5", "not a positive number"),
        ("http://h/debug/pprof/heap?seconds=1&seconds=2", "given 2 times"),
    ],
)
def test_collection_seconds_refused(url, message):
    with pytest.raises(ParseError, match=message):
        collection_seconds(url)


class _Wire(httpx.AsyncByteStream):
    """A body still to be read, as from a socket (httpx reads a Response(content=...) at once)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):
        yield self.data


@pytest.fixture
def served(monkeypatch):
    """Route `top URL` through an httpx.MockTransport; record each request and its timeouts."""
    seen: list[httpx.Request] = []
    answer: dict[str, httpx.Response] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer["response"]

    transport = httpx.MockTransport(handler)
    monkeypatch.setattr(oneshot, "TargetClient", functools.partial(TargetClient, transport=transport))
    return seen, answer


def test_a_cpu_url_waits_longer_than_its_window_and_says_so(served, capsys):
    seen, answer = served
    answer["response"] = httpx.Response(200, content=(PROFILES / "go1.27" / "cpu.pb.gz").read_bytes())
    text = top_text("http://127.0.0.1:6060/debug/pprof/profile?seconds=5", "--timeout", "4")
    assert "Type: cpu" in text and "main.burnCPU" in text
    (request,) = seen
    assert request.url.path == "/debug/pprof/profile" and request.url.params["seconds"] == "5"
    assert request.extensions["timeout"]["read"] == 9  # --timeout 4 + the 5 s the target collects
    assert "pprof-tui top: waiting 5 s" in capsys.readouterr().err


def test_a_delta_url_without_seconds_waits_as_usual(served, capsys):
    seen, answer = served
    answer["response"] = httpx.Response(200, content=(PROFILES / "go1.27" / "mutex.pb.gz").read_bytes())
    assert "Type: delay" in top_text("http://127.0.0.1:6060/debug/pprof/mutex", "--timeout", "4")
    assert seen[0].extensions["timeout"]["read"] == 4
    assert "waiting" not in capsys.readouterr().err


def test_a_window_over_the_bound_is_refused_before_asking(served, capsys):
    seen, _ = served
    assert top_command.run(parse("http://127.0.0.1:6060/debug/pprof/profile?seconds=3600")) == 1
    assert seen == []
    err = capsys.readouterr().err
    assert "seconds=3600 is over the 300 s" in err and "Traceback" not in err


def test_cpu_profiling_already_in_use_is_a_clear_message(served, capsys):
    _, answer = served
    # what net/http/pprof answers while another CPU profile of the process runs
    answer["response"] = httpx.Response(
        500,
        stream=_Wire(b"Could not enable CPU profiling: cpu profiling already in use\n"),
        headers={"Content-Type": "text/plain; charset=utf-8", "X-Go-Pprof": "1"},
    )
    assert top_command.run(parse("http://127.0.0.1:6060/debug/pprof/profile?seconds=2")) == 1
    err = capsys.readouterr().err
    assert "cpu profiling already in use" in err
    assert "another CPU profile of that process is running" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2  # "waiting 2 s", then the error


def test_an_unreachable_window_url_is_a_source_error():
    with pytest.raises(SourceError):  # a URL that cannot answer: a SourceError, not a traceback
        top_text("http://127.0.0.1:1/debug/pprof/mutex?seconds=1", "--timeout", "1")
