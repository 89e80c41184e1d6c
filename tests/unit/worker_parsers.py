"""Parsers for the parse-worker tests: module-level (they pickle by reference) and importable in the
worker process, which gets the test process' sys.path."""

from __future__ import annotations

import os
import signal
import time

from tui.core.errors import LimitExceeded


def where(data: bytes) -> tuple[int, int]:
    """(the pid that parsed, the body's length)."""
    return os.getpid(), len(data)


def allocate(data: bytes) -> int:
    """Allocate as many MiB as the body says: more than the worker's cap raises MemoryError there."""
    block = bytearray(int(data.split(b"\n", 1)[0]) * 1024 * 1024)
    return len(block)


def die(data: bytes) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)
    return 0


def hang(data: bytes) -> int:
    """A parse that never ends on its own (a minute)."""
    time.sleep(60)
    return len(data)


def too_big(data: bytes) -> int:
    raise LimitExceeded(f"{len(data)} bytes: over the limit")


class Odd(Exception):
    def __init__(self, a: int, b: int) -> None:  # pickles, but cannot be rebuilt from its args
        super().__init__(f"odd {a} {b}")


def odd_bug(data: bytes) -> int:
    raise Odd(1, 2)


def key_bug(data: bytes) -> int:
    return {}[len(data)]  # type: ignore[no-any-return]


def unpicklable_result(data: bytes) -> object:
    return lambda: len(data)


def big_dump(goroutines: int) -> bytes:
    """A goroutine?debug=2 dump of about `goroutines` goroutines: the real go1.27 capture's blocks
    repeated with fresh goroutine ids (~300 bytes a goroutine)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "go1.27" / "goroutine_debug2.txt"
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.startswith("goroutine ")]
    parts = []
    for i in range(goroutines):
        block = blocks[i % len(blocks)]
        rest = block.partition(" [")[2]
        parts.append(f"goroutine {i + 1} [{rest}")
    return ("\n\n".join(parts) + "\n").encode()
