"""Known leak shapes: what a verdict's stack means to a Go engineer on call, and the fix (pure).

Some leaks look the same in every service. A client that forgets `resp.Body.Close()` leaks the
transport's `readLoop`/`writeLoop` goroutines and their bufio buffers; senders parked in
`[chan send]` lost their receiver; goroutines piling up in `[sync.Mutex.Lock]` wait behind a lock
held across a call that never returns. The stack says which; the verdict should say it too, and
point at the first frame of the service's own code where the stack shows one.

A shape is decided by stack frames and the wait reason only (`match_group`, `match_heap`), never by
how a service is named. Each shape's test is a real capture (tests/unit/test_leak_shapes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tui.core.names import package_of
from tui.leaks.growth import Verdict

# Top-level directories of Go's standard library (and its vendored/internal trees): a frame whose
# package path starts with one of them is not the service's code. golang.org/x is a library too.
STDLIB_ROOTS = frozenset(
    [
        "archive",
        "bufio",
        "builtin",
        "bytes",
        "cmp",
        "compress",
        "container",
        "context",
        "crypto",
        "database",
        "debug",
        "embed",
        "encoding",
        "errors",
        "expvar",
        "flag",
        "fmt",
        "go",
        "hash",
        "html",
        "image",
        "index",
        "internal",
        "io",
        "iter",
        "log",
        "maps",
        "math",
        "mime",
        "net",
        "os",
        "path",
        "plugin",
        "reflect",
        "regexp",
        "runtime",
        "slices",
        "sort",
        "strconv",
        "strings",
        "structs",
        "sync",
        "syscall",
        "testing",
        "text",
        "time",
        "unicode",
        "unique",
        "unsafe",
        "vendor",
        "weak",
    ]
)
LIBRARY_PREFIXES = ("golang.org/x/", "google.golang.org/grpc", "google.golang.org/protobuf")


def is_own_code(func: str) -> bool:
    """A frame of the service's own code: neither the standard library nor a well-known library."""
    pkg = package_of(func)
    if not pkg or pkg.startswith(LIBRARY_PREFIXES):
        return False
    return pkg.split("/", 1)[0] not in STDLIB_ROOTS


def own_frame(functions: Sequence[str]) -> str | None:
    """The first frame of the service's own code in a stack (leaf first), if it shows one."""
    return next((f for f in functions if is_own_code(f)), None)


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    hint: str  # the one-line fix, shown with the verdict


UNCLOSED_BODIES = Shape(
    "net/http connections piling up", "HTTP response bodies not closed (or a Transport per request)"
)
CONTEXTS = Shape("contexts never cancelled", "contexts never cancelled: call the cancel func (defer cancel())")
TIMERS = Shape("tickers/timers not stopped", "tickers/timers not stopped: defer t.Stop()")
RECEIVER_GONE = Shape("senders without a receiver", "receiver gone: use a buffered channel or select with ctx.Done()")
LOCK_CONVOY = Shape("a lock convoy", "a lock held across a call that never returns (or a lock never unlocked)")
# [chan receive]/[select] says only that goroutines wait on a channel; which one is in the source, not the
# stack. A waiter that Go shows aging (minutes) never wakes: a channel nobody closes, most often
# <-ctx.Done() of a context never cancelled; one that never ages wakes and parks again: a ticker loop.
WAITERS = Shape(
    "goroutines parked on a channel that never closes",
    "a context never cancelled (<-ctx.Done()) or a ticker loop with no way out: cancel it / return on done",
)
CHANNEL_NEVER_CLOSED = Shape(
    "goroutines waiting for ever on a channel",
    "a channel nobody closes: if it is <-ctx.Done(), the context is never cancelled (call its cancel func)",
)
MAP_GROWS = Shape("a map that only grows", "a map that only grows: entries are never deleted (bound it or evict)")

_PERSIST_CONN = ("net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop")
_HTTP_CONN_HEAP = ("net/http.(*Transport).dialConn", "net/http.(*persistConn)", "net/http.(*Transport).dialConnFor")
_CONTEXT_FUNCS: tuple[str, ...] = (
    "context.WithCancel",
    "context.WithTimeout",
    "context.WithDeadline",
    "context.(*cancelCtx)",
    "context.withCancel",
    "context.propagateCancel",
    "context.(*timerCtx)",
    "context.WithDeadlineCause",
)
_TIMER_FUNCS = ("time.NewTicker", "time.NewTimer", "time.newTimer", "time.AfterFunc", "time.Tick", "time.After")
_MAP_FUNCS = ("runtime.mapassign", "runtime.growslice_map", "internal/runtime/maps.", "runtime.makemap")
_LOCK_REASONS = ("sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock")
_LOCK_FUNCS = ("sync.(*Mutex).Lock", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock", "sync.(*Mutex).lockSlow")


def _any(functions: Sequence[str], prefixes: tuple[str, ...]) -> bool:
    return any(f.startswith(prefixes) for f in functions)


def match_group(reason: str, functions: Sequence[str], max_minutes: int | None = None) -> Shape | None:
    """The shape of a growing or leaked goroutine group: its wait reason, its stack's functions (leaf
    first, runtime frames left out) and, from a debug=2 dump, the longest wait Go printed."""
    base = reason.split(" (", 1)[0] if reason.endswith("(leaked)") else reason
    if _any(functions, _PERSIST_CONN):
        return UNCLOSED_BODIES
    if base in _LOCK_REASONS or (base == "semacquire" and _any(functions, _LOCK_FUNCS)):
        return LOCK_CONVOY
    if _any(functions, _CONTEXT_FUNCS):
        return CONTEXTS
    if base in ("chan send", "chan send (nil chan)"):
        return RECEIVER_GONE
    if base in ("chan receive", "select"):
        if _any(functions, ("time.", "(*time.Ticker)")):
            return TIMERS
        return CHANNEL_NEVER_CLOSED if max_minutes is not None and max_minutes >= 1 else WAITERS
    return None


def match_heap(functions: Sequence[str]) -> Shape | None:
    """The shape of a growing heap function: its own name and its allocation site's callers (leaf
    first)."""
    if _any(functions, _HTTP_CONN_HEAP):
        return UNCLOSED_BODIES
    if _any(functions, _CONTEXT_FUNCS):
        return CONTEXTS
    if _any(functions, _TIMER_FUNCS):
        return TIMERS
    if _any(functions[:2], _MAP_FUNCS):
        return MAP_GROWS
    return None


def describe(shape: Shape | None, functions: Sequence[str], short: Callable[[str], str] = str) -> str:
    """The evidence sentence: the shape's fix and the first frame of the service's code."""
    own = own_frame(functions)
    parts = []
    if shape is not None:
        parts.append(f"looks like {shape.name}: {shape.hint}")
    if own is not None:
        parts.append(f"first frame of the service's code: {short(own)}")
    return "; ".join(parts)


def hinted(v: Verdict, shape: Shape | None, functions: Sequence[str], short: Callable[[str], str] = str) -> Verdict:
    """The verdict with its shape's hint and the first frame of the service's code in its evidence."""
    sentence = describe(shape, functions, short)
    if not sentence:
        return v
    return replace(v, hint=shape.hint if shape is not None else v.hint, evidence=f"{v.evidence}; {sentence}")
