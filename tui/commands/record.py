"""`pprof-tui record TARGET DIR`: poll like `watch`, without the UI, and record every answer.

Also home of the recording options shared with `watch --record DIR`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import TYPE_CHECKING

from tui.commands.complain import fail, say
from tui.config import ConfigError, add_connection_arguments, config_from_args
from tui.core.limits import MiB
from tui.core.tasks import cancel_and_wait

if TYPE_CHECKING:
    from tui.sources.feeds import LiveSource


def add_record_limit_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("recording bounds")
    g.add_argument(
        "--record-max-mb",
        type=float,
        default=1024,
        metavar="MB",
        help="keep at most this much recording; the oldest segments go first (default 1024)",
    )
    g.add_argument(
        "--record-segment-mb",
        type=float,
        default=64,
        metavar="MB",
        help="start a new segment file past this size (default 64)",
    )
    g.add_argument(
        "--record-segment-minutes",
        type=float,
        default=60,
        metavar="MIN",
        help="start a new segment file after this long (default 60)",
    )
    g.add_argument(
        "--record-max-hours",
        type=float,
        default=None,
        metavar="H",
        help="drop segments whose newest record is older than this (default: no age bound)",
    )


def limits_from_args(args: argparse.Namespace):
    from tui.recording.writer import RecordLimits

    for name in ("record_max_mb", "record_segment_mb", "record_segment_minutes"):
        if not getattr(args, name) > 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be > 0")
    hours = args.record_max_hours
    if hours is not None and not hours > 0:
        raise ConfigError("--record-max-hours must be > 0")
    return RecordLimits(
        segment_bytes=int(args.record_segment_mb * MiB),
        segment_seconds=args.record_segment_minutes * 60.0,
        max_bytes=int(args.record_max_mb * MiB),
        max_age=None if hours is None else hours * 3600.0,
    )


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "record",
        help="record a target's pprof answers to DIR without the UI (replay them with `replay DIR`)",
        description="Poll TARGET exactly like `watch` and append every answer (body, time, cost) to DIR. "
        "Crash-safe: a killed recorder loses at most the record being written. "
        "No credentials, headers or the target's command line are stored.",
    )
    parser.add_argument("target", help="host:port or a base URL, as for watch")
    parser.add_argument("directory", metavar="DIR", help="new (or empty) directory for the recording")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop after this long (default: until Ctrl-C / SIGTERM)",
    )
    add_record_limit_arguments(parser)
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def live_source(args: argparse.Namespace, record_dir: str | None) -> LiveSource:
    """The live source `watch` and `record` poll through: config and recording bounds from the
    command line. Raises ConfigError, PprofTuiError or OSError (a bad option, an unusable DIR)."""
    from tui.sources.feeds import LiveSource

    return LiveSource(config_from_args(args), record_dir=record_dir, record_limits=limits_from_args(args))


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError

    try:
        source = live_source(args, args.directory)
    except (ConfigError, PprofTuiError, OSError) as exc:
        return fail("record", exc)
    config = source.config
    snapshots = 0

    def on_snapshot(snapshot) -> None:
        nonlocal snapshots
        snapshots += 1
        if snapshot.last_error:
            say("record", snapshot.status)

    source.on_snapshot = on_snapshot
    say("record", f"recording {config.label} into {args.directory}")
    asyncio.run(_record(source, args.duration))
    recorder = source.recorder
    written = recorder.writer.records if recorder else 0
    say(
        "record",
        f"{snapshots} polls, {written} records"
        + (f", {recorder.dropped} dropped (writer behind)" if recorder and recorder.dropped else "")
        + (f"; {recorder.error}" if recorder and recorder.error else ""),
    )
    return 1 if recorder and recorder.error else 0


async def _record(source, duration: float | None) -> None:
    task = asyncio.ensure_future(source.run())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, task.cancel)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        if duration is not None:
            await asyncio.wait_for(asyncio.shield(task), timeout=duration)
        else:
            await task
    except (asyncio.TimeoutError, asyncio.CancelledError):
        pass
    finally:
        await cancel_and_wait(task)
