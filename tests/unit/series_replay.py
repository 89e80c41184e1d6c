"""Replay a recorded series (tests/fixtures/series/*.json) through a LeakTracker."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tui.goroutines.match_keys import GroupObservation
from tui.leaks.reconcile import GOROUTINES, HEAP_PROFILE
from tui.leaks.report import LeakReport
from tui.leaks.tracker import LeakTracker

SERIES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "series"


def load(name: str) -> dict:
    return json.loads((SERIES_DIR / f"{name}.json").read_text())


def _groups(rows: list[dict]) -> list[GroupObservation]:
    return [
        GroupObservation(
            key=r["key"],
            reason=r["reason"],
            count=r["count"],
            min_minutes=r["min"],
            max_minutes=r["max"],
            leaked=r["leaked"],
            label=r["label"],
        )
        for r in rows
    ]


def events(data: dict) -> list[tuple[float, str, object]]:
    """(t, kind, payload) in time order; on ties metrics first (as a poll reads them first)."""
    out: list[tuple[float, int, str, object]] = []
    for p in data["polls"]:
        values = dict(p["mem"])
        if p["goroutines"] is not None:
            values[GOROUTINES] = p["goroutines"]
        if "inuse_space" in p["heap_totals"]:
            values[HEAP_PROFILE] = p["heap_totals"]["inuse_space"]
        out.append((p["t"], 0, "metrics", values))
    for h in data["heap"]:
        out.append((h["t"], 1, "heap", h["flat"]))
    for kind in ("tree", "stacks"):
        for d in data[kind]:
            out.append((d["t"], 2, "groups", _groups(d["groups"])))
    for d in data["leaks"]:
        out.append((d["t"], 3, "leaks", _groups(d["groups"])))
    out.sort(key=lambda e: (e[0], e[1]))
    return [(t, kind, payload) for t, _, kind, payload in out]


@dataclass
class Replay:
    tracker: LeakTracker
    reports: list[LeakReport] = field(default_factory=list)
    first_flag: dict[tuple[str, str], float] = field(default_factory=dict)  # (kind, label) -> t

    def flagged_labels(self) -> set[str]:
        return {label for _, label in self.first_flag}


def replay(data: dict, tracker: LeakTracker | None = None, *, until: float | None = None) -> Replay:
    tracker = tracker or LeakTracker()
    result = Replay(tracker)
    for t, kind, payload in events(data):
        if until is not None and t > until:
            break
        if kind == "metrics":
            tracker.observe_metrics(t, payload)
        elif kind == "heap":
            tracker.observe_function_values(t, payload)
        elif kind == "groups":
            tracker.observe_groups(t, payload)
        else:
            tracker.observe_leaks(t, payload)
        report = tracker.report(t)
        result.reports.append(report)
        for v in report.verdicts:
            result.first_flag.setdefault((v.kind, v.label), t)
    return result
