"""Goroutine growth by label value and by creator: "tenant=acme: +2,400 goroutines/min".

A leak spread over many stacks (every handler of one tenant, every worker one spawner starts) may
grow no single stack group fast enough for a verdict; counted by a pprof label value or by the
``created by`` function, it does. One series per label value (``label:KEY=VALUE``) and per creator
(``creator:FUNC``), judged by the goroutine rule (``growth.growing_verdict``).

Sources: labels from any tree that carries labels (debug=1 and proto always; debug=2 from Go 1.26/1.27
when the target prints them: a tree without any label is not a tree of unlabelled goroutines, so it
is not observed as one); creators from debug=2 trees only (debug=1 and proto have no created-by).
Bounded: the ``MAX_PER_OBSERVATION`` biggest values of one observation, ``MAX_SERIES`` series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tui.goroutines.grouping import ReasonGroup
from tui.leaks.growth import GOROUTINE_DEFAULTS, Verdict, VerdictConfig, growing_verdict
from tui.leaks.window import TimeWindow

LABEL_PREFIX = "label:"
CREATOR_PREFIX = "creator:"
MAX_PER_OBSERVATION = 64  # label values (or creators) of one tree followed: the biggest
MAX_SERIES = 256


def label_counts(groups: Iterable[ReasonGroup]) -> dict[str, int]:
    """``label:KEY=VALUE`` -> goroutines so labelled, over the tree's stacks."""
    counts: dict[str, int] = {}
    for rg in groups:
        for bg in rg.buckets:
            for sg in bg.stacks:
                for labels, n in sg.label_counts:
                    for key, value in labels:
                        name = f"{LABEL_PREFIX}{key}={value}"
                        counts[name] = counts.get(name, 0) + n
    return counts


def creator_counts(groups: Iterable[ReasonGroup]) -> dict[str, int]:
    """``creator:FUNC`` -> goroutines that FUNC created (stacks with a created-by line)."""
    counts: dict[str, int] = {}
    for rg in groups:
        for bg in rg.buckets:
            for sg in bg.stacks:
                if sg.created_by is not None:
                    name = CREATOR_PREFIX + sg.created_by.func
                    counts[name] = counts.get(name, 0) + sg.count
    return counts


def angle_label(key: str) -> str:
    """What a verdict shows: "tenant=acme", "created by main.(*Spawner).run"."""
    if key.startswith(LABEL_PREFIX):
        return key[len(LABEL_PREFIX) :]
    return "created by " + key.removeprefix(CREATOR_PREFIX)


class AngleSeries:
    """The count series of label values and creators, and their GROWING verdicts."""

    def __init__(self, config: VerdictConfig = GOROUTINE_DEFAULTS) -> None:
        self.config = config
        self._series: dict[str, TimeWindow] = {}

    def observe(self, t: float, counts: Mapping[str, int], prefix: str) -> None:
        """One tree's counts of one kind (``prefix``: LABEL_PREFIX or CREATOR_PREFIX); a followed
        value of that kind absent now counts 0."""
        biggest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PER_OBSERVATION]
        seen = set()
        for key, n in biggest:
            series = self._series.get(key)
            if series is None:
                if len(self._series) >= MAX_SERIES:
                    continue
                series = self._series[key] = TimeWindow()
            series.push(t, float(n))
            seen.add(key)
        for key, series in list(self._series.items()):
            if key.startswith(prefix) and key not in seen:
                series.push(t, 0.0)
                if series.all_zero():
                    del self._series[key]

    def trim(self, before: float) -> None:
        for series in self._series.values():
            series.trim(before)

    def clear(self) -> None:
        self._series.clear()

    def verdicts(self) -> tuple[Verdict, ...]:
        """GROWING verdicts of the label values and creators, fastest first."""
        out = []
        for key, series in self._series.items():
            label = angle_label(key)
            v = growing_verdict(key, label, series.points, self.config, unit="goroutines")
            if v is not None:
                out.append(v)
        out.sort(key=lambda v: (-v.rate_per_min, v.key))
        return tuple(out)


def observe_tree(angles: AngleSeries, t: float, groups: tuple[ReasonGroup, ...], *, has_creators: bool) -> None:
    """Feed one tree: its labels when it carries any, its creators when ``has_creators`` (debug=2)."""
    labels = label_counts(groups)
    if labels:
        angles.observe(t, labels, LABEL_PREFIX)
    if has_creators:
        angles.observe(t, creator_counts(groups), CREATOR_PREFIX)
