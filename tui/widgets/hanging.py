"""Text laid out in logical lines that wrap with a hanging indent: a line too long for the width
goes on under its label (``hang`` cells in), never back at column 1, and is broken at a space or
after a ``/`` where it can (so ``file.go:123`` stays in one piece).

`Doc` is a Rich renderable: it wraps to the width it is given each time it is rendered, so a
`Static(doc)` re-wraps on resize. `Doc.plain` is the unwrapped text (for the clipboard and tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

MIN_ROOM = 20  # a hang that leaves less than this on a line is cut down to leave it


@dataclass(slots=True)
class Doc:
    """Logical lines, each with the indent its wrapped continuation lines get."""

    lines: list[tuple[Text, int]] = field(default_factory=list)

    def add(self, text: Text | str = "", hang: int | None = None, style: str = "") -> Text:
        """Add one logical line (no newlines in it); ``hang`` defaults to its own indent plus 2.
        Returns the line, to append to it."""
        line = text if isinstance(text, Text) else Text(text, style=style)
        if hang is None:
            hang = len(line.plain) - len(line.plain.lstrip(" ")) + 2
        self.lines.append((line, hang))
        return line

    def add_text(self, text: Text, hang: int | None = None) -> None:
        """Add each line of a multi-line Text."""
        for line in text.split("\n", allow_blank=True):
            self.add(line, hang)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line, _ in self.lines)

    def wrapped(self, width: int) -> list[Text]:
        out: list[Text] = []
        for line, hang in self.lines:
            out.extend(wrap_hanging(line, width, hang))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # one Text, its lines already fitted: no second wrap (a wide glyph past the edge gets "…")
        yield Text("\n", no_wrap=True, overflow="ellipsis").join(self.wrapped(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((line.cell_len for line, _ in self.lines), default=0)
        return Measurement(min(MIN_ROOM, widest), widest)


def _breaks(plain: str, start: int, end: int) -> Iterator[int]:
    """Where to break plain[start:end], best first, each kind latest first: after two or more
    spaces (between fields: "oldest 10 min" stays whole), after one space (prose), after a '/'
    (a Go name keeps its package with its function), before a '(' or after a ',' or '.'."""

    def after_space(i: int) -> bool:
        return plain[i - 1] == " " and (i >= len(plain) or plain[i] != " ")

    for i in range(end, start, -1):
        if after_space(i) and i >= 2 and plain[i - 2] == " ":
            yield i
    for i in range(end, start, -1):
        if after_space(i):
            yield i
    for i in range(end, start, -1):
        if plain[i - 1] == "/":
            yield i
    for i in range(end, start, -1):
        if plain[i - 1] in ",." or (i < len(plain) and plain[i] == "("):
            yield i


def wrap_hanging(line: Text, width: int, hang: int) -> list[Text]:
    """``line`` in lines of at most ``width`` cells, every one after the first indented by ``hang``
    (cut down when it would leave less than MIN_ROOM cells). Cells are counted as characters, and
    the text must be clean (tui.core.textsafe): what we show is."""
    width = max(width, 1)
    plain = line.plain
    if len(plain) <= width:
        return [line]
    hang = max(0, min(hang, width - MIN_ROOM)) if width > MIN_ROOM else 0
    out: list[Text] = []
    pos = 0
    first = True
    while pos < len(plain):
        room = width if first else width - hang
        if len(plain) - pos <= room:
            end = len(plain)
        else:
            limit = pos + room
            end = next(_breaks(plain, pos + max(room // 3, 1), limit), limit)
        piece = line[pos:end]
        piece.rstrip()
        if not first:
            piece = Text(" " * hang) + piece
        out.append(piece)
        pos = end
        while pos < len(plain) and plain[pos] == " ":
            pos += 1
        first = False
    return out


def lines_of(doc: Doc, width: int) -> Iterable[str]:
    """The plain lines ``doc`` shows at ``width`` (for tests)."""
    return [t.plain for t in doc.wrapped(width)]
