"""Exponential backoff with jitter (injectable random source)."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """delay = uniform(0.5, 1) * min(max, base * 2**(failures-1)); reset on success."""

    def __init__(self, base: float, maximum: float, *, rand: Callable[[], float] = random.random) -> None:
        self.base = base
        self.maximum = maximum
        self.failures = 0
        self._rand = rand

    def fail(self) -> float:
        self.failures += 1
        ceiling = min(self.maximum, self.base * 2 ** min(self.failures - 1, 30))
        return ceiling * (0.5 + 0.5 * self._rand())

    def succeed(self) -> None:
        self.failures = 0
