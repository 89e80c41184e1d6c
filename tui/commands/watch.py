"""`pprof-tui watch TARGET`: the live terminal UI."""

from __future__ import annotations

import argparse
import sys

from tui.config import ConfigError, add_connection_arguments, config_from_args


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "watch",
        help="watch a live Go service in the terminal UI",
        description="Poll TARGET's /debug/pprof/ endpoints gently and show heap, goroutines and trends.",
    )
    parser.add_argument("target", help="host:port, http(s)://host:port, or a full base such as https://h/app/debug/pprof/")
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        print(f"pprof-tui: {exc}", file=sys.stderr)
        return 2
    from tui.app import build_app
    from tui.service.poller import Poller

    build_app(Poller(config)).run()
    return 0
