"""The fault matrix end to end: the real app (LiveSource: Poller + TapClient + TargetClient)
against a real loopback server serving the go1.27 captures, one test per fault.

For each fault the status bar holds a clear one-line message (no traceback, no control
characters), the app keeps running and answers keys, it recovers when the target does
(state back to live, new data shown) and the history from before the fault is kept.
Small intervals and timeouts keep the file fast; waits poll a condition, never sleep blind.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import socket
from contextlib import asynccontextmanager

import pytest

from tests.tui.canned import FIXTURES
from tests.unit.fake_pprof_server import FakeTarget, Reply
from tui.app import build_app
from tui.config import build_config
from tui.model import snapshot as snap
from tui.sources.feeds import LiveSource
from tui.widgets.heap_table import HeapTable
from tui.widgets.sparklines import MetricSpark
from tui.widgets.status_bar import StatusBar, render_status

GO = FIXTURES / "go1.27"
WAIT = 10.0
BODY_LIMIT = 200_000  # above every capture (debug=2 is 123 kB), below the oversize bodies
UNZIP_LIMIT = 1_000_000
BASE_GOROUTINES = 306  # the capture's index page
RECOVERED_GOROUTINES = 4242
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def fixture(name: str) -> bytes:
    return (GO / name).read_bytes()


def memstats(total_alloc: int | None = None, num_gc: int | None = None) -> bytes:
    text = fixture("heap_debug1.txt").decode()
    if total_alloc is not None:
        text = re.sub(r"# TotalAlloc = \d+", f"# TotalAlloc = {total_alloc}", text)
    if num_gc is not None:
        text = re.sub(r"# NumGC = \d+", f"# NumGC = {num_gc}", text)
    return text.encode()


def capture_routes(
    goroutines: int = BASE_GOROUTINES, cmdline: bytes = b"/srv/app\x00-port=1", memstats_body: bytes | None = None
) -> dict[str, Reply]:
    """The go1.27 captures as a target; the index reports `goroutines`."""
    index = fixture("index.html").decode().replace(f">{BASE_GOROUTINES}<", f">{goroutines}<")
    return {
        "/debug/pprof/": Reply(body=index.encode(), headers={"Content-Type": "text/html; charset=utf-8"}),
        "/debug/pprof/cmdline": Reply(body=cmdline),
        "/debug/pprof/heap": Reply(body=fixture("heap.pb.gz"), headers={"Content-Type": "application/octet-stream"}),
        "/debug/pprof/heap?debug=1": Reply(body=memstats_body or fixture("heap_debug1.txt")),
        "/debug/pprof/goroutine?debug=1": Reply(body=fixture("goroutine_debug1.txt")),
        "/debug/pprof/goroutine?debug=2": Reply(body=fixture("goroutine_debug2.txt")),
        "/debug/pprof/goroutineleak?debug=1": Reply(body=fixture("goroutineleak_debug1.txt")),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def live_source(port: int) -> LiveSource:
    config = build_config(
        {
            "target": f"127.0.0.1:{port}",
            "interval": 0.1,
            "request_timeout": 0.4,
            "debug2_timeout": 0.4,
            "connect_timeout": 0.4,
            "backoff_base": 0.05,
            "backoff_max": 0.4,
            "heap_every": 1,
            "cmdline_every": 2,
            "debug2_min_age": 0.2,
            "stw_budget": 0.5,
            "max_body_bytes": BODY_LIMIT,
            "max_decompressed_bytes": UNZIP_LIMIT,
        },
        env={},
    )
    return LiveSource(config)


async def wait_until(pilot, cond, what: str, timeout: float = WAIT) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if not pilot.app.is_running or pilot.app._exception is not None:
            raise AssertionError(f"the app died while waiting for {what}")
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def status(app) -> StatusBar:
    return app.screen.query_one(StatusBar)


def spark_values(app) -> tuple[float, ...]:
    return app.dashboard.query_one("#spark-goroutines", MetricSpark).values


def assert_clear_line(app, words: str) -> str:
    """The status bar's message: one short line with `words`, no traceback, no control characters."""
    info = status(app).info
    line = render_status(info).plain
    assert words in info.error, (words, info.error)
    assert "\n" not in line and "Traceback" not in line and 'File "' not in line
    assert not CONTROL.search(line), repr(line)
    assert len(info.error) <= 300
    return info.error


