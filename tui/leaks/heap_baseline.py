"""Heap growth: a pinned baseline profile and the live diff against it (``pprof -base``),
plus per-function inuse values for growth series (pure, stdlib only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tui.core.errors import ParseError
from tui.heap.diff import diff
from tui.heap.footprint import PPROF_OWN
from tui.heap.profile import Profile
from tui.heap.top import TopReport, top

DEFAULT_SAMPLE_TYPE = "inuse_space"
SERIES_FUNCTIONS = 40  # functions per profile that feed growth series (largest flat first)


@dataclass(frozen=True, slots=True)
class Baseline:
    profile: Profile
    pinned_at: float  # clock time
    reason: str  # "start", "pinned by user", "target restarted"


@dataclass(frozen=True, slots=True)
class HeapDiff:
    """current - baseline per function for one sample type, rows sorted by |Δflat| (pprof -base -top)."""

    report: TopReport  # rows' flat/cum are deltas
    baseline_at: float
    current_at: float
    baseline_reason: str
    baseline_profile: Profile | None = None  # what was subtracted (the flame graph's base)

    @property
    def growing(self) -> tuple[tuple[str, int], ...]:
        """(function, Δflat) with Δflat > 0, biggest first."""
        rows = sorted((r for r in self.report.rows if r.flat > 0), key=lambda r: -r.flat)
        return tuple((r.name, r.flat) for r in rows)


def pick_sample_type(profile: Profile, wanted: str | None) -> str | None:
    """`wanted` if the profile has it, else its default sample type (None if it has none)."""
    names = [st.type for st in profile.sample_types]
    if not names:
        return None
    if wanted and wanted in names:
        return wanted
    return names[profile.sample_index(None)]


def heap_diff(
    current: Profile,
    baseline: Baseline,
    *,
    current_at: float,
    sample_type: str | None = DEFAULT_SAMPLE_TYPE,
    nodecount: int | None = None,
    hide_pprof_own: bool = True,
) -> HeapDiff | None:
    """The live diff, or None when the two profiles have no common sample type. With
    `hide_pprof_own`, stacks through pprof's serving path (our polling's footprint) are left out."""
    name = pick_sample_type(current, sample_type)
    if name is None or name not in [st.type for st in baseline.profile.sample_types]:
        return None
    try:
        delta = diff(current, baseline.profile)
        ignore = PPROF_OWN if hide_pprof_own else None
        report = top(delta, name, sort="flat", nodecount=nodecount, node_fraction=0.0, ignore=ignore)
    except ParseError:
        return None
    return HeapDiff(report, baseline.pinned_at, current_at, baseline.reason, baseline.profile)


def function_values(
    profile: Profile, sample_type: str | None = DEFAULT_SAMPLE_TYPE, *, limit: int = SERIES_FUNCTIONS
) -> Mapping[str, int]:
    """Flat value per function (top's stable key) for the `limit` biggest, for growth series; the
    stacks through pprof's serving path are our polling's footprint, never the service's growth."""
    name = pick_sample_type(profile, sample_type)
    if name is None:
        return MappingProxyType({})
    report = top(profile, name, sort="flat", nodecount=limit, node_fraction=0.0, ignore=PPROF_OWN)
    return MappingProxyType({r.key: r.flat for r in report.rows if r.flat > 0})
