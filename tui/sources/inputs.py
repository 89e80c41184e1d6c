"""Read a SOURCE given on the command line: a file path, `-` for stdin, an http(s) URL, or a
recording directory (`DIR` or `DIR:endpoint`, e.g. `rec:goroutine?debug=1`: the newest answer).

Files are read with a size bound; URLs go through the fetch layer (imported lazily,
so the text subcommands on files never import httpx).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from tui.core import limits
from tui.core.errors import LimitExceeded, SourceError

if TYPE_CHECKING:
    from tui.config import Config


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def input_config(spec: str, args: argparse.Namespace | None) -> Config:
    """The Config for reading SOURCE: from the command line's connection options (auth is read from
    files/env only for URLs, so a local file never fails on an auth setting), else the defaults."""
    from tui.config import Config, config_from_args

    if args is None or not hasattr(args, "token_file"):
        return Config()
    if is_url(spec):
        return config_from_args(args)
    values = {k: v for k, v in vars(args).items() if k in ("max_body_mb", "config")}
    return config_from_args(argparse.Namespace(**values), env={})


def read_input(
    spec: str,
    *,
    max_bytes: int = limits.MAX_BODY_BYTES,
    config: object | None = None,
    recording_endpoints: tuple[str, ...] = ("heap",),
) -> bytes:
    """Return the raw bytes of SOURCE (undecoded: gzip stays gzip).

    For a recording directory, the newest successful body of the first of
    `recording_endpoints` it holds (or of the endpoint named after `DIR:`).
    """
    if is_url(spec):
        from tui.fetch.oneshot import fetch_once  # lazy: keeps httpx off the file path

        return fetch_once(spec, config, max_bytes=max_bytes)
    if spec == "-":
        return _read_bounded(sys.stdin.buffer, "standard input", max_bytes)
    recorded = _recording_spec(spec)
    if recorded is not None:
        directory, endpoint = recorded
        return _read_recording(spec, directory, (endpoint,) if endpoint else recording_endpoints, max_bytes)
    try:
        size = os.stat(spec).st_size
    except FileNotFoundError:
        raise SourceError(f"{spec}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{spec}: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise LimitExceeded(f"{spec}: {size} bytes is over the {max_bytes}-byte limit")
    try:
        with open(spec, "rb") as fh:
            return _read_bounded(fh, spec, max_bytes)
    except IsADirectoryError:
        raise SourceError(f"{spec}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{spec}: {exc.strerror or exc}") from None


def _read_bounded(fh, name: str, max_bytes: int) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitExceeded(f"{name}: over the {max_bytes}-byte limit")
    return data


def _recording_spec(spec: str) -> tuple[str, str] | None:
    """(directory, endpoint or "") when SPEC names a recording, else None."""
    from pathlib import Path

    from tui.recording.format import is_recording  # stdlib-only module

    if os.path.isdir(spec):
        return (spec, "") if is_recording(Path(spec)) else None
    directory, sep, endpoint = spec.rpartition(":")
    if sep and directory and os.path.isdir(directory) and is_recording(Path(directory)):
        return directory, endpoint
    return None


def _read_recording(spec: str, directory: str, endpoints: tuple[str, ...], max_bytes: int) -> bytes:
    from pathlib import Path

    from tui.recording.format import open_recording

    recording = open_recording(Path(directory))
    for endpoint in endpoints:
        ref = recording.latest(endpoint)
        if ref is not None and not ref.header.redacted:
            if ref.body_len > max_bytes:
                raise LimitExceeded(f"{spec}: recorded body over the {max_bytes}-byte limit")
            return ref.read_body()
    have = ", ".join(e for e in recording.endpoints() if e != "cmdline") or "nothing"
    raise SourceError(
        f"{spec}: the recording has no {' or '.join(endpoints)} answer (it has: {have}); name one as DIR:ENDPOINT"
    )
