"""Command line: subcommands -> config -> app or text output.

Each subcommand lives in tui/commands/<name>.py and exposes
``register(subparsers) -> argparse.ArgumentParser`` whose parser sets
``handler=run`` via ``set_defaults``; ``run(args) -> int`` is the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tui import __version__

# Order is the order shown in --help.
COMMAND_MODULES = (
    "watch",
    "attach",
    "sessions",
    "stop",
    "check",
    "bundle",
    "top",
    "flame",
    "goroutines",
    "record",
    "replay",
    "open",
    "demo",
    "session_run",
)
# A subcommand spelled differently from its module.
COMMAND_NAMES = {"session-run": "session_run"}


def build_parser(commands: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser with the subcommands ``commands`` (all of them for the top-level --help;
    main() registers only the one named on the command line, so `top` does not import
    the modules of `watch` or `record`)."""
    parser = argparse.ArgumentParser(
        prog="pprof-tui",
        description="Watch a live Go service's heap and goroutines through net/http/pprof.",
    )
    parser.add_argument("--version", action="version", version=f"pprof-tui {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="replay the bundled demo recording (the same as no arguments)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        module = importlib.import_module(f"tui.commands.{name}")
        module.register(sub)
    return parser


def rewrite_argv(argv: list[str]) -> list[str]:
    """Shortcuts: no arguments or `--demo` -> `demo`; `FILE...` -> `open FILE...`;
    a recording directory -> `replay DIR`; a target (`host:port`, a URL) -> `watch TARGET`."""
    if not argv:
        return ["demo"]
    if argv[0] == "--demo":
        return ["demo", *argv[1:]]
    first = argv[0]
    if first.startswith("-") or first in COMMAND_MODULES or first in COMMAND_NAMES:
        return argv
    import os

    if os.path.isdir(first):
        from pathlib import Path

        from tui.recording.format import is_recording

        if is_recording(Path(first)):
            return ["replay", *argv]  # (a snapshot saved with `s` is no recording: `open` shows it)
    from tui.sources.inputs import is_remote

    if is_remote(first):
        return ["watch", *argv]
    return ["open", *argv]


def main(argv: list[str] | None = None) -> int:
    argv = rewrite_argv(list(sys.argv[1:] if argv is None else argv))
    named = COMMAND_NAMES.get(argv[0], argv[0]) if argv else None
    named = named if named in COMMAND_MODULES else None
    parser = build_parser((named,) if named else COMMAND_MODULES)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
