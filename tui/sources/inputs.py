"""Read a SOURCE given on the command line: a file path, `-` for stdin, an http(s) URL, or a
recording directory (`DIR` or `DIR:endpoint`, e.g. `rec:goroutine?debug=1`: the newest answer).

Files are read with a size bound; URLs go through the fetch layer (imported lazily,
so the text subcommands on files never import httpx).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError, SourceError

T = TypeVar("T")
# A recording's newest answer of an endpoint may be corrupt (a crash mid-dump, a crafted file):
# this many older ones are tried before giving up.
MAX_FALLBACK = 20

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
    values = {k: v for k, v in vars(args).items() if k in ("max_body_mb", "config", "max_goroutines")}
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
    return load_input(spec, _as_is, max_bytes=max_bytes, config=config, recording_endpoints=recording_endpoints)


def _as_is(data: bytes) -> bytes:
    return data


def load_input(
    spec: str,
    decode: Callable[[bytes], T],
    *,
    max_bytes: int = limits.MAX_BODY_BYTES,
    config: object | None = None,
    recording_endpoints: tuple[str, ...] = ("heap",),
    note: Callable[[str], None] | None = None,
) -> T:
    """`decode` the bytes of SOURCE (see read_input). From a recording, an answer that does not
    read or `decode` (ParseError, LimitExceeded) makes it try the older answers of that endpoint,
    then the next endpoint; `note` is told which one was used instead of the newest."""
    if is_url(spec):
        from tui.fetch.oneshot import fetch_once  # lazy: keeps httpx off the file path

        return decode(fetch_once(spec, config, max_bytes=max_bytes))
    if spec == "-":
        return decode(_read_bounded(sys.stdin.buffer, "standard input", max_bytes))
    recorded = _recording_spec(spec)
    if recorded is not None:
        directory, endpoint = recorded
        endpoints = (endpoint,) if endpoint else recording_endpoints
        return _load_recording(spec, directory, endpoints, max_bytes, decode, note)
    return decode(_read_file(spec, max_bytes))


def _read_file(spec: str, max_bytes: int) -> bytes:
    """A regular file only: a FIFO, a device or a socket would block (or never end) before the
    UI starts; `-` is how to read a stream."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; checked on the open file (no race).
        fd = os.open(spec, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SourceError(f"{spec}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{spec}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{spec}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"{spec}: is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(
                f"{spec}: not a regular file (a pipe, device or socket); to read a stream, give '-' "
                "and redirect it to standard input"
            )
        if info.st_size > max_bytes:
            raise LimitExceeded(f"{spec}: {info.st_size} bytes is over the {max_bytes}-byte limit")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1  # the file object owns it now
            return _read_bounded(fh, spec, max_bytes)
    except OSError as exc:
        raise SourceError(f"{spec}: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)


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


def _when(wall: float) -> str:
    if not wall:
        return "an older one"
    try:
        return "the one of " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall))
    except (OverflowError, OSError, ValueError):
        return "an older one"


def _load_recording(
    spec: str,
    directory: str,
    endpoints: tuple[str, ...],
    max_bytes: int,
    decode: Callable[[bytes], T],
    note: Callable[[str], None] | None,
) -> T:
    from pathlib import Path

    from tui.recording.format import open_recording

    try:
        recording = open_recording(Path(directory))
    except OSError as exc:
        raise SourceError(f"{spec}: {exc.strerror or exc}") from None
    first_error: Exception | None = None
    skipped = 0
    for endpoint in endpoints:
        tried = 0
        for ref in recording.answers(endpoint):
            if ref.header.redacted:
                continue
            if tried >= MAX_FALLBACK:
                break
            tried += 1
            try:
                if ref.body_len > max_bytes:
                    raise LimitExceeded(f"recorded body over the {max_bytes}-byte limit")
                value = decode(ref.read_body())
            except (ParseError, LimitExceeded, OSError) as exc:
                first_error = first_error or exc
                skipped += 1
                continue
            if skipped and note is not None:
                note(
                    f"{spec}: skipped {skipped} unreadable recorded answer(s) (newest: {first_error}); "
                    f"using {_when(ref.header.wall)} ({endpoint})"
                )
            return value
    if first_error is not None:
        raise ParseError(
            f"{spec}: no recorded {' or '.join(endpoints)} answer could be read "
            f"({skipped} tried; newest: {first_error})"
        )
    have = ", ".join(e for e in recording.endpoints() if e != "cmdline") or "nothing"
    raise SourceError(
        f"{spec}: the recording has no {' or '.join(endpoints)} answer (it has: {have}); name one as DIR:ENDPOINT"
    )
