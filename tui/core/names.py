"""Shorten Go symbol names to a width, keeping what tells them apart (stdlib only).

A Go function name is ``import/path/pkg.(*Recv).Method[T].func1``: the start of the import path
is shared by most rows of a table (``github.com/prometheus/prometheus/…``) while the end (package,
receiver, function) is what tells them apart. :func:`shorten_symbol` cuts in this order, stopping
as soon as the name fits:

1. generic type arguments collapse to ``[...]`` (``main.appendTo[go.shape.int,…]`` ->
   ``main.appendTo[...]``), as ``go tool pprof`` shows them;
2. leading elements of the import path go, replaced by ``…/`` (whole elements: never half a
   directory name), down to ``…/pkg.(*Recv).Method``, then the package: ``…(*Recv).Method``;
3. the rest is cut in its middle with ``…``, keeping the end (the function's own name).

The text must already be clean (:func:`tui.core.textsafe.clean`): this only shortens.
"""

from __future__ import annotations

ELLIPSIS = "\u2026"
GENERIC = "[...]"


def collapse_generics(name: str) -> str:
    """Every top-level ``[...]`` group right after an identifier (Go's type arguments: ``F[T]``,
    ``(*T[K,V]).M``; brackets nested inside included) becomes ``[...]``. An unbalanced ``[`` (a
    name cut short) collapses to the end."""
    if "[" not in name:
        return name
    out: list[str] = []
    depth = 0
    for i, ch in enumerate(name):
        if ch == "[" and (depth or (i and (name[i - 1].isalnum() or name[i - 1] == "_"))):
            if depth == 0:
                out.append(GENERIC)
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def cut_middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` by one ``…`` in its middle; the end keeps two thirds."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width] if width > 0 else ""
    head = (width - 1) // 3
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + text[len(text) - tail :]


def _path_split(name: str) -> tuple[list[str], str]:
    """(leading import-path elements, the rest from the last element on). A ``/`` inside
    parentheses (a receiver never has one, but be safe) does not count."""
    depth = 0
    last = -1
    for i, ch in enumerate(name):
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif ch == "/" and depth == 0:
            last = i
    if last < 0:
        return [], name
    return name[:last].split("/"), name[last + 1 :]


def shorten_symbol(name: str, width: int) -> str:
    """``name`` in at most ``width`` characters (see the module doc for the order of the cuts)."""
    if width <= 0:
        return ""
    if len(name) <= width:
        return name
    name = collapse_generics(name)
    if len(name) <= width:
        return name
    dirs, rest = _path_split(name)
    if dirs:
        # keep as many trailing path elements as fit after "…/"
        kept: list[str] = []
        for element in reversed(dirs[1:]):
            candidate = ELLIPSIS + "/" + "/".join([element, *kept, rest])
            if len(candidate) > width:
                break
            kept.insert(0, element)
        short = ELLIPSIS + "/" + "/".join([*kept, rest])
        if len(short) <= width:
            return short
    # the package goes too: "…(*memSeries).cutNewHeadChunk"
    method = rest.find(".(")
    cut = method if method > 0 else rest.find(".")
    if cut > 0 and len(rest) - cut <= width:
        return ELLIPSIS + rest[cut + 1 :]
    # a method keeps the start of its receiver, "…(*MetricV…WithLabelValues"; a function its package's.
    # The package is gone from a method's name: marked, like every cut
    if method > 0:
        return ELLIPSIS + cut_middle(rest[method + 1 :], width - 1) if width > 1 else ELLIPSIS[:width]
    return cut_middle(rest, width)


def shorten_location(name: str, where: str, width: int) -> str:
    """``name where`` (a function and its ``file:line``) in ``width``: the function first; the file
    path loses its directories (``…/file.go:12``) before the function is cut."""
    full = f"{name} {where}" if where else name
    if len(full) <= width:
        return full
    if not where:
        return shorten_symbol(name, width)
    base = where.rsplit("/", 1)[-1]
    short_where = where if "/" not in where else ELLIPSIS + "/" + base
    room = width - len(short_where) - 1
    if room >= min(len(collapse_generics(name)), 20):
        return shorten_symbol(name, room) + " " + short_where
    # too narrow for both: the function takes two thirds, the place the rest
    room = max(1, (width * 2) // 3)
    name_part = shorten_symbol(name, room)
    left = width - len(name_part) - 1
    return name_part + " " + cut_middle(short_where, left) if left > 0 else name_part
