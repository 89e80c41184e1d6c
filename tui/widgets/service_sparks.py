"""The service's own numbers as sparklines beside its memory: one `MetricSpark` per watched series of
`Snapshot.metrics` (p50/p99 latency, requests/s, errors/s, Go's scheduling latency, pinned series),
read from the history under each series' key.

At 80 columns the first four show, two a row (two rows); from `WIDE` columns six, three a row. The
grid is hidden while nothing is watched (a target without /metrics loses no row). Children are
mounted and removed only when the watched set changes; a new scrape repaints only the bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import Grid

from tui.widgets.sparklines import MAX_SPARK_POINTS, Formatter, MetricSpark, fmt_ns

if TYPE_CHECKING:
    from tui.metrics.state import MetricsState
    from tui.metrics.watch import WatchedSeries
    from tui.model.history import HistoryView

NARROW_SHOWN = 4
WIDE_SHOWN = 6


def fmt_seconds(v: float) -> str:
    """A latency given in seconds: "850ns", "350µs", "41.2ms", "1.50s"."""
    return fmt_ns(v * 1e9)


def fmt_rate(v: float) -> str:
    """Per second: "0.42/s", "17.3/s", "1,234/s"."""
    return f"{v:.3g}/s" if v < 1000 else f"{v:,.0f}/s"


def fmt_number(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1e6 else f"{v:,.0f}"


def formatter_for(w: WatchedSeries) -> Formatter:
    if w.unit == "s":
        return fmt_seconds
    if w.unit == "/s":
        return fmt_rate
    return fmt_number


def spark_label(w: WatchedSeries) -> str:
    """At most 8 cells: "p99", "req/s", "err/s", "sched99" (Go's scheduler), a pinned series' statistic
    and the end of its name."""
    stat = w.spec.stat or ""
    if w.role == "runtime":
        return "sched" + stat.removeprefix("p")
    if w.role == "errors":
        return "err/s"
    if w.role in ("latency", "rate"):
        return w.label.split(" ", 1)[0]
    tail = w.spec.family.rsplit("_", 1)[-1]
    return f"{stat or tail}"[:8] if stat else tail[:8]


class ServiceSparks(Grid):
    DEFAULT_CSS = """
    ServiceSparks { grid-size: 2; grid-rows: 1; grid-gutter: 0 2; height: auto; max-height: 2; padding: 0 1; }
    .wide ServiceSparks { grid-size: 3; }
    ServiceSparks .narrow-hidden { display: none; }
    .wide ServiceSparks .narrow-hidden { display: block; }
    ServiceSparks .hidden { display: none; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.keys: tuple[str, ...] = ()
        self.display = False

    def show(self, state: MetricsState | None, history: HistoryView | None) -> None:
        watched: Sequence[WatchedSeries] = state.watched if state is not None else ()
        keys = tuple(w.key for w in watched)
        if keys != self.keys:
            self.keys = keys
            self.remove_children()
            sparks = []
            for i, w in enumerate(watched):
                classes = "" if i < NARROW_SHOWN else ("narrow-hidden" if i < WIDE_SHOWN else "hidden")
                sparks.append(MetricSpark(w.key, spark_label(w), formatter_for(w), classes=classes))
            self.display = bool(sparks)
            if sparks:
                self.mount_all(sparks)
                self.call_after_refresh(self._fill, history)  # once they are composed
                return
        self._fill(history)

    def _fill(self, history: HistoryView | None) -> None:
        if history is None:
            return
        for spark in self.query(MetricSpark):
            if spark.is_mounted:
                spark.show(history.values(spark.metric, last=MAX_SPARK_POINTS))
