"""The fleet view of `watch TARGET TARGET...` (tui/screens/fleet.py, tui/app/fleet.py FleetApp) on canned
snapshots at 80x24: one row per target, the sick replica first with its outlier; enter focuses it in
the dashboard, esc comes back, `]` cycles; each target has its own leak tracker."""

from __future__ import annotations

import pytest

from tests.oracles.reference import group_goroutines, parse_debug2
from tests.tui.canned import CannedSource, load, make_snapshot
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle, wait_for
from tui.app import FleetApp, build_app
from tui.fleet.outliers import Outlier
from tui.model import snapshot as snap
from tui.screens.dashboard import Dashboard
from tui.screens.fleet import FleetScreen, fleet_rows
from tui.screens.fleet_compare import FleetCompareScreen
from tui.sources.fleet import FleetSource
from tui.widgets.keyed_table import KeyedTable
from tui.widgets.status_bar import StatusBar

SICK = 600


def _sick_groups():
    """The fixture's goroutines plus SICK blocked sending in main.fetchAll.func1."""
    block = "goroutine {id} [chan send, 5 minutes]:\nmain.fetchAll.func1()\n\t/srv/fetch.go:42 +0x2\n"
    extra = parse_debug2("\n".join(block.format(id=10_000 + i) for i in range(SICK)))
    _, _, dump = load()
    return group_goroutines(dump) + group_goroutines(extra)


def _fleet() -> FleetSource:
    return FleetSource(
        [
            ("pod-1", CannedSource(make_snapshot(1, target="10.0.0.1:6060"))),
            (
                "pod-2",
                CannedSource(make_snapshot(1, target="10.0.0.2:6060", groups=_sick_groups(), goroutine_total=906)),
            ),
            ("pod-3", CannedSource(make_snapshot(1, target="10.0.0.3:6060"))),
        ]
    )


def fleet_ready(app) -> bool:
    """Every target's report and the outliers are in, and the fleet view was repainted with them."""
    if not (app.outliers and len(app.fleet_feed.latest) == 3 and isinstance(app.screen, FleetScreen)):
        return False
    rows = app.screen.rows
    return len(rows) == 3 and any(r.outliers for r in rows) and all(r.state != "waiting" for r in rows)


def _status_target(app) -> str:
    return app.screen.query_one(StatusBar).info.target


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_fleet_view_flags_the_sick_replica_and_focuses_it(size):
    app = build_app(_fleet())
    assert isinstance(app, FleetApp)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: fleet_ready(app))
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, FleetScreen)
        rows = screen.rows
        assert [r.target for r in rows] == ["pod-2", "pod-1", "pod-3"]  # findings first
        assert rows[0].outliers[0] == f"{SICK} vs 0: main.fetchAll.func1 [chan send]"
        assert all(not r.outliers for r in rows[1:])
        lines = screen_text(app)
        assert lines[0].startswith(" 3 targets, 1 with findings")
        cells = lines[2].split()
        if size[0] >= 140:  # the goroutine trend (bars) and the goroutine stacks too
            assert cells[3] == "▁▂▃▄▅▆▇█" and cells[5] == "1.03MB"  # 166 -> 187 on its own scale
            del cells[5], cells[3]
        assert cells[:7] == ["pod-2", "live", "906", "20.46MB", "600", "vs", "0:"]
        assert "main.fetch" in lines[2]
        assert [line.split()[0] for line in lines[3:5]] == ["pod-1", "pod-3"]

        table = screen.query_one(KeyedTable)
        assert table.cursor_key in ("pod-1", "pod-2")  # pod-1 when it came alone first: the cursor follows its row
        await pilot.press("k", "enter")  # up to the sick one, focus it
        await settle(pilot, app)
        assert isinstance(app.screen, Dashboard)
        assert "10.0.0.2" in _status_target(app)
        first_dashboard = app.screen

        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, FleetScreen)

        assert table.cursor_key == "pod-2"
        await pilot.press("j", "enter")  # pod-1
        await settle(pilot, app)
        assert isinstance(app.screen, Dashboard) and app.screen is not first_dashboard
        assert "10.0.0.1" in _status_target(app)
        assert app.leak_report is app.fleet_feed.latest["pod-1"]  # its own tracker's report

        await pilot.press("right_square_bracket")  # the next target in the command line's order
        await settle(pilot, app)
        assert app.fleet.focused == "pod-2" and "10.0.0.2" in _status_target(app)


