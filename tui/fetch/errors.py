"""Typed fetch errors, each with a one-line user message free of secrets."""

from __future__ import annotations

from collections.abc import Iterable

from tui.errors import LimitExceeded, PprofTuiError

REDACTED = "<redacted>"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in text; also collapse the text to one bounded line."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = " ".join(text.split())
    return text[:300]


class FetchError(PprofTuiError):
    """Anything that went wrong getting a body from the target.

    `retryable` says whether backing off and trying again may help.
    """

    retryable = True

    def __init__(self, message: str, *, url: str = "") -> None:
        self.url = url
        super().__init__(message)

    @property
    def user_message(self) -> str:
        return str(self)


class Unreachable(FetchError):
    """Connection refused / DNS / TLS handshake / connection reset."""


class FetchTimeout(FetchError):
    """No answer (or not the whole body) within the deadline."""


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, status: int, url: str = "") -> None:
        self.status = status
        super().__init__(message, url=url)


class Unauthorized(HTTPStatusError):
    """401/403: credentials missing or refused."""


class NotFound(HTTPStatusError):
    """404: pprof not enabled at that path (or that profile does not exist)."""


class ServerError(HTTPStatusError):
    """5xx from the target or a proxy in front of it."""


class NotPprof(FetchError):
    """The answer is not what a pprof endpoint returns (login page, proxy page, JSON...)."""


class TooLarge(FetchError, LimitExceeded):
    """Body (or decompressed body) over the configured limit."""


class BadGzip(FetchError):
    """A body with gzip magic that does not decompress."""
