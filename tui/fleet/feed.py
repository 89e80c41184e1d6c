"""One leak tracker per target of a fleet, behind the app's one LeakFeed seam (pure).

The app drains its leak calls in one worker, in order; a fleet's calls name their target
(`feed_target`), and what the dashboard asks (sample type, pin the baseline) goes to the focused
target. Every call returns the *focused* target's newest report (a cached one when the call was for
another target), and `latest` keeps each target's newest report for the fleet view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.leaks.feed import LeakFeed

if TYPE_CHECKING:
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot


class FleetFeed(LeakFeed):
    def __init__(self, labels: Sequence[str], focused: str) -> None:
        super().__init__()
        self.feeds = {label: LeakFeed() for label in labels}
        self.focused = focused  # set on the event loop, read by the worker: a str swap is atomic
        self.latest: dict[str, LeakReport] = {}

    def _focused_report(self) -> LeakReport:
        report = self.latest.get(self.focused)
        if report is None:
            report = self.latest[self.focused] = self.feeds[self.focused].tracker.report()
        return report

    def feed_target(self, label: str, snapshot: Snapshot) -> LeakReport:
        self.latest[label] = self.feeds[label].feed(snapshot)
        return self._focused_report()

    def feed(self, snapshot: Snapshot) -> LeakReport:
        return self.feed_target(self.focused, snapshot)

    def pin_baseline(self, reason: str = "pinned by you") -> LeakReport:
        self.latest[self.focused] = self.feeds[self.focused].pin_baseline(reason)
        return self.latest[self.focused]

    def set_sample_type(self, sample_type: str) -> LeakReport:
        self.latest[self.focused] = self.feeds[self.focused].set_sample_type(sample_type)
        return self.latest[self.focused]
