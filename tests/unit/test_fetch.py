import gzip
import logging
import os
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from tests.unit.fake_pprof_server import FakeTarget, Reply, default_routes
from tui.config import build_config
from tui.core.errors import SourceError
from tui.fetch import validate
from tui.fetch.client import TargetClient
from tui.fetch.errors import (
    BadGzip,
    FetchError,
    FetchTimeout,
    NotFound,
    NotPprof,
    ServerError,
    TooLarge,
    Unauthorized,
    Unreachable,
)
from tui.fetch.oneshot import fetch_once

TOKEN = "planted-TOKEN-7f3a9c"
HEADER_SECRET = "planted-HEADER-b81e"


@pytest.fixture
def target():
    t = FakeTarget().start()
    yield t
    t.stop()


def cfg(target, **kw):
    cli = {"target": target.url, "request_timeout": kw.pop("timeout", 2.0), **kw}
    return build_config(cli, env={"PPROF_TUI_TOKEN": TOKEN})


async def test_index_ok_and_auth_headers_sent(target):
    async with TargetClient(cfg(target, header=[f"X-Api-Key: {HEADER_SECRET}"])) as c:
        r = await c.get("", expect=validate.INDEX)
    assert r.status == 200 and b"Types of profiles available" in r.body
    seen = target.headers_seen[-1]
    assert seen["Authorization"] == f"Bearer {TOKEN}"
    assert seen["X-Api-Key"] == HEADER_SECRET


async def test_heap_proto_is_gunzipped_when_asked(target):
    async with TargetClient(cfg(target)) as c:
        raw = await c.get("heap", expect=validate.PROFILE)
        plain = await c.get("heap", expect=validate.PROFILE, gunzip=True)
    assert raw.body[:2] == b"\x1f\x8b"
    assert plain.body.startswith(b"\x0a\x04")
    assert plain.wire_bytes == len(raw.body)


@pytest.mark.parametrize(
    "reply,exc,words",
    [
        (Reply(404, b"404 page not found"), NotFound, "pprof is not enabled"),
        (Reply(401, b"nope"), Unauthorized, "credentials"),
        (Reply(403, b"nope"), Unauthorized, "HTTP 403"),
        (Reply(502, b"<html>bad gateway</html>"), ServerError, "HTTP 502"),
        (Reply(200, b"<html><body><form>Login</form></body></html>"), NotPprof, "login page"),
        (Reply(200, b'{"error": "nope"}', {"Content-Type": "application/json"}), NotPprof, "JSON"),
        (Reply(302, b"", {"Location": "/sso/login?next=/x&token=abc"}), NotPprof, "redirected to /sso/login"),
    ],
)
async def test_index_failures_are_typed(target, reply, exc, words):
    target.override = reply
    async with TargetClient(cfg(target)) as c:
        with pytest.raises(exc) as info:
            await c.get("", expect=validate.INDEX)
    msg = info.value.user_message
    assert words in msg and "\n" not in msg
    assert "token=abc" not in msg


async def test_missing_profile_404_says_not_served(target):
    async with TargetClient(cfg(target)) as c:
        with pytest.raises(NotFound, match="does not serve this profile"):
            await c.get("goroutineleak", params={"debug": "1"}, expect=validate.GOROUTINE_DEBUG1)


async def test_declared_length_over_limit_aborts_early(target):
    target.routes["/debug/pprof/heap"] = Reply(body=b"x" * 10, declared_length=10)
    async with TargetClient(cfg(target, max_body_bytes=5)) as c:
        with pytest.raises(TooLarge, match="over the 5-byte limit"):
            await c.get("heap")


