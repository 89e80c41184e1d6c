"""Typed errors shared by every layer (stdlib only).

Messages are meant for the user: one line, no secrets, no raw target bytes
beyond a short, sanitised excerpt.
"""

from __future__ import annotations


class PprofTuiError(Exception):
    """Base class: anything we raise on purpose."""


class ParseError(PprofTuiError, ValueError):
    """Input from a target or a file could not be understood."""

    def __init__(self, message: str, *, kind: str = "", offset: int | None = None) -> None:
        self.kind = kind
        self.offset = offset
        super().__init__(message)


class LimitExceeded(PprofTuiError):
    """A configured bound (body size, decompressed size, count) was hit."""


class SourceError(PprofTuiError):
    """A SOURCE (file or URL) given on the command line could not be read."""
