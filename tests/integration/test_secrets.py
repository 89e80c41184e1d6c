"""Planted secrets never come back out: not in reprs, errors, tracebacks, logs, snapshots or output.

A distinctive token, basic-auth password and header value are planted through every way we take
them (--token-file, $PPROF_TUI_TOKEN, --header, --password-file); a loopback target echoes every
request header back (in the body, in Location, in Content-Type, inside heap?debug=1 values), and
every artefact of the run is grepped for the secrets and for their first 8 characters.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import gzip
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.unit.fake_pprof_server import GOROUTINE_DEBUG1, GOROUTINE_DEBUG2, index_html
from tui.config import Config, ConfigError, add_connection_arguments, build_config
from tui.fetch import validate
from tui.fetch.client import TargetClient
from tui.fetch.errors import FetchError, redact

TOKEN = "tok-PLANTED-5f3a9c1e8b"
PASSWORD = "pw-PLANTED-77e1d2aa"
HEADER_VALUE = "hdr-PLANTED-c0ffee42"
USER = "alice"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (TOKEN, PASSWORD, HEADER_VALUE, BASIC)
# A secret's start is a leak too (an excerpt may cut it): look for 8-character prefixes.
NEEDLES = tuple(s[:8] for s in SECRETS) + ("PLANTED",)
ROOT = Path(__file__).resolve().parents[2]
HEAP_GZ = (ROOT / "tests/fixtures/go1.27/heap.pb.gz").read_bytes()


def leaks(*texts: object) -> list[str]:
    blob = "\n".join(str(t) for t in texts)
    return [n for n in NEEDLES if n in blob]


# ------------------------------------------------------------------ echo target

Route = Callable[[str], tuple[int, dict[str, str], bytes]]  # echoed headers -> status, headers, body


class EchoTarget:
    """Loopback server; each route answers with the request's headers echoed somewhere."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.seen: list[str] = []  # echoed header text of every request (proves the secret was sent)
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                echo = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
                target.seen.append(echo)
                route = (
                    target.routes.get(self.path) or target.routes.get(self.path.split("?")[0]) or target.routes.get("*")
                )
                status, headers, body = route(echo) if route else (404, {}, b"404 page not found\n")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v.replace("\n", " "))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def auth_value(echo: str) -> str:
    for line in echo.splitlines():
        if line.lower().startswith(("authorization:", "x-api-key:")):
            return line.split(":", 1)[1].strip()
    return ""


ERROR_ROUTES: dict[str, Route] = {
    "401": lambda e: (401, {"WWW-Authenticate": f"Bearer realm={auth_value(e)}"}, e.encode()),
    "500": lambda e: (500, {"Content-Type": "text/plain"}, ("panic: " + e).encode()),
    "html": lambda e: (200, {"Content-Type": "text/html"}, f"<html><body>login {e}</body></html>".encode()),
    "redirect": lambda e: (302, {"Location": f"/login/{auth_value(e)}?next={auth_value(e)}"}, b""),
    "ctype": lambda e: (200, {"Content-Type": f"text/plain; echo={auth_value(e)}"}, e.encode()),
    "json": lambda e: (200, {"Content-Type": "application/json"}, f'{{"error": "{auth_value(e)}"}}'.encode()),
}


@pytest.fixture
def echo_target():
    servers: list[EchoTarget] = []

    def start(routes: dict[str, Route]) -> EchoTarget:
        servers.append(EchoTarget(routes))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


# ------------------------------------------------------------------ ways to plant a secret


def planted_configs(tmp_path: Path, target: str) -> dict[str, Config]:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    header_file = tmp_path / "headers"
    header_file.write_text(f"# secret headers\nX-Api-Key: {HEADER_VALUE}\n\nAuthorization: Bearer {TOKEN}\n")
    return {
        "header-file": build_config({"target": target, "header_file": str(header_file)}, env={}),
        "token-file": build_config({"target": target, "token_file": str(token_file)}, env={}),
        "token-env": build_config({"target": target}, env={"PPROF_TUI_TOKEN": TOKEN}),
        "header": build_config(
            {"target": target, "header": [f"X-Api-Key: {HEADER_VALUE}", f"Authorization: Bearer {TOKEN}"]}, env={}
        ),
        "basic-file": build_config({"target": target, "basic_user": USER, "password_file": str(password_file)}, env={}),
        "basic-env": build_config({"target": target}, env={"PPROF_TUI_USER": USER, "PPROF_TUI_PASSWORD": PASSWORD}),
    }


