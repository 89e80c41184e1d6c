"""Live sparklines with honest scales: the absolute current value, its unit and the scale beside them.

A sparkline's shape says nothing about size unless its scale is shown. `spark_scale` decides it:

- a floor at zero (`0–max`) for values that are never negative (every metric we draw): the height of
  a bar is proportional to its value, so 9 → 8 goroutines is one step down, not a cliff;
- `min–max` only for series that go below zero;
- a change smaller than `FLAT_FRACTION` of the value is drawn flat (stack between 524 and 557 kB is
  one level, not `█▁█▁███▁`).

`MetricSpark` shows ``label scale ▁▂▃▅▇ value``: the scale (``0–17.9MB``) in the formatter's unit, and
after the value what it is when that is not obvious (GC CPU is cumulative: "0.05% since start").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from tui.core.bytesize import format_bytes

Formatter = Callable[[float], str]


def fmt_count(v: float) -> str:
    return f"{int(v):,}"


def fmt_percent(v: float) -> str:
    return f"{v:.2f}%"


def fmt_bytes_per_s(v: float) -> str:
    """An allocation rate: "1.50MB/s"."""
    return f"{format_bytes(max(v, 0.0))}/s"


def fmt_per_min(v: float) -> str:
    """A rate per minute: "0.5/min", "12/min", "1,200/min"."""
    return f"{v:.1f}/min" if v < 10 else f"{v:,.0f}/min"


def fmt_ns(v: float) -> str:
    """A duration given in nanoseconds: "850ns", "350µs", "1.2ms", "1.50s"."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if v >= scale:
            return f"{v / scale:.2f}{unit}" if unit == "s" else f"{v / scale:.3g}{unit}"
    return f"{v:.0f}ns"


BARS = "▁▂▃▄▅▆▇█"
TOP = len(BARS) - 1
# A sparkline shows one bar per column; it is handed only the newest this many values
# (wider than any sparkline on a 500-column terminal), not the whole 24-hour history.
MAX_SPARK_POINTS = 512
# A change below this share of the series' largest magnitude is drawn flat: noise, not a trend.
FLAT_FRACTION = 0.05


@dataclass(frozen=True, slots=True)
class SparkScale:
    """How a sparkline maps its values to bars: ``lo`` is the lowest bar (0 for a floor at zero),
    ``hi`` the highest; ``levels`` the bar (0..TOP) of each value shown, oldest first."""

    lo: float
    hi: float
    levels: tuple[int, ...]
    zero: bool  # a floor at zero (else min–max)
    flat: bool  # every change below FLAT_FRACTION: drawn as one level

    def label(self, fmt: Formatter) -> str:
        """The scale in the value's unit: "0–17.9MB", or "-3–12" for min–max."""
        if not self.levels:
            return ""
        return f"{'0' if self.zero else fmt(self.lo)}–{fmt(self.hi)}"


EMPTY_SCALE = SparkScale(0.0, 0.0, (), True, True)


def spark_scale(values: Sequence[float], width: int) -> SparkScale:
    """The scale of the last ``width`` values (see the module doc)."""
    if width <= 0 or not values:
        return EMPTY_SCALE
    recent = [float(v) for v in values[-width:]]
    low, high = min(recent), max(recent)
    zero = low >= 0
    lo = 0.0 if zero else low
    magnitude = max(abs(low), abs(high))
    flat = high - low <= FLAT_FRACTION * magnitude
    if high <= lo:  # all zero, or one value
        return SparkScale(lo, high, (TOP if high > 0 else 0,) * len(recent), zero, True)
    span = high - lo
    if flat:
        # one level for all: where the series sits on its scale (the top for a floor at zero)
        level = min(TOP, int((sum(recent) / len(recent) - lo) / span * TOP + 0.5)) if not zero else TOP
        return SparkScale(lo, high, (level,) * len(recent), zero, True)
    levels = tuple(min(TOP, max(0, int((v - lo) / span * TOP + 0.5))) for v in recent)
    return SparkScale(lo, high, levels, zero, False)


def bars(values: Sequence[float], width: int) -> str:
    """The last ``width`` values as bar characters on their scale (spark_scale)."""
    return "".join(BARS[level] for level in spark_scale(values, width).levels)


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

    def on_resize(self) -> None:
        # the width decides which values are drawn, so the scale beside them follows it
        parent = self.parent
        if isinstance(parent, MetricSpark):
            parent.show_scale()


class MetricSpark(Horizontal):
    """``label 0–max ▁▂▃▅▇ value``: one metric's recent history on its scale, and its current value."""

    DEFAULT_CSS = """
    MetricSpark { height: 1; width: 1fr; }
    MetricSpark > Static { text-wrap: nowrap; text-overflow: ellipsis; }
    MetricSpark > .spark-label { width: 8; color: $text-muted; }
    MetricSpark > .spark-scale { width: auto; max-width: 20; color: $text-muted; margin: 0 1 0 0; }
    MetricSpark > Bars { width: 1fr; margin: 0 1 0 0; }
    MetricSpark > .spark-value { width: auto; min-width: 9; max-width: 18; text-align: right; text-style: bold; }
    """

    def __init__(self, metric: str, label: str, formatter: Formatter, *, suffix: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.metric = metric
        self.label = label
        self.formatter = formatter
        self.suffix = suffix  # after the current value only (" since start"), not in the scale
        self.values: tuple[float, ...] = ()
        self.current_text = "–"
        self.scale_text = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label), classes="spark-label")
        yield Static(Text(""), classes="spark-scale")
        yield Bars()
        yield Static(Text("–"), classes="spark-value")

    def show(self, values: Sequence[float]) -> None:
        """Show a new series; repaints only when something visible changed."""
        values = tuple(float(v) for v in values)
        if values == self.values:
            return
        self.values = values
        self.query_one(Bars).show(values)
        text = self.formatter(values[-1]) + self.suffix if values else "–"
        if text != self.current_text:
            resized = cell_len(text) != cell_len(self.current_text)  # width: auto; else a repaint, not a layout
            self.current_text = text
            self.query_one(".spark-value", Static).update(Text(text), layout=resized)
        self.show_scale()

    def show_scale(self) -> None:
        """The scale of the bars as drawn (their width decides which values they show)."""
        bars_widget = self.query_one(Bars)
        width = bars_widget.size.width or MAX_SPARK_POINTS
        text = spark_scale(self.values, width).label(self.formatter)
        if text != self.scale_text:
            resized = cell_len(text) != cell_len(self.scale_text)  # width: auto; else a repaint, not a layout
            self.scale_text = text
            self.query_one(".spark-scale", Static).update(Text(text), layout=resized)
