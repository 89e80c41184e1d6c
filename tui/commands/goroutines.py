"""``pprof-tui goroutines SOURCE...``: goroutines grouped by wait reason -> age -> stack, biggest first;
or by a pprof label, by creator, by similar stack (``--group-by``, tui.goroutines.pivots).

Several SOURCEs (replicas' dumps, say) are each grouped on their own: the text gives one section per
source, `--json` one document per source under "sources", each group carrying its "source"."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TextIO

from tui.commands.complain import text_command
from tui.core import limits
from tui.core.durations import wait_minutes_range
from tui.core.filters import UserPatternError, filter_pattern
from tui.core.textsafe import clean
from tui.core.user_regex import TextMatcher
from tui.goroutines.buckets import LEAKED_WAIT_UNKNOWN
from tui.model import catalog

MAX_NAME = 300


def _edges(text: str) -> tuple[int, ...]:
    from tui.goroutines.buckets import check_buckets

    try:
        return check_buckets(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --buckets {text!r}: {exc}") from None


def _pattern(text: str) -> TextMatcher:
    """A literal substring; an RE2 regex only after ``re:`` (tui.core.filters, as the dashboard's /)."""
    try:
        return filter_pattern(text)
    except UserPatternError as exc:
        raise argparse.ArgumentTypeError(f"bad --match regex after re: ({exc})") from None


def _group_by(text: str):
    from tui.goroutines.pivots import parse_pivot

    try:
        return parse_pivot(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _label_filter(text: str) -> tuple[str, str]:
    from tui.goroutines.pivots import parse_label_filter

    try:
        return parse_label_filter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --label: {exc}") from None


# From a recording directory or a target: the (newest) full dump, else the debug=1 counts.
RECORDED_GOROUTINES = (catalog.GOROUTINE_DEBUG2.key, catalog.GOROUTINE_DEBUG1.key)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from tui.config import positive_int

    p = subparsers.add_parser(
        "goroutines",
        help="group goroutines by wait reason, age and stack",
        description="Group a goroutine dump (debug=2 text, debug=1 text or goroutine proto; file or URL) "
        "by wait reason -> wait duration -> identical stack, biggest first.",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="file, '-' for stdin, recording DIR[:endpoint], target host:port or base URL (its goroutine?debug=2, "
        "which stops the world for the dump), or the URL of a goroutine endpoint; several: each is grouped on its own",
    )
    p.add_argument(
        "--match",
        type=_pattern,
        metavar="TEXT",
        help="only stacks whose reason, frames or labels contain TEXT (literally; re:REGEX for a regular expression)",
    )
    p.add_argument(
        "--group-by",
        type=_group_by,
        default=None,
        metavar="HOW",
        help="reason (default: wait reason -> age -> stack), label:KEY (by the value of pprof label KEY, "
        "then wait reason), creator (by the created-by function, then the spawn chain above it), "
        "similar[:exact|func|topN] (stacks alike: identical, same functions ignoring lines, same top N frames; "
        "default func)",
    )
    p.add_argument(
        "--label",
        type=_label_filter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only goroutines labelled KEY=VALUE (pprof.Do labels; repeat for several, all must hold)",
    )
    p.add_argument("--min-count", type=int, default=1, metavar="N", help="only stacks with at least N goroutines")
    p.add_argument(
        "--buckets",
        type=_edges,
        default=None,
        metavar="EDGES",
        help="wait-duration bucket edges in minutes (default 1,5,15,60,240)",
    )
    p.add_argument("--json", action="store_true", help="print the groups as JSON")
    p.add_argument(
        "--max-goroutines",
        type=positive_int,
        default=None,
        metavar="N",
        help="group at most N goroutines of a debug=2 dump, count the rest (default: max_goroutines "
        f"of --config, else {limits.MAX_GOROUTINES:,})",
    )
    from tui.config import add_auth_arguments, add_work_limit_arguments

    add_auth_arguments(p)  # for URL sources: auth from files/env, TLS, body limit
    add_work_limit_arguments(p, ("max_stacks", "max_locations"))
    p.set_defaults(handler=run)
    return p


def _load(args: argparse.Namespace):
    """Read SOURCE, detect its kind, group. Returns (groups, meta dict)."""
    from tui.commands.complain import say
    from tui.config import with_work_limits
    from tui.core.errors import ParseError
    from tui.sources.inputs import input_config, load_input

    config = with_work_limits(input_config(args.source, args), args)
    try:
        return load_input(
            args.source,
            lambda data: _group(data, args, config),
            endpoints=RECORDED_GOROUTINES,
            config=config,
            max_bytes=config.max_body_bytes,
            note=lambda message: say("goroutines", message),
        )
    except ParseError as exc:
        message = str(exc)
        if message.startswith(args.source):
            raise
        raise ParseError(f"{args.source}: {message}", kind=exc.kind) from None


def _group(data: bytes, args: argparse.Namespace, config):
    from tui.core.errors import ParseError
    from tui.goroutines.buckets import DEFAULT_BUCKETS
    from tui.goroutines.grouping import group_stack_counts
    from tui.model.detect import describe, detect_kind

    kind = detect_kind(data)
    buckets = args.buckets or DEFAULT_BUCKETS
    if kind == "goroutine-debug2":
        from tui.goroutines.fastgroup import group_debug2_text

        grouped = group_debug2_text(
            data.decode("utf-8", errors="replace"),
            buckets=buckets,
            max_goroutines=config.max_goroutines,
            max_frames=config.max_frames,
            max_line=config.max_text_line,
            max_stacks=config.max_stacks,
        )
        meta = {
            "format": "debug=2",
            "total": grouped.total,
            "truncated": grouped.truncated,
            "dropped": grouped.dropped,
            "serving_not_shown": grouped.serving,
            "limit_notes": [str(note) for note in grouped.notes],
        }
        return grouped.groups, meta
    if kind == "goroutine-debug1":
        from tui.goroutines.debug1 import parse_debug1

        counts = parse_debug1(
            data.decode("utf-8", errors="replace"),
            max_frames=config.max_frames,
            max_line=config.max_text_line,
            max_stacks=config.max_stacks,
        )
        fmt = "debug=1"
    elif kind == "profile":
        from tui.goroutines.proto import decode_goroutine_profile

        counts = decode_goroutine_profile(
            data,
            max_decompressed=config.max_decompressed_bytes,
            max_frames=config.max_frames,
            max_line=config.max_text_line,
            max_stacks=config.max_stacks,
            max_locations=config.max_locations,
        )
        fmt = "proto"
    else:
        what = describe(data) if kind == "unknown" else f"a {kind} answer"
        raise ParseError(f"not a goroutine dump or profile: got {what}")
    meta = {
        "format": fmt,
        "kind": counts.kind,
        "total": counts.total,
        "truncated": False,
        "dropped": counts.dropped,
        "serving_not_shown": 0,
        "limit_notes": [str(note) for note in counts.notes],
    }
    return group_stack_counts(counts), meta


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.errors import ParseError

    sources = list(args.sources)
    if sources.count("-") > 1:
        raise ParseError("standard input ('-') can be read once")
    if len(sources) == 1:
        return _run_one(argparse.Namespace(**{**vars(args), "source": sources[0]}), out)
    docs = []
    for i, source in enumerate(sources):
        one = argparse.Namespace(**{**vars(args), "source": source})
        if args.json:
            groups, meta = _filtered(one)
            group_docs = [{"source": source, **asdict(g)} for g in groups]
            docs.append(_cleaned({"source": source, **meta, "groups": group_docs}))
        else:
            out.write(("\n" if i else "") + f"== {clean(source, MAX_NAME)} ==\n")
            _run_one(one, out)
    if args.json:
        json.dump({"sources": docs}, out, ensure_ascii=True)
        out.write("\n")
    return 0


def _run_one(args: argparse.Namespace, out: TextIO) -> int:
    groups, meta = _filtered(args)
    if args.json:
        doc = _cleaned({**meta, "groups": [asdict(g) for g in groups]})
        json.dump(doc, out, ensure_ascii=True)
        out.write("\n")
        return 0
    out.write(render_text(groups, meta))
    return 0


def _filtered(args: argparse.Namespace):
    """One source's groups after --label, --group-by, --match, --min-count; and its meta."""
    from tui.commands.complain import say
    from tui.goroutines.filtering import filter_stacks, min_count, stack_matcher
    from tui.goroutines.pivots import Pivot, filter_labels, pivot_groups

    groups, meta = _load(args)
    for note in meta["limit_notes"]:  # the work limits the parse reached (also in --json)
        say("goroutines", note)
    pivot = args.group_by or Pivot()
    meta["group_by"] = pivot.spec
    if args.label:
        meta["label_filter"] = [f"{k}={v}" for k, v in args.label]
        groups = filter_labels(groups, args.label)
    groups = pivot_groups(groups, pivot)
    if args.match is not None:
        groups = filter_stacks(groups, stack_matcher(args.match))
    if args.min_count > 1:
        groups = filter_stacks(groups, min_count(args.min_count))
    return groups, meta


def _cleaned(value: object) -> object:
    """Every string of a JSON document (names, files, reasons, labels: all from the dump) cleaned."""
    if isinstance(value, str):
        return clean(value, MAX_NAME)
    if isinstance(value, dict):
        return {clean(str(k), MAX_NAME): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


def render_text(groups, meta: dict) -> str:
    """Plain-text report; every string from the target goes through textsafe.clean."""
    lines: list[str] = []
    head = f"{meta['total']:,} goroutines ({meta['format']}"
    if meta.get("kind") == "goroutineleak":
        head += ", leaked only"
    head += ")"
    notes = []
    if meta.get("serving_not_shown"):
        notes.append(f"{meta['serving_not_shown']} serving this dump not shown")
    if meta.get("dropped"):
        notes.append(f"{meta['dropped']:,} over the limit not grouped")
    if meta.get("truncated"):
        notes.append("dump was truncated")
    if meta["format"] != "debug=2":
        notes.append("reasons inferred from stacks, ages unknown")
    shown = sum(g.count for g in groups)
    if shown != meta["total"] - meta.get("serving_not_shown", 0) - meta.get("dropped", 0):
        notes.append(f"{shown:,} match the filters")
    if meta.get("label_filter"):
        notes.append("labelled " + ", ".join(clean(f, 200) for f in meta["label_filter"]))
    if notes:
        head += " — " + "; ".join(notes)
    lines.append(head)
    if meta.get("group_by", "reason") != "reason":
        from tui.goroutines.pivots import parse_pivot

        lines.append(f"grouped {clean(parse_pivot(meta['group_by']).title, MAX_NAME)}")
    for rg in groups:
        lines.append("")
        title = clean(rg.reason, MAX_NAME) + (" (leaked)" if rg.leaked else "")
        ages = "" if rg.leaked and not rg.max_minutes else wait_minutes_range(rg.min_minutes, rg.max_minutes)
        line = f"{title}: {rg.count:,}  {ages}".rstrip()
        raw = getattr(rg, "raw_reasons", ())
        if raw:  # Go 1.19's "semacquire", named by the stack: --match finds either
            line += f"  (Go printed: {', '.join(clean(r, 60) for r in raw)})"
        lines.append(line)
        for bg in rg.buckets:
            if rg.leaked and not bg.max_minutes:  # Go prints no wait time for them: not "<1 min"
                lines.append(f"  {bg.count:,}  {LEAKED_WAIT_UNKNOWN}")
            else:
                lines.append(
                    f"  {clean(bg.label, MAX_NAME)}: {bg.count:,}  {wait_minutes_range(bg.min_minutes, bg.max_minutes)}".rstrip()
                )
            for sg in bg.stacks:
                lines.extend(_stack_lines(sg, ages=not (rg.leaked and not sg.max_minutes)))
    lines.append("")
    return "\n".join(lines)


def _stack_lines(sg, *, ages: bool = True) -> list[str]:
    minutes = wait_minutes_range(sg.min_minutes, sg.max_minutes) if ages else ""
    out = [f"    {sg.count:,} × stack {sg.key.rsplit('|', 1)[-1]}  {minutes}".rstrip()]
    if sg.sample_ids:
        out.append(
            "      goroutines: "
            + " ".join(str(i) for i in sg.sample_ids)
            + (" …" if sg.count > len(sg.sample_ids) else "")
        )
    if len(sg.label_counts) > 1:  # goroutines per label set
        for labels, n in sg.label_counts:
            text = ", ".join(f"{clean(k, 100)}={clean(v, 200)}" for k, v in labels) or "(no labels)"
            out.append(f"      labels: {text}  ({n:,})")
    elif sg.labels_seen:
        out.append("      labels: " + ", ".join(f"{clean(k, 100)}={clean(v, 200)}" for k, v in sg.labels_seen))
    if len(sg.source_keys) > 1:  # a pivot merged these stacks of the reason tree
        out.append(f"      merges {len(sg.source_keys)} groups of the reason tree")
    for f in sg.frames:
        loc = f"{clean(f.file, MAX_NAME)}:{f.line}" if f.file else ""
        out.append(f"      {clean(f.func, MAX_NAME)}{' (inlined)' if f.inlined else ''}  {loc}".rstrip())
    if sg.elided:
        out.append("      …frames elided…")
    if sg.created_by is not None:
        cb = sg.created_by
        loc = f"{clean(cb.file, MAX_NAME)}:{cb.line}" if cb.file else ""
        out.append(f"      created by {clean(cb.func, MAX_NAME)}  {loc}".rstrip())
    from tui.goroutines.pivots import chain_lines

    out.extend(f"        {clean(line, MAX_NAME)}" for line in chain_lines(sg))
    return out


run = text_command("goroutines", _run)
