"""Big parses in child processes: their peak memory leaves with them, quitting never waits for
one, and a hostile body hits a child's address-space cap instead of the app's memory.

A 100k-goroutine debug=2 dump is ~30 MB of text; grouping it peaks ~40 MB above the body, and
a parse in a thread leaves ~4 MB + about its body's size held by glibc for good (2 MB -> ~6 MB,
16 MB -> ~20 MB). It also holds the GIL for half a second (a keypress p99 of 50-90 ms while
dumps parse, 25-45 ms with the child), and a thread cannot be stopped: quitting waited for the
parse. So the poller hands a body of at least `MIN_BODY_BYTES` from a goroutine endpoint (or
heap?debug=1) to `ParseWorker.parse`, which runs the endpoint's parser in a child:

- started with `subprocess` (fork + exec of `sys.executable -I`, never a bare fork of this
  threaded asyncio process), on the first big body: ~0.1 s and ~22 MB while it lives; the parser
  travels as a pickle (the module-level functions of tui.model.parsers, bound with
  functools.partial), the body as raw bytes on a pipe, the result back as a pickle (a TreeData
  or StackCounts is a few kB however many goroutines);
- its address space capped (`RLIMIT_AS`, `MEMORY_LIMIT_BYTES`): a MemoryError there is the
  poll's error `OutOfMemory` ("parse of goroutine?debug=2 ran out of its 1024 MB memory limit"),
  a death (a C library aborting on a failed malloc, a kill) is `WorkerDied`; either way that
  child is gone and the next big body gets a fresh one;
- after each parse it gives its free memory back to the system (`malloc_trim`) and waits for the
  next body; `IDLE_SECONDS` after the last parse it is ended: between dumps the app is one process;
- `close()` kills it at once (SIGKILL, no waiting for the parse): the thread waiting for its
  answer sees the pipe close and ends, so nothing holds the app's exit;
- it dies with the app: it exits when its parent pid changes (checked every
  `PARENT_CHECK_SECONDS` by a thread, mid-parse too) or its request pipe closes.

One child per parse in flight (at most `MAX_CHILDREN`: the poller's cheap polls and its one
expensive request each get their own, so a slow dump never holds a cheap poll); idle ones are
reused. Parsers that do not pickle (tests' lambdas), results that do not pickle, and platforms
without fork/exec and rlimits (`available()` false) run in a thread (`asyncio.to_thread`).
Heap profiles stay in the thread: the decoded Profile is itself the memory (its parse peaks at
~1.1x the result) and does not pickle; a 150 MB result would cross the pipe and be built again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from tui.core.errors import PprofTuiError
from tui.core.limits import MiB
from tui.service.parse_child import (
    BUG,
    MEMORY,
    OK,
    RAISE,
    READY,
    UNPICKLABLE,
    read_frame,
    write_frame,
)

log = logging.getLogger(__name__)
# The child's whole address space (interpreter and modules ~35 MB of it). A 72 MB debug=2 dump
# (our body limit, just above Go's 64 MB cap) peaks at ~180 MB, the 100k-goroutine one (30 MB)
# at ~100 MB: room for parsers that need more (a goroutine proto arrives gunzipped, up to
# 256 MiB), while a body built to explode stops at 1 GiB.
MEMORY_LIMIT_BYTES = 1024 * MiB
# Smaller bodies parse in a thread: a 1 MB dump (~3k goroutines) parses in ~20 ms and leaves
# ~4 MB held, less than a child costs (~0.1 s to start, ~22 MB while it lives).
MIN_BODY_BYTES = 2 * MiB
IDLE_SECONDS = 20.0
MAX_CHILDREN = 2

_T = TypeVar("_T")
_DIED, _BROKEN = "died", "broken"  # mid-parse; before it was ready (it cannot start here)
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from tui.service.parse_child import serve; serve()"
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# One thread is enough for the parsers; BLAS pools and per-thread malloc arenas only reserve
# address space the cap would count.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "1"}


class ParseWorkerError(PprofTuiError):
    """The worker gave no answer for this body; the message is the poll's error, as is."""


class OutOfMemory(ParseWorkerError):
    """The parse needed more than the worker's address-space cap."""


class WorkerDied(ParseWorkerError):
    """The worker process ended mid-parse (killed, or aborted)."""


def available() -> bool:
    """Whether a worker can be started here (POSIX: pipes to pass, rlimits)."""
    return os.name == "posix" and bool(sys.executable) and not getattr(sys, "frozen", False)


