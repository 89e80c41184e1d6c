"""The one place a user's regular expression is compiled: RE2, linear time on any text.

A pattern the user types (a ``/`` filter after ``re:``, ``goroutines --match re:...``, ``top
--focus/--ignore``) meets names the target chose. Python's ``re`` backtracks: ``(a+)+$`` on a
function named ``aaaa…a!`` runs for ever, and the UI stops answering keys. RE2 (the
``google-re2`` package) matches in time linear in the text whatever the pattern, and its syntax is
the one ``go tool pprof`` users know (Go's ``regexp`` is RE2's). What it cannot do in linear time
it refuses at compile time: backreferences and lookaround, with a message saying so.

Matching is on UTF-8 bytes; a name holding a lone surrogate (never produced by our decoders) is
matched with it passed through, not refused.
"""

from __future__ import annotations

from typing import Protocol

import re2  # google-re2: no type hints (pyproject's mypy override); typed by _Compiled below


class TextMatcher(Protocol):
    """What a filter needs of a pattern: ``search(text)`` is true when found. A user pattern
    (:class:`UserRegex`, :class:`Literal`) and a trusted ``re.Pattern`` of ours both fit."""

    def search(self, text: str, /) -> object: ...


class UserPatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why in words (one line)."""


class _Compiled(Protocol):  # what we use of re2's compiled pattern
    def search(self, text: bytes, /) -> object: ...


def _options() -> object:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every bad pattern to standard error (the terminal)
    return options


_OPTIONS = _options()  # RE2's default max_mem (8 MiB) bounds what a huge pattern may compile to


def _reason(error: str, pattern: str) -> str:
    """RE2's error in words a pprof user acts on."""
    if "(?=" in error or "(?!" in error or "(?<" in error:
        return "lookahead/lookbehind (?=…) (?!…) (?<=…) is not supported (RE2 syntax, as go tool pprof)"
    if "(?P=" in pattern or any(f"\\{d}" in error for d in "123456789"):
        return "backreferences (\\1, (?P=name)) are not supported (RE2 syntax, as go tool pprof)"
    if "\\Z" in error:
        return "\\Z is not supported: use \\z or $ (RE2 syntax, as go tool pprof)"
    return error


class UserRegex:
    """A compiled user regex (RE2). ``search(text)`` -> bool, in time linear in ``text``."""

    __slots__ = ("_rx", "pattern")

    def __init__(self, pattern: str) -> None:
        try:
            encoded = pattern.encode("utf-8")
        except UnicodeEncodeError:
            raise UserPatternError("pattern is not valid text") from None
        try:
            rx: _Compiled = re2.compile(encoded, _OPTIONS)
        except re2.error as exc:
            raw = exc.args[0] if exc.args else ""
            error = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            raise UserPatternError(_reason(error, pattern)) from None
        self.pattern = pattern
        self._rx = rx

    def search(self, text: str, /) -> bool:
        return self._rx.search(text.encode("utf-8", "surrogatepass")) is not None

    def __repr__(self) -> str:
        return f"UserRegex({self.pattern!r})"


class Literal:
    """A literal substring (``in``: linear time in CPython)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def search(self, text: str, /) -> bool:
        return self.text in text

    def __repr__(self) -> str:
        return f"Literal({self.text!r})"


def compile_user_regex(pattern: str) -> UserRegex:
    """``pattern`` as RE2; raises UserPatternError (backreferences, lookaround, bad syntax)."""
    return UserRegex(pattern)


__all__ = ["Literal", "TextMatcher", "UserPatternError", "UserRegex", "compile_user_regex"]
