"""What the verdicts did over a whole watch: when each first fired, whether it is still there,
and whether it flapped (appeared, vanished, appeared again).

`pprof-tui check` prints it, and the diagnosis benchmark scores from it (time to the first
correct verdict, every false one, flaps). Pure: it reads `LeakReport`s in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.leaks.growth import Verdict, severity
from tui.leaks.report import LeakReport


@dataclass(slots=True)
class VerdictHistory:
    """One (kind, key) over the watch; times are the reports' clock times."""

    kind: str
    key: str
    first_seen: float
    last_seen: float
    latest: Verdict
    appearances: int = 1  # 2 or more: it vanished and came back (a flap)
    present: bool = True  # in the newest report
    cleared_at: float | None = None  # the first report without it, since it was last seen (None: present)

    @property
    def flapped(self) -> bool:
        return self.appearances > 1

    @property
    def standing(self) -> bool:
        """Present at the end of the watch: what `check` exits on (a verdict that came and went is
        transient, listed, and fails only with `--fail-on transient`)."""
        return self.present


@dataclass(slots=True)
class VerdictLog:
    started: float | None = None
    reports: int = 0
    last_time: float | None = None
    _entries: dict[tuple[str, str], VerdictHistory] = field(default_factory=dict)

    def observe(self, report: LeakReport) -> None:
        if self.started is None:
            self.started = report.time
        self.reports += 1
        self.last_time = report.time
        now = {(v.kind, v.key): v for v in report.verdicts}
        for entry in self._entries.values():
            if (entry.kind, entry.key) not in now and entry.present:
                entry.present = False
                entry.cleared_at = report.time
        for ident, verdict in now.items():
            known = self._entries.get(ident)
            if known is None:
                self._entries[ident] = VerdictHistory(verdict.kind, verdict.key, report.time, report.time, verdict)
                continue
            if not known.present:
                known.appearances += 1
                known.present = True
                known.cleared_at = None
            known.last_seen, known.latest = report.time, verdict

    def entries(self) -> tuple[VerdictHistory, ...]:
        """Present ones first, by severity (growth.severity) then the first seen; then the gone, oldest first."""
        return tuple(
            sorted(
                self._entries.values(),
                key=lambda e: (not e.present, severity(e.latest) if e.present else 0, e.first_seen, e.key),
            )
        )

    def since_start(self, t: float) -> float:
        return t - (self.started if self.started is not None else t)
