"""Go function names as heap profiles print them (pure, stdlib only): the package, whether the
function is a helper that allocates on behalf of its caller, and a short form for labels."""

from __future__ import annotations

from tui.core.names import collapse_generics

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


def is_generic(name: str) -> bool:
    return "[" in name or "go.shape." in name


def is_helper(name: str) -> bool:
    """A frame that allocates for its caller: generic code, runtime code, a stdlib helper."""
    if is_generic(name):
        return True
    pkg = package_of(name)
    return pkg in HELPER_PACKAGES or pkg.startswith(("runtime/", "internal/"))


def short_name(name: str) -> str:
    """Type arguments elided, each group on its own: "main.appendTo[go.shape.struct { ... }]" ->
    "main.appendTo[...]", "main.(*Cache[go.shape.int]).Get[go.shape.int]" -> "main.(*Cache[...]).Get[...]"
    (one shortener: tui.core.names, as the tables show them)."""
    return collapse_generics(name)
