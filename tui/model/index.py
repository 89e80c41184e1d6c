"""Parse the net/http/pprof index page (``/debug/pprof/``) into profile counts."""

from __future__ import annotations

import html
import re

from tui.errors import ParseError

# <tr><td>12</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>, tolerant of
# quote style, case and whitespace.
_ROW = re.compile(
    r"<td[^>]*>\s*(\d{1,20})\s*</td>\s*<td[^>]*>\s*<a\s+[^>]*?href\s*=\s*(?:'[^']*'|\"[^\"]*\"|[^\s>]+)[^>]*>"
    r"\s*([^<]{1,200}?)\s*</a>",
    re.IGNORECASE,
)
MAX_ROWS = 256


def parse_index(page: str) -> dict[str, int]:
    """Return {profile name: count}. Raises ParseError if the page is not a pprof index."""
    counts: dict[str, int] = {}
    for m in _ROW.finditer(page):
        name = html.unescape(m.group(2)).strip()
        if name and name not in counts:
            counts[name] = int(m.group(1))
            if len(counts) >= MAX_ROWS:
                break
    if not counts:
        raise ParseError("not a pprof index page (no profile rows)", kind="index")
    return counts
