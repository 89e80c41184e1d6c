"""`pprof-tui attach [SESSION|DIR]`: the UI on a running session or on any recording being written.

The whole history is played first (fast, through the same poller, so sparklines and the leak
tracker see it all), then new polls as they land. Several UIs may attach to one session.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.complain import fail


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "attach",
        help="the UI on a running session (the newest by default) or a recording being written",
        description="Attach the UI to a session (its id or a unique prefix, see `sessions`), a session "
        "directory, or any recording directory (`record`, `watch --record`): the history from its start, "
        "then live.",
    )
    parser.add_argument("what", nargs="?", metavar="SESSION|DIR", help="default: the newest running session")
    from tui.commands.session_run import add_state_argument

    add_state_argument(parser)
    parser.set_defaults(handler=run)
    return parser


def resolve(what: str | None, state_dir: str | None):
    """(recording directory, session or None) for SESSION|DIR. Raises StateError."""
    from tui.recording.format import is_recording
    from tui.sessions.state import SESSION_JSON, SessionDir, StateError, find_session, state_root

    if what is not None:
        path = Path(what)
        if path.is_dir():
            if (path / SESSION_JSON).is_file():
                session = SessionDir(path)
                return session.recording, session
            if is_recording(path):
                return path, None
    found = find_session(state_root(state_dir), what)
    if found is None:
        raise StateError(
            "no running session (start one with `pprof-tui watch TARGET`)"
            if what is None
            else f"{what}: no such session or recording directory"
        )
    return found.recording, found


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError
    from tui.sessions.follow import FollowSource

    try:
        directory, session = resolve(args.what, args.state_dir)
        label = str(session.info.get("target", "")) or None if session is not None else None
        source = FollowSource(directory, session=session, label=label)
    except (PprofTuiError, OSError) as exc:
        return fail("attach", exc)
    from tui.app import build_app
    from tui.evidence.capture import SessionShelf

    build_app(source, evidence=SessionShelf(session.evidence) if session is not None else None).run()
    return 0
