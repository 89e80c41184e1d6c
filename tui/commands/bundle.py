"""`pprof-tui bundle DIR --tar FILE`: pack one incident bundle (tui/evidence) for a ticket, with our
credentials masked in every file (the recordings' rule: the auth options and the environment say
what they are)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.complain import fail, say
from tui.config import ConfigError, add_auth_arguments


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "bundle",
        help="pack an incident bundle into a .tar.gz for a ticket, credentials masked",
        description="Pack the incident bundle DIR (written when a verdict fired; `E` in the UI lists them) "
        "into FILE (gzip'd tar). Every credential given by the auth options or the environment is masked "
        "with '*' in every file, inside the gzip'd profiles too.",
    )
    parser.add_argument("directory", metavar="DIR", help="a bundle directory")
    parser.add_argument("--tar", required=True, metavar="FILE", help="the .tar.gz to write (must not exist)")
    add_auth_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from tui.config import config_from_args
    from tui.core.errors import PprofTuiError
    from tui.evidence.pack import pack_bundle

    try:
        config = config_from_args(args)
        packed = pack_bundle(Path(args.directory), Path(args.tar), config.auth.masks())
    except (ConfigError, PprofTuiError, OSError) as exc:
        return fail("bundle", exc)
    from tui.core.bytesize import format_bytes

    masked = f"; {packed.masked} credential value{'s' if packed.masked != 1 else ''} masked" if packed.masked else ""
    say("bundle", f"packed {packed.files} files into {packed.path} ({format_bytes(packed.size)}){masked}")
    return 0
