"""The command line's and the config file's options for the service's own numbers (`--metrics URL`,
`--no-metrics`, `--metric SPEC`, `--metrics-every N`) and their checks; tui.config adds them to the
watching subcommands and raises its ConfigError on what `check_metrics_options` refuses."""

from __future__ import annotations

import argparse
import urllib.parse
from collections.abc import Callable, Sequence


def add_metrics_arguments(parser: argparse.ArgumentParser, positive_int: Callable[[str], int]) -> None:
    m = parser.add_argument_group("the service's own numbers (/metrics)")
    m.add_argument(
        "--metrics",
        dest="metrics_url",
        metavar="URL",
        help="the service's Prometheus /metrics page when it is not /metrics on the target's listener "
        "(same host, another port or path)",
    )
    m.add_argument(
        "--no-metrics",
        dest="metrics",
        action="store_false",
        default=None,
        help="do not look for /metrics, /debug/vars, /debug/fgprof",
    )
    m.add_argument(
        "--metric",
        dest="metric_specs",
        action="append",
        metavar="SPEC",
        help="watch this series as a sparkline, e.g. 'http_request_duration_seconds{handler=\"/api\"}:p99' "
        "(repeatable; STAT: p50 p99 p999 rate errors value)",
    )
    m.add_argument("--metrics-every", type=positive_int, metavar="N", help="polls between /metrics scrapes (default 5)")


def check_metrics_options(url: str, target: str, specs: Sequence[str]) -> None:
    """ValueError when `--metrics URL` is not http(s) on the target's host (our credentials and TLS
    settings go with every request) or a `--metric` spec does not parse."""
    if url:
        parts, base = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--metrics: {url[:120]!r} is not an http(s) URL")
        if parts.hostname != base.hostname:
            raise ValueError(
                f"--metrics: {parts.hostname} is not the target's host {base.hostname}: credentials and "
                "TLS settings are the target's, so the metrics page must be on the same host"
            )
    if specs:
        from tui.metrics.spec import parse_spec  # RE2 only when a spec is given

        for spec in specs:
            try:
                parse_spec(spec)
            except ValueError as exc:
                raise ValueError(f"--metric: {exc}") from None
