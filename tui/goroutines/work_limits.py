"""How much of one goroutine parse is kept (``--max-stacks``): the work bound of every goroutine parser.

A dump's bytes are bounded (72 MB), but what they make a parser build is not: 1.28 M goroutines
of 55 bytes each, every one on its own stack, took 3.3 GB to group. So each parser keeps the
first ``max_stacks`` distinct stacks and at most FRAMES_PER_STACK x ``max_stacks`` units of what
it builds for them: their frames, plus one a group (a reason/age cell of the debug=2 tree) or a
record (debug=1, proto). Goroutines past that are counted, not kept, and the parse carries a
LimitNote saying so.
"""

from __future__ import annotations

from tui.core import limits
from tui.core.limits import LimitNote


class StackLimit:
    """The bound of one parse. Ask before building: ``new_stack(frames)``, ``new_entry()``; once
    either says no, nothing new is kept (the first ones win), and ``left_out`` counts the rest."""

    __slots__ = ("budget", "full", "left_out", "max_stacks", "stacks", "used")

    def __init__(self, max_stacks: int = limits.MAX_STACKS) -> None:
        self.max_stacks = max(1, max_stacks)
        self.budget = self.max_stacks * limits.FRAMES_PER_STACK
        self.stacks = 0
        self.used = 0  # frames of the kept stacks, plus one per kept group or record
        self.full = ""  # why nothing new is kept: "stacks" or "frames"; "" while there is room
        self.left_out = 0  # goroutines counted, not kept

    def new_stack(self, frames: int) -> bool:
        """Room for one more distinct stack of ``frames`` frames? Taken if so."""
        if self.full:
            return False
        if self.stacks >= self.max_stacks:
            self.full = "stacks"
            return False
        if not self._take(frames):
            return False
        self.stacks += 1
        return True

    def new_entry(self) -> bool:
        """Room for one more group or record (on a stack already kept)? Taken if so."""
        return not self.full and self._take(1)

    def _take(self, units: int) -> bool:
        if self.used + units > self.budget:
            self.full = "frames"
            return False
        self.used += units
        return True

    def note(self, unit: str = "goroutines") -> LimitNote | None:
        """What the parse says when it left something out; None when it kept everything."""
        if not self.full:
            return None
        if self.full == "stacks":
            return LimitNote("distinct stacks", self.max_stacks, "--max-stacks", self.left_out, unit)
        return LimitNote(
            "distinct stacks",
            self.stacks,
            "--max-stacks",
            self.left_out,
            unit,
            detail=f"their frames and groups reached {self.budget:,}",
        )


OTHER_REASONS = "(other wait reasons)"


class ReasonLimit:
    """The distinct wait reasons of one dump (limits.MAX_REASONS): ``reason(r, count)`` is ``r`` for
    the first ones, OTHER_REASONS for goroutines of any further one (counted, and grouped there)."""

    __slots__ = ("left_out", "max_reasons", "seen")

    def __init__(self, max_reasons: int = limits.MAX_REASONS) -> None:
        self.max_reasons = max(1, max_reasons)
        self.seen: set[str] = set()
        self.left_out = 0

    def reason(self, reason: str, count: int = 1) -> str:
        if reason in self.seen:
            return reason
        if len(self.seen) < self.max_reasons:
            self.seen.add(reason)
            return reason
        self.left_out += count
        return OTHER_REASONS

    def note(self) -> LimitNote | None:
        if not self.left_out:
            return None
        kept = f"the goroutines of the rest grouped as {OTHER_REASONS!r}"
        return LimitNote("distinct wait reasons", self.max_reasons, "", self.left_out, "goroutines", kept=kept)
