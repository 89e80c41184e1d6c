"""Read a SOURCE given on the command line. Every subcommand that reads one answer (`top`,
`top --base`, `goroutines`, `open`) takes the same forms:

- a file path, or `-` for standard input;
- a recording directory: `DIR` (the newest answer of the command's endpoint) or `DIR:endpoint`
  (e.g. `rec:goroutine?debug=1`);
- a target, as `watch` and `check` take it: `host:port`, `http(s)://host:port`, or a base URL
  ending in `/` (`https://h/app/debug/pprof/`): the command's endpoint is fetched from it
  (`heap` for top, `goroutine?debug=2` for goroutines);
- the full URL of one endpoint (`http://h:6060/debug/pprof/heap`): fetched as it is.

An existing file wins over a target of the same spelling (`./localhost:6060` is a file).
Files are read with a size bound; URLs go through the fetch layer (imported lazily,
so the text subcommands on files never import httpx).
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError, SourceError
from tui.model import catalog

T = TypeVar("T")
# A recording's newest answer of an endpoint may be corrupt (a crash mid-dump, a crafted file):
# this many older ones are tried before giving up.
MAX_FALLBACK = 20
# ... and at most this many stored bytes of them (20 answers of 72 MB took 19 s to try)
MAX_FALLBACK_BYTES = 256 * 1024 * 1024

if TYPE_CHECKING:
    from tui.config import Config


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


# `host:port` or `[v6]:port`, optionally with a path (`h:6060/app/debug/pprof/`): a target, as
# `watch host:port` takes it, when no file of that name exists.
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.%]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):\d{1,5}(/\S*)?")
DEFAULT_BASE_PATH = "/debug/pprof/"  # as tui.config: where net/http/pprof serves


def is_target(spec: str) -> bool:
    """`host:port[/path]` that names no existing file, directory or `DIR:endpoint` of a recording."""
    return (
        _HOST_PORT.fullmatch(spec) is not None
        and not os.path.lexists(spec)
        and _recording_spec(spec) is None
        and _saved_spec(spec) is None
    )


def is_remote(spec: str) -> bool:
    """SOURCE is read over HTTP: a URL, or a `host:port` target."""
    return is_url(spec) or is_target(spec)


def endpoint_urls(spec: str, endpoints: tuple[str, ...]) -> tuple[str, ...]:
    """The URLs to try, in order, for a remote SOURCE: a target (`host:port`, a URL with no path,
    a base URL ending in `/` or in `/debug/pprof`) gives each endpoint under its base; the URL of
    one endpoint is itself."""
    url = spec if is_url(spec) else "http://" + spec
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if parts.query or not (path in ("", "/") or path.endswith("/") or path.endswith(DEFAULT_BASE_PATH.rstrip("/"))):
        return (url,)
    base = DEFAULT_BASE_PATH if path in ("", "/") else path.rstrip("/") + "/"
    root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, base, "", ""))
    return tuple(root + endpoint for endpoint in endpoints) or (root,)


# `profile` (CPU) and `?seconds=N` deltas (heap, allocs, mutex, block, goroutine, threadcreate) make
# the target collect for N seconds before it answers: the request's deadline is N more, N at most this.
MAX_PROFILE_SECONDS = 300
CPU_DEFAULT_SECONDS = 30  # net/http/pprof's Profile handler when `seconds` is missing, unparsable or <= 0


def collection_seconds(url: str) -> float:
    """How long the target collects before it answers this URL (0: at once). A CPU profile without a
    valid `seconds` collects 30 s, as net/http/pprof does; a window over MAX_PROFILE_SECONDS is refused
    (ParseError, kind "usage") before anything is asked of the target."""
    parts = urllib.parse.urlsplit(url)
    values = urllib.parse.parse_qs(parts.query, keep_blank_values=True).get("seconds")
    cpu = parts.path.rstrip("/").endswith("/profile")
    if not values:
        return float(CPU_DEFAULT_SECONDS) if cpu else 0.0
    text = values[0]  # as Go's FormValue: "+" is a space, nothing is stripped; a repeat is refused below
    if len(values) > 1:
        raise ParseError(f"{url[:200]}: 'seconds' given {len(values)} times", kind="usage")
    if cpu and re.fullmatch(r"[+-]?[0-9]{1,18}", text) is None:
        return float(CPU_DEFAULT_SECONDS)  # Go's ParseInt fails ("2.5" too): the handler's default
    try:
        seconds = float(text) if len(text) <= 20 and text == text.strip() else float("nan")  # Go's ParseFloat
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:  # NaN too
        if cpu:
            return float(CPU_DEFAULT_SECONDS)
        raise ParseError(f"{url[:200]}: seconds={text[:20]!r} is not a positive number of seconds", kind="usage")
    if seconds > MAX_PROFILE_SECONDS:
        raise ParseError(
            f"{url[:200]}: seconds={text[:20]} is over the {MAX_PROFILE_SECONDS} s this command waits at most",
            kind="usage",
        )
    return seconds


def _with_wait(config: object | None, seconds: float) -> object | None:
    """The config with its request deadline extended by the target's collection time."""
    import dataclasses

    from tui.config import Config

    cfg = config if isinstance(config, Config) else Config()
    return dataclasses.replace(cfg, request_timeout=cfg.request_timeout + seconds)


