"""Which series to watch on a /metrics page, and their values scrape after scrape.

The default pick, by the conventions client libraries follow: the busiest request-duration
histogram (`*_request_duration_seconds`, `http_server_*duration*`, `grpc_server_handling_seconds`;
busiest = most observations counted; without one, the busiest other `*_duration_seconds` histogram
that is not a `_debugging_` one, e.g. etcd's WAL fsync) gives p50, p99 and requests/s (its `_count`); a request counter
(`*_requests_total`, `http_server_requests_total`, `grpc_server_handled_total`) with a status-code
label gives errors/s (one sharing the histogram's prefix first); Go's runtime histogram
`go_sched_latencies_seconds` (client_golang's runtime metrics, Go >= 1.17) gives its p99 where the
page has it. The user's `--metric` specs and picks come first.

Only the watched families are parsed (`tui.metrics.parse`), so a scrape costs the page's index plus a
few families however big the page is. `MetricsWatch.observe(t, page)` returns the new points, keyed
by `SeriesSpec.key`, for the history rings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.core.errors import ParseError
from tui.metrics.page import MetricsPage
from tui.metrics.parse import MetricFamily, parse_block, parse_family
from tui.metrics.spec import SeriesSpec
from tui.metrics.values import has_error_label, series_value

_LATENCY = re.compile(r"(?:_request_duration_seconds$|^http_server_.*duration|^grpc_server_handling_seconds$)")
# No request histogram (etcd without --metrics=extensive): the busiest other duration histogram
# (etcd's WAL fsync, backend commit) still says what the service waits on.
_DURATION = re.compile(r"_duration_seconds$|_latency_seconds$")
_REQUESTS = re.compile(r"(?:_requests_total$|^http_server_requests(?:_total)?$|^grpc_server_handled(?:_total)?$)")
RUNTIME = ("go_sched_latencies_seconds",)
MAX_CANDIDATES = 64  # latency families ranked by their _count at most
MAX_WATCHED = 16
REPICK_EVERY = 3  # scrapes between picks while the default pick is incomplete


@dataclass(frozen=True, slots=True)
class WatchedSeries:
    """One watched series: what it is, how it is shown, where its points are."""

    spec: SeriesSpec
    label: str  # "p99 prometheus_http_request_duration_seconds"
    unit: str  # "s", "/s", "" (the family's own)
    role: str  # "latency", "rate", "errors", "runtime", "pinned"
    key: str  # history series key


def resolve(page: MetricsPage, name: str) -> str | None:
    """The page's family for a name as the user may type it (with or without a sample suffix)."""
    if name in page.families:
        return name
    for candidate in (name + "_total", *(name.removesuffix(s) for s in ("_total", "_bucket", "_count", "_sum"))):
        if candidate != name and candidate in page.families:
            return candidate
    return None


def unit_of(spec: SeriesSpec, kind: str) -> str:
    if spec.stat in ("rate", "errors") or (not spec.stat and kind == "counter"):
        return "/s"
    return "s" if spec.family.endswith("_seconds") else ""


def _observations(page: MetricsPage, name: str) -> float:
    """A histogram's observations counted so far (its `_count` lines only, summed): its busyness."""
    block = page.block(name)
    lines = re.findall(rf"^{re.escape(name)}_count(?:\{{[^\n]*\}})?[ \t][^\n]*$", block, re.M)
    if not lines:
        return 0.0
    mini = f"# TYPE {name} histogram\n" + "\n".join(lines[:10_000]) + "\n"
    try:
        family = parse_block(mini, name, "histogram", "", page.openmetrics)
    except ParseError:
        return 0.0
    return sum(s.value for s in family.samples if s.name == name + "_count" and math.isfinite(s.value))