async def test_a_target_that_never_answered_waits_without_holding_the_others():
    quiet = CannedSource()  # sends nothing
    source = FleetSource([("up", CannedSource(make_snapshot(1))), ("down", quiet)])
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any(r.target == "up" and r.state == snap.LIVE for r in app.screen.rows))
        await settle(pilot, app)
        rows = {r.target: r for r in app.screen.rows}
        assert rows["up"].state == snap.LIVE and rows["up"].goroutines is not None
        assert rows["down"].state == "waiting" and rows["down"].goroutines is None


def test_fleet_rows_sort_and_say_errors():
    up = make_snapshot(1, goroutine_total=50)
    failing = make_snapshot(2, state=snap.RECONNECTING, last_error="connection refused", goroutine_total=900)
    outlier = Outlier("b", "goroutines", "k", "main.f [select]", "goroutines", 900, 10, 1, 3)
    rows = fleet_rows(["a", "b", "c"], {"a": up, "b": failing}, {}, [outlier])
    assert [r.target for r in rows] == ["b", "a", "c"]
    assert rows[0].findings == "900 vs 10: main.f [select]"
    assert (rows[1].findings, rows[2].findings, rows[2].state) == ("nothing found", "", "waiting")
    no_outlier = fleet_rows(["a", "b"], {"a": up, "b": failing}, {}, [], sort="goroutines")
    assert [(r.target, r.findings) for r in no_outlier] == [("b", "connection refused"), ("a", "nothing found")]
    assert [r.target for r in fleet_rows(["b", "a"], {}, {}, [], sort="target")] == ["a", "b"]


