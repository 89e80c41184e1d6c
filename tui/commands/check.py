"""`pprof-tui check TARGET... | DIR`: the poller and the leak tracker without the UI.

For a service's integration tests in CI and for cron: watch each target for `--for` (or play a
recording as fast as it goes), then print every verdict with its evidence. Exit status: 0 when
nothing in `--fail-on` fired, 1 when something did, 2 on errors (bad arguments, a target that
never answered, an unreadable recording).

Several targets (on the command line, or `--targets-file`, `name=host:port` naming one) are polled
concurrently, each by its own poller; with three or more that answered, the replicas are compared at the
end and a target with far more of a goroutine group or a heap function than its siblings is reported
as an outlier (tui/fleet/outliers.py); `--fail-on outlier` makes that exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import math
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.complain import fail
from tui.commands.targets import (
    NamedTarget,
    TargetListError,
    add_targets_file_argument,
    gather_targets,
    target_labels,
)
from tui.config import ConfigError, add_connection_arguments, config_from_args
from tui.core.durations import duration_argument
from tui.evidence.trigger import DEFAULT_FAIL_ON

if TYPE_CHECKING:  # imported when a check runs: `--help` stays fast
    from tui.commands.check_output import Fleet
    from tui.config import Config
    from tui.evidence.capture import Evidence
    from tui.fleet.outliers import Outlier
    from tui.leaks.report import LeakReport
    from tui.leaks.tracker import LeakTracker
    from tui.leaks.verdict_log import VerdictLog
    from tui.model.snapshot import Snapshot
    from tui.recording.tap import LatestBodies

# --fail-on words. "leaked-growing": a group Go proves leaked whose count still grows.
# "outlier": a replica with far more of something than its siblings (several targets only).
# "transient": also verdicts that came and went (by default only those standing at the end fail).
FAIL_KINDS = ("growing", "leaked", "leaked-growing", "stuck", "outlier", "transient")
DEFAULT_FOR = 120.0
EXIT_ERROR = 2
# a target that failed this many polls in a row from the start (connection refused, no such host, 404,
# https against http: a typo) is given up on at once, exit 2, instead of waiting out --for in silence
FAIL_FAST_POLLS = 4


def min_verdict_seconds() -> float:
    """The least watching any verdict needs (a shorter --for can only find nothing)."""
    from tui.leaks.growth import GOROUTINE_DEFAULTS, HEAP_DEFAULTS

    return 60.0 * min(GOROUTINE_DEFAULTS.min_span_minutes, HEAP_DEFAULTS.min_span_minutes)


def parse_fail_on(text: str) -> tuple[str, ...]:
    words = tuple(w.strip() for w in text.split(",") if w.strip())
    unknown = [w for w in words if w not in FAIL_KINDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown kind {unknown[0]!r}: use {', '.join(FAIL_KINDS)}")
    return words


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check",
        help="watch targets (or play a recording) without the UI; exit 1 if a leak is found",
        description="Poll each TARGET like `watch` for --for (or play the recording DIR as fast as it goes), "
        "then print every leak verdict with its evidence. Exit 0: nothing in --fail-on fired; "
        "1: something did; 2: an error (a target that never answered, bad arguments).",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="host:port or base URL, `name=host:port` to name it (several: each is checked, and the replicas compared)",
    )
    add_targets_file_argument(parser)
    parser.add_argument(
        "--for",
        dest="duration",
        type=duration_argument,
        default=None,
        metavar="DURATION",
        help=f"how long to watch targets (90s, 10m, 1h; default {DEFAULT_FOR:g}s); for a recording, play only its "
        "first DURATION (default: all of it)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument(
        "--fail-on",
        type=parse_fail_on,
        default=DEFAULT_FAIL_ON,
        metavar="KINDS",
        help=f"verdict kinds that make the exit status 1 when standing at the end, comma-separated from "
        f"{', '.join(FAIL_KINDS)} (default {','.join(DEFAULT_FAIL_ON)}; add transient to fail on ones that came and went)",
    )
    from tui.commands.session_run import add_evidence_argument

    add_evidence_argument(
        parser, default_text="for every verdict in --fail-on; paths in the output; several targets: DIR/<target>"
    )
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


# the data a check judges; one never read is said ("not read: heap (…)"), never taken for "nothing found"
CHECKED_KINDS = ("heap", "memstats", "goroutine-stacks")


@dataclass(slots=True)
class Watched:
    """One target (or recording) being checked."""

    label: str
    tracker: LeakTracker
    log: VerdictLog
    until: float | None  # stop judging after this clock time (set from the first snapshot)
    duration: float
    polls: int = 0
    failed_polls: int = 0
    answered: bool = False
    last_error: str = ""  # the status line of the newest failed poll
    last_reason: str = ""  # its error alone
    last_report: LeakReport | None = None
    errors: list[str] = field(default_factory=list)
    # (data kind, limit) -> the newest note of a work limit a parse reached (said on stderr, in JSON)
    limit_notes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # what was read at least once, and why the rest was not (a verdict of "nothing found" covers only what was read)
    read: set[str] = field(default_factory=set)
    unread_reasons: dict[str, str] = field(default_factory=dict)
    last_snapshot: Snapshot | None = None  # the newest judged: what the replicas are compared on
    evidence: Evidence | None = None  # --evidence DIR: a bundle for each verdict that fails
    min_span: float = 0.0  # the least watching any verdict needs (text output says when it was less)

    def bundles(self) -> list[str]:
        return [str(p) for p in self.evidence.written] if self.evidence is not None else []

    def hopeless(self) -> bool:
        """Every poll failed from the start, FAIL_FAST_POLLS of them: not worth waiting out --for."""
        return not self.answered and self.failed_polls >= FAIL_FAST_POLLS

    def not_read(self) -> dict[str, str]:
        """Data never read while the target answered, with the newest reason ("" when none was given)."""
        if not self.answered:
            return {}
        return {kind: self.unread_reasons.get(kind, "") for kind in CHECKED_KINDS if kind not in self.read}

    def on_snapshot(self, s: Snapshot) -> None:
        if self.until is None:
            self.until = s.time + self.duration
        if s.time > self.until:
            return
        self.polls += 1
        self.last_snapshot = s
        if s.last_error:
            self.failed_polls += 1
            self.last_error = s.status
            self.last_reason = s.last_error
        if s.heap is not None or s.goroutine_total is not None or s.memstats is not None:
            self.answered = True
        seen = {
            "heap": s.heap is not None,
            "memstats": s.memstats is not None,
            "goroutine-stacks": s.goroutine_stacks is not None or bool(s.goroutine_groups),
        }
        for kind, present in seen.items():
            if present:
                self.read.add(kind)
            elif reason := s.age(kind).reason:
                self.unread_reasons[kind] = reason
        for kind, notes in getattr(s, "limit_notes", {}).items():
            for note in notes:
                self.limit_notes[(kind, note.what, note.flag)] = str(note)
        if self.evidence is not None:
            self.evidence.observe(s)
        self.last_report = self.tracker.feed(s)
        self.log.observe(self.last_report)
        if self.evidence is not None:
            self.evidence.on_report(self.last_report)


def _new_watch(label: str, duration: float) -> Watched:
    from tui.leaks.tracker import LeakTracker
    from tui.leaks.verdict_log import VerdictLog

    return Watched(label, LeakTracker(), VerdictLog(), None, duration, min_span=min_verdict_seconds())


def run(args: argparse.Namespace) -> int:
    from tui.core.errors import PprofTuiError
    from tui.recording.format import is_recording

    duration = args.duration
    try:
        targets = gather_targets(args)
    except TargetListError as exc:
        return _error(args, exc)
    for t in targets:
        if problem := path_problem(t.spec):
            return _error(args, problem)
    dirs = [t.spec for t in targets if _is_dir(t.spec)]
    not_recordings = [t for t in dirs if not is_recording(Path(t))]
    if not_recordings:
        return _error(args, f"{not_recordings[0]}: a directory, but not a recording")
    recordings = dirs
    if recordings and len(targets) > 1:
        return _error(args, "give one recording directory, or targets only")
    try:
        if recordings:
            watches = [_check_recording(recordings[0], duration if duration is not None else math.inf, args)]
        else:
            live_for = duration if duration is not None else DEFAULT_FOR
            watches = asyncio.run(_check_live(args, live_for, targets))
    except (ConfigError, PprofTuiError, OSError) as exc:
        return _error(args, exc)
    from tui.commands.check_output import exit_status, render_json, render_text
    from tui.commands.complain import say

    _close_evidence(watches)

    for watch in watches:  # data the parses kept only in part: the verdicts saw that part
        for note in watch.limit_notes.values():
            say("check", f"{watch.label}: {note}")
    fleet = compare_replicas(watches) if len(watches) > 1 else None
    status = exit_status(watches, args.fail_on, fleet)
    out = render_json(watches, args.fail_on, status, fleet) if args.json else render_text(watches, args.fail_on, fleet)
    sys.stdout.write(out)
    return status


def _error(args: argparse.Namespace, message: object) -> int:
    """Exit 2 with `message` on standard error; with --json also one JSON document saying it."""
    if getattr(args, "json", False):
        from tui.commands.check_output import error_json

        sys.stdout.write(error_json(str(message), EXIT_ERROR))
    return fail("check", message, EXIT_ERROR)


def _is_dir(spec: str) -> bool:
    return not spec.startswith(("http://", "https://")) and Path(spec).is_dir()


def path_problem(spec: str) -> str:
    """Why a TARGET spelled as a path is neither a recording nor a target ("" when it is not one)."""
    if spec.startswith(("http://", "https://")):
        return ""
    path = Path(spec)
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{spec}: a symbolic link loop (neither a recording directory nor a target)"
        if os.path.lexists(spec):
            return f"{spec}: a symbolic link to nothing ({exc.strerror or exc})"
        if spec.startswith(("/", "./", "../", "~")):
            return f"{spec}: no such directory"
        return ""
    if not path.is_dir():
        return f"{spec}: a file, not a recording directory or a target"
    return ""


def _check_recording(directory: str, duration: float, args: argparse.Namespace | None = None) -> Watched:
    from tui.config import with_work_limits
    from tui.recording.format import open_recording
    from tui.sources.feeds import ReplaySource, replay_config

    recording = open_recording(Path(directory))
    config = replay_config(recording)
    if args is not None:
        config = with_work_limits(config, args)  # --max-stacks &c. bound the replayed parses too
    source = ReplaySource(recording, speed=math.inf, config=config)
    watch = _new_watch(source.label, duration)
    if args is not None and args.evidence:
        watch.evidence = _evidence(Path(args.evidence), source.bodies, config, args, source.label)
    source.on_snapshot = watch.on_snapshot

    async def play() -> None:
        task = source.start()
        while not task.done():  # a look every 50 ms (spinning on sleep(0) starved the replay's threads)
            if watch.until is not None and source.client.recording_time > watch.until:
                break
            await asyncio.wait({task}, timeout=0.05)
        await source.stop()

    asyncio.run(play())
    if recording.problems:  # what the recording left out (a torn tail, a bound reached)
        watch.limit_notes[("recording", "problems", "")] = f"recording: {recording.problems}"
    if not watch.answered:
        watch.errors.append("the recording holds no answer from the target")
    return watch


def _safe_name(label: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in label)[:60] or "target"


def _evidence(root: Path, bodies: LatestBodies, config: Config, args: argparse.Namespace, label: str) -> Evidence:
    from tui.evidence.capture import for_config

    return for_config(root, bodies, config, fail_on=args.fail_on, label=label)


def _close_evidence(watches: list[Watched]) -> None:
    """Every bundle written before the paths are printed."""
    for watch in watches:
        if watch.evidence is not None:
            watch.evidence.close(timeout=60.0)
            watch.errors += [f"evidence: {e}" for e in watch.evidence.errors]


def compare_replicas(watches: list[Watched]) -> Fleet:
    """The outliers among the targets' newest snapshots (those that answered)."""
    from tui.commands.check_output import Fleet
    from tui.fleet.observe import fleet_metrics
    from tui.fleet.outliers import metric_outliers

    newest = {w.label: w.last_snapshot for w in watches if w.last_snapshot is not None and w.answered}
    metrics = fleet_metrics(newest)
    found: tuple[Outlier, ...] = metric_outliers(metrics)
    compared = {label for metric in metrics for label in metric.values}
    return Fleet(compared=tuple(w.label for w in watches if w.label in compared), outliers=found)


