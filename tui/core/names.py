"""Go function names, in one place (stdlib only): the tables of runtime and helper packages, the
package of a name, whether it is a helper that allocates for its caller, and the shorteners.

Shortening to a width keeps what tells names apart.

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

RUNTIME_PREFIX = "runtime."
# Leaf frames of the wait plumbing every parked goroutine shares (gopark, chansend, semacquire, ...): the
# tree labels a stack by its first frame past them, a "top N" similarity skips them.
RUNTIME_PLUMBING = (
    "runtime.",
    "runtime/internal/",
    "internal/poll.runtime_",
    "sync.runtime_",
    "internal/sync.runtime_",
)
# Leading frames that only say HOW a goroutine waits (its wait reason says that already): the
# runtime, Go's internal packages, sync and x/sync (errgroup, semaphore, singleflight), time.Sleep.
# A group's label is the first frame past them: the code that waits, e.g. Go 1.19's
# `sync.runtime_Semacquire` <- `sync.(*WaitGroup).Wait` <- `errgroup.(*Group).Wait` <- `web.ServeMultiple`
# is labelled `web.ServeMultiple` (with its package path). Labels only: match keys keep every frame.
WAIT_PLUMBING_PREFIXES = ("runtime.", "runtime/", "internal/", "sync.", "sync/", "golang.org/x/sync/", "time.Sleep")
# The runtime's own code (and Go's internal packages): a name starting so is not the service's code.
RUNTIME_CODE = ("runtime.", "runtime/", "internal/")
# Standard-library packages whose functions allocate on behalf of their caller.
HELPER_PACKAGES = frozenset(
    {
        "runtime",
        "reflect",
        "bytes",
        "strings",
        "strconv",
        "slices",
        "maps",
        "sort",
        "sync",
        "bufio",
        "fmt",
        "errors",
        "unicode/utf8",
        "unicode/utf16",
        "container/list",
        "container/heap",
        "container/ring",
        "encoding/binary",
    }
)


def package_of(name: str) -> str:
    """The import path of a Go function name: "github.com/a/b.(*T).M" -> "github.com/a/b"."""
    head = name.split("[", 1)[0]
    slash = head.rfind("/")
    dot = head.find(".", slash + 1)
    return head[:dot] if dot > 0 else head


def is_runtime(name: str) -> bool:
    """The runtime's or Go's internal code (RUNTIME_CODE), not the service's."""
    return name.startswith(RUNTIME_CODE)


def is_generic(name: str) -> bool:
    return "[" in name or "go.shape." in name


def is_helper(name: str) -> bool:
    """A frame that allocates for its caller: generic code, runtime code, a stdlib helper."""
    if is_generic(name):
        return True
    pkg = package_of(name)
    return pkg in HELPER_PACKAGES or is_runtime(pkg + "/")


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