def pick_default(page: MetricsPage) -> tuple[WatchedSeries, ...]:
    picked: list[WatchedSeries] = []
    histograms = [n for n, f in page.families.items() if f.type == "histogram" and not n.startswith("go_")]
    latency = [n for n in histograms if _LATENCY.search(n)] or [
        n for n in histograms if _DURATION.search(n) and "_debugging_" not in n
    ]
    busiest = max(latency[:MAX_CANDIDATES], key=lambda n: _observations(page, n), default=None)
    if busiest is not None:
        for stat, role in (("p50", "latency"), ("p99", "latency"), ("rate", "rate")):
            spec = SeriesSpec(busiest, (), stat)
            label = ("req/s" if _LATENCY.search(busiest) else "ops/s") if stat == "rate" else stat
            picked.append(WatchedSeries(spec, f"{label} {busiest}", unit_of(spec, "histogram"), role, spec.key))
    counters = [n for n, f in page.families.items() if f.type == "counter" and _REQUESTS.search(n)]
    prefix = busiest.split("_")[0] if busiest else ""
    counters.sort(key=lambda n: not (prefix and n.startswith(prefix + "_")))
    for name in counters[:8]:
        try:
            family = parse_family(page, name)
        except ParseError:
            continue
        if has_error_label(family):
            spec = SeriesSpec(name, (), "errors")
            picked.append(WatchedSeries(spec, f"errors/s {name}", "/s", "errors", spec.key))
            break
    for name in RUNTIME:
        if page.families.get(name) and page.families[name].type == "histogram":
            spec = SeriesSpec(name, (), "p99")
            picked.append(WatchedSeries(spec, f"p99 {name}", "s", "runtime", spec.key))
    return tuple(picked)


def pinned(spec: SeriesSpec) -> WatchedSeries:
    label = f"{spec.stat or 'value'} {spec.family}" if not spec.matchers else spec.text
    return WatchedSeries(spec, label, "", "pinned", spec.key)


class MetricsWatch:
    """Feed it every scrape in time order; `observe` returns the new points of the watched series."""

    def __init__(self, specs: Sequence[SeriesSpec] = (), *, defaults: bool = True) -> None:
        self._pinned: list[WatchedSeries] = [pinned(s) for s in specs]
        self._defaults: tuple[WatchedSeries, ...] | None = None if defaults else ()
        self._prev: dict[str, MetricFamily] = {}
        self._prev_t: float | None = None
        self._scrapes = 0
        self.errors: dict[str, str] = {}  # spec text -> why it has no value (family missing, parse error)

    @property
    def watched(self) -> tuple[WatchedSeries, ...]:
        seen: set[str] = set()
        out = []
        for w in (*self._pinned, *(self._defaults or ())):
            if w.key not in seen:
                seen.add(w.key)
                out.append(w)
        return tuple(out[:MAX_WATCHED])

    def _incomplete(self) -> bool:
        """The default pick lacks a latency histogram or an error counter (none had samples yet)."""
        roles = {w.role for w in self._defaults or ()}
        return "latency" not in roles or "errors" not in roles

    def pin(self, spec: SeriesSpec) -> None:
        if all(w.key != spec.key for w in self._pinned):
            self._pinned = [*self._pinned, pinned(spec)]  # a new list: a scrape's thread may be reading it

    def unpin(self, key: str) -> None:
        self._pinned = [w for w in self._pinned if w.key != key]

    def reset(self) -> None:
        """The target restarted: rates and deltas start over."""
        self._prev.clear()
        self._prev_t = None

    def observe(self, t: float, page: MetricsPage) -> dict[str, float]:
        self._scrapes += 1
        if self._defaults is None or (self._incomplete() and self._scrapes % REPICK_EVERY == 0):
            self._defaults = pick_default(page)  # again while a role is missing: a young service's page
        dt = t - self._prev_t if self._prev_t is not None else 0.0
        families: dict[str, MetricFamily] = {}
        points: dict[str, float] = {}
        errors: dict[str, str] = {}
        for w in self.watched:
            name = resolve(page, w.spec.family)
            if name is None:
                errors[w.spec.text] = "not on the page"
                continue
            if name not in families:
                try:
                    families[name] = parse_family(page, name)
                except ParseError as exc:
                    errors[w.spec.text] = str(exc)
                    continue
            value = series_value(w.spec, self._prev.get(name), families[name], dt)
            if value is not None and math.isfinite(value):
                points[w.key] = value
        self._prev, self._prev_t, self.errors = families, t, errors
        return points


def family_rows(page: MetricsPage) -> Iterable[tuple[str, str, str]]:
    """(name, type, help) of every family, in page order: the picker's list."""
    return ((f.name, f.type, f.help) for f in page.families.values())
