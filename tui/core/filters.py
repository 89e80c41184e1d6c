"""The one rule for what a user types as a filter.

A filter matches a literal substring: ``appendTo[`` finds ``main.appendTo[...]`` (a generic name
typed as shown is not a broken character set). ``re:`` makes the rest a regular expression:
``re:^main\\.`` . Used by the dashboard's ``/`` filters and ``goroutines --match``; ``top
--focus/--ignore`` stay regular expressions, as in ``go tool pprof``. Regexes are RE2
(tui.core.user_regex): linear time on any name the target chose.
"""

from __future__ import annotations

from tui.core.user_regex import Literal, TextMatcher, UserPatternError, compile_user_regex

REGEX_PREFIX = "re:"


def filter_pattern(text: str) -> TextMatcher:
    """``text`` as a pattern: a literal substring, or after ``re:`` an RE2 regex (UserPatternError when bad)."""
    if text.startswith(REGEX_PREFIX):
        return compile_user_regex(text[len(REGEX_PREFIX) :])
    return Literal(text)


__all__ = ["REGEX_PREFIX", "UserPatternError", "filter_pattern"]
