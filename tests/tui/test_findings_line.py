"""The findings line under the sparklines (tui/widgets/findings.py), in a running app at 80×24 and
wider: verdicts by severity, "+N more" when they do not fit, stable from poll to poll (a verdict
absent for one poll stays; ties do not trade places), and a ✓ only when nothing is flagged and the
memory reconciliation says nothing grows."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.waiting import settle
from tui.app import build_app
from tui.leaks.growth import GROWING, LEAKED, STUCK, Verdict
from tui.leaks.reconcile import Reconciliation
from tui.leaks.report import LeakReport
from tui.leaks.shown import HOLD_SECONDS
from tui.widgets.findings import FindingsBar, short_label

NOTHING = Reconciliation((), "nothing", "nothing growing")
HEAP_GROWS = Reconciliation(
    (), "heap", "HeapInuse is growing +1.20MB/min: largest Δinuse: tsdb.(*memSeries).cutNewHeadChunk"
)

LEAK = Verdict(LEAKED, "deliver", "main.(*Dispatcher).deliver [chan send]", 120.0, 1200, 0.0, "", "goroutines")
HEAP = Verdict(GROWING, "main.(*LFUCache).increment", "main.(*LFUCache).increment", 2e6, 2e7, 0.0, "", "bytes")
STUCK_V = Verdict(
    STUCK, "flush", "github.com/acme/svc/store.(*DB).flush [sync.Mutex.Lock]", 0.0, 12, 0.0, "", "goroutines"
)
STEADY = Verdict(LEAKED, "nil", "main.parkNilChanReceive [chan receive (nil chan)]", 0.0, 3, 0.0, "", "goroutines")


def report(t: float, *verdicts: Verdict, rec: Reconciliation = NOTHING, started: float | None = 0.0) -> LeakReport:
    return LeakReport(t, verdicts, (), (), None, None, "", rec, None, watch_started=started)


class FindingsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FindingsBar(id="findings")


async def shown(pilot, bar: FindingsBar, r: LeakReport) -> str:
    bar.show(r)
    await pilot.pause()
    assert Text(bar.plain).cell_len <= bar.content_size.width
    return bar.plain


def order(plain: str, *needles: str) -> list[int]:
    return [plain.index(n) for n in needles]


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_verdicts_by_severity_and_plus_n_more_when_they_do_not_fit(width):
    app = FindingsApp()
    async with app.run_test(size=(width, 24)) as pilot:
        bar = app.query_one(FindingsBar)
        plain = await shown(pilot, bar, report(100.0, STEADY, STUCK_V, HEAP, LEAK))  # any order in
        assert plain.startswith(" leaked  main.(*Dispatcher).deliver")
        if width < 200:  # at 200 all four fit, their wait reasons left out to make room
            assert plain.startswith(" leaked  main.(*Dispatcher).deliver [chan send] +120/min")
        titles = [" leaked ", " growing ", " stuck ", " leaked, steady "]
        present = [t for t in titles if t in plain]
        assert order(plain, *present) == sorted(order(plain, *present))
        if width == 80:
            assert plain.endswith("  +3 more")  # the third verdict is never cut off unseen
        if width == 120:
            assert " growing " in plain and plain.rstrip().endswith("+2 more")
        if width == 200:
            assert present == titles and "more" not in plain and plain.endswith("(L: leak report)")
            assert "main.parkNilChanReceive" in plain and "store.(*DB).flush" in plain  # shortened to fit


async def test_no_check_mark_beside_a_warning():
    app = FindingsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.query_one(FindingsBar)
        # a TSDB's head chunks: no verdict, but the memory reconciliation says the heap grows
        plain = await shown(pilot, bar, report(600.0, rec=HEAP_GROWS))
        assert "✓" not in plain and plain.startswith(" !  HeapInuse is growing")
        assert "✓" not in await shown(pilot, bar, report(610.0, STUCK_V))
        # nothing flagged now, but the stuck verdict is still held: no ✓ either
        assert "✓" not in await shown(pilot, bar, report(620.0))
        # nothing flagged, nothing held, nothing grows: ✓
        assert await shown(pilot, bar, report(630.0 + HOLD_SECONDS)) == " ✓ nothing growing"


async def test_no_check_mark_before_a_verdict_could_have_fired():
    app = FindingsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.query_one(FindingsBar)
        plain = await shown(pilot, bar, report(30.0, started=0.0))
        assert plain == " … watching: verdicts need ≥ 1 min of polls (30 s so far)"
        assert await shown(pilot, bar, report(61.0, started=0.0)) == " ✓ nothing growing"


async def test_stable_across_polls_a_verdict_absent_for_one_poll_stays_shown():
    app = FindingsApp()
    async with app.run_test(size=(160, 24)) as pilot:
        bar = app.query_one(FindingsBar)
        other = Verdict(GROWING, "pool", "main.(*Pool).grow", 40.0, 200, 0.0, "", "goroutines")
        first = await shown(pilot, bar, report(100.0, HEAP, other, STUCK_V))
        assert order(first, "LFUCache", "Pool", "flush") == sorted(order(first, "LFUCache", "Pool", "flush"))
        # next poll: the stuck verdict is missing (a late dump), the two growing ones swapped rates
        faster = Verdict(GROWING, "pool", "main.(*Pool).grow", 9e6, 200, 0.0, "", "goroutines")
        second = await shown(pilot, bar, report(110.0, faster, HEAP))
        assert "store.(*DB).flush" in second  # still shown
        assert second.index("LFUCache") < second.index("Pool")  # ties keep their places
        assert bar.shown[-1].present is False
        third = await shown(pilot, bar, report(120.0, HEAP, other, STUCK_V))
        assert third == first
        # gone for longer than HOLD_SECONDS: it leaves
        assert "flush" not in await shown(pilot, bar, report(121.0 + HOLD_SECONDS, HEAP, other))


async def test_the_dashboard_line_at_80_columns():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        bar = app.screen.query_one(FindingsBar)
        assert "✓" not in bar.plain  # one poll: too early for any verdict, so no ✓ either
        app.dashboard.show_leaks(report(1000.0, STEADY, LEAK, STUCK_V))
        await pilot.pause()
        assert bar.content_size.width == 80
        assert bar.plain.startswith(" leaked  main.(*Dispatcher).deliver") and bar.plain.endswith("+2 more")


def test_labels_lose_their_package_path_before_being_cut():
    label = "github.com/caddyserver/caddy/v2/cmd.cmdRun [select (no cases)]"
    assert short_label(label, 80) == label
    assert short_label(label, 40) == "cmd.cmdRun [select (no cases)]"
    assert short_label("github.com/a/b.(*T).Method", 12) == "b.(*T).Meth…"
    assert short_label(label, 20) == "cmd.cmdRun"  # then the wait reason goes (the L report has it)
    assert short_label("main.appendTo[go.shape.struct { a/b.T }] [chan send]", 30) == "main.appendTo[go.shape.struct…"
    assert "\x1b" not in short_label("evil\x1b[2Jname", 40)  # target text is made visible, never sent raw
