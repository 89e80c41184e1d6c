"""The GC sparklines (allocation rate, GC/min, GC CPU since start, pause p99), the alloc/s heap views
(keys 5 and 6: what each function allocated per second between the two newest heap profiles) and the
GC finding in the findings line: Pilot tests and snapshots at 80x24."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import flat_profile
from tests.tui.test_findings_line import report
from tests.tui.waiting import settle
from tui.app import build_app
from tui.leaks.gc_pressure import CHURN, LIVE_HEAP, GCFinding
from tui.leaks.growth import Verdict
from tui.model import snapshot as snap
from tui.screens.presenters import HeapView, heap_seen, heap_window, top_for
from tui.widgets.findings import findings_text
from tui.widgets.sparklines import MetricSpark, fmt_bytes_per_s, fmt_ns, fmt_per_min

BEFORE = {"main.churn": 1_000_000, "main.steady": 4_000_000}
AFTER = {"main.churn": 21_000_000, "main.steady": 4_500_000}  # +20 MB and +0.5 MB in 10 s


def _at(snapshot, heap_at: float):
    ages = dict(snapshot.ages)
    ages[snap.HEAP] = snap.DataAge(snap.HEAP, heap_at, 1.0)
    return replace(snapshot, ages=MappingProxyType(ages))


def _two_profiles():
    first = _at(make_snapshot(1, heap=flat_profile(BEFORE)), 100.0)
    second = _at(make_snapshot(2, heap=flat_profile(AFTER)), 110.0)
    return first, second


def test_rate_formatters():
    assert fmt_bytes_per_s(1572864) == "1.50MB/s"
    assert fmt_per_min(0.5) == "0.5/min" and fmt_per_min(1200) == "1,200/min"
    assert fmt_ns(850) == "850ns" and fmt_ns(350_000) == "350µs" and fmt_ns(1_200_000) == "1.2ms"
    assert fmt_ns(1.5e9) == "1.50s"


def test_alloc_per_second_between_two_profiles():
    first, second = _two_profiles()
    seen = heap_seen(None, first.heap, 100.0)
    assert heap_window(seen) is None  # one profile: no window yet
    same = heap_seen(seen, flat_profile(BEFORE), 105.0)  # no GC in between: the same counts
    assert same.first_at == 100.0 and heap_window(same) is None
    seen = heap_seen(same, second.heap, 110.0)
    window = heap_window(seen)
    assert window is not None and window.seconds == 10.0 and window.previous is same.profile
    assert heap_window(heap_seen(seen, flat_profile(AFTER), 115.0)) == window  # still the newest GC's window
    report = top_for(second.heap, HeapView(sample_type="alloc_space/s"), window)
    rows = {r.name: r.flat for r in report.rows if r.flat}
    assert rows == {"main.churn": 2_000_000, "main.steady": 50_000}
    assert report.total == 2_050_000 and report.sample_type == "alloc_space/s"
    # no second profile yet, or counters that went backwards (a restart): no rows, never negative
    assert top_for(second.heap, HeapView(sample_type="alloc_space/s"), None).rows == ()
    assert heap_window(heap_seen(heap_seen(None, second.heap, 100.0), first.heap, 110.0)) is None  # a restart
    assert heap_window(heap_seen(heap_seen(None, first.heap, None), second.heap, None)) is None  # offline files


async def test_sparklines_show_the_gc_series_and_say_gc_cpu_is_since_start():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert screen.query_one("#spark-alloc", MetricSpark).current_text == fmt_bytes_per_s(2e6 + 5e4 * (29 % 7))
        assert screen.query_one("#spark-gcmin", MetricSpark).current_text == "7.0/min"
        assert screen.query_one("#spark-pause", MetricSpark).current_text == "160µs"
        gccpu = screen.query_one("#spark-gccpu", MetricSpark)
        assert gccpu.current_text == "2.90% since start" and "since" not in gccpu.scale_text
        assert screen.query_one("#spark-pause").display and screen.query_one("#spark-gccpu").display
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:  # 80 columns: alloc/s and GC/min, not the extras
        await settle(pilot, app)
        assert app.screen.query_one("#spark-alloc").display and app.screen.query_one("#spark-gcmin").display
        assert not app.screen.query_one("#spark-pause").display


async def test_key_5_shows_alloc_per_second_with_its_window():
    first, second = _two_profiles()
    source = CannedSource(first)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await settle(pilot, app)
        info = app.screen.query_one("#heap-info").text
        assert "waiting for a second heap profile" in info
        source.push(second)
        await settle(pilot, app)
        table = app.screen.query_one("#heap")
        assert table.report is not None and {r.name: r.flat for r in table.report.rows}["main.churn"] == 2_000_000
        info = app.screen.query_one("#heap-info").text
        assert "alloc_space/s 1.96MB/s, last window 10 s" in info
        assert "alloc_space/s · last 10 s" in str(app.screen.query_one("#heap-pane").border_title)


CHURN_FINDING = GCFinding(
    CHURN,
    "GC is running 416×/min, 0.32 % CPU since start, while the live heap is not growing (~2.34MB): churn, "
    "allocating 20.22MB/s",
    "",
    416.0,
    0.0032,
    False,
    False,
    2.3e6,
    None,
    2.02e7,
    0.0,
)
HEAP_FINDING = GCFinding(
    LIVE_HEAP,
    "GC is running 526×/min and takes 8.6 % CPU since start and rising, because the live heap grows (+24.80MB/min)",
    "",
    526.0,
    0.086,
    True,
    True,
    7e7,
    2.6e7,
    8e5,
    0.0,
)


def test_findings_line_tells_the_gc_finding_in_the_longest_form_that_fits():
    wide = findings_text(replace(report(300.0), gc=CHURN_FINDING), 200).plain
    assert wide.startswith(" GC  GC is running 416×/min") and "churn, allocating 20.22MB/s" in wide
    narrow = findings_text(replace(report(300.0), gc=CHURN_FINDING), 80).plain
    assert narrow == " GC  416×/min: churn, allocating 19.26MB/s, the live heap not growing"
    heap = findings_text(replace(report(300.0), gc=HEAP_FINDING), 80).plain
    assert heap.startswith(" GC  526×/min, because the live heap grows +24.80MB/min")
    grows = Verdict("growing", "main.f", "main.(*LFUCache).increment", 31.73e6, 79e6, 0.0, "x", "bytes")
    beside = findings_text(replace(report(300.0, grows), gc=HEAP_FINDING), 80).plain
    assert beside.startswith(" growing  main.(*LFUCache).increment") and beside.endswith("GC  526×/min, heap grows")
    assert "GC" not in findings_text(report(300.0, grows), 80).plain


def _alloc_view(source, second):
    async def run_before(pilot):
        await settle(pilot, pilot.app)
        source.push(second)  # a second heap profile, 10 s after the first
        await settle(pilot, pilot.app)
        await pilot.press("5")
        await settle(pilot, pilot.app)

    return run_before


async def _settled(pilot):
    await settle(pilot, pilot.app)


def test_alloc_per_second_view_80x24(snap_compare):
    first, second = _two_profiles()
    source = CannedSource(first)
    assert snap_compare(build_app(source), terminal_size=(80, 24), run_before=_alloc_view(source, second))


def test_gc_sparklines_80x24(snap_compare):
    assert snap_compare(build_app(CannedSource(make_snapshot(1))), terminal_size=(80, 24), run_before=_settled)


def test_gc_sparklines_160x48(snap_compare):
    assert snap_compare(build_app(CannedSource(make_snapshot(1))), terminal_size=(160, 48), run_before=_settled)


def test_the_leak_report_tells_the_gc_finding_with_its_evidence():
    from tui.screens.leak_screen import report_text

    finding = replace(HEAP_FINDING, evidence="1,246 GC cycles in 2.8 min; GC/min 359.9 → 526.3")
    lines = [t.plain for t, _ in report_text(replace(report(300.0), gc=finding), 300.0).lines]
    assert "  " + HEAP_FINDING.sentence in lines and "  1,246 GC cycles in 2.8 min; GC/min 359.9 → 526.3" in lines
    lines = [t.plain for t, _ in report_text(report(300.0), 300.0).lines]
    assert not any("GC is running" in line for line in lines)
