"""What the findings line shows, poll after poll: the verdicts in order of severity, held steady.

A verdict that drops out of one report (a dump that came late, a trend that dipped under its floor
for a poll) and comes back in the next must not blink off and on, nor may verdicts of the same
severity trade places because their rates wobbled. So a verdict stays on the line until it has
been absent from the reports for HOLD_SECONDS, and inside one severity the order is the order in
which they first appeared (then the key): it changes only when a severity does. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.leaks.growth import Verdict, severity

# 2.5 minutes of reports: rides over a late goroutine dump or a trend that dips under its floor
# for a few polls; short enough that a fixed problem leaves the line soon after.
HOLD_SECONDS = 150.0


@dataclass(frozen=True, slots=True)
class Shown:
    verdict: Verdict  # the newest version of it
    first_shown: float
    present: bool  # in the newest report; False: gone for less than HOLD_SECONDS, still shown


@dataclass(slots=True)
class _Entry:
    verdict: Verdict
    first_shown: float
    last_seen: float


class StableFindings:
    """Feed it every report's verdicts in time order; it returns what to show."""

    def __init__(self, hold_seconds: float = HOLD_SECONDS) -> None:
        self.hold_seconds = hold_seconds
        self._entries: dict[str, _Entry] = {}
        self._last: float | None = None

    def update(self, verdicts: Iterable[Verdict], now: float) -> tuple[Shown, ...]:
        if self._last is not None and now < self._last:
            if now < self._last - self.hold_seconds:
                self._entries.clear()  # the clock went back: a new watch (replay from the start, new source)
            else:
                now = self._last  # a report made between polls (baseline pinned) carries the last data time
        self._last = now
        present = set()
        for v in verdicts:
            present.add(v.key)
            entry = self._entries.get(v.key)
            if entry is None:
                self._entries[v.key] = _Entry(v, now, now)
            else:
                entry.verdict, entry.last_seen = v, now
        for key in [k for k, e in self._entries.items() if k not in present and now - e.last_seen > self.hold_seconds]:
            del self._entries[key]
        shown = [Shown(e.verdict, e.first_shown, k in present) for k, e in self._entries.items()]
        shown.sort(key=lambda s: (severity(s.verdict), s.first_shown, s.verdict.key))
        return tuple(shown)

    def clear(self) -> None:
        self._entries.clear()
        self._last = None
