"""The fleet view (`watch TARGET TARGET...`): one row per target — its state, goroutines, heap in use and
findings (leak verdicts of its own tracker, outliers against its siblings) —; `enter` focuses a target in
the dashboard (`esc` there comes back here), `c` compares it with the median of its siblings
(tui/screens/fleet_compare.py), `o` changes the order. An outlier reads "600 vs 12:
main.fetchAll.func1 [chan send]": this target's value against the median of its siblings'.

`fleet_rows` is the pure presenter: the screen only shows what it computes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.core.bytesize import format_bytes
from tui.leaks.growth import GROWING, LEAKED
from tui.widgets.cells import SortCell, literal, number_cell
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.sparklines import BARS, FLAT_FRACTION

if TYPE_CHECKING:
    from tui.fleet.outliers import Outlier
    from tui.leaks.growth import Verdict
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot

SORTS = ("findings", "target", "goroutines", "heap")
TREND_POINTS = 8  # the goroutine count's last polls, as bars
# At 80 columns the findings get the room; the goroutine trend from TREND_FROM columns on, the goroutine
# stacks (MemStats StackInuse: a goroutine leak's memory) from WIDE_FROM on.
Columns = tuple[tuple[str, str, int | None], ...]
NARROW: Columns = (
    ("target", "target", 12),
    ("state", "state", 8),
    ("goroutines", "goroutines", 10),
    ("heap", "heap", 8),
    ("findings", "findings", None),
)
MEDIUM: Columns = (*NARROW[:3], ("trend", "trend", TREND_POINTS), *NARROW[3:])
WIDE: Columns = (
    ("target", "target", 16),
    ("state", "state", 12),
    ("goroutines", "goroutines", 10),
    ("trend", "trend", TREND_POINTS),
    ("heap", "heap", 8),
    ("stacks", "stacks", 8),
    ("findings", "findings", None),
)
TREND_FROM = 100
WIDE_FROM = 140


@dataclass(frozen=True, slots=True)
class FleetRow:
    target: str
    state: str
    goroutines: int | None
    heap: float | None  # bytes in use (MemStats HeapInuse, else the heap profile's inuse_space)
    stacks: float | None  # MemStats StackInuse
    trend: tuple[float, ...]  # the goroutine count's last TREND_POINTS polls, oldest first
    verdicts: int  # flagged by this target's own leak tracker
    outliers: tuple[str, ...]  # sentences, biggest first
    findings: str  # what the findings column says
    name: str = ""  # what the target column shows: what tells it from its siblings (`distinct_names`)
    severity: int = 0  # its worst finding: 3 leaked, 2 growing, 1 stuck or an outlier, 0 none
    rate: float = 0.0  # its fastest growth, goroutines/min (or bytes/min when none grow in goroutines)

    @property
    def finding_count(self) -> int:
        return self.verdicts + len(self.outliers)


def _heap_of(s: Snapshot) -> float | None:
    if s.memstats is not None and s.memstats.heap_inuse is not None:
        return float(s.memstats.heap_inuse)
    return s.heap_totals.get("inuse_space")


def _stacks_of(s: Snapshot) -> float | None:
    if s.memstats is not None and s.memstats.stack_inuse is not None:
        return float(s.memstats.stack_inuse)
    return None


SEPARATORS = ":./-_"


def distinct_names(labels: Sequence[str]) -> dict[str, str]:
    """What tells each target from its siblings: the part left when the prefix and suffix they all
    share are cut at a separator — "127.0.0.1:18081" and "127.0.0.1:18082" are ":18081" and ":18082",
    "http://10.0.3.17:6060" and "http://10.0.4.22:6060" are ".3.17" and ".4.22". Labels that are not
    addresses (`name=` given) are kept whole, and so is a lone target."""
    if len(labels) < 2 or not all(":" in label or "/" in label for label in labels):
        return {label: label for label in labels}
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    suffix = labels[0]
    for label in labels[1:]:
        while not label.endswith(suffix):
            suffix = suffix[1:]
    cut = max((prefix.rfind(c) for c in SEPARATORS), default=-1)
    head = prefix[:cut] if cut >= 0 else ""  # the separator starts the part shown (":18081", ".17")
    ends = [suffix.find(c) for c in SEPARATORS if c in suffix]
    tail = suffix[min(ends) :] if ends else ""
    names = {}
    for label in labels:
        part = label[len(head) : len(label) - len(tail)] if len(head) + len(tail) < len(label) else label
        names[label] = part or label
    if len(set(names.values())) < len(labels):
        return {label: label for label in labels}
    return names


def _severity(verdicts: Sequence[Verdict], outliers: int) -> tuple[int, float]:
    """(rank of the worst finding, fastest growth) — "by findings" puts two replicas leaking 2,400
    goroutines/min above one with four steady notes."""
    kinds = {v.kind for v in verdicts}
    rank = 3 if LEAKED in kinds else 2 if GROWING in kinds else 1 if kinds or outliers else 0
    goroutines = [v.rate_per_min for v in verdicts if v.unit != "bytes"]
    rate = max(goroutines or [v.rate_per_min for v in verdicts] or [0.0])
    return rank, rate


def fleet_rows(
    labels: Sequence[str],
    snapshots: Mapping[str, Snapshot],
    reports: Mapping[str, LeakReport],
    outliers: Sequence[Outlier],
    sort: str = "findings",
) -> tuple[FleetRow, ...]:
    """One row per target, in `sort` order (findings and sizes biggest first, then by name)."""
    rows = []
    names = distinct_names(labels)
    for label in labels:
        s = snapshots.get(label)
        report = reports.get(label)
        verdicts = report.verdicts if report is not None else ()
        mine = tuple(o for o in outliers if o.target == label)
        severity, rate = _severity(verdicts, len(mine))
        # "600 vs 12: main.fetchAll.func1 [chan send]": this target's value against its siblings' median
        sentences = tuple(f"{o.amount(o.value)} vs {o.amount(o.siblings_median)}: {o.label}" for o in mine)
        parts = []
        if sentences:
            parts.append(sentences[0] + (f" (+{len(sentences) - 1} more)" if len(sentences) > 1 else ""))
        if verdicts:
            parts.append(f"{len(verdicts)} verdict{'s' if len(verdicts) > 1 else ''}: {verdicts[0].label}")
        if s is not None and s.last_error and not parts:
            parts.append(s.last_error)
        rows.append(
            FleetRow(
                target=label,
                state=s.state if s is not None else "waiting",
                goroutines=s.goroutine_total if s is not None else None,
                heap=_heap_of(s) if s is not None else None,
                stacks=_stacks_of(s) if s is not None else None,
                trend=s.history.values("goroutines", TREND_POINTS) if s is not None and s.history is not None else (),
                verdicts=len(verdicts),
                outliers=sentences,
                findings="; ".join(parts) if parts else ("nothing found" if s is not None else ""),
                name=names[label],
                severity=severity,
                rate=rate,
            )
        )
    order = {
        "target": lambda r: (r.target,),
        "goroutines": lambda r: (-(r.goroutines or 0), r.target),
        "heap": lambda r: (-(r.heap or 0.0), r.target),
        "findings": lambda r: (-r.severity, -r.rate, -r.finding_count, r.target),
    }[sort]
    return tuple(sorted(rows, key=order))


def trend_bars(values: Sequence[float], width: int) -> str:
    """The goroutine count's last polls on their own min–max scale (a floor at zero drew 10,000 steady
    goroutines as a full block): a change below FLAT_FRACTION of the count is a flat bottom line."""
    recent = [float(v) for v in values[-width:]]
    if not recent:
        return ""
    low, high = min(recent), max(recent)
    if high - low <= FLAT_FRACTION * max(abs(low), abs(high)):
        return BARS[0] * len(recent)
    return "".join(BARS[round((v - low) / (high - low) * (len(BARS) - 1))] for v in recent)


def _cells(row: FleetRow, columns: Columns) -> tuple[SortCell, ...]:
    style = "bold red" if row.finding_count else ""
    cells = {
        "target": SortCell(literal(row.name or row.target, 100, style), row.target),
        "state": SortCell(literal(row.state, 20), row.state),
        "goroutines": number_cell(row.goroutines or 0, "—" if row.goroutines is None else f"{row.goroutines:,}"),
        "trend": SortCell(Text(trend_bars(row.trend, TREND_POINTS).rjust(TREND_POINTS), style="cyan"), row.target),
        "heap": number_cell(row.heap or 0.0, "—" if row.heap is None else format_bytes(row.heap)),
        "stacks": number_cell(row.stacks or 0.0, "—" if row.stacks is None else format_bytes(row.stacks)),
        "findings": SortCell(literal(row.findings, 300, style), row.target),  # the last column's raw is the row key
    }
    return tuple(cells[key] for key, _, _ in columns)


class FleetScreen(Screen[None]):
    """The first screen of a fleet watch. Data comes down through `show_fleet`; `Focus` goes up."""

    DEFAULT_CSS = """
    FleetScreen KeyedTable { height: 1fr; }
    FleetScreen #fleet-title { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("enter", "focus_target", "focus"),
        Binding("c", "compare", "compare"),
        Binding("o", "cycle_sort", "sort"),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
        Binding("question_mark", "app.help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    class Focus(Message):
        """Show this target in the dashboard."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    class Compare(Message):
        """Show this target against the median of its siblings."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def __init__(self) -> None:
        super().__init__()
        self.sort = SORTS[0]
        self._title = ""
        self._columns = NARROW
        self._rows: tuple[FleetRow, ...] = ()
        self._inputs: tuple[Sequence[str], Mapping[str, Snapshot], Mapping[str, LeakReport], Sequence[Outlier]] = (
            (),
            {},
            {},
            (),
        )

    def compose(self) -> ComposeResult:
        yield Static(id="fleet-title")
        yield KeyedTable(self._columns, id="fleet")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(KeyedTable).focus()
        self._show()

    def show_fleet(
        self,
        labels: Sequence[str],
        snapshots: Mapping[str, Snapshot],
        reports: Mapping[str, LeakReport],
        outliers: Sequence[Outlier],
    ) -> None:
        self._inputs = (labels, snapshots, reports, outliers)
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        labels, snapshots, reports, outliers = self._inputs
        self._rows = fleet_rows(labels, snapshots, reports, outliers, self.sort)
        flagged = sum(1 for r in self._rows if r.finding_count)
        title = f"{len(self._rows)} targets, {flagged} with findings (N vs siblings' median) · by {self.sort}"
        if title != self._title:  # a Static's update re-lays the screen out: only when it changed
            self._title = title
            self.query_one("#fleet-title", Static).update(Text(title))
        table = self.query_one(KeyedTable)
        width = self.size.width
        columns = WIDE if width >= WIDE_FROM else MEDIUM if width >= TREND_FROM else NARROW
        if columns != self._columns:
            self._columns = columns
            table.set_columns(columns)
            table.fit_last_column()
        table.sync_rows([(r.target, _cells(r, columns)) for r in self._rows])

    def on_resize(self) -> None:
        self._show()

    @property
    def rows(self) -> tuple[FleetRow, ...]:
        return self._rows

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show()

    def action_cursor_down(self) -> None:
        self.query_one(KeyedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(KeyedTable).action_cursor_up()

    def action_focus_target(self) -> None:
        key = self.query_one(KeyedTable).cursor_key
        if key is not None:
            self.post_message(self.Focus(key))

    def action_compare(self) -> None:
        key = self.query_one(KeyedTable).cursor_key
        if key is not None:
            self.post_message(self.Compare(key))

    def on_data_table_row_selected(self, event: KeyedTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Focus(event.row_key.value))
