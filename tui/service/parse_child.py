"""The parse worker's child process (`service/parse_worker.py` starts it with `python -I -c`): its
main loop (read a pickled parser and a body, parse under an address-space cap, reply, trim), and the
framing both sides speak on the pipes (a little-endian 8-byte length, then the payload).

It imports only the stdlib: the parser it is sent brings its own imports with its pickle.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Sequence

PARENT_CHECK_SECONDS = 0.25
HEADER = struct.Struct("<Q")
OK, RAISE, BUG, MEMORY, UNPICKLABLE = "ok", "raise", "bug", "memory", "unpicklable"
READY = b"ready"


def write_frame(fd: int, payload: bytes | memoryview) -> None:
    view = memoryview(payload)
    write_all(fd, HEADER.pack(len(view)))
    write_all(fd, view)


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]


def read_frame(fd: int) -> bytes:
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    return read_exact(fd, size)


def read_exact(fd: int, size: int) -> bytes:
    try:
        buf = bytearray(size)
    except MemoryError:  # (the child, a body over its cap) read it all: the answer comes after it
        while size > 0:
            n = len(os.read(fd, min(size, 1 << 16)))
            if n == 0:
                raise EOFError from None
            size -= n
        raise
    view = memoryview(buf)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError
        got += n
    view.release()
    return bytes(buf)


def serve(argv: Sequence[str] | None = None) -> None:
    """The child's main loop (parse_worker's `_BOOT` calls it): argv = [root, request fd, reply fd]."""
    args = sys.argv[1:] if argv is None else argv
    requests, replies = int(args[1]), int(args[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C in `check` is the parent's to handle
    try:
        hello = pickle.loads(read_frame(requests))
    except (OSError, EOFError):
        os._exit(0)
    sys.path[:] = hello["path"]
    limit = _cap_address_space(int(hello["limit"]))
    _watch_parent(int(hello["parent"]))
    write_frame(replies, READY)
    while True:
        try:
            pickled = read_frame(requests)
            body = read_frame(requests)
        except (OSError, EOFError):  # the app closed the pipe (or died)
            os._exit(0)
        except MemoryError:  # the body alone is over the cap
            write_frame(replies, pickle.dumps((MEMORY, limit)))
            os._exit(0)
        reply, fatal = _run(pickled, body, limit)
        del pickled, body
        try:
            write_frame(replies, reply)
        except OSError:
            os._exit(0)
        if fatal:  # out of memory: what is left may be fragmented; the next body gets a fresh child
            os._exit(0)
        del reply
        _trim()


def _run(pickled: bytes, body: bytes, limit: int) -> tuple[bytes, bool]:
    """One parse -> (the pickled reply, whether the child must end after sending it)."""
    try:
        parse = pickle.loads(pickled)
        result = parse(body)
    except MemoryError:
        return pickle.dumps((MEMORY, limit)), True
    except Exception as exc:
        return _error_reply(exc), False
    try:
        return pickle.dumps((OK, result), protocol=pickle.HIGHEST_PROTOCOL), False
    except MemoryError:
        return pickle.dumps((MEMORY, limit)), True
    except Exception:
        return pickle.dumps((UNPICKLABLE, type(result).__name__)), False


def _error_reply(exc: Exception) -> bytes:
    frames = "".join(traceback.format_tb(exc.__traceback__))  # our code's frames; no message
    try:
        exc.remote_traceback = frames  # type: ignore[attr-defined]
        reply = pickle.dumps((RAISE, exc), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(reply)  # an exception whose __init__ wants other arguments fails here
        return reply
    except MemoryError:
        raise
    except Exception:
        return pickle.dumps((BUG, type(exc).__name__, str(exc)[:500]))


def _cap_address_space(limit: int) -> int:
    """RLIMIT_AS = limit (or the hard limit, if lower); returns the cap in force."""
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY and hard < limit:
            limit = hard
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass
    return limit


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)  # the app is gone (even killed): so is its worker, mid-parse too

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _trim() -> None:
    """Give the parse's freed memory back to the system (glibc keeps it otherwise)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
