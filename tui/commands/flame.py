"""``pprof-tui flame SOURCE [--base SOURCE] [--sample-index NAME] -o FILE``: a flame graph of a profile
for the incident ticket: ``.svg`` (static, self-contained), ``.html`` (the same, searchable) or
``.folded`` (one line per stack with its value, for inferno, speedscope, flamegraph.pl).

SOURCE takes every form `top` takes (tui.commands.top.load_profile). With ``--base`` the graph is
differential: widths from SOURCE, colours by the change against the base (colour-blind-safe blues
and oranges, a legend). Names are cleaned, masked of the connection's secrets and escaped.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from tui.commands.complain import text_command

FORMATS = (".svg", ".html", ".htm", ".folded", ".txt")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "flame",
        help="flame graph of a heap/allocs/CPU/mutex/block profile as .svg, .html or .folded",
        description="Write a flame graph (icicle: roots on top) of a profile, from any SOURCE `top` takes: "
        ".svg (static, self-contained, names as text, a title saying what, when and which sample type), "
        ".html (the same with a search box) or .folded (one line per stack with its value). With --base, "
        "a differential graph: widths from SOURCE, colour by the change since the base.",
    )
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="profile file, '-' for stdin, recording DIR[:endpoint], target host:port or base URL (its heap), "
        "or the URL of a profile endpoint",
    )
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="FILE.svg, FILE.html or FILE.folded")
    p.add_argument("--base", metavar="SOURCE", help="compare with this profile (a differential flame graph)")
    p.add_argument(
        "--sample-index",
        metavar="NAME",
        default=None,
        help="sample type name (inuse_space, alloc_space, cpu, delay, ...) or index; default as `top`",
    )
    from tui.config import add_auth_arguments, add_work_limit_arguments

    add_auth_arguments(p)
    add_work_limit_arguments(p, ("max_samples", "max_locations"))
    p.set_defaults(handler=run)
    return p


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.errors import ParseError

    suffix = Path(args.output).suffix.lower()
    if suffix not in FORMATS:
        raise ParseError(
            f"{args.output}: unknown format {suffix or '(none)'} (use .svg, .html or .folded)", kind="usage"
        )
    from tui.commands.complain import say
    from tui.commands.top import load_profile
    from tui.heap.flame import flame_tree
    from tui.heap.flame_export import export_flame, profile_title
    from tui.heap.flame_stacks import profile_stacks
    from tui.sources.inputs import input_config

    profile = load_profile(args.source, labels=False, args=args, command="flame")
    index = profile.sample_index(args.sample_index)
    sample_type = profile.sample_types[index].type
    bases = []
    base_text = ""
    masks = input_config(args.source, args).auth.masks()
    for note in profile.notes:
        say("flame", str(note))
    if args.base:
        base = load_profile(args.base, labels=False, args=args, command="flame")
        for note in base.notes:
            say("flame", f"--base: {note}")
        bases.append(profile_stacks(base, base.sample_index(sample_type)))
        base_text = f"against {args.base}" + (f" ({profile_title(base).when})" if base.time_nanos else "")
        masks = masks + input_config(args.base, args).auth.masks()
    tree = flame_tree(profile_stacks(profile, index), bases)
    title = profile_title(profile, source=args.source, sample_type=sample_type, base=base_text)
    text = export_flame(tree, suffix, title, masks)
    _write(args.output, text)
    say("flame", f"wrote {args.output} ({len(tree):,} frames, {tree.max_depth} deep)")
    return 0


def _write(path: str, text: str) -> None:
    """Write the file whole or not at all (a temporary beside it, renamed)."""
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)


run = text_command("flame", _run)