def test_fleet_source_gives_the_dashboard_only_the_focused_target():
    a, b = CannedSource(), CannedSource()
    fleet = FleetSource([("a", a), ("b", b)])
    seen, members = [], []
    fleet.on_snapshot = seen.append
    fleet.on_member_snapshot = lambda label, s: members.append((label, s.seq))
    fleet.start()
    a.push(make_snapshot(1))
    b.push(make_snapshot(2))
    fleet.focus("b")
    b.push(make_snapshot(3))
    assert [s.seq for s in seen] == [1, 3]
    assert members == [("a", 1), ("b", 2), ("b", 3)]
    fleet.refresh_now("heap")
    assert b.calls[-1] == "refresh:heap" and "refresh:heap" not in a.calls


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_compare_shows_one_target_against_its_siblings_median(size):
    app = build_app(_fleet())
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: fleet_ready(app))
        await settle(pilot, app)
        await pilot.press("k", "c")  # the sick one (first row), compared
        await wait_for(pilot, lambda: isinstance(app.screen, FleetCompareScreen) and app.screen.comparison is not None)
        await settle(pilot, app)
        screen = app.screen
        assert screen.target == "pod-2"
        rows = screen.comparison.rows
        first = rows[0]
        assert (first.flagged, first.label, first.value, first.siblings_median) == (
            True,
            "main.fetchAll.func1 [chan send]",
            SICK,
            0,
        )
        assert first.ratio_text() == "only here"
        assert sum(r.flagged for r in rows) == 1
        same = [r for r in rows if r.kind == "goroutines" and not r.flagged]
        assert same and all(r.ratio_text() == "1.0×" for r in same)  # the groups every replica has alike
        lines = screen_text(app)
        assert lines[0].startswith(" pod-2 vs the median of its siblings (goroutines: 2, heap: 2)")
        assert lines[2].split()[:4] == ["gor", "600", "0", "only"]
        await pilot.press("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, FleetScreen)


def test_compare_rows_bound_a_heap_function_missing_from_a_top_list():
    from tui.fleet.compare import compare
    from tui.fleet.outliers import goroutine_metric, heap_metric

    mib = 1024 * 1024
    heap = heap_metric({"a": {"f": 64 * mib, "g": 2 * mib}, "b": {"f": 4 * mib, "h": 3 * mib}, "c": {"f": 5 * mib}})
    goroutines = goroutine_metric({"a": [("main.w", "select", 3)], "b": [("main.w", "select", 3)]})
    result = compare("a", (goroutines, heap))
    by_key = {(r.kind, r.key): r for r in result.rows}
    f = by_key[("heap", "f")]
    assert (f.value, f.siblings_median, f.ratio_text(), f.upper_bound) == (64 * mib, 4.5 * mib, "14.2×", False)
    h = by_key[("heap", "h")]  # not in a's top list: at most a's smallest listed (2 MiB)
    assert (h.upper_bound, h.value_text(), h.ratio_text()) == (True, "≤2MB", "—")
    assert result.siblings == {"goroutines": 1, "heap": 2} and result.missing == ()
    assert next(r.key for r in result.rows if r.kind == "heap") == "f"  # the biggest difference first
    assert compare("z", (goroutines, heap)).missing == ("goroutines", "heap")


# --- issue #25: what a new user could not tell apart -----------------------------------------------
def _report(*verdicts):
    from tui.leaks.reconcile import Reconciliation
    from tui.leaks.report import LeakReport

    return LeakReport(100.0, tuple(verdicts), (), (), None, None, "", Reconciliation((), "nothing", ""), None)


def _verdict(kind: str, rate: float, key: str = "k"):
    from tui.leaks.growth import Verdict

    return Verdict(kind, key, f"main.{key} [chan send]", rate, 1000.0, 0.0, "", unit="goroutines")


def test_by_findings_ranks_by_severity_and_rate_not_by_count():
    healthy = _report(*(_verdict("stuck", 0.0, f"s{i}") for i in range(4)))  # four steady notes
    leaking = _report(_verdict("growing", 2400.0))
    slower = _report(_verdict("growing", 300.0))
    up = make_snapshot(1)
    rows = fleet_rows(["a", "b", "c", "d"], dict.fromkeys("abcd", up), {"a": healthy, "b": slower, "c": leaking}, [])
    assert [r.target for r in rows] == ["c", "b", "a", "d"]


def test_members_are_named_by_what_differs_and_their_trend_is_honest():
    from tui.screens.fleet import distinct_names, trend_bars

    assert distinct_names(["127.0.0.1:18081", "127.0.0.1:18082"]) == {
        "127.0.0.1:18081": ":18081",
        "127.0.0.1:18082": ":18082",
    }
    assert distinct_names(["http://10.0.3.17:6060", "http://10.0.4.22:6060"]) == {
        "http://10.0.3.17:6060": ".3.17",
        "http://10.0.4.22:6060": ".4.22",
    }
    assert distinct_names(["api-1", "api-2"]) == {"api-1": "api-1", "api-2": "api-2"}  # names given: whole
    assert trend_bars([10_000, 10_010, 10_020] * 3, 8) == "▁" * 8  # steady: flat, not a full block
    assert trend_bars([100, 200, 300, 400], 8) == "▁▃▆█"


async def test_fleet_rows_at_80_columns_show_the_ports():
    members = [(f"127.0.0.1:1808{i}", CannedSource(make_snapshot(1, target=f"127.0.0.1:1808{i}"))) for i in range(1, 4)]
    app = build_app(FleetSource(members))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen) and len(app.screen.rows) == 3)
        await settle(pilot, app)
        lines = screen_text(app)
        for port in (":18081", ":18082", ":18083"):
            assert any(line.lstrip().startswith(port) for line in lines), port


def test_compare_never_rounds_a_median_to_zero_beside_its_ratio():
    from tui.fleet.compare import compare
    from tui.fleet.outliers import goroutine_metric

    goroutines = goroutine_metric(
        {"a": [("main.w", "select", 2)], "b": [("main.w", "select", 1)], "c": [("main.x", "select", 1)]}
    )
    row = next(r for r in compare("a", (goroutines,)).rows if r.key.startswith("main.w"))
    assert (row.amount(row.siblings_median), row.ratio_text()) == ("0.5", "4.0×")  # was "2 vs 0 → 4.0×"
