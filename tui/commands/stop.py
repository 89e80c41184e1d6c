"""`pprof-tui stop SESSION`: end a background session (its recording is closed cleanly and kept)."""

from __future__ import annotations

import argparse
from typing import TextIO

from tui.commands.complain import text_command


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "stop",
        help="stop a background session (see `sessions`); its recording stays for `attach`/`replay`",
        description="Send SIGTERM to the session's process (after checking it is that session's, and "
        "yours) and wait for it to close its recording.",
    )
    parser.add_argument("session", metavar="SESSION", help="a session id or a unique prefix of one")
    from tui.commands.session_run import add_state_argument

    add_state_argument(parser)
    parser.set_defaults(handler=text_command("stop", body))
    return parser


def body(args: argparse.Namespace, out: TextIO) -> int:
    from tui.sessions.state import StateError, find_session, state_root, stop_session

    session = find_session(state_root(args.state_dir), args.session)
    if session is None:
        raise StateError(f"{args.session}: no such session (see `pprof-tui sessions`)")
    if not session.running():
        out.write(f"session {session.id} is not running\n")
        return 0
    if not stop_session(session):
        raise StateError(f"session {session.id} did not stop within 10 s")
    out.write(f"session {session.id} stopped; its recording: {session.recording}\n")
    return 0
