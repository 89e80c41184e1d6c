"""`pprof-tui watch TARGET`: the live terminal UI.

On a terminal, `watch` polls from a background session (tui/sessions) that outlives it: the UI
attaches to the session's recording, and a dropped SSH connection leaves the session recording.
A second `watch` of the same target attaches to the running session. `--foreground` (and any
run whose standard input is not a terminal, and `--record DIR`) polls in this process as before.

Several targets (`watch A B C`, `--targets-file FILE`, `name=host:port`) are watched in this process
(several targets imply `--foreground`): the fleet view first, one row per target (tui/screens/fleet.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui.commands.complain import fail, say
from tui.commands.targets import NamedTarget
from tui.config import ConfigError, add_connection_arguments

if TYPE_CHECKING:
    from pathlib import Path

    from tui.evidence.capture import Evidence
    from tui.sessions.state import SessionDir
    from tui.sources.feeds import LiveSource


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "watch",
        help="watch a live Go service in the terminal UI",
        description="Poll TARGET's /debug/pprof/ endpoints gently and show heap, goroutines and trends. "
        "On a terminal the polling runs in a background session that survives a dropped connection "
        "(see `sessions`, `attach`, `stop`).",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="host:port, http(s)://host:port, or a full base such as https://h/app/debug/pprof/; "
        "several (or --targets-file; `name=host:port` names one): the fleet view, in this process",
    )
    from tui.commands.targets import add_targets_file_argument

    add_targets_file_argument(parser)
    parser.add_argument(
        "--record",
        metavar="DIR",
        default=None,
        help="also record every answer to DIR (a new directory); replay it with `replay DIR` (implies --foreground)",
    )
    parser.add_argument(
        "--foreground",
        action="store_true",
        help="poll in this process; the watch ends with the terminal (the default when standard input is no terminal)",
    )
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument(
        "--keep", dest="keep", action="store_true", default=None, help="on quit, leave the session running"
    )
    keep.add_argument("--no-keep", dest="keep", action="store_false", help="on quit, stop the session")
    from tui.commands.record import add_record_limit_arguments
    from tui.commands.session_run import add_evidence_argument, add_session_limit_arguments, add_state_argument

    add_evidence_argument(
        parser,
        default_text="default: evidence/ in the session's directory; in the foreground, under the state directory",
    )
    add_state_argument(parser)
    add_session_limit_arguments(parser)
    add_record_limit_arguments(parser)
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.commands.targets import TargetListError, gather_targets

    try:
        targets = gather_targets(args)
    except TargetListError as exc:
        return fail("watch", exc)
    if len(targets) > 1:
        if args.record is not None:
            return fail("watch", "--record takes one target (record each with `pprof-tui record`)")
        return run_fleet(args, targets)
    args.target = targets[0].spec
    if args.foreground or args.record is not None or not sys.stdin.isatty():
        return run_foreground(args)
    return run_in_session(args)


def run_fleet(args: argparse.Namespace, targets: list[NamedTarget]) -> int:
    """Several targets: one LiveSource each, in this process, behind the fleet view."""
    from tui.commands.targets import target_labels
    from tui.config import config_from_args
    from tui.core.errors import PprofTuiError
    from tui.service.gates import Gates
    from tui.sources.feeds import LiveSource
    from tui.sources.fleet import FleetSource

    try:
        configs = [config_from_args(argparse.Namespace(**{**vars(args), "target": t.spec})) for t in targets]
        labels = target_labels(targets, configs)
        gates = Gates()  # one cap on requests and parses for all of them, one parse worker
        members = [(label, LiveSource(config, gates=gates)) for label, config in zip(labels, configs, strict=True)]
        source = FleetSource(members, gates=gates)
    except (ConfigError, PprofTuiError, OSError, ValueError) as exc:
        return fail("watch", exc)
    from tui.app import build_app

    build_app(source).run()
    _freeze()
    return 0


def run_foreground(args: argparse.Namespace) -> int:
    from tui.commands.record import live_source
    from tui.core.errors import PprofTuiError

    try:
        source = live_source(args, args.record)
        evidence = foreground_evidence(args, source)
    except (ConfigError, PprofTuiError, OSError) as exc:
        return fail("", exc)
    from tui.app import build_app

    # on the way out the source is stopped: a parse in its worker is killed
    build_app(source, evidence=evidence, open_cpu=bool(args.cpu)).run()
    recorder = source.recorder
    if recorder is not None:
        say(
            "",
            f"recorded {recorder.writer.records} answers into {args.record}"
            + (f"; {recorder.error}" if recorder.error else ""),
        )
    _freeze()
    return 0


def foreground_evidence(args: argparse.Namespace, source: LiveSource) -> Evidence:
    """Bundles of a watch polling in this process: into --evidence DIR, else evidence/<id> of the state dir."""
    from pathlib import Path

    from tui.evidence.capture import for_config
    from tui.sessions.state import new_session_id, private_dir, state_root

    if args.evidence:
        root = Path(args.evidence)
    else:
        root = private_dir(state_root(args.state_dir) / "evidence") / new_session_id(source.config.label)
    return for_config(root, source.bodies, source.config)


def run_in_session(args: argparse.Namespace) -> int:
    from tui.commands.session_run import forward_arguments
    from tui.config import config_from_args
    from tui.core.errors import PprofTuiError
    from tui.recording.writer import safe_label
    from tui.sessions.launch import start_session
    from tui.sessions.state import (
        StateError,
        new_session_id,
        running_for_target,
        state_root,
        stop_session,
        target_key,
    )

    try:
        config = config_from_args(args)  # options checked here, before anything is started
        root = state_root(args.state_dir)
        key = target_key(safe_label(config.target) + (config.unix_socket or ""))
        session = running_for_target(root, key)
        if session is not None:
            say("", f"attaching to session {session.id}, already polling {config.label}")
        else:
            try:
                session = start_session(root, new_session_id(config.label), [args.target, *forward_arguments(args)])
            except StateError:
                session = _wait_for_other(root, key)  # another watch started one meanwhile
                if session is None:
                    raise
                say("", f"attaching to session {session.id}, started meanwhile for {config.label}")
    except (ConfigError, PprofTuiError, OSError) as exc:
        return fail("", exc)
    from tui.app import build_app
    from tui.evidence.capture import SessionShelf
    from tui.sessions.follow import FollowSource

    source = FollowSource(session.recording, session=session, label=config.label)
    source.keep = args.keep  # None: `q` asks
    # --cpu: an already running session is asked too
    app = build_app(source, evidence=SessionShelf(session.evidence), open_cpu=bool(args.cpu))
    app.run()
    if app.exit_signal:  # SIGHUP (the terminal went away) or a kill, not `q`: the session goes on
        return 0
    if source.keep is False:
        try:
            stopped = stop_session(session)
        except (StateError, OSError) as exc:
            return fail("", exc, 1)
        say("", f"session {session.id} " + ("stopped" if stopped else "did not stop in time"))
    else:
        say(
            "",
            f"session {session.id} keeps recording: `pprof-tui attach` shows it, `pprof-tui stop {session.id}` ends it",
        )
    _freeze()
    return 0


def _wait_for_other(root: Path, key: str, timeout: float = 5.0) -> SessionDir | None:
    """The session another `watch` of this target is starting: the target's lock is taken before its
    session.json is written, so ours exited (status 3) a moment before the other one shows."""
    import time

    from tui.sessions.state import running_for_target

    end = time.monotonic() + timeout
    while True:
        session = running_for_target(root, key)
        if session is not None or time.monotonic() >= end:
            return session
        time.sleep(0.1)


def _freeze() -> None:
    # The app is done and the recording closed: the interpreter's last collections over the
    # UI's objects took ~0.45 s of the ~0.7 s between `q` and the shell prompt. Objects made
    # from here on are still collected.
    import gc

    gc.freeze()
