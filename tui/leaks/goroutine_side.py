"""The leak tracker's goroutine side: one count series per stack group (tui/goroutines/match_keys.py),
the ages Go printed for it, how its goroutines arrived (arrivals.py), the goroutineleak profile, and
the verdicts: GROWING (a trend that holds while the group keeps growing: no flaps), STUCK (a waiting
pattern, an alarm only when arrivals say so) and LEAKED (Go's proof, kept while the group lives).
Owns its state; tui/leaks/tracker.py feeds it and assembles the report."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from tui.core.names import collapse_generics
from tui.goroutines.match_keys import GroupObservation, match_key
from tui.leaks.arrivals import Arrivals, alarm_reason
from tui.leaks.growth import (
    GROWING,
    LEAKED,
    Verdict,
    VerdictConfig,
    leaked_verdict,
    stuck_verdict,
)
from tui.leaks.report import GroupGrowth
from tui.leaks.shapes import hinted, match_group
from tui.leaks.window import MAX_POINTS, TimeWindow, admit, analyse, mark

# One debug=2 observation of a group's ages: (time, count, min minutes, max minutes).
AgeRow = tuple[float, int, int | None, int | None]

MAX_GROUPS = 512
NO_FRAMES_KEY = match_key(())  # a goroutineleak record without a single frame (Go gave no stack)
SPARK_POINTS = 30


def _verdict_label(label: str, reason: str) -> str:
    return f"{label} [{reason}]" if reason and reason != "unknown" else label


def _with_alarm_reason(v: Verdict, arrival: str | None) -> tuple[Verdict, bool]:
    """The verdict with why it is an alarm (arrivals.alarm_reason) or why it is context only."""
    why = alarm_reason(arrival, v.current)
    if why is not None:
        return replace(v, evidence=f"{v.evidence}; {why}"), True
    return replace(v, evidence=f"{v.evidence}; there since before the watch began: context, not an alarm"), False


HOLD_SECONDS = 180.0  # a growing verdict stands while its group rose this recently (and never fell below ...)


def _held(
    v: Verdict | None, fired: tuple[float, float] | None, points: list[tuple[float, float]], now: float
) -> Verdict | None:
    """A GROWING goroutine verdict that fired stands while the group keeps growing: its count never fell
    below the level it fired at, and it rose within HOLD_SECONDS (or 3x the longest gap between two
    polls of it: dumps of a big target are rare). So a leak does not flap when the trend's conditions
    (its window, the share of rises) miss one poll; a drained burst or a pool at its size clears it."""
    if v is not None or fired is None or len(points) < 2:
        return v
    since, level = fired
    if points[-1][1] < level:
        return None
    last_rise = max((b[0] for a, b in zip(points, points[1:]) if b[1] > a[1]), default=None)
    gaps = max((b[0] - a[0] for a, b in zip(points, points[1:])), default=0.0)
    if last_rise is None or now - last_rise > max(HOLD_SECONDS, 3.0 * gaps):
        return None
    start = next(((t, c) for t, c in points if t >= since), points[0])
    minutes = max((points[-1][0] - start[0]) / 60.0, 1e-9)
    rate = max(0.0, (points[-1][1] - start[1]) / minutes)
    evidence = f"{start[1]:,.0f} → {points[-1][1]:,.0f} since the verdict fired ({minutes:.1f} min), still rising"
    return Verdict(GROWING, "", "", rate, points[-1][1], since, evidence, "goroutines")


class GoroutineGroups:
    """Stack groups over the watch and their verdicts (module docstring)."""

    def __init__(self, config: VerdictConfig) -> None:
        self.config = config
        self._groups: dict[str, TimeWindow] = {}
        self._group_info: dict[str, GroupObservation] = {}
        self._ages: dict[str, deque[AgeRow]] = {}
        self._leaks: tuple[GroupObservation, ...] = ()
        self._leaks_at: float | None = None
        self.arrivals = Arrivals()  # goroutine groups of the dumps
        self._leak_arrivals = Arrivals()  # records of the goroutineleak profile
        self._fired: dict[str, tuple[float, float]] = {}  # group -> (time, count) its GROWING verdict fired at
        self._proven: dict[str, tuple[str, float]] = {}  # group -> (source, time) Go proved it leaked

    @property
    def leaks_at(self) -> float | None:
        return self._leaks_at

    def info(self, key: str) -> GroupObservation | None:
        return self._group_info.get(key)

    def clear(self) -> None:
        self._groups.clear()
        self._group_info.clear()
        self._ages.clear()
        self._leaks, self._leaks_at = (), None
        self.arrivals.clear()
        self._leak_arrivals.clear()
        self._fired.clear()
        self._proven.clear()

    def trim(self, cutoff: float) -> None:
        for s in self._groups.values():
            s.trim(cutoff)

    def observe(self, t: float, observations: Iterable[GroupObservation], *, full: bool = True) -> None:
        """Stack groups of one dump (debug=2 tree or debug=1 counts). `full`: the dump lists every
        goroutine, so a known group that is absent now counts 0 (a drained burst)."""
        obs = {o.key: o for o in observations}
        self.arrivals.observe(t, obs.values())
        evicted: list[str] = []
        room = admit(self._groups, {k: o.count for k, o in obs.items()}, MAX_GROUPS, evicted)
        for key in evicted:
            self._group_info.pop(key, None)
            self._ages.pop(key, None)
        for key, o in obs.items():
            series = self._groups.get(key)
            if series is None:
                if room is not None and key not in room:
                    continue
                series = self._groups[key] = TimeWindow()
            series.push(t, float(o.count))
            old = self._group_info.get(key)
            if old is not None and o.min_minutes is None and not o.tree_keys:
                o = GroupObservation(
                    key,
                    old.reason if o.reason == "unknown" else o.reason,
                    o.count,
                    old.min_minutes,
                    old.max_minutes,
                    o.leaked,
                    o.label or old.label,
                    old.tree_keys,
                    o.functions or old.functions,
                )
            self._group_info[key] = o
            if o.min_minutes is not None:
                self._ages.setdefault(key, deque(maxlen=MAX_POINTS)).append((t, o.count, o.min_minutes, o.max_minutes))
        if full:
            for key, series in list(self._groups.items()):
                if key in obs:
                    continue
                series.push(t, 0.0)
                self._ages.pop(key, None)
                if series.all_zero():
                    del self._groups[key]
                    self._group_info.pop(key, None)
        self.arrivals.retain(self._groups)

    def observe_leaks(self, t: float, observations: Iterable[GroupObservation]) -> None:
        """The goroutineleak profile (every record is a proven leak)."""
        self._leaks = tuple(observations)
        self._leaks_at = t
        self._leak_arrivals.observe(t, self._leaks)
        self._leak_arrivals.retain(o.key for o in self._leaks)

    def verdicts(self, now: float) -> tuple[dict[str, Verdict], dict[str, Verdict]]:
        """(verdicts, context): context holds the waiting patterns that are no alarm (arrivals.py)."""
        cfg = self.config
        out: dict[str, Verdict] = {}
        context: dict[str, Verdict] = {}
        for key, series in self._groups.items():
            info = self._group_info.get(key)
            label = _verdict_label(info.label, info.reason) if info else key
            v = series.cached(label, lambda pts: analyse(key, label, pts, cfg, "goroutines"))[1]  # noqa: B023 (called at once)
            if v is not None:
                self._fired.setdefault(key, (v.since, v.current))
            else:
                held = _held(None, self._fired.get(key), series.points, now)
                if held is None:
                    self._fired.pop(key, None)
                else:
                    v = replace(held, key=key, label=label)
            if v is None and info is not None and key in self._ages:
                v = stuck_verdict(key, label, info.reason, self._ages[key], cfg, now=now)
                if v is not None:
                    v, is_alarm = _with_alarm_reason(v, self.arrivals.arrival(key, now))
                    if not is_alarm:
                        context[key], v = v, None
            if v is not None:
                out[key] = v
        leaked: dict[str, tuple[int, GroupObservation, str, float]] = {}
        if self._leaks_at is not None:
            for o in self._leaks:
                if o.count > 0:
                    leaked[o.key] = (o.count, o, "goroutineleak profile", self._leaks_at)
        for key, info in self._group_info.items():
            if info.leaked and key not in leaked and info.count > 0 and self._groups.get(key):
                leaked[key] = (info.count, info, "marked (leaked) in the goroutine dump", self._groups[key].last_t)
        # proven once, proven while the group lives: a dump that does not mark it, or a leak profile
        # that has not been read again yet, does not clear the proof (the verdict would flap)
        for key, (_, _, source, at) in leaked.items():
            self._proven[key] = (source, at)
        for key, (source, at) in list(self._proven.items()):
            info, alive = self._group_info.get(key), self._groups.get(key)
            if info is None or alive is None or alive.last_value() <= 0:
                del self._proven[key]
            elif key not in leaked:
                leaked[key] = (int(alive.last_value()), info, source, at)
        for key, (count, o, source, at) in leaked.items():
            info = self._group_info.get(key, o)
            reason = info.reason if info.reason != "unknown" else o.reason
            v = leaked_verdict(key, _verdict_label(info.label or o.label, reason), count, at, source=source)
            grow = out.get(key)
            if grow is not None and grow.kind != LEAKED:
                v = Verdict(
                    LEAKED,
                    key,
                    v.label,
                    grow.rate_per_min,
                    v.current,
                    v.since,
                    f"{v.evidence}; also {grow.kind}: {grow.evidence}",
                    v.unit,
                )
            if key == NO_FRAMES_KEY and v.rate_per_min <= 0:
                # no stack to name: only worth a line when it moves or piles up
                # a record without frames is never a group of the dumps: only the leak profile says it arrived
                arrival = self._leak_arrivals.arrival(key, now)
                v, is_alarm = _with_alarm_reason(v, arrival)
                if not is_alarm:
                    context[key] = v
                    continue
            out[key] = v
            context.pop(key, None)
        return out, context

    def with_shape(self, v: Verdict) -> Verdict:
        info = self._group_info.get(v.key)
        if info is None:
            return v
        return hinted(v, match_group(info.reason, info.functions, info.max_minutes), info.functions, collapse_generics)

    def rows(self, verdicts: dict[str, Verdict]) -> list[GroupGrowth]:
        """The groups for the UI, fastest growing first."""
        groups = []
        for key, series in self._groups.items():
            info = self._group_info.get(key)
            pts = series.points
            glabel = _verdict_label(info.label, info.reason) if info else key
            rate = series.cached(glabel, lambda p: analyse(key, glabel, p, self.config, "goroutines"))[0]  # noqa: B023
            count = int(pts[-1][1]) if pts else 0
            verdict = verdicts.get(key)
            groups.append(
                GroupGrowth(
                    key=key,
                    label=info.label if info else key,
                    reason=info.reason if info else "",
                    count=count,
                    rate_per_min=rate,
                    mark=mark(rate, count),
                    spark=tuple(v for _, v in pts[-SPARK_POINTS:]),
                    oldest_minutes=info.max_minutes if info else None,
                    tree_keys=info.tree_keys if info else (),
                    verdict=verdict.kind if verdict else "",
                )
            )
        groups.sort(key=lambda g: (-(g.rate_per_min or 0.0), -g.count, g.key))
        return groups

    def functions(self, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The stack functions of these groups (what a heap function must be to be their memory)."""
        return {k: info.functions for k in keys if (info := self._group_info.get(k)) is not None}

    def last_count(self, key: str) -> float | None:
        s = self._groups.get(key)
        return s.last_value() if s is not None and len(s) else None