async def _check_live(args: argparse.Namespace, duration: float, targets: list[NamedTarget]) -> list[Watched]:
    from tui.sources.feeds import LiveSource

    configs = [config_from_args(argparse.Namespace(**{**vars(args), "target": t.spec})) for t in targets]
    sources, watches = [], []
    for config, label in zip(configs, target_labels(targets, configs), strict=True):
        watch = _new_watch(label, duration)
        source = LiveSource(config)
        if args.evidence:
            root = Path(args.evidence) / (_safe_name(label) if len(targets) > 1 else "")
            watch.evidence = _evidence(root, source.bodies, config, args, label)
        source.on_snapshot = watch.on_snapshot
        sources.append(source)
        watches.append(watch)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    from tui.commands.complain import say

    if duration < min_verdict_seconds():
        say(
            "check",
            f"--for {duration:g}s is shorter than any verdict needs ({min_verdict_seconds():g} s of polls): "
            "nothing can be found; give --for 2m or more",
        )
    for source in sources:
        source.start()
    started = loop.time()
    told: set[str] = set()
    while not stop.is_set() and loop.time() - started < duration:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(0.25, max(duration - (loop.time() - started), 0.0)))
        for watch in watches:  # not silent while a target does not answer
            if watch.failed_polls and not watch.answered and watch.label not in told:
                told.add(watch.label)
                reason = watch.last_reason or "no answer"
                say("check", f"{reason if watch.label in reason else f'{watch.label}: {reason}'} (retrying)")
        if all(w.hopeless() for w in watches):
            break  # a typo: say so now, not after --for
    waited = loop.time() - started
    await asyncio.gather(*(source.stop() for source in sources))
    for watch in watches:
        if watch.hopeless():
            watch.errors.append(
                f"unreachable: {watch.failed_polls} polls in {waited:.0f} s, none answered "
                f"({watch.last_reason or 'nothing came back'}); is the address right?"
            )
        elif not watch.answered:
            watch.errors.append(f"no answer in {duration:g} s: {watch.last_error or 'nothing came back'}")
    return watches