def input_config(spec: str, args: argparse.Namespace | None) -> Config:
    """The Config for reading SOURCE: from the command line's connection options (auth is read from
    files/env only for URLs and targets, so a local file never fails on an auth setting), else the
    defaults."""
    from tui.config import Config, config_from_args

    if args is None or not hasattr(args, "token_file"):
        return Config()
    if is_remote(spec):
        # the target is where SOURCE points: errors name it (not the default localhost:6060)
        parts = urllib.parse.urlsplit(endpoint_urls(spec, ())[0])
        target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return config_from_args(argparse.Namespace(**{**vars(args), "target": target}))
    values = {k: v for k, v in vars(args).items() if k in ("max_body_mb", "config", "max_goroutines")}
    return config_from_args(argparse.Namespace(**values), env={})


def read_input(
    spec: str,
    *,
    max_bytes: int = limits.MAX_BODY_BYTES,
    config: object | None = None,
    endpoints: tuple[str, ...] = (catalog.HEAP.key,),
) -> bytes:
    """Return the raw bytes of SOURCE (undecoded: gzip stays gzip).

    For a recording directory, the newest successful body of the first of
    `endpoints` it holds (or of the endpoint named after `DIR:`); for a target
    (`host:port`, a base URL), the answer of the first of them it serves.
    """
    return load_input(spec, _as_is, max_bytes=max_bytes, config=config, endpoints=endpoints)


def _as_is(data: bytes) -> bytes:
    return data


def load_input(
    spec: str,
    decode: Callable[[bytes], T],
    *,
    max_bytes: int = limits.MAX_BODY_BYTES,
    config: object | None = None,
    endpoints: tuple[str, ...] = (catalog.HEAP.key,),
    note: Callable[[str], None] | None = None,
) -> T:
    """`decode` the bytes of SOURCE (see read_input). From a recording, an answer that does not
    read or `decode` (ParseError, LimitExceeded) makes it try the older answers of that endpoint,
    then the next endpoint; from a target, an endpoint that fails makes it try the next one;
    `note` is told which one was used instead of the first."""
    if is_url(spec):
        return _load_remote(spec, decode, endpoints, config, max_bytes, note)
    if spec == "-":
        return decode(_read_bounded(sys.stdin.buffer, "standard input", max_bytes))
    saved = _saved_spec(spec)
    if saved is not None:  # a snapshot saved with `s`
        directory, endpoint = saved
        return decode(_read_file(str(_saved_file(spec, directory, (endpoint,) if endpoint else endpoints)), max_bytes))
    recorded = _recording_spec(spec)
    if recorded is not None:
        directory, endpoint = recorded
        wanted = (endpoint,) if endpoint else endpoints
        return _load_recording(spec, directory, wanted, max_bytes, decode, note)
    if is_target(spec):
        return _load_remote(spec, decode, endpoints, config, max_bytes, note)
    return decode(_read_file(spec, max_bytes))


def _load_remote(
    spec: str,
    decode: Callable[[bytes], T],
    endpoints: tuple[str, ...],
    config: object | None,
    max_bytes: int,
    note: Callable[[str], None] | None,
) -> T:
    from tui.fetch.oneshot import fetch_once  # lazy: keeps httpx off the file path

    urls = endpoint_urls(spec, endpoints)
    first_error: Exception | None = None
    for url in urls:
        seconds = collection_seconds(url)  # a window too long is refused before the target is asked
        if seconds and note is not None:
            note(f"waiting {seconds:g} s: the target collects for that long before it answers")
        cfg = _with_wait(config, seconds) if seconds else config
        try:
            value = decode(fetch_once(url, cfg, max_bytes=max_bytes))
        except (SourceError, ParseError, LimitExceeded) as exc:
            if len(urls) == 1:
                raise
            first_error = first_error or exc
            continue
        if first_error is not None and note is not None:
            note(f"{urls[0]}: {first_error}; using {url}")
        return value
    assert first_error is not None
    raise first_error


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


def _saved_spec(spec: str) -> tuple[str, str] | None:
    """(directory, endpoint or "") when SPEC names a snapshot saved with `s` (or `DIR:endpoint` in one)."""
    from tui.recording.export import is_saved_snapshot  # stdlib-only module

    if os.path.isdir(spec):
        return (spec, "") if is_saved_snapshot(spec) else None
    directory, sep, endpoint = spec.rpartition(":")
    if sep and directory and os.path.isdir(directory) and is_saved_snapshot(directory):
        return directory, endpoint
    return None


def _saved_file(spec: str, directory: str, endpoints: tuple[str, ...]) -> str:
    from tui.recording.export import saved_files

    files = saved_files(directory)
    for endpoint in endpoints:
        if endpoint in files:
            return str(files[endpoint])
    have = ", ".join(sorted(files)) or "nothing"
    raise SourceError(
        f"{spec}: the saved snapshot has no {' or '.join(endpoints)} (it has: {have}); name one as DIR:ENDPOINT"
    )


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
    skipped = tried_bytes = 0
    for endpoint in endpoints:
        tried = 0
        for ref in recording.answers(endpoint):
            if ref.header.redacted:
                continue
            if tried >= MAX_FALLBACK or tried_bytes >= MAX_FALLBACK_BYTES:
                break
            tried += 1
            tried_bytes += ref.body_len
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
    have = ", ".join(e for e in recording.endpoints() if e != catalog.CMDLINE.key) or "nothing"
    raise SourceError(
        f"{spec}: the recording has no {' or '.join(endpoints)} answer (it has: {have}); name one as DIR:ENDPOINT"
    )
