"""``pprof-tui top SOURCE``: the heaviest functions of a heap, allocs, CPU, mutex or block profile (also
a ``?seconds=N`` delta), like ``go tool pprof -top``.

Import-light on purpose: the profile layers are imported inside ``run`` and the
fetch layer (httpx) only for URLs (by tui.sources.inputs).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from tui.commands.complain import text_command
from tui.model import catalog


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "top",
        help="top functions of a heap/allocs/CPU/mutex/block profile (like go tool pprof -top)",
        description="Print the heaviest functions of a heap, allocs, CPU, mutex or block profile, or of a "
        "?seconds=N delta of one (a file, gzip'd or not; a recording; a target; a URL), in the layout of "
        "`go tool pprof -top`. A URL that makes the target collect first (.../profile?seconds=N, "
        ".../mutex?seconds=N, ...) is waited for N s more than --timeout (N at most 300; a CPU profile "
        "without seconds collects 30 s).",
    )
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="profile file, '-' for stdin, recording DIR[:endpoint], target host:port or base URL (its heap), "
        "or the URL of a profile endpoint (heap, allocs, profile?seconds=N, mutex, block, mutex?seconds=N, ...)",
    )
    p.add_argument(
        "--sample-index",
        metavar="T",
        default=None,
        help="sample type name (inuse_space, alloc_objects, cpu, samples, delay, contentions, ...) or index; "
        "default: the profile's default_sample_type, else its last (as pprof)",
    )
    p.add_argument("--nodecount", type=int, default=None, metavar="N", help="show at most N rows")
    p.add_argument("--cum", action="store_true", help="sort by cumulative value")
    p.add_argument("--focus", metavar="RE", help="keep samples with a frame matching RE")
    p.add_argument("--ignore", metavar="RE", help="drop samples with a frame matching RE")
    p.add_argument("--base", metavar="SOURCE", help="subtract this profile (show the difference)")
    p.add_argument("--lines", action="store_true", help="one row per source line instead of per function")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    from tui.config import add_auth_arguments, add_work_limit_arguments

    add_auth_arguments(p)  # for URL sources: auth from files/env, TLS, body limit
    add_work_limit_arguments(p, ("max_samples", "max_locations"))
    p.set_defaults(handler=run)
    return p


# The text answers (debug=1) top is given instead of the proto: what to ask instead. go tool pprof reads
# a contention text only as addresses (`<unknown>` without the binary); we say so instead.
TEXT_FORMS = {
    "contention-debug1": "the text of mutex?debug=1 or block?debug=1: ask without debug=1 for the proto",
    "heap-debug1": "the text of heap?debug=1: ask heap or allocs without debug=1 for the proto",
    "goroutine-debug1": "a goroutine dump: see `pprof-tui goroutines`",
    "goroutine-debug2": "a goroutine dump: see `pprof-tui goroutines`",
}
CPU_BUSY = "cpu profiling already in use"


def load_profile(spec: str, *, labels: bool, args: argparse.Namespace | None = None, command: str = "top"):
    """SOURCE (every form `top` takes) decoded as a profile; `flame` reads its sources here too."""
    from tui.commands.complain import say
    from tui.config import with_work_limits
    from tui.core.errors import ParseError, SourceError
    from tui.heap.decode import decode_profile
    from tui.model.detect import describe, detect_kind, foreign_kind
    from tui.sources.inputs import input_config, load_input

    config = input_config(spec, args)
    if args is not None:
        config = with_work_limits(config, args)

    def decode(data: bytes):
        kind = detect_kind(data, parse=False)
        # Say what the body is (an HTML login page, JSON, another pprof answer), not "wire format corrupt".
        if kind in TEXT_FORMS:
            raise ParseError(f"not a profile.proto: got a {kind} answer ({TEXT_FORMS[kind]})", kind="profile")
        if kind not in ("profile", "unknown"):
            raise ParseError(f"not a profile: got a {kind} answer", kind="profile")
        if kind == "unknown" and foreign_kind(data) != "other":
            raise ParseError(f"not a profile: got {describe(data)}", kind="profile")
        # top() checks stacks itself
        return decode_profile(
            data,
            labels=labels,
            validate_stacks=False,
            max_decompressed=config.max_decompressed_bytes,
            max_samples=config.max_samples,
            max_locations=config.max_locations,
        )

    try:
        return load_input(
            spec,
            decode,
            endpoints=(catalog.HEAP.key,),
            config=config,
            max_bytes=config.max_body_bytes,
            note=lambda message: say(command, message),
        )
    except SourceError as exc:
        if CPU_BUSY in str(exc):  # net/http/pprof's 500: one CPU profile per process at a time
            raise SourceError(f"{exc} (another CPU profile of that process is running: try when it ends)") from None
        raise
    except ParseError as exc:
        message = str(exc)
        raise ParseError(message if message.startswith(spec) else f"{spec}: {message}", kind=exc.kind) from None


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from tui.commands.complain import say
    from tui.heap.top import top

    # Labels only matter for --base (pprof merges samples by stack and labels).
    profile = load_profile(args.source, labels=bool(args.base), args=args)
    notes = [str(note) for note in profile.notes]  # work limits the decode reached: on stderr and in JSON
    if args.base:
        from tui.heap.diff import diff

        base = load_profile(args.base, labels=True, args=args)
        notes += [f"--base: {note}" for note in base.notes]
        profile = diff(profile, base)
    for note in notes:
        say("top", note)
    report = top(
        profile,
        args.sample_index,
        granularity="lines" if args.lines else "functions",
        sort="cum" if args.cum else "flat",
        focus=args.focus,
        ignore=args.ignore,
        nodecount=args.nodecount,
    )
    from tui.commands.top_render import render_json, render_text

    if args.json:
        out.write(render_json(profile, report, source=args.source, focus=args.focus, ignore=args.ignore, notes=notes))
    else:
        # Always cleaned, also into a pipe or file: a saved report must be safe to `cat` later.
        out.write(
            render_text(
                profile,
                report,
                source=args.source,
                focus=args.focus,
                ignore=args.ignore,
                nodecount=args.nodecount,
                sanitize=True,
            )
        )
    out.flush()
    return 0


run = text_command("top", _run)
