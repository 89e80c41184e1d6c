"""The service's own numbers (issue #28): its Prometheus `/metrics` page, `/debug/vars` (expvar) and
`/debug/fgprof`, looked for at start and kept apart from the pprof endpoints' logic (a part the
poller calls once a tick; it owns its state).

Discovery is cheap and optional: one GET of `/metrics` (the target's listener, or `--metrics URL` on
the same host), one of `/debug/vars`, and `/debug/fgprof?seconds=0` (fgprof answers a zero duration
with HTTP 400 "bad seconds" at once, without profiling; 404 = not registered). A target without them
loses nothing: a 404 is remembered and never asked again. Every request goes through the poller's
`_poll` (deadlines, body bound, auth, TLS, masking, costs, backoff, recording) and `/metrics` is a
cheap endpoint on its own cadence (`metrics_every` ticks, stretched like the others when answers are
slow). Its page is indexed and the watched families parsed in the poll's thread; the points go to the
history under each `Watched.key`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tui.config import Config
from tui.core.errors import ParseError
from tui.fetch.errors import FetchError, HTTPStatusError, NotFound
from tui.metrics.page import FamilyInfo, index_page
from tui.metrics.spec import SeriesSpec, parse_spec
from tui.metrics.state import NOT_SERVED, SERVED, UNKNOWN, MetricsState
from tui.metrics.watch import MetricsWatch
from tui.model.history import History
from tui.service import endpoints as E

PollFn = Callable[[E.Endpoint, Callable[[bytes], object], Callable[..., None]], Awaitable[bool]]
FOUND_ORDER = (E.METRICS, E.VARS, E.FGPROF)
PROBE_TRIES = 5
PATHS = {E.METRICS: "/metrics", E.VARS: "/debug/vars", E.FGPROF: "/debug/fgprof"}


class _Scrape:
    """What one /metrics answer gives: its families and the watched series' new points."""

    __slots__ = ("dropped", "families", "points")

    def __init__(self, families: tuple[FamilyInfo, ...], dropped: int, points: dict[str, float]) -> None:
        self.families, self.dropped, self.points = families, dropped, points


class ServiceMetrics:
    def __init__(self, config: Config, history: History, clock: Callable[[], float]) -> None:
        self.enabled = config.metrics
        self.history = history
        self.clock = clock
        self.watch = MetricsWatch([parse_spec(s) for s in config.metric_specs])
        self.found: dict[str, str] = dict.fromkeys(FOUND_ORDER, UNKNOWN)
        self.families: tuple[FamilyInfo, ...] = ()
        self.dropped = 0
        self.scraped_at: float | None = None
        self._probes: dict[str, int] = {}  # probes asked per endpoint

    def pin(self, spec: SeriesSpec) -> None:
        self.watch.pin(spec)

    async def poll(
        self, poll: PollFn, last_failure: Callable[[], Exception | None], eps: dict[str, E.Endpoint], tick: int
    ) -> None:
        if not self.enabled:
            return
        for name in (E.VARS, E.FGPROF):
            ep = eps[name]
            if self.found[name] == UNKNOWN and ep.not_before <= self.clock():
                ok = await poll(ep, _expvar if name == E.VARS else bytes, self._ignore)
                answer = SERVED if ok else self._probe_answer(name, last_failure())
                self._probes[name] = self._probes.get(name, 0) + 1
                # an answer that says nothing (a timeout, a replay not there yet) is asked again after
                # the endpoint's backoff, a few times, before it is shown
                if answer in (SERVED, NOT_SERVED) or self._probes[name] >= PROBE_TRIES:
                    self.found[name] = answer
        metrics, state, now = eps[E.METRICS], self.found[E.METRICS], self.clock()
        first = state == UNKNOWN and metrics.not_before <= now
        if state != NOT_SERVED and (first or metrics.due(tick, now)):
            ok = await poll(metrics, self._scrape, self._on_scrape)
            self._probes[E.METRICS] = self._probes.get(E.METRICS, 0) + 1
            if ok:
                self.found[E.METRICS] = SERVED
                return
            failure = last_failure()
            if isinstance(failure, NotFound):
                self.found[E.METRICS] = NOT_SERVED
            elif state != UNKNOWN or self._probes[E.METRICS] >= PROBE_TRIES:
                self.found[E.METRICS] = _short(failure)

    @staticmethod
    def _probe_answer(name: str, failure: Exception | None) -> str:
        if name == E.FGPROF and isinstance(failure, HTTPStatusError) and failure.status == 400:
            return SERVED  # fgprof's "bad seconds: 0": registered
        if isinstance(failure, (NotFound, HTTPStatusError)):
            return NOT_SERVED
        return _short(failure)

    def _ignore(self, _body: object, _cost: float) -> None:
        pass

    def _scrape(self, body: bytes) -> _Scrape:
        """In the poll's thread: index the page and compute the watched series."""
        page = index_page(body)
        points = self.watch.observe(self.clock(), page)
        return _Scrape(tuple(page.families.values()), page.dropped_families, points)

    def _on_scrape(self, scrape: _Scrape, _cost: float) -> None:
        self.families, self.dropped = scrape.families, scrape.dropped
        self.scraped_at = self.clock()
        self.history.push_many(self.scraped_at, scrape.points)

    def found_line(self) -> str:
        """What discovery found, for the status line ("" until something answered; what is not
        served is left out: a target without it loses nothing)."""
        state = self.state()
        return state.found_line if state is not None else ""

    def state(self) -> MetricsState | None:
        if not self.enabled:
            return None
        return MetricsState(
            found=tuple((PATHS[n], self.found[n]) for n in FOUND_ORDER),
            watched=self.watch.watched,
            families=self.families,
            scraped_at=self.scraped_at,
            errors=tuple(self.watch.errors.items()),
            dropped_families=self.dropped,
        )


def _expvar(body: bytes) -> bytes:
    """/debug/vars is a JSON object (expvar); a 200 with anything else is no expvar."""
    if not body.lstrip().startswith(b"{"):
        raise ParseError("/debug/vars: not an expvar JSON object", kind="expvar")
    return body


def _short(failure: Exception | None) -> str:
    if isinstance(failure, (FetchError, ParseError)):
        return str(failure).split(": ", 1)[-1][:80]
    return type(failure).__name__ if failure is not None else "failed"
