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
    parser.add_argument(
        "target", help="host:port, http(s)://host:port, or a full base such as https://h/app/debug/pprof/"
    )
    parser.add_argument(
        "--record",
        metavar="DIR",
        default=None,
        help="also record every answer to DIR (a new directory); replay it with `replay DIR`",
    )
    from tui.commands.record import add_record_limit_arguments

    add_record_limit_arguments(parser)
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.commands.record import limits_from_args
    from tui.core.errors import PprofTuiError

    try:
        config = config_from_args(args)
        from tui.sources.feeds import LiveSource

        source = LiveSource(config, record_dir=args.record, record_limits=limits_from_args(args))
    except (ConfigError, PprofTuiError, OSError) as exc:
        print(f"pprof-tui: {exc}", file=sys.stderr)
        return 2
    from tui.app import build_app

    build_app(source).run()
    recorder = source.recorder
    if recorder is not None:
        print(
            f"pprof-tui: recorded {recorder.writer.records} answers into {args.record}"
            + (f"; {recorder.error}" if recorder.error else ""),
            file=sys.stderr,
        )
    return 0
