"""What the CPU view shows (pure): the rows of "this window" and "since start" side by side, sorted
and filtered, and the lines above the table (how often windows run and why, the window's span and
age, what the sums cover)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.filters import filter_pattern
from tui.heap.units import format_shown

if TYPE_CHECKING:
    from tui.model.cpu import CpuFunc, CpuState

MAX_ROWS = 500
SORTS = ("flat", "cum")


@dataclass(frozen=True, slots=True)
class CpuRow:
    key: str
    name: str
    file: str
    line: int
    flat: int  # this window (0 when the function ran only in earlier windows)
    cum: int
    since_flat: int
    since_cum: int
    in_window: bool


def cpu_rows(state: CpuState, *, sort: str = "flat", text: str = "") -> tuple[CpuRow, ...]:
    """One row per function of the sums (a function of the newest window always has one), by this
    window's flat (or cum), then the since-start value; ``text`` filters names (literal, or ``re:``:
    tui.core.filters; UserPatternError when bad)."""
    window: dict[str, CpuFunc] = {f.key: f for f in state.window.funcs} if state.window is not None else {}
    since: dict[str, CpuFunc] = {f.key: f for f in state.since}
    rows = []
    for key in dict.fromkeys([*window, *since]):
        w, s = window.get(key), since.get(key)
        f = w or s
        assert f is not None
        rows.append(
            CpuRow(
                key,
                f.name,
                f.file,
                f.line,
                w.flat if w else 0,
                w.cum if w else 0,
                s.flat if s else (w.flat if w else 0),
                s.cum if s else (w.cum if w else 0),
                w is not None,
            )
        )
    if text:
        matcher = filter_pattern(text)
        rows = [r for r in rows if matcher.search(r.name)]
    if sort == "cum":
        rows.sort(key=lambda r: (-r.cum, -r.since_cum, r.key))
    else:
        rows.sort(key=lambda r: (-r.flat, -r.since_flat, r.key))
    return tuple(rows[:MAX_ROWS])


def seconds(ns: int) -> str:
    return format_shown(ns, "nanoseconds")


def pct(value: int, total: int) -> str:
    return f"{value / total * 100:.1f}%" if total else "-"


def window_line(state: CpuState, now: float) -> str:
    """The newest window's span, age and load; on a second line what the since-start sums cover."""
    w = state.window
    if w is None:
        if not state.on:
            return "no window taken"
        if state.running_since is not None:
            return "first window running…"
        return "no window yet"
    age = max(now - state.window_at, 0.0) if state.window_at is not None else 0.0
    cores = w.total / 1e9 / w.duration if w.duration > 0 else 0.0
    span = (
        f"this window: {w.duration:.0f} s, ended {age:.0f} s ago, {seconds(w.total)} of CPU "
        f"({cores:.2f} cores), {w.samples:,} samples"
    )
    since = f"since start: {state.windows} windows, {state.since_seconds:.0f} s, {seconds(state.since_total)}"
    if state.dropped:
        since += f" ({state.dropped:,} small functions left out)"
    return f"{span}\n{since}"