class _Child:
    """One child process and our ends of its pipes. `busy` while a thread exchanges with it;
    `abandon()` (cancel, close, idle) kills it, and whoever holds it last reaps it."""

    def __init__(self, popen: subprocess.Popen[bytes], to_child: int, from_child: int) -> None:
        self.popen = popen
        self.to_child = to_child  # fd: requests
        self.from_child = from_child  # fd: replies
        self.busy = False
        self.abandoned = False
        self.closed = False
        self.ready = False  # it said it started (sys.path set, memory capped)
        self._lock = threading.Lock()

    def done_exchanging(self) -> None:
        """From the exchanging thread, at its end."""
        with self._lock:
            self.busy = False
            abandoned = self.abandoned
        if abandoned:
            self.dispose()

    def abandon(self) -> None:
        """From the event loop: kill it now; reap it now unless a thread still exchanges with it."""
        with self._lock:
            self.abandoned = True
            busy = self.busy
        self.kill()
        if not busy:
            self.dispose()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.popen.kill()

    def dispose(self) -> None:
        """Close our pipe ends and reap the process (killed first)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
        self.kill()
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=2.0)  # SIGKILL'd: ends within milliseconds


class ParseWorker:
    """The poller's child processes for big parses: `wants(parse, body)`, `await parse(what,
    parse, body)`, `close()`. One child per parse in flight, at most `max_children` (the poller
    has two streams: the cheap polls and the one expensive request, so a slow dump never holds a
    cheap poll's parse); an idle child is reused. Call it from one event loop."""

    def __init__(
        self,
        *,
        memory_limit: int = MEMORY_LIMIT_BYTES,
        min_body: int = MIN_BODY_BYTES,
        idle_seconds: float = IDLE_SECONDS,
        max_children: int = MAX_CHILDREN,
    ) -> None:
        self.memory_limit = memory_limit
        self.min_body = min_body
        self.idle_seconds = idle_seconds
        self.max_children = max_children
        self.spawned = 0  # children started (tests, benchmarks)
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._slots: asyncio.Semaphore | None = None
        self._pickled: dict[object, bytes | None] = {}  # parser -> its pickle (None: not picklable)
        self._idle_timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.broken = ""  # why children cannot start here (then every body parses in a thread)
        # a worker dropped without close() (or the interpreter exiting) still ends its children
        weakref.finalize(self, _abandon_all, self._idle, self._busy)

    @property
    def pids(self) -> tuple[int, ...]:
        """The running children's pids."""
        return tuple(c.popen.pid for c in (*self._idle, *self._busy) if not c.closed)

    @property
    def pid(self) -> int | None:
        """A running child's pid (None when there is none)."""
        pids = self.pids
        return pids[0] if pids else None

    def wants(self, parse: Callable[[bytes], object], body: bytes) -> bool:
        """True when this body should be parsed in a child: big enough, and the parser pickles."""
        return self._usable() and len(body) >= self.min_body and self._pickle(parse) is not None

    def _usable(self) -> bool:
        return not self._closed and not self.broken and available()

    def _pickle(self, parse: Callable[[bytes], object]) -> bytes | None:
        try:
            return self._pickled[parse]
        except KeyError:
            pass
        except TypeError:  # unhashable (a bound method of an unhashable object): not cached
            return _dumps_or_none(parse)
        pickled = self._pickled[parse] = _dumps_or_none(parse)
        return pickled

    async def parse(self, what: str, parse: Callable[[bytes], _T], body: bytes) -> _T:
        """`parse(body)` in a child (in a thread when it cannot be). Raises what the parser
        raised (ParseError, LimitExceeded, its bug), or `OutOfMemory` / `WorkerDied` naming `what`."""
        pickled = self._pickle(parse) if self._usable() else None
        if pickled is None:
            return await asyncio.to_thread(parse, body)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_children)
        async with self._slots:
            if self._closed:
                return await asyncio.to_thread(parse, body)
            try:
                child = self._take()
            except OSError as exc:  # no process to be had (fd or process limits): a thread
                log.warning("parse worker not started (%s): parsing %s in a thread", exc, what)
                return await asyncio.to_thread(parse, body)
            try:
                reply = await asyncio.to_thread(_exchange, child, pickled, body)
            except BaseException:  # cancelled (the poller is stopping): kill it, never wait for it
                self._forget(child)
                raise
            self._busy.discard(child)
            if reply[0] in (OK, RAISE, BUG, UNPICKLABLE) and not self._closed and not child.closed:
                self._idle.append(child)
                self._arm_idle_timer()
            else:  # out of memory, or dead: the next big body gets a fresh child
                self._forget(child)
        status = reply[0]
        if status == OK:
            return reply[1]
        if status == RAISE:
            raise reply[1]
        if status == BUG:
            raise ParserFailed(reply[1], reply[2])
        if status == MEMORY:
            raise OutOfMemory(f"parse of {what} ran out of its {reply[1] // MiB} MB memory limit")
        if status == _BROKEN and not self._closed:  # a child cannot start here: threads, as before
            self.broken = reply[1]
            log.error("parse worker did not start (%s): big bodies parse in a thread", reply[1])
            return await asyncio.to_thread(parse, body)
        if status == UNPICKLABLE:  # its result cannot come back: this parser runs in a thread
            log.warning("parse of %s: %s does not pickle; parsing it in a thread from now on", what, reply[1])
            self._pickled[parse] = None
            return await asyncio.to_thread(parse, body)
        raise WorkerDied(f"parse of {what} failed: its worker process died ({reply[1]})")

    def close(self) -> None:
        """Kill the children now, mid-parse too (a waiting `parse` then ends with WorkerDied, or
        its own cancellation). Later bodies parse in a thread."""
        self._closed = True
        self._cancel_idle_timer()
        for child in (*self._idle, *self._busy):
            self._forget(child)

    def _take(self) -> _Child:
        self._cancel_idle_timer()
        while self._idle:
            child = self._idle.pop()
            if not child.closed and child.popen.poll() is None:
                break
            child.abandon()
        else:
            child = self._spawn()
        child.busy = True
        self._busy.add(child)
        return child

    def _forget(self, child: _Child) -> None:
        self._busy.discard(child)
        if child in self._idle:
            self._idle.remove(child)
        child.abandon()

    def _arm_idle_timer(self) -> None:
        self._cancel_idle_timer()
        loop = asyncio.get_running_loop()
        self._idle_timer = loop.call_later(self.idle_seconds, _end_idle, weakref.ref(self))  # not a reference

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _end_idle(self) -> None:
        self._idle_timer = None
        for child in tuple(self._idle):
            self._forget(child)

    def _spawn(self) -> _Child:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        try:
            popen = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, _ROOT, str(to_r), str(from_w)],
                pass_fds=(to_r, from_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **_CHILD_ENV},
            )
        except BaseException:
            for fd in (to_r, to_w, from_r, from_w):
                os.close(fd)
            raise
        os.close(to_r)
        os.close(from_w)
        self.spawned += 1
        hello = {"path": list(sys.path), "parent": os.getpid(), "limit": self.memory_limit}
        try:
            write_frame(to_w, pickle.dumps(hello))  # a few hundred bytes: fits the pipe
        except OSError:
            pass  # it died at once: the exchange says so
        return _Child(popen, to_w, from_r)


def _end_idle(ref: weakref.ref[ParseWorker]) -> None:
    worker = ref()
    if worker is not None:
        worker._end_idle()


def _abandon_all(idle: list[_Child], busy: set[_Child]) -> None:
    for child in (*idle, *busy):
        child.abandon()


class ParserFailed(Exception):
    """A parser bug in the worker whose exception did not pickle: its type name and message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")


def _dumps_or_none(obj: object) -> bytes | None:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pickling a test's lambda raises PicklingError, AttributeError, TypeError...
        return None


def _exchange(child: _Child, pickled: bytes, body: bytes) -> tuple[Any, ...]:
    """In a thread: send one request, wait for its reply; (_DIED, how) when the pipe breaks, or
    (_BROKEN, how) when the child ended by itself before it was ready (it cannot start here)."""
    try:
        try:
            if not child.ready:  # its first request: wait until it has started
                if read_frame(child.from_child) != READY:
                    raise EOFError
                child.ready = True
            write_frame(child.to_child, pickled)
            write_frame(child.to_child, body)
            reply = read_frame(child.from_child)
        except (OSError, EOFError, MemoryError):
            if not child.abandoned:  # it closed its end: it is exiting, let it say how
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.popen.wait(timeout=1.0)
            code = child.popen.returncode
            child.dispose()
            started = child.ready or child.abandoned or code is None or code < 0  # or killed
            return (_DIED if started else _BROKEN, _how_it_ended(child.popen.returncode))
        return pickle.loads(reply)
    finally:
        child.done_exchanging()


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
