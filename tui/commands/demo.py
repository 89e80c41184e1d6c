"""`pprof-tui demo` (also `pprof-tui --demo` and `pprof-tui` alone): replay the bundled recording
of the project's Go test target leaking both ways (heap and goroutines). No Go, no network."""

from __future__ import annotations

import argparse

from tui.commands.complain import fail

DEMO_PACKAGE = "tui"
DEMO_DIR = ("demo",)  # meta.json + seg-*.rec directly in tui/demo/ (package data "demo/*")


def demo_recording():
    """The bundled recording as a package resource (works from an installed wheel)."""
    from importlib.resources import files

    entry = files(DEMO_PACKAGE)
    for part in DEMO_DIR:
        entry = entry.joinpath(part)
    return entry


def demo_source(**kwargs):
    from tui.sources.feeds import ReplaySource

    kwargs.setdefault("loop", True)
    kwargs.setdefault("label", "demo: Go test target (leaking)")
    return ReplaySource(demo_recording(), **kwargs)


def register(subparsers) -> argparse.ArgumentParser:
    from tui.commands.replay import parse_speed

    parser = subparsers.add_parser(
        "demo",
        help="replay the bundled demo recording (also: pprof-tui --demo, or no arguments)",
        description="Replay a recording of a Go service leaking heap and goroutines, in a loop.",
    )
    parser.add_argument("--speed", type=parse_speed, default=1.0, metavar="X", help="1, 10, ... or max (default 1)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError

    try:
        source = demo_source(speed=getattr(args, "speed", 1.0))
    except (PprofTuiError, OSError) as exc:
        return fail("demo", f"the bundled recording is missing or damaged: {exc}")
    from tui.app import build_app

    build_app(source).run()
    return 0