async def assert_responsive(pilot, app) -> None:
    """A key press still moves the heap table's cursor (and back)."""
    table = app.dashboard.query_one(HeapTable)
    table.focus()
    assert table.row_count >= 2
    before = table.cursor_key
    await pilot.press("j")
    assert table.cursor_key != before
    await pilot.press("k")
    assert table.cursor_key == before


async def quiesce(pilot, app) -> None:
    """Stop polling and let the leak feed and the workers deliver what they hold, so nothing arrives
    while the app tears its screens down (that race is test_quit_while_polls_arrive)."""
    await app.source.stop()
    await app.workers.wait_for_complete()
    await pilot.pause()


@asynccontextmanager
async def watching(port: int, *, wait_live: bool = True):
    """The real app on a LiveSource watching 127.0.0.1:port, live with a few points of history."""
    app = build_app(live_source(port))
    async with app.run_test(size=(80, 24)) as pilot:
        if wait_live:
            await wait_until(
                pilot,
                lambda: (
                    app.snapshot is not None
                    and app.snapshot.state == snap.LIVE
                    and len(spark_values(app)) >= 3
                    and app.dashboard.query_one(HeapTable).row_count >= 2
                ),
                "live with history and a heap table",
            )
        try:
            yield app, pilot
        finally:
            await quiesce(pilot, app)
        assert app.is_running, "the app must still be running after the fault"


async def recover(pilot, app, before: tuple[float, ...]) -> None:
    """Back to live with new data, and the points from before the fault still there."""
    await wait_until(
        pilot,
        lambda: (
            app.snapshot.state == snap.LIVE
            and status(app).info.state == "live"
            and spark_values(app)[-1:] == (float(RECOVERED_GOROUTINES),)
        ),
        "recovery with new data",
    )
    assert status(app).info.error == ""
    assert spark_values(app)[: len(before)] == before
    assert app.snapshot.history.values("goroutines")[: len(before)] == before
    assert app.dashboard.query_one("#spark-goroutines", MetricSpark).current_text == f"{RECOVERED_GOROUTINES:,}"


