"""Live sparklines with the absolute current value and unit beside them.

A sparkline scales min..max of its own data, so the shape alone says nothing
about size: the label and the current value are always shown next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

Formatter = Callable[[float], str]


def fmt_count(v: float) -> str:
    return f"{int(v):,}"


def fmt_percent(v: float) -> str:
    return f"{v:.2f}%"


BARS = "▁▂▃▄▅▆▇█"
# A sparkline shows one bar per column; it is handed only the newest this many values
# (wider than any sparkline on a 500-column terminal), not the whole 24-hour history.
MAX_SPARK_POINTS = 512


def bars(values: Sequence[float], width: int) -> str:
    """The last ``width`` values as bar characters scaled min..max (flat data: lowest bar)."""
    if width <= 0 or not values:
        return ""
    recent = values[-width:]
    lo, hi = min(recent), max(recent)
    span = hi - lo
    top = len(BARS) - 1
    if span <= 0:
        return BARS[0] * len(recent)
    return "".join(BARS[min(top, int((v - lo) / span * top + 0.5))] for v in recent)


class Bars(Widget):
    """A one-line sparkline drawn as one run of text in one style.

    Textual's Sparkline styles every bar separately, which sends an escape sequence
    per bar on every repaint; a single styled run is several times smaller on the wire.
    """

    DEFAULT_CSS = "Bars { height: 1; color: $accent; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.values: tuple[float, ...] = ()

    def show(self, values: tuple[float, ...]) -> None:
        before = bars(self.values, self.size.width)
        self.values = values
        if bars(values, self.size.width) != before:
            self.refresh()

    def render(self) -> Text:
        text = bars(self.values, self.size.width)
        return Text(text.rjust(self.size.width), no_wrap=True)


class MetricSpark(Horizontal):
    """``label ▁▂▃▅▇ value``: one metric's recent history and its current value."""

    DEFAULT_CSS = """
    MetricSpark { height: 1; width: 1fr; }
    MetricSpark > .spark-label { width: 8; color: $text-muted; }
    MetricSpark > Bars { width: 1fr; margin: 0 1 0 0; }
    MetricSpark > .spark-value { width: 9; text-align: right; text-style: bold; }
    """

    def __init__(self, metric: str, label: str, formatter: Formatter, **kwargs) -> None:
        super().__init__(**kwargs)
        self.metric = metric
        self.label = label
        self.formatter = formatter
        self.values: tuple[float, ...] = ()
        self.current_text = "–"

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label), classes="spark-label")
        yield Bars()
        yield Static(Text("–"), classes="spark-value")

    def show(self, values: Sequence[float]) -> None:
        """Show a new series; repaints only when something visible changed."""
        values = tuple(float(v) for v in values)
        if values == self.values:
            return
        self.values = values
        self.query_one(Bars).show(values)
        text = self.formatter(values[-1]) if values else "–"
        if text != self.current_text:
            self.current_text = text
            self.query_one(".spark-value", Static).update(Text(text))