def test_config_reprs_never_show_secrets(tmp_path: Path) -> None:
    for how, config in planted_configs(tmp_path, "127.0.0.1:1").items():
        texts = [repr(config), str(config), repr(config.auth), config.label, f"{config}", f"{config.auth!s}"]
        texts += [repr(v) for _, v in config.auth.headers] + [f"{config.auth.bearer_token}"]
        assert not leaks(*texts), how
        # ...but they are really there, and the redaction list knows every form we send
        revealed = [config.auth.bearer_token and config.auth.bearer_token.reveal()] + list(config.auth.secrets())
        assert any(s in str(revealed) for s in SECRETS), how
        if how.startswith("basic"):
            assert BASIC in config.auth.secrets()


def test_no_secret_flag_on_argv_and_no_echo_of_a_mistaken_one(capsys) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="pprof-tui watch")
    parser.add_argument("target")
    add_connection_arguments(parser)
    for argv in (
        ["h:1", "--token", TOKEN],
        [f"--token={TOKEN}", "h:1"],
        ["h:1", "--password", PASSWORD],
        ["h:1", "--passw", PASSWORD],
        ["h:1", "--bearer", TOKEN],
    ):
        with pytest.raises(SystemExit) as info:
            parser.parse_args(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert "error" in err and not leaks(err), argv
    with pytest.raises(ConfigError) as cerr:
        build_config({"target": "h:1", "token": TOKEN}, env={})
    assert not leaks(str(cerr.value))


def test_config_errors_do_not_quote_secret_files(tmp_path: Path) -> None:
    two_lines = tmp_path / "t"
    two_lines.write_text(f"{TOKEN}\n{TOKEN}\n")
    with pytest.raises(ConfigError) as info:
        build_config({"target": "h:1", "token_file": str(two_lines)}, env={})
    with pytest.raises(ConfigError) as both:
        build_config(
            {"target": "h:1", "basic_user": USER}, env={"PPROF_TUI_TOKEN": TOKEN, "PPROF_TUI_PASSWORD": PASSWORD}
        )
    with pytest.raises(ConfigError) as bad_header:
        build_config({"target": "h:1", "header": [f"X-Key {HEADER_VALUE}"]}, env={})
    bad_file = tmp_path / "h"
    bad_file.write_text(f"X-Api-Key: ok\nAuthorization Bearer {TOKEN}\n")
    with pytest.raises(ConfigError, match="line 2") as bad_header_file:
        build_config({"target": "h:1", "header_file": str(bad_file)}, env={})
    for err in (info.value, both.value, bad_header.value, bad_header_file.value):
        assert not leaks(str(err), repr(err), "".join(traceback.format_exception(err)))


def test_redact_catches_cut_and_repr_forms() -> None:
    assert (
        redact(f"not an integer: 'xxxxxxxx Bearer {TOKEN[:12]}'", [TOKEN])
        == "not an integer: 'xxxxxxxx Bearer <redacted>'"
    )
    assert "\\\\" not in redact(repr("a\\b"), ["a\\b"]) and "<redacted>" in redact(repr("a\\b"), ["a\\b"])
    assert redact(f"x {TOKEN} \x1b[2J", [TOKEN]) == "x <redacted> ␛[2J"
    assert redact("the token-file option", [TOKEN]) == "the token-file option"  # no cut at the end: kept


# ------------------------------------------------------------------ fetch layer


@pytest.mark.parametrize("mode", list(ERROR_ROUTES))
async def test_fetch_errors_never_carry_secrets(mode: str, tmp_path: Path, echo_target, caplog) -> None:
    caplog.set_level(logging.DEBUG)  # httpx / httpcore debug traces included
    server = echo_target({"*": ERROR_ROUTES[mode]})
    artefacts: list[object] = []
    for how, config in planted_configs(tmp_path, server.url).items():
        async with TargetClient(config) as client:
            with pytest.raises(FetchError) as info:
                await client.get("heap", params={"debug": "1"}, expect=validate.HEAP_DEBUG1)
        exc = info.value
        artefacts += [how, str(exc), repr(exc), exc.user_message, "".join(traceback.format_exception(exc))]
    assert all(any(s in echo for s in SECRETS) for echo in server.seen)  # the target did get them
    artefacts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert not leaks(*artefacts)


async def test_fetch_once_error_for_text_commands(tmp_path: Path, echo_target) -> None:
    from tui.core.errors import SourceError
    from tui.fetch.oneshot import fetch_once

    server = echo_target({})
    server.routes["*"] = ERROR_ROUTES["401"]
    for config in planted_configs(tmp_path, server.url).values():
        with pytest.raises(SourceError) as info:
            await asyncio.to_thread(fetch_once, server.url + "/debug/pprof/heap", config)
        assert "401" in str(info.value) and not leaks(str(info.value), repr(info.value))


# ------------------------------------------------------------------ poller


def poller_routes(memstats_ok: bool) -> dict[str, Route]:
    def memstats(e: str) -> tuple[int, dict[str, str], bytes]:
        alloc = "100" if memstats_ok else f"{auth_value(e)}"
        return (
            200,
            {},
            (
                f"heap profile: 1: 8 [2: 16] @ heap/1\n\n# runtime.MemStats\n# Alloc = {alloc}\n"
                f"# Sys = xx {auth_value(e)} yy\n# NumGC = {'x' * 30}{auth_value(e)}\n"
            ).encode(),
        )

    return {
        "/debug/pprof/": lambda e: (200, {"Content-Type": "text/html"}, index_html(2)),
        "/debug/pprof/cmdline": lambda e: (200, {}, f"/srv/app\x00{auth_value(e)}".encode()),
        "/debug/pprof/heap?debug=1": memstats,
        "/debug/pprof/heap": lambda e: (
            200,
            {"Content-Type": "application/octet-stream"},
            gzip.compress(e.encode()) if not memstats_ok else HEAP_GZ,
        ),
        "/debug/pprof/goroutine?debug=1": lambda e: (401, {}, e.encode()),
        "/debug/pprof/goroutine?debug=2": lambda e: (200, {}, GOROUTINE_DEBUG2 if memstats_ok else e.encode()),
    }


async def _watch(config: Config, ticks: int, **kw) -> tuple[object, list]:
    from tui.service.poller import Poller

    seen: list = []
    poller = Poller(config, on_snapshot=seen.append, **kw)
    poller.refresh_now("all")
    task = poller.start()
    deadline = time.monotonic() + 20
    while poller.tick < ticks and time.monotonic() < deadline and not task.done():
        await asyncio.sleep(0.02)
    await poller.stop()
    return poller, seen


def snapshot_texts(poller, seen: list) -> list[str]:
    out = [repr(s) for s in seen] + [poller.last_error, poller.status_line(time.monotonic())]
    out += [repr(poller.costs.snapshot()), repr(list(poller.endpoints.values()))]
    return out


async def test_poller_status_costs_and_logs_redact_echoed_secrets(tmp_path: Path, echo_target, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    server = echo_target(poller_routes(memstats_ok=False))
    artefacts: list[str] = []
    failures = 0
    for how, config in planted_configs(tmp_path, server.url).items():
        config = dataclasses.replace(config, interval=0.05)
        poller, seen = await _watch(config, ticks=3)
        assert seen, how
        errors = [c.last_error for c in poller.costs.snapshot() if c.last_error]
        failures += len(errors)
        assert any("MemStats" in e for e in errors), (how, errors)  # the echoed value did reach a message
        artefacts += snapshot_texts(poller, seen)
    assert failures
    artefacts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert not leaks(*artefacts)


async def test_parser_bug_quoting_the_body_is_logged_redacted(tmp_path: Path, echo_target, caplog) -> None:
    from tui.model.parsers import Parsers, default_parsers

    caplog.set_level(logging.DEBUG)
    server = echo_target(poller_routes(memstats_ok=True))
    config = planted_configs(tmp_path, server.url)["token-file"]
    config = dataclasses.replace(config, interval=0.05)

    def buggy_memstats(body: bytes):
        raise KeyError(body.decode()[:400])  # a bug whose message quotes the body (and the echoed token)

    p = default_parsers()
    poller, seen = await _watch(
        config, ticks=3, parsers=Parsers(p.index, p.heap, buggy_memstats, p.goroutine_debug1, p.goroutine_debug2)
    )
    logged = [r for r in caplog.records if "parsing" in r.getMessage()]
    assert logged and "KeyError" in logged[0].getMessage() and "Traceback" not in logged[0].getMessage()
    assert "service/request.py" in logged[0].getMessage()  # the frames are still there (the parse call)
    assert not leaks(*snapshot_texts(poller, seen), caplog.text, *(r.getMessage() for r in caplog.records))


# ------------------------------------------------------------------ subprocesses


def run_cli(*argv: str, env_token: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPROF_TUI_")}
    if env_token:
        env["PPROF_TUI_TOKEN"] = TOKEN
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize("command", ["top", "goroutines"])
@pytest.mark.parametrize(
    ("mode", "how"),
    [(m, "env") for m in ("401", "500", "html", "redirect", "json")] + [("401", "token-file"), ("html", "header-file")],
)
def test_text_commands_on_failing_targets_print_no_secret(command: str, mode: str, how: str, tmp_path: Path) -> None:
    server = EchoTarget({"*": ERROR_ROUTES[mode]})
    extra: list[str] = []
    if how == "token-file":
        (tmp_path / "t").write_text(TOKEN)
        extra = ["--token-file", str(tmp_path / "t")]
    elif how == "header-file":
        (tmp_path / "h").write_text(f"X-Api-Key: {HEADER_VALUE}\n")
        extra = ["--header-file", str(tmp_path / "h")]
    try:
        path = "heap" if command == "top" else "goroutine?debug=2"
        proc = run_cli(command, f"{server.url}/debug/pprof/{path}", *extra, env_token=how == "env")
    finally:
        server.close()
    assert any(TOKEN in e or HEADER_VALUE in e for e in server.seen)  # the command did send it
    assert proc.returncode != 0
    assert proc.stderr.strip() and "Traceback" not in proc.stderr
    assert not leaks(proc.stdout, proc.stderr)


def test_text_commands_reach_a_protected_target_with_the_token() -> None:
    def heap(e: str) -> tuple[int, dict[str, str], bytes]:
        if auth_value(e) != f"Bearer {TOKEN}":
            return 401, {}, b"no"
        return 200, {"Content-Type": "application/octet-stream"}, HEAP_GZ

    server = EchoTarget(
        {
            "/debug/pprof/heap": heap,
            "/debug/pprof/goroutine": lambda e: (
                ERROR_ROUTES["401"](e) if not auth_value(e) else (200, {}, GOROUTINE_DEBUG1)
            ),
        }
    )
    try:
        top = run_cli("top", f"{server.url}/debug/pprof/heap", "--nodecount", "3")
        goroutines = run_cli("goroutines", f"{server.url}/debug/pprof/goroutine?debug=1")
        refused = run_cli("top", f"{server.url}/debug/pprof/heap", env_token=False)
    finally:
        server.close()
    assert top.returncode == 0 and "flat%" in top.stdout, top.stderr
    assert goroutines.returncode == 0 and "goroutines" in goroutines.stdout, goroutines.stderr
    assert refused.returncode == 1 and "401" in refused.stderr
    assert not leaks(top.stdout, top.stderr, goroutines.stdout, goroutines.stderr, refused.stderr)


# ------------------------------------------------------------------ echoed into the profile, gzip in gzip


def echoed_secret(echo: str) -> str:
    """The credential as sent ("Bearer X" -> X, "Basic B64" -> B64, a header's value)."""
    return auth_value(echo).split()[-1]


def echoed_heap(echo: str, layers: int) -> bytes:
    """A heap profile whose hottest function is named after our credential, gzip'd `layers` times."""
    from tests.unit.pprof_builder import Builder

    b = Builder((("inuse_space", "bytes"),))
    b.func(f"main.{echoed_secret(echo)}", f"/src/{echoed_secret(echo)}.go")
    b.sample([f"main.{echoed_secret(echo)}", "main.main"], [4096])
    b.sample(["main.other", "main.main"], [1024], labels={"who": echoed_secret(echo)})
    body = b.bytes()
    for _ in range(layers):
        body = gzip.compress(body)
    return body


def echo_routes(layers: int) -> dict[str, Route]:
    def dump(e: str) -> tuple[int, dict[str, str], bytes]:
        text = (
            f"goroutine 1 [running]:\nruntime/pprof.writeGoroutineStacks()\n\t/x.go:1 +0x1\n\n"
            f"goroutine 7 [chan send, 3 minutes]:\nmain.{echoed_secret(e)}()\n\t/m.go:9 +0x2\n"
        )
        return 200, {}, text.encode()

    return {
        "/debug/pprof/": lambda e: (200, {"Content-Type": "text/html"}, index_html(2)),
        "/debug/pprof/cmdline": lambda e: (200, {}, f"/srv/app\x00{echoed_secret(e)}".encode()),
        "/debug/pprof/heap?debug=1": lambda e: (
            200,
            {},
            f"heap profile: 1: 8 [2: 16] @ heap/1\n\n# runtime.MemStats\n# Alloc = 100\n# X = {echoed_secret(e)}\n".encode(),
        ),
        "/debug/pprof/heap": lambda e: (200, {"Content-Type": "application/octet-stream"}, echoed_heap(e, layers)),
        "/debug/pprof/goroutine?debug=1": lambda e: (200, {}, GOROUTINE_DEBUG1),
        "/debug/pprof/goroutine?debug=2": dump,
    }


def masked_names(profile) -> list[str]:
    return [name for name in profile.functions.names if "*" * 8 in name]


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
async def test_secrets_echoed_into_a_profile_are_masked_at_any_gzip_depth(
    layers: int, tmp_path: Path, echo_target
) -> None:
    from tui.heap.decode import decode_profile

    server = echo_target(echo_routes(layers))
    for how, config in planted_configs(tmp_path, server.url).items():
        async with TargetClient(config) as client:
            result = await client.get("heap", expect=validate.PROFILE, gunzip=True)  # as the poller asks
        assert result.body[:2] != b"\x1f\x8b", how  # every layer undone
        assert not leaks(result.body.decode("latin-1")), how
        profile = decode_profile(result.body)
        assert masked_names(profile), how  # the name is there, masked ("main.****…")
        assert not leaks(*profile.functions.names, *profile.functions.filenames), how
    assert all(any(s in echo for s in SECRETS) for echo in server.seen)  # the target did get them


async def test_gzip_in_gzip_is_bounded(echo_target, tmp_path: Path) -> None:
    from tui.core.gunzip import MAX_GZIP_LAYERS
    from tui.fetch.errors import BadGzip

    server = echo_target(echo_routes(MAX_GZIP_LAYERS + 1))
    config = planted_configs(tmp_path, server.url)["token-file"]
    async with TargetClient(config) as client:
        with pytest.raises(BadGzip, match="gzip inside gzip more than 4 times"):
            await client.get("heap", expect=validate.PROFILE, gunzip=True)


def test_top_url_on_an_echoing_target_shows_the_mask(tmp_path: Path) -> None:
    server = EchoTarget(echo_routes(2))
    try:
        proc = run_cli("top", f"{server.url}/debug/pprof/heap", "--json")
        goroutines = run_cli("goroutines", f"{server.url}/debug/pprof/goroutine?debug=2")
    finally:
        server.close()
    assert proc.returncode == 0 and goroutines.returncode == 0, proc.stderr + goroutines.stderr
    assert "main.****" in proc.stdout and "main.****" in goroutines.stdout
    assert not leaks(proc.stdout, proc.stderr, goroutines.stdout, goroutines.stderr)


def _files_text(directory: Path) -> list[str]:
    """Every file under directory, gzip layers undone, as text (latin-1: any byte is a character)."""
    from tui.core.gunzip import gunzip_layers

    out = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        out.append(gunzip_layers(path.read_bytes(), 1 << 28).decode("latin-1"))
    return out


async def test_watch_record_save_screen_and_clipboard_hold_no_echoed_secret(
    tmp_path: Path, echo_target, monkeypatch
) -> None:
    """The heap body gzip'd twice (masking used to run on the compressed bytes): the recording, the
    `s` export (heap.pb.gz undone fully), the screen, the SVG and what `c` copies are all clean."""
    from tests.tui.waiting import settle, wait_for
    from tui.app import build_app
    from tui.recording.format import open_recording
    from tui.screens.heap_drill import HeapDrillScreen
    from tui.sources.feeds import LiveSource
    from tui.widgets.goroutine_tree import GoroutineTree
    from tui.widgets.heap_table import HeapTable

    server = echo_target(echo_routes(2))
    monkeypatch.setenv("PPROF_TUI_STATE_DIR", str(tmp_path / "state"))
    export_dir = tmp_path / "state" / "snapshots"  # where `s` saves (#25)
    config = dataclasses.replace(planted_configs(tmp_path, server.url)["header-file"], interval=0.1)
    source = LiveSource(config, record_dir=tmp_path / "rec")
    app = build_app(source)
    screens: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.screen.query_one(HeapTable)
        tree = app.screen.query_one(GoroutineTree)
        await wait_for(pilot, lambda: any("****" in k for k in table.keys_in_order) and len(tree.root.children) > 0)
        await settle(pilot, app)
        screens += [app.export_screenshot(), *table.keys_in_order]
        await pilot.press("s")
        await wait_for(pilot, lambda: any(export_dir.glob("*/screen.svg")))
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HeapDrillScreen) and app.screen.result is not None)
        await pilot.press("c")
        await pilot.pause()
        copied = app.clipboard
        screens.append(app.export_screenshot())
        await pilot.press("q")
        await pilot.pause()
    assert "****" in copied and copied.startswith("main.****"), copied  # the hot function, masked
    assert any(any(s in echo for s in SECRETS) for echo in server.seen)  # the target did get them
    recording = open_recording(tmp_path / "rec")
    bodies = [ref.read_body().decode("latin-1") for ref in recording.records]
    assert any("main.****" in b for b in bodies)  # the heap record: decompressed and masked
    exported = _files_text(export_dir)
    assert any("main.****" in t for t in exported)
    assert not leaks(*bodies, *_files_text(tmp_path / "rec"), *exported, *screens, copied)


async def test_clipboard_and_screenshot_are_masked_as_a_last_line(tmp_path: Path) -> None:
    """Whatever reached the screen some other way: the app masks our credentials in what `c` copies
    and in the SVG screenshot `s` writes."""
    from tests.tui.canned import CannedSource, make_snapshot
    from tui.app import build_app

    source = CannedSource(make_snapshot(1, target=f"t:1 {TOKEN}"))
    source.config = planted_configs(tmp_path, "127.0.0.1:1")["token-file"]  # a live source has its Config
    app = build_app(source)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        app.copy_to_clipboard(f"main.f {TOKEN} /x.go:1")
        svg = app.export_screenshot()
        await pilot.press("q")
    assert app.clipboard == "main.f " + "*" * len(TOKEN) + " /x.go:1"
    assert "t:1&#160;" + "*" * len(TOKEN) in svg and not leaks(svg, app.clipboard)
