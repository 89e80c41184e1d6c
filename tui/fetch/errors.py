"""Typed fetch errors, each with a one-line user message free of secrets."""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.errors import LimitExceeded, PprofTuiError
from tui.core.masking import secret_variants
from tui.core.textsafe import clean

REDACTED = "<redacted>"


# A secret cut short by an excerpt (``value[:40]!r``) still leaks its start: a prefix of at
# least this many characters, ending where the excerpt ends, is redacted too.
MIN_CUT_PREFIX = 4
_CUT_ENDS = "'\"…)]"


def _redact_one(text: str, secret: str) -> str:
    text = text.replace(secret, REDACTED)
    head = secret[:MIN_CUT_PREFIX]
    if len(secret) <= MIN_CUT_PREFIX or head not in text:
        return text
    out, pos = [], 0
    while (i := text.find(head, pos)) >= 0:
        j = MIN_CUT_PREFIX
        while i + j < len(text) and j < len(secret) and text[i + j] == secret[j]:
            j += 1
        if i + j == len(text) or text[i + j] in _CUT_ENDS:
            out.append(text[pos:i] + REDACTED)
        else:
            out.append(text[pos : i + j])
        pos = i + j
    return "".join(out) + text[pos:]


def redact(text: str, secrets: Iterable[str], max_len: int = 300) -> str:
    """Replace every secret value in text (also as repr() shows it, and a start of it cut off at the
    end of an excerpt); collapse it to one bounded line with control characters made visible
    (tui.core.textsafe.clean), so target text in a message cannot drive the terminal."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= secret_variants(secret)  # URL-encoded, case-folded, JSON-escaped, base64 too
    for secret in sorted(forms, key=len, reverse=True):
        text = _redact_one(text, secret)
    return clean(" ".join(text.split()), max_len)


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
