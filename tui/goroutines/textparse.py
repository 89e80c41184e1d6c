"""Small pieces shared by the goroutine text parsers: Go string unquoting, label maps, frame lines."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tui.core import limits
from tui.core.errors import ParseError
from tui.goroutines.records import Frame, Labels

# Go's traceback prints a label key/value bare when it matches this, quoted otherwise.
_BARE = re.compile(r"[^\s:,{}\"]+")
_SIMPLE_ESCAPES = {
    "n": b"\n",
    "r": b"\r",
    "t": b"\t",
    "\\": b"\\",
    '"': b'"',
    "'": b"'",
    "a": b"\x07",
    "b": b"\x08",
    "f": b"\x0c",
    "v": b"\x0b",
}
_HEX = frozenset("0123456789abcdefABCDEF")
MAX_LABELS = 64


def iter_lines(text: str, piece: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` (no newlines), split a megabyte at a time: a 70 MB dump never becomes
    3 M strings at once (nor io.StringIO's 4 bytes a character)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start + piece) if n - start > piece else -1
        end = n if end < 0 else end + 1
        chunk = text[start:end]
        yield from chunk.split("\n")[:-1] if chunk.endswith("\n") else chunk.split("\n")
        start = end


def cut(text: str, max_len: int = limits.MAX_TEXT_LINE) -> str:
    """Bound a string taken from the target."""
    return text if len(text) <= max_len else text[:max_len]


def unquote_go(body: str) -> str:
    """Decode the inside of a Go-quoted string (runtime quoted() / strconv.Quote).

    Handles \\n \\r \\t \\\\ \\" \\xNN (a raw byte) \\uNNNN \\UNNNNNNNN and octal; bytes that are
    not valid UTF-8 become U+FFFD. Unknown escapes are kept as written.
    """
    if "\\" not in body:
        return body
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out += ch.encode("utf-8", "replace")
            i += 1
            continue
        esc = body[i + 1]
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc]
            i += 2
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(esc)
        if width is not None:
            digits = body[i + 2 : i + 2 + width]
            if len(digits) == width and all(c in _HEX for c in digits):
                value = int(digits, 16)
                if esc == "x":
                    out.append(value)
                elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    out += "\ufffd".encode()
                else:
                    out += chr(value).encode("utf-8")
                i += 2 + width
                continue
        elif esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) == 3 and all(c in "01234567" for c in digits) and int(digits, 8) < 256:
                out.append(int(digits, 8))
                i += 4
                continue
        out += ("\\" + esc).encode("utf-8", "replace")
        i += 2
    return out.decode("utf-8", errors="replace")


def read_token(text: str, pos: int) -> tuple[str, int]:
    """Read a bare or Go-quoted token at ``pos`` (spaces skipped). Returns (value, end)."""
    n = len(text)
    while pos < n and text[pos] == " ":
        pos += 1
    if pos < n and text[pos] == '"':
        i = pos + 1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == '"':
                return cut(unquote_go(text[pos + 1 : i])), i + 1
            i += 1
        raise ParseError("unterminated quoted string in labels", kind="labels")
    m = _BARE.match(text, pos)
    if m is None:
        raise ParseError("label key or value expected", kind="labels")
    return cut(m.group()), m.end()


def parse_label_map(text: str, pos: int) -> tuple[Labels, int]:
    """Parse ``{k: v, "k2": "v 2"}`` (or ``{"k":"v"}``) starting at the ``{`` at ``pos``.

    Returns (labels, index after ``}``). Raises ParseError on malformed input.
    """
    if pos >= len(text) or text[pos] != "{":
        raise ParseError("label map expected", kind="labels")
    pos += 1
    labels: list[tuple[str, str]] = []
    n = len(text)
    while True:
        while pos < n and text[pos] == " ":
            pos += 1
        if pos < n and text[pos] == "}":
            return tuple(labels), pos + 1
        key, pos = read_token(text, pos)
        while pos < n and text[pos] == " ":
            pos += 1
        if pos >= n or text[pos] != ":":
            raise ParseError("':' expected in labels", kind="labels")
        value, pos = read_token(text, pos + 1)
        if len(labels) < MAX_LABELS:
            labels.append((key, value))
        while pos < n and text[pos] == " ":
            pos += 1
        if pos < n and text[pos] == ",":
            pos += 1
            continue
        if pos < n and text[pos] == "}":
            return tuple(labels), pos + 1
        raise ParseError("',' or '}' expected in labels", kind="labels")


def split_func_args(line: str, max_len: int = limits.MAX_TEXT_LINE) -> tuple[str, str]:
    """``pkg.(*T).M(0x1, ...)`` -> (``pkg.(*T).M``, ``0x1, ...``). Args never contain parentheses."""
    if line.endswith(")"):
        start = line.rfind("(")
        if start > 0:
            return cut(line[:start], max_len), cut(line[start + 1 : -1], max_len)
    return cut(line, max_len), ""


_FILE_LINE = re.compile(r"\t(.*):(\d+)(?: \+0x([0-9a-fA-F]+))?(?: .*)?$")


def parse_file_line(line: str, max_len: int = limits.MAX_TEXT_LINE) -> tuple[str, int, int | None] | None:
    """``\\t/path/f.go:12 +0x1d`` -> (path, 12, 0x1d); None if the line is not a file line."""
    m = _FILE_LINE.match(line)
    if m is None:
        return None
    off = m.group(3)
    return cut(m.group(1), max_len), int(m.group(2)[:12]), (int(off[:16], 16) if off else None)


def make_frame(func_line: str, file_line: str | None, max_len: int = limits.MAX_TEXT_LINE) -> Frame:
    func, args = split_func_args(func_line, max_len)
    parsed = parse_file_line(file_line, max_len) if file_line is not None else None
    file, lineno, offset = parsed if parsed else ("", 0, None)
    return Frame(
        func=func, args=args, file=file, line=lineno, offset=offset, inlined=(args == "..." and offset is None)
    )
