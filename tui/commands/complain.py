"""The one way a subcommand speaks on standard error: `pprof-tui COMMAND: message`, cleaned
(a message can quote a path, a target's answer or a recording: never raw terminal escapes)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

from tui.core.errors import PprofTuiError
from tui.core.textsafe import clean

MAX_MESSAGE = 500


def say(command: str, message: object) -> None:
    prefix = f"pprof-tui {command}" if command else "pprof-tui"
    print(f"{prefix}: {clean(str(message), MAX_MESSAGE)}", file=sys.stderr)


def fail(command: str, message: object, status: int = 2) -> int:
    """Say `message` and return the exit status to give."""
    say(command, message)
    return status


def text_command(
    command: str, body: Callable[[argparse.Namespace, TextIO], int]
) -> Callable[[argparse.Namespace], int]:
    """A text subcommand's handler: `body` writes to standard output; an error it raises is said
    on standard error, exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return body(args, sys.stdout)
        except PprofTuiError as exc:
            return fail(command, exc, 1)

    return run
