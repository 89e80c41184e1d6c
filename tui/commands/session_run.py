"""`pprof-tui session-run`: the background session process (started by `watch`, not by hand).

Also home of the session options shared by `watch`, `attach`, `sessions` and `stop`
(`add_state_argument`, `add_session_limit_arguments`) and of `forward_arguments`, which turns
`watch`'s parsed options back into the session's command line (paths, never secret values).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from tui.commands.complain import fail, say
from tui.config import ConfigError, add_connection_arguments, config_from_args
from tui.core.durations import duration_argument


def add_state_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        default=None,
        help="where sessions live (default $PPROF_TUI_STATE_DIR, else $XDG_STATE_HOME/pprof-tui, "
        "else ~/.local/state/pprof-tui)",
    )


def add_evidence_argument(parser: argparse.ArgumentParser, *, default_text: str) -> None:
    parser.add_argument(
        "--evidence",
        metavar="DIR",
        default=None,
        help="write an incident bundle into DIR when a verdict first fails or escalates: heap profiles at the "
        f"baseline and now, goroutine dump, stacks, findings, series, a README of commands ({default_text})",
    )


def add_session_limit_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("session")
    g.add_argument(
        "--max-age",
        type=duration_argument,
        default=24 * 3600.0,
        metavar="DURATION",
        help="the session stops itself after this long (default 24h)",
    )
    g.add_argument(
        "--idle-stop",
        type=duration_argument,
        default=2 * 3600.0,
        metavar="DURATION",
        help="the session stops itself after this long with no UI attached (default 2h)",
    )


def _connection_parser() -> argparse.ArgumentParser:
    from tui.commands.record import add_record_limit_arguments

    parser = argparse.ArgumentParser(add_help=False)
    add_record_limit_arguments(parser)
    add_connection_arguments(parser)
    return parser


def forward_arguments(args: argparse.Namespace) -> list[str]:
    """The connection, polling and recording options given to `watch`, as a command line for
    `session-run` (options left at their default are not repeated). Secrets are only ever paths
    (`--token-file`) or the environment, which the session inherits and re-reads itself."""
    out: list[str] = []
    for action in _connection_parser()._actions:
        if not action.option_strings or not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        if value is None or value == action.default:
            continue
        flag = action.option_strings[0]
        if isinstance(action, argparse._StoreTrueAction):
            out.append(flag)
        elif isinstance(action, argparse._AppendAction):
            for item in value:
                out.append(f"{flag}={item}")
        elif action.nargs == 0:
            continue
        else:
            out.append(f"{flag}={value}")
    out += [f"--max-age={args.max_age!r}", f"--idle-stop={args.idle_stop!r}"]
    if getattr(args, "evidence", None):
        out.append(f"--evidence={os.path.abspath(args.evidence)}")  # the session's working directory differs
    return out


def options_summary(args: argparse.Namespace) -> dict[str, object]:
    """What session.json says of the options: names and paths, no header values, no secrets."""
    summary: dict[str, object] = {}
    for action in _connection_parser()._actions:
        if not action.option_strings or not hasattr(args, action.dest):
            continue
        value = getattr(args, action.dest)
        if value is None or value == action.default or action.nargs == "?":
            continue
        if isinstance(action, argparse._AppendAction):
            summary[action.dest] = f"{len(value)} given"
        elif isinstance(value, (str, int, float, bool)):
            summary[action.dest] = value
    return summary


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "session-run",
        description="The background session process that `watch` starts; use `watch`, `sessions`, `stop`.",
    )
    parser.add_argument("target")
    parser.add_argument("--id", required=True, dest="session_id")
    add_state_argument(parser)
    add_session_limit_arguments(parser)
    add_evidence_argument(parser, default_text="default: evidence/ in the session's directory")
    from tui.commands.record import add_record_limit_arguments

    add_record_limit_arguments(parser)
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.commands.record import limits_from_args
    from tui.core.errors import PprofTuiError
    from tui.sessions.runner import ALREADY_RUNNING, SessionLimits, SessionRunner
    from tui.sessions.state import StateError, state_root

    os.umask(0o077)
    import signal

    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # no terminal to lose, but never die of one
    try:
        runner = SessionRunner(
            state_root(args.state_dir),
            args.session_id,
            config_from_args(args),
            options=options_summary(args),
            evidence_dir=Path(args.evidence) if args.evidence else None,
            record_limits=limits_from_args(args),
            limits=SessionLimits(
                max_age=args.max_age,
                idle_stop=args.idle_stop,
                check_every=max(0.1, min(5.0, args.max_age / 4, args.idle_stop / 4)),
            ),
        )
    except StateError as exc:
        return fail("session", exc, ALREADY_RUNNING)
    except (ConfigError, PprofTuiError, OSError) as exc:
        return fail("session", exc)
    say("session", f"session {args.session_id} polling {runner.config.label} (pid {os.getpid()})")
    why = asyncio.run(runner.run())
    say("session", f"session {args.session_id} ended: {why}")
    return 0
