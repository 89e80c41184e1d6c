"""When a verdict deserves a bundle: the first report in which it fails, and again when it escalates.

The seam to the leak tracker is narrow on purpose: the verdicts of one report (kind, key, severity).
A verdict "fails" as `pprof-tui check --fail-on` counts it (`fails`); it escalates when the same key
comes back more severe than when it was captured (tui.leaks.growth.severity: stuck -> growing ->
leaked and growing). A key is captured once per severity level, so a flapping verdict does not
write a bundle on every return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.leaks.growth import LEAKED, Verdict, severity, verdict_title

# what fails when nothing else is asked: the default of `check --fail-on`
DEFAULT_FAIL_ON = ("growing", "leaked-growing")
FIRST = "first failed"


def fails(verdict: Verdict, fail_on: Sequence[str]) -> bool:
    """Does `verdict` count toward `fail_on` (kinds, plus "leaked-growing": a proven leak still growing)?"""
    if verdict.kind in fail_on:
        return True
    return verdict.kind == LEAKED and "leaked-growing" in fail_on and verdict.rate_per_min > 0


@dataclass(frozen=True, slots=True)
class Fired:
    verdict: Verdict
    why: str  # FIRST, or "escalated from stuck"


class Trigger:
    """Keys captured and at which severity; `update(verdicts)` says which fire now."""

    def __init__(self, fail_on: Sequence[str] = DEFAULT_FAIL_ON) -> None:
        self.fail_on = tuple(fail_on)
        self._captured: dict[str, tuple[int, str]] = {}  # key -> (severity, title) when captured

    def update(self, verdicts: Iterable[Verdict]) -> tuple[Fired, ...]:
        fired: list[Fired] = []
        for v in verdicts:
            if not fails(v, self.fail_on):
                continue
            rank, title = severity(v), verdict_title(v)
            known = self._captured.get(v.key)
            if known is None:
                fired.append(Fired(v, FIRST))
            elif rank < known[0]:
                fired.append(Fired(v, f"escalated from {known[1]}"))
            else:
                continue
            self._captured[v.key] = (rank, title)
        return tuple(fired)

    def forget(self) -> None:
        """The target restarted: every verdict starts over (and may fire again)."""
        self._captured.clear()
