"""Parse the net/http/pprof index page (``/debug/pprof/``) into profile counts."""

from __future__ import annotations

import html
import re

from tui.core.errors import ParseError

# <tr><td>12</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>, tolerant of
# quote style, case and whitespace. No part can scan past a '<' it does not expect, so a
# hostile page costs linear time (no catastrophic backtracking); names are stripped in Python.
_ROW = re.compile(
    r"<td[^<>]*>\s*(\d{1,20})\s*</td>\s*<td[^<>]*>\s*<a\s([^<>]*)>([^<]{1,200})</a>",
    re.IGNORECASE,
)
_HREF = re.compile(r"href\s*=", re.IGNORECASE)
MAX_ROWS = 256


def parse_index(page: str) -> dict[str, int]:
    """Return {profile name: count}. Raises ParseError if the page is not a pprof index."""
    counts: dict[str, int] = {}
    for m in _ROW.finditer(page):
        if _HREF.search(m.group(2)) is None:
            continue
        name = html.unescape(m.group(3)).strip()
        if name and name not in counts:
            counts[name] = int(m.group(1))
            if len(counts) >= MAX_ROWS:
                break
    if not counts:
        raise ParseError("not a pprof index page (no profile rows)", kind="index")
    return counts
