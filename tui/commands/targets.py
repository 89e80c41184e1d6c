"""Several targets on one command line: `TARGET...` and `--targets-file FILE` (one a line).

A target may carry a name: `pod-3=10.0.4.7:6060` (the name is what the output calls it; without one,
the target's own label). In a file, blank lines and lines starting with `#` are skipped; `-` reads
standard input, so a pod list can be piped in (README "Replicas").
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from tui.core.limits import MiB

if TYPE_CHECKING:
    from tui.config import Config

MAX_TARGETS = 100  # more belongs to a continuous profiler (README "Replicas")
MAX_FILE_BYTES = MiB
_NAMED = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]{0,99})=(.+)")


class TargetListError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class NamedTarget:
    name: str  # "" when none was given
    spec: str  # host:port or base URL


def parse_target(text: str) -> NamedTarget:
    """`pod-3=10.0.4.7:6060` -> named; anything else (a URL with `=` in it too) is the target itself."""
    text = text.strip()
    m = _NAMED.fullmatch(text)
    if m and "/" not in m.group(1) and ":" not in m.group(1):
        return NamedTarget(m.group(1), m.group(2).strip())
    return NamedTarget("", text)


def read_targets(stream: TextIO) -> list[NamedTarget]:
    text = stream.read(MAX_FILE_BYTES + 1)
    if len(text) > MAX_FILE_BYTES:
        raise TargetListError(f"a targets file is at most {MAX_FILE_BYTES // 1024} kB")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(parse_target(line))
    return out


def add_targets_file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--targets-file",
        metavar="FILE",
        default=None,
        help="more targets, one a line (`name=host:port` names one; `#` comments); `-` reads standard input",
    )


def gather_targets(args: argparse.Namespace, stdin: TextIO | None = None) -> list[NamedTarget]:
    """The command line's targets, then the file's; names unique; at least one, at most MAX_TARGETS."""
    targets = [parse_target(t) for t in getattr(args, "targets", None) or ()]
    path = getattr(args, "targets_file", None)
    if path == "-":
        targets += read_targets(stdin if stdin is not None else sys.stdin)
    elif path is not None:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                targets += read_targets(f)
        except OSError as exc:
            raise TargetListError(f"{path}: {exc.strerror or exc}") from exc
    if not targets:
        raise TargetListError("give a TARGET, or --targets-file with one target a line")
    if len(targets) > MAX_TARGETS:
        raise TargetListError(
            f"{len(targets)} targets: at most {MAX_TARGETS} (a bigger fleet belongs to a continuous profiler)"
        )
    names = [t.name for t in targets if t.name]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise TargetListError(f"the name {dup!r} is given twice")
    return targets


def target_labels(targets: Sequence[NamedTarget], configs: Sequence[Config]) -> list[str]:
    """Each target's name, else its config's label; a repeated label gets `#2`, `#3`..."""
    out: list[str] = []
    for target, config in zip(targets, configs, strict=True):
        label = target.name or config.label
        n, unique = 1, label
        while unique in out:
            n += 1
            unique = f"{label}#{n}"
        out.append(unique)
    return out