async def test_streamed_body_over_limit_without_length():
    async def chunks():
        yield b"a" * 600
        yield b"b" * 600

    def handler(request):
        return httpx.Response(200, content=chunks())  # chunked, no length

    config = build_config({"target": "h:1", "max_body_bytes": 1000}, env={})
    async with TargetClient(config, transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(TooLarge):
            await c.get("heap")


async def test_gzip_bomb_and_truncated_gzip(target):
    bomb = gzip.compress(b"\0" * 5_000_000)
    target.routes["/debug/pprof/heap"] = Reply(body=bomb)
    async with TargetClient(cfg(target, max_decompressed_bytes=1_000_000)) as c:
        with pytest.raises(TooLarge, match="gzip bomb"):
            await c.get("heap", gunzip=True)
        target.routes["/debug/pprof/heap"] = Reply(body=gzip.compress(os.urandom(4000))[:-100])
        with pytest.raises(BadGzip, match="truncated"):
            await c.get("heap", gunzip=True)


async def test_proxy_content_encoding_is_decoded_and_bounded(target):
    text = b"goroutine profile: total 1\n" + b"#\n" * 2000
    target.routes["/debug/pprof/goroutine?debug=1"] = Reply(
        body=gzip.compress(text), headers={"Content-Encoding": "gzip"}
    )
    async with TargetClient(cfg(target)) as c:
        r = await c.get("goroutine", params={"debug": "1"}, expect=validate.GOROUTINE_DEBUG1)
        assert r.body == text
    bomb = gzip.compress(b"goroutine profile: total 1\n" + b"\0" * 3_000_000)
    target.routes["/debug/pprof/goroutine?debug=1"] = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    async with TargetClient(cfg(target, max_body_bytes=100_000)) as c:
        with pytest.raises(TooLarge):
            await c.get("goroutine", params={"debug": "1"})


async def test_slow_drip_hits_overall_deadline(target):
    # each byte arrives well within any per-read timeout, but the whole body never does
    target.routes["/debug/pprof/goroutine?debug=2"] = Reply(body=b"goroutine 1 [x]:\n" * 100, drip=0.02)
    async with TargetClient(cfg(target)) as c:
        with pytest.raises(FetchTimeout, match="within 0.3 s"):
            await c.get("goroutine", params={"debug": "2"}, deadline=0.3)


async def test_hang_times_out(target):
    target.override = Reply(body=b"late", delay=3)
    async with TargetClient(cfg(target)) as c:
        with pytest.raises(FetchTimeout):
            await c.get("", deadline=0.3)


async def test_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = build_config({"target": f"127.0.0.1:{port}"}, env={})
    async with TargetClient(config) as c:
        with pytest.raises(Unreachable, match="unreachable"):
            await c.get("")


async def test_connection_closed_mid_body(target):
    target.override = Reply(body=b"goroutine 1 [running]:\n" * 50, close_after=20)
    async with TargetClient(cfg(target)) as c:
        with pytest.raises(Unreachable, match="closed mid-answer"):
            await c.get("")


@pytest.mark.parametrize(
    "kind,body,ok",
    [
        (validate.HEAP_DEBUG1, b"heap profile: 1: 2 [3: 4] @ heap/1\n", True),
        (validate.GOROUTINE_DEBUG1, b"goroutineleak profile: total 0\n", True),
        (validate.GOROUTINE_DEBUG2, b"goroutine 1 [running]:\n", True),
        (validate.PROFILE, b"<html>", False),
        (validate.PROFILE, b'{"a": 1}', False),
        (validate.PROFILE, b"Z\x04\x08\x01\x10\x02", True),  # Go starts with period_type (field 11)
        (validate.PROFILE, b"\x1f\x8b\x08\x00", True),
        (validate.CMDLINE, b"/bin/app\x00-x", True),
        (validate.CMDLINE, b"", False),
        (validate.GOROUTINE_DEBUG2, b"", False),
    ],
)
def test_body_kinds(kind, body, ok):
    if ok:
        validate.check_body(kind, body)
    else:
        with pytest.raises(NotPprof):
            validate.check_body(kind, body)


def test_fetch_once_returns_the_decompressed_body(target):
    body = fetch_once(target.url + "/debug/pprof/heap", cfg(target))
    assert body.startswith(b"\x0a\x04")  # gunzipped as the poller gets it (and masked)
    with pytest.raises(SourceError, match="does not serve"):
        fetch_once(target.url + "/debug/pprof/nope", cfg(target))


class _UnixHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def address_string(self):
        return "unix"

    def do_GET(self):
        r = default_routes()["/debug/pprof/"]
        self.send_response(200)
        self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        self.wfile.write(r.body)


async def test_unix_socket(tmp_path):
    path = str(tmp_path / "pprof.sock")

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    server = Server(path, _UnixHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = build_config({"unix_socket": path}, env={})
        async with TargetClient(config) as c:
            r = await c.get("", expect=validate.INDEX)
        assert b"goroutine" in r.body
    finally:
        server.shutdown()
        server.server_close()


async def test_planted_secrets_never_in_messages_or_logs(target, caplog):
    """Every failure type, with a token, a header secret and basic-auth: grep all output."""
    caplog.set_level(logging.DEBUG)
    messages = []
    replies = [
        Reply(401),
        Reply(403),
        Reply(404),
        Reply(500),
        Reply(200, b"<html>login</html>"),
        Reply(302, headers={"Location": "/login"}),
        Reply(body=b"x" * 100, declared_length=100),
    ]
    for basic in (False, True):
        kw = {"header": [f"X-Key: {HEADER_SECRET}"]}
        env = {"PPROF_TUI_TOKEN": TOKEN}
        if basic:
            kw["basic_user"] = "bob"
            env = {"PPROF_TUI_PASSWORD": TOKEN}
        config = build_config({"target": target.url, "max_body_bytes": 50, **kw}, env=env)
        async with TargetClient(config) as c:
            for reply in replies:
                target.override = reply
                with pytest.raises(FetchError) as info:
                    await c.get("", expect=validate.INDEX)
                messages += [str(info.value), repr(info.value), info.value.user_message]
            target.override = Reply(body=b"late", delay=2)
            with pytest.raises(FetchTimeout) as info:
                await c.get("", deadline=0.2)
            messages += [str(info.value), repr(info.value)]
        messages.append(repr(config))
    text = "\n".join(messages) + "\n".join(r.getMessage() for r in caplog.records)
    text += "\n".join(str(r.args) for r in caplog.records)
    for secret in (TOKEN, HEADER_SECRET, "Ym9iOnBsYW50ZWQ"):  # base64 of bob:planted...
        assert secret not in text
    assert len(messages) > 10


def test_redact_replaces_secrets_and_flattens():
    from tui.fetch.errors import redact

    text = redact("auth Bearer s3cr3t-long failed\nnext line s3cr3t", ["s3cr3t", "s3cr3t-long", ""])
    assert text == "auth Bearer <redacted> failed next line <redacted>"
    assert len(redact("x" * 1000, [])) == 300