# (id, reply for every path, state while it lasts, words in the status bar)
TARGET_FAULTS = [
    ("hang", Reply(body=b"late", delay=2.0), snap.RECONNECTING, "no complete answer within 0.4 s"),
    ("404", Reply(404, b"404 page not found\n"), snap.ERROR, "pprof is not enabled"),
    ("401", Reply(401, b"Unauthorized\n"), snap.ERROR, "HTTP 401: credentials missing or refused"),
    ("403", Reply(403, b"Forbidden\n"), snap.ERROR, "HTTP 403"),
    ("500", Reply(500, b"panic: boom\n\x1b[2J\ngoroutine 1 [running]:\n"), snap.ERROR, "HTTP 500"),
    (
        "html-login",
        Reply(200, b"<html><body><form>Please sign in</form></body></html>", headers={"Content-Type": "text/html"}),
        snap.ERROR,
        "HTML login page",
    ),
    ("oversize", Reply(body=b"<tr>" * (BODY_LIMIT // 2)), snap.ERROR, f"over the {BODY_LIMIT}-byte limit"),
    ("slow-drip", Reply(body=fixture("index.html"), drip=0.01), snap.RECONNECTING, "no complete answer"),
]


@pytest.mark.parametrize("reply,state,words", [f[1:] for f in TARGET_FAULTS], ids=[f[0] for f in TARGET_FAULTS])
async def test_target_fault(reply, state, words):
    target = FakeTarget(capture_routes()).start()
    try:
        async with watching(target.port) as (app, pilot):
            before = spark_values(app)
            target.override = reply
            await wait_until(
                pilot, lambda: status(app).info.state == state and words in status(app).info.error, f"{state}: {words}"
            )
            assert_clear_line(app, words)
            await assert_responsive(pilot, app)
            target.override = None
            target.routes = capture_routes(goroutines=RECOVERED_GOROUTINES)
            await recover(pilot, app, before)
    finally:
        target.stop()


async def test_first_snapshot_without_goroutine_data_is_shown():
    """What the poller publishes when the very first index fetch fails: no heap, no goroutines."""
    from tests.tui.canned import CannedSource

    first = snap.Snapshot(
        seq=1,
        time=1.0,
        target="127.0.0.1:1",
        state=snap.RECONNECTING,
        last_error="index: 127.0.0.1:1 is unreachable (connection refused)",
    )
    app = build_app(CannedSource(first))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert status(app).info.state == snap.RECONNECTING
        assert_clear_line(app, "unreachable")


async def test_target_down_at_start_then_appears():
    port = free_port()
    target = None
    try:
        async with watching(port, wait_live=False) as (app, pilot):
            await wait_until(
                pilot,
                lambda: status(app).info is not None and status(app).info.state == snap.RECONNECTING,
                "reconnecting",
            )
            assert_clear_line(app, "unreachable")
            assert "retry in" in app.snapshot.status
            await pilot.press("j", "tab", "j")  # keys on empty panes do nothing harmful
            target = FakeTarget(capture_routes(goroutines=RECOVERED_GOROUTINES)).start(port)
            await recover(pilot, app, ())
            await wait_until(pilot, lambda: app.dashboard.query_one(HeapTable).row_count >= 2, "heap table")
            await assert_responsive(pilot, app)
    finally:
        if target is not None:
            target.stop()


async def test_target_dies_mid_watch_and_comes_back():
    target = FakeTarget(capture_routes()).start()
    revived = None
    try:
        async with watching(target.port) as (app, pilot):
            before = spark_values(app)
            rows = app.dashboard.query_one(HeapTable).keys_in_order
            target.stop()
            await wait_until(pilot, lambda: status(app).info.state == snap.RECONNECTING, "reconnecting")
            assert_clear_line(app, "unreachable")
            assert app.dashboard.query_one(HeapTable).keys_in_order == rows  # last data stays on screen
            await assert_responsive(pilot, app)
            revived = FakeTarget(capture_routes(goroutines=RECOVERED_GOROUTINES)).start(target.port)
            await recover(pilot, app, before)
    finally:
        target.stop()
        if revived is not None:
            revived.stop()


async def test_target_restarts_counters_reset():
    target = FakeTarget(capture_routes()).start()
    try:
        async with watching(target.port) as (app, pilot):
            before = app.snapshot.history.values("goroutines")
            # a new process: new command line, TotalAlloc and NumGC back near zero
            target.routes = capture_routes(
                goroutines=RECOVERED_GOROUTINES,
                cmdline=b"/srv/app\x00-port=2",
                memstats_body=memstats(total_alloc=10, num_gc=0),
            )
            await wait_until(pilot, lambda: app.snapshot.restarts, "a restart event")
            reason = app.snapshot.restarts[0].reason
            assert reason and "\n" not in reason
            assert status(app).info.state == "live"
            # the history before the restart is kept as a closed segment, the sparkline starts afresh
            old = app.snapshot.history.segments[-1].series["goroutines"]
            assert tuple(p.value for p in old)[: len(before)] == before
            await wait_until(pilot, lambda: spark_values(app)[-1:] == (float(RECOVERED_GOROUTINES),), "new data")
            assert float(BASE_GOROUTINES) not in spark_values(app)
            await assert_responsive(pilot, app)
    finally:
        target.stop()


# Faults of one endpoint: the rest of the target answers, so the watch stays live.
ENDPOINT_FAULTS = [
    ("truncated-gzip", "/debug/pprof/heap", Reply(body=gzip.compress(os.urandom(3000))[:-200]), snap.HEAP, "truncated"),
    ("gzip-bomb", "/debug/pprof/heap", Reply(body=gzip.compress(b"\0" * 3_000_000)), snap.HEAP, "gzip bomb"),
    (
        "heap-oversize",
        "/debug/pprof/heap",
        Reply(body=b"\x1f\x8b" + b"\0" * BODY_LIMIT),
        snap.HEAP,
        f"over the {BODY_LIMIT}-byte limit",
    ),
    (
        "memstats-html",
        "/debug/pprof/heap?debug=1",
        Reply(body=b"<html>login</html>", headers={"Content-Type": "text/html"}),
        snap.MEMSTATS,
        "HTML",
    ),
    (
        "dump-slow-drip",
        "/debug/pprof/goroutine?debug=2",
        Reply(body=b"goroutine 1 [x]:\n" * 50, drip=0.02),
        snap.GOROUTINE_TREE,
        "no complete answer",
    ),
]
ENDPOINT_IDS = [f[0] for f in ENDPOINT_FAULTS]


@pytest.mark.parametrize("path,reply,kind,words", [f[1:] for f in ENDPOINT_FAULTS], ids=ENDPOINT_IDS)
async def test_endpoint_fault_keeps_the_watch_live(path, reply, kind, words):
    target = FakeTarget(capture_routes()).start()
    try:
        async with watching(target.port) as (app, pilot):
            before = spark_values(app)
            rows = app.dashboard.query_one(HeapTable).keys_in_order
            target.routes[path] = reply
            await wait_until(pilot, lambda: words in app.snapshot.age(kind).reason, f"{kind}: {words}")
            reason = app.snapshot.age(kind).reason
            assert "\n" not in reason and not CONTROL.search(reason) and len(reason) <= 300
            assert status(app).info.state == "live"
            assert app.dashboard.query_one(HeapTable).keys_in_order == rows  # the last good profile stays
            if kind == snap.GOROUTINE_TREE:  # the tree pane says why its dump is old
                info = app.dashboard.query_one("#tree-info").text
                assert words in info
            await assert_responsive(pilot, app)
            target.routes = capture_routes(goroutines=RECOVERED_GOROUTINES)
            await recover(pilot, app, before)
            await wait_until(pilot, lambda: words not in app.snapshot.age(kind).reason, "the error cleared")
    finally:
        target.stop()


@pytest.mark.parametrize(
    "path,reply,kind,words",
    [f[1:] for f in ENDPOINT_FAULTS if f[3] != snap.GOROUTINE_TREE],
    ids=[f[0] for f in ENDPOINT_FAULTS if f[3] != snap.GOROUTINE_TREE],
)
async def test_endpoint_fault_is_named_in_the_status_bar(path, reply, kind, words):
    target = FakeTarget(capture_routes()).start()
    try:
        async with watching(target.port) as (app, pilot):
            target.routes[path] = reply
            await wait_until(pilot, lambda: words in app.snapshot.age(kind).reason, f"{kind}: {words}")
            await pilot.pause(0.2)
            assert_clear_line(app, words)
    finally:
        target.stop()


class FloodSource:
    """A source that hands the app a snapshot on every event-loop turn, until stopped; it counts the
    snapshots it handed over while the app was already quitting (`late`)."""

    def __init__(self, snapshot, app_running=lambda: True) -> None:
        self.snapshot = snapshot
        self.on_snapshot = None
        self.app_running = app_running
        self.late = 0
        self.stopped = False
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        async def flood() -> None:
            while True:
                if not self.app_running():
                    self.late += 1
                self.on_snapshot(self.snapshot)
                await asyncio.sleep(0)

        self._task = asyncio.create_task(flood())

    async def stop(self) -> None:
        self.stopped = True
        if self._task is not None:
            self._task.cancel()

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def refresh_now(self, kind: str = "all") -> None: ...


async def test_quit_while_polls_arrive():
    """A poll finishing while the app quits must not crash it: the screens are torn down before
    the source is stopped (App.on_unmount), and snapshots that arrive in between must be dropped."""
    from tests.tui.canned import make_snapshot

    shot = make_snapshot(1)
    late = 0
    for _ in range(3):
        app = build_app(FloodSource(shot))
        source = app.source
        source.app_running = lambda app=app: app.is_running
        drawn_detached: list[object] = []
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda app=app: app.snapshot is shot, "the flood reaches the dashboard")
            dashboard = app.dashboard
            show = dashboard.show_snapshot

            def watched_show(snapshot, dashboard=dashboard, show=show, drawn=drawn_detached) -> None:
                if not dashboard.is_attached:
                    drawn.append(snapshot)
                show(snapshot)

            dashboard.show_snapshot = watched_show
        assert source.stopped, "quitting stops the source"
        assert drawn_detached == [], "a snapshot was drawn on a dashboard already torn down"
        late += source.late
    assert late > 0, "no snapshot arrived while the app was quitting: the race this test is for did not happen"


async def test_offline_files_show_no_error():
    from tui.sources.offline import OfflineSource

    source = OfflineSource([str(GO / "heap.pb.gz"), str(GO / "heap_debug1.txt")])
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: status(app).info is not None, "the offline snapshot")
        assert status(app).info.state == "offline"
        assert status(app).info.error == ""
