"""`pprof-tui sessions`: the background sessions of this user, newest first."""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from tui.commands.complain import text_command
from tui.core.durations import ago_text


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sessions",
        help="list the background sessions (id, target, since, size, attached UIs, last poll, incident bundles, status)",
        description="List the sessions `watch` started: running ones and the recordings of ended ones.",
    )
    from tui.commands.session_run import add_state_argument

    add_state_argument(parser)
    parser.set_defaults(handler=text_command("sessions", body))
    return parser


def rows(state_dir: str | None, now: float | None = None) -> list[tuple[str, ...]]:
    from tui.core.bytesize import format_bytes
    from tui.evidence.listing import list_bundles
    from tui.sessions.state import list_sessions, state_root

    now = time.time() if now is None else now
    out: list[tuple[str, ...]] = []
    for session in list_sessions(state_root(state_dir)):
        info, status = session.info, session.status
        running = session.running()
        started = _number(info.get("started"))
        last = _number(status.get("last_poll"))
        if session.problem:
            out.append(
                (session.id, "?", "?", format_bytes(session.size()), "-", "-", "-", f"unreadable: {session.problem}")
            )
            continue
        if running:
            state = str(status.get("state", "starting"))
            if status.get("last_error"):
                state += f" ({status['last_error']})"
        else:
            state = f"ended: {status.get('ended') or 'killed'}"
        out.append(
            (
                session.id,
                str(info.get("target", "?")),
                time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "?",
                format_bytes(session.size()),
                str(session.attached()) if running else "-",
                ago_text(now - last) if last else "never",
                str(len(list_bundles(session.evidence))),
                state,
            )
        )
    return out


def _number(value: object) -> float:
    """A time from a state file: a finite number in range, else 0 (shown as "?" / "never")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if 0 < value < 1e11 else 0.0


HEADERS = ("ID", "TARGET", "SINCE", "SIZE", "UIS", "LAST POLL", "BUNDLES", "STATUS")


def body(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.textsafe import clean

    table = [HEADERS, *(tuple(clean(cell, 120) for cell in row) for row in rows(args.state_dir))]
    if len(table) == 1:
        out.write("no sessions (`pprof-tui watch TARGET` starts one)\n")
        return 0
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    for row in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n")
    return 0
