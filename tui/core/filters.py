"""The one rule for what a user types as a filter (stdlib only).

A filter matches a literal substring: ``appendTo[`` finds ``main.appendTo[...]`` (a generic name
typed as shown is not a broken character set). ``re:`` makes the rest a regular expression:
``re:^main\\.`` . Used by the dashboard's ``/`` filters and ``goroutines --match``; ``top
--focus/--ignore`` stay regular expressions, as in ``go tool pprof``.
"""

from __future__ import annotations

import re

REGEX_PREFIX = "re:"


def filter_pattern(text: str) -> re.Pattern[str]:
    """``text`` as a pattern: a literal substring, or after ``re:`` a regex (re.error when bad)."""
    if text.startswith(REGEX_PREFIX):
        return re.compile(text[len(REGEX_PREFIX) :])
    return re.compile(re.escape(text))
