"""Fault injection: the real poller and client against a real loopback server.

Each fault: no crash, a clear one-line status, backoff with jitter, automatic
recovery, history kept. Small intervals/timeouts keep the file fast.
"""

import asyncio
import gzip
import os
import socket

import pytest

from tests.unit.fake_pprof_server import FakeTarget, Reply, default_routes, index_html, memstats_text
from tests.unit.service_fakes import FAKE_PARSERS
from tui.config import build_config
from tui.model import snapshot as snap
from tui.service.poller import Poller

WAIT = 8.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make(port: int, **kw) -> Poller:
    cli = {
        "target": f"127.0.0.1:{port}",
        "interval": 0.05,
        "request_timeout": 0.4,
        "debug2_timeout": 0.4,
        "backoff_base": 0.05,
        "backoff_max": 0.4,
        "cmdline_every": 2,
        "heap_every": 1,
        "debug2_min_age": 0.2,
        "stw_budget": 0.5,
        **kw,
    }
    return Poller(build_config(cli, env={}), parsers=FAKE_PARSERS)


async def until(cond, what: str) -> None:
    async def loop():
        while not cond():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(loop(), WAIT)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def one_line(s: snap.Snapshot) -> str:
    assert "\n" not in s.status and len(s.status) < 400
    return s.status


@pytest.fixture
async def watched():
    target = FakeTarget().start()
    poller = make(target.port)
    task = poller.start()
    await until(
        lambda: (
            poller.latest is not None
            and poller.latest.state == snap.LIVE
            and len(poller.latest.history.values("goroutines")) >= 3
        ),
        "live",
    )
    yield target, poller
    assert not task.done(), "poller loop must never die"
    await poller.stop()
    target.stop()


def history_kept(poller, before):
    now = poller.latest.history.values("goroutines")
    assert now[: len(before)] == before


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


async def test_target_down_at_start_then_appears():
    port = free_port()
    poller = make(port)
    poller.start()
    await until(
        lambda: poller.latest is not None and poller.endpoints["index"].backoff.failures >= 3, "a few failed attempts"
    )
    s = poller.latest
    assert s.state == snap.RECONNECTING
    assert one_line(s).startswith("reconnecting:") and "unreachable" in s.status and "retry in" in s.status
    target = FakeTarget().start(port)
    try:
        await until(lambda: poller.latest.state == snap.LIVE and poller.latest.goroutine_total == 12, "recovery")
    finally:
        await poller.stop()
        target.stop()


async def test_dies_mid_watch_and_comes_back_with_backoff(watched):
    target, poller = watched
    before = poller.latest.history.values("goroutines")
    port = target.port
    target.stop()
    await until(lambda: poller.endpoints["index"].backoff.failures >= 4, "backoff")
    assert poller.latest.state == snap.RECONNECTING and "unreachable" in one_line(poller.latest)
    revived = FakeTarget().start(port)
    try:
        await until(lambda: poller.latest.state == snap.LIVE and revived.hits["/debug/pprof/"] >= 2, "recovery")
        history_kept(poller, before)
        assert len(poller.latest.history.values("goroutines")) > len(before)
    finally:
        revived.stop()


async def test_backoff_spacing_grows_with_jitter(watched):
    target, poller = watched
    target.override = Reply(500, b"oops")
    n = len(target.times["/debug/pprof/"])
    await until(lambda: len(target.times["/debug/pprof/"]) >= n + 5, "retries")
    g = gaps(target.times["/debug/pprof/"][n:])
    assert g[-1] > g[0]  # grows
    assert max(g) < 0.4 + 0.3  # capped at backoff_max (+ request time)
    assert poller.latest.state == snap.ERROR and "HTTP 500" in one_line(poller.latest)
    target.override = None
    await until(lambda: poller.latest.state == snap.LIVE, "recovery")


async def test_restart_new_cmdline_and_counters(watched):
    target, poller = watched
    before = poller.latest.history.values("goroutines")
    target.routes.update(default_routes(goroutines=3, cmdline=b"/srv/app\x00-port=2"))
    target.routes["/debug/pprof/heap?debug=1"] = Reply(body=memstats_text(total_alloc=10, num_gc=0))
    await until(lambda: poller.latest.restarts, "restart event")
    s = poller.latest
    assert s.restarts[0].reason in ("command line changed",) or "backwards" in s.restarts[0].reason
    seg = s.history.segments[-1]
    assert [p.value for p in seg.series["goroutines"]][: len(before)] == list(before)
    await until(lambda: poller.latest.history.values("goroutines")[-1:] == (3.0,), "fresh series")


@pytest.mark.parametrize(
    "reply,state,words",
    [
        (Reply(body=b"late", delay=2.0), snap.RECONNECTING, "no complete answer within 0.4 s"),
        (Reply(404, b"404 page not found\n"), snap.ERROR, "pprof is not enabled"),
        (Reply(401, b"no"), snap.ERROR, "credentials"),
        (Reply(403, b"no"), snap.ERROR, "HTTP 403"),
        (Reply(503, b"<html>upstream</html>"), snap.ERROR, "HTTP 503"),
        (Reply(200, b"<html><body>Please sign in</body></html>"), snap.ERROR, "HTML login page"),
        (Reply(body=index_html() * 3, drip=0.01), snap.RECONNECTING, "no complete answer"),
    ],
)
async def test_index_faults(watched, reply, state, words):
    target, poller = watched
    before = poller.latest.history.values("goroutines")
    target.override = reply
    await until(lambda: poller.latest.state == state, state)
    assert words in one_line(poller.latest)
    target.override = None
    await until(lambda: poller.latest.state == snap.LIVE, "recovery")
    history_kept(poller, before)


@pytest.mark.parametrize(
    "path,reply,kind,words",
    [
        ("/debug/pprof/heap", Reply(body=gzip.compress(os.urandom(3000))[:-200]), snap.HEAP, "truncated"),
        ("/debug/pprof/heap", Reply(body=gzip.compress(b"\0" * 3_000_000)), snap.HEAP, "gzip bomb"),
        ("/debug/pprof/heap?debug=1", Reply(body=b"x" * 5000), snap.MEMSTATS, "over the 4500-byte limit"),
        ("/debug/pprof/heap?debug=1", Reply(body=b"<html>login</html>"), snap.MEMSTATS, "HTML"),
        (
            "/debug/pprof/goroutine?debug=2",
            Reply(body=b"goroutine 1 [x]:\n" * 50, drip=0.02),
            snap.GOROUTINE_TREE,
            "no complete answer",
        ),
    ],
)
async def test_endpoint_faults_keep_the_rest_live(path, reply, kind, words):
    target = FakeTarget().start()
    poller = make(target.port, max_body_bytes=4500, max_decompressed_bytes=1_000_000)
    task = poller.start()
    try:
        await until(lambda: poller.latest is not None and poller.latest.state == snap.LIVE, "live")
        good = target.routes[path]
        target.routes[path] = reply
        await until(lambda: words in poller.latest.age(kind).reason, f"{kind} error")
        assert poller.latest.state == snap.LIVE  # the other endpoints carry on
        assert (
            poller.endpoints[
                {snap.HEAP: "heap", snap.MEMSTATS: "heap?debug=1", snap.GOROUTINE_TREE: "goroutine?debug=2"}[kind]
            ].backoff.failures
            >= 1
        )
        target.routes[path] = good
        await until(
            lambda: (
                poller.latest.age(kind).reason == ""
                or (kind == snap.GOROUTINE_TREE and "budget" in poller.latest.age(kind).reason)
            ),
            "recovery",
        )
        assert not task.done()
    finally:
        await poller.stop()
        target.stop()
