"""`pprof-tui FILE...` (or `pprof-tui open FILE...`): saved profiles and dumps in the UI, no polling."""

from __future__ import annotations

import argparse

from tui.commands.complain import say


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "open",
        help="show saved files in the UI (also: pprof-tui FILE...)",
        description="Open heap/allocs profiles (gzip'd or raw proto), goroutine debug=1/debug=2 dumps, "
        "goroutineleak dumps and heap?debug=1 text; the kind is detected from the content.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError
    from tui.sources.offline import OfflineSource

    try:
        source = OfflineSource(args.files)
    except PprofTuiError as exc:
        say("", exc)
        return 1
    from tui.app import build_app

    build_app(source).run()
    return 0
