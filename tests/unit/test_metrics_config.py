"""--metrics URL / --metric SPEC / --no-metrics: parsed, checked, and the client's URL for /metrics."""

from __future__ import annotations

import argparse

import pytest

from tui.config import ConfigError, add_connection_arguments, build_config, config_from_args
from tui.fetch.client import TargetClient


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    return parser.parse_args(["127.0.0.1:6060", *argv])


def test_flags_reach_the_config() -> None:
    config = config_from_args(
        _args("--metrics", "http://127.0.0.1:9100/m", "--metric", "a_seconds:p99", "--metric", "b_total"), env={}
    )
    assert config.metrics and config.metrics_url == "http://127.0.0.1:9100/m"
    assert config.metric_specs == ("a_seconds:p99", "b_total")
    assert not config_from_args(_args("--no-metrics"), env={}).metrics
    assert config_from_args(_args("--metrics-every", "3"), env={}).metrics_every == 3


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"metrics_url": "http://evil.example:9100/metrics"}, "not the target's host"),
        ({"metrics_url": "ftp://127.0.0.1/metrics"}, "not an http(s) URL"),
        ({"metric_specs": ["x{a=b}"]}, "--metric"),
        ({"metric_specs": "x"}, "list"),
        ({"metrics_every": 0}, "metrics_every"),
    ],
)
def test_bad_options_are_refused_in_words(values: dict, said: str) -> None:
    with pytest.raises(ConfigError, match=said.replace("(", r"\(").replace(")", r"\)")):
        build_config({"target": "127.0.0.1:6060", **values}, env={})


async def test_metrics_path_is_on_the_target_origin_or_the_given_url() -> None:
    plain = build_config({"target": "https://127.0.0.1:6060/custom/pprof/"}, env={})
    async with TargetClient(plain) as client:
        assert client.url_of("/metrics") == "https://127.0.0.1:6060/metrics"
        assert client.url_of("/debug/vars") == "https://127.0.0.1:6060/debug/vars"
        assert client.url_of("heap") == "https://127.0.0.1:6060/custom/pprof/heap"
    other = build_config({"target": "127.0.0.1:6060", "metrics_url": "http://127.0.0.1:9100/x"}, env={})
    async with TargetClient(other) as client:
        assert client.url_of("/metrics") == "http://127.0.0.1:9100/x"


async def test_a_metrics_page_echoing_our_token_is_masked_and_a_login_page_refused() -> None:
    """The /metrics body passes the one masking and validation step every answer does: a token the
    target echoes into a label value is '*' before it is parsed, kept or shown."""
    import httpx

    from tui.fetch.errors import NotPprof
    from tui.fetch.validate import METRICS
    from tui.metrics.page import index_page
    from tui.metrics.parse import parse_family

    token = "s3cr3t-token-value"
    pages = {
        "/metrics": f'# TYPE up gauge\nup{{auth="Bearer {token}"}} 1\n'.encode(),
        "/login/metrics": b"<html><body>Please sign in</body></html>",
    }

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {token}"  # same auth as the pprof requests
        return httpx.Response(200, content=pages[request.url.path])

    config = build_config({"target": "127.0.0.1:6060"}, env={"PPROF_TUI_TOKEN": token})
    async with TargetClient(config, transport=httpx.MockTransport(answer)) as client:
        result = await client.get("/metrics", expect=METRICS)
        assert token.encode() not in result.body
        labels = dict(parse_family(index_page(result.body), "up").samples[0].labels)
        assert labels["auth"] == "Bearer " + "*" * len(token)
        with pytest.raises(NotPprof, match="login"):
            await client.get("/login/metrics", expect=METRICS)
