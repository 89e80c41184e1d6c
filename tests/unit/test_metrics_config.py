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
