"""`pprof-tui replay DIR`: play a recording through the same UI (pause, step, speed)."""

from __future__ import annotations

import argparse
import math

from tui.commands.complain import fail


def parse_speed(text: str) -> float:
    text = text.strip().lower()
    if text in ("max", "inf", "fast"):
        return math.inf
    text = text.removesuffix("x").removesuffix("×").strip()  # "10x", "10×" (one suffix, not the x of "max")
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("speed is a number (1, 10, ...) or 'max'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("speed must be > 0")
    return value


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "replay",
        help="play a recording (from `record` or `watch --record`) in the UI",
        description="Replay DIR through the same poller and UI as live: the same sparklines and verdicts.",
    )
    parser.add_argument("directory", metavar="DIR", help="a recording directory")
    parser.add_argument("--speed", type=parse_speed, default=1.0, metavar="X", help="1, 10, ... or max (default 1)")
    parser.add_argument("--loop", action="store_true", help="start over at the end")
    parser.add_argument("--paused", action="store_true", help="start paused (step through polls)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError
    from tui.sources.feeds import ReplaySource

    try:
        source = ReplaySource(args.directory, speed=args.speed, loop=args.loop)
    except (PprofTuiError, OSError) as exc:
        return fail("replay", exc)
    if args.paused:
        source.clock.pause()
    from tui.app import build_app

    build_app(source).run()
    return 0
