"""Read a SOURCE given on the command line: a file path, `-` for stdin, or an http(s) URL.

Files are read with a size bound; URLs go through the fetch layer (imported lazily,
so the text subcommands on files never import httpx).
"""

from __future__ import annotations

import os
import sys

from tui import limits
from tui.errors import LimitExceeded, SourceError


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def read_source(spec: str, *, max_bytes: int = limits.MAX_BODY_BYTES, config: object | None = None) -> bytes:
    """Return the raw bytes of SOURCE (undecoded: gzip stays gzip)."""
    if is_url(spec):
        from tui.fetch.oneshot import fetch_once  # lazy: keeps httpx off the file path

        return fetch_once(spec, config, max_bytes=max_bytes)
    if spec == "-":
        return _read_bounded(sys.stdin.buffer, "standard input", max_bytes)
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
