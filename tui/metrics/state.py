"""What a Snapshot carries of the service's own numbers (frozen; the poller's `ServiceMetrics` builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from tui.metrics.page import FamilyInfo
from tui.metrics.watch import WatchedSeries

# What discovery found for each endpoint (`MetricsState.found`).
SERVED = "served"
NOT_SERVED = "not served"
UNKNOWN = "not asked yet"
SHORT = {"/metrics": "/metrics", "/debug/vars": "expvar", "/debug/fgprof": "fgprof"}


@dataclass(frozen=True, slots=True)
class MetricsState:
    found: tuple[tuple[str, str], ...]  # (path, SERVED / NOT_SERVED / UNKNOWN / an error) in a fixed order
    watched: tuple[WatchedSeries, ...]  # the series shown (their points are in the history under .key)
    families: tuple[FamilyInfo, ...] = ()  # every family of the newest page: the picker's list
    scraped_at: float | None = None  # clock time of the newest page
    errors: tuple[tuple[str, str], ...] = ()  # spec text -> why it has no value
    dropped_families: int = 0

    def served(self, path: str) -> bool:
        return dict(self.found).get(path) == SERVED

    @property
    def status(self) -> str:
        """Everything discovery learned ("/metrics 169 families · no expvar · fgprof")."""
        return self._line(with_absent=True)

    @property
    def found_line(self) -> str:
        """What the target serves, for the status line ("/metrics 169 families · fgprof")."""
        return self._line(with_absent=False)

    def _line(self, *, with_absent: bool) -> str:
        parts = []
        for path, what in self.found:
            short = SHORT.get(path, path)
            if what == SERVED:
                parts.append(f"{short} {len(self.families)} families" if path == "/metrics" else short)
            elif what == NOT_SERVED:
                if with_absent:
                    parts.append(f"no {short}")
            elif what != UNKNOWN:
                parts.append(f"{short}: {what}")
        return " · ".join(parts)
