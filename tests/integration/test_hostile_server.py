"""A hostile pprof server of ours (tests/unit/fake_pprof_server.py serving crafted answers), watched by
`pprof-tui top`, `goroutines`, `check` and the poller: escapes in names and units, our credential echoed
into a profile gzip'd twice, an HTML login page, a redirect whose Location holds ESC, a body over the
byte limit, a gzip bomb, a non-UTF-8 label. Every output is clean (no terminal control character, no
secret), every failure is one clear line, nothing raises."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.unit.fake_pprof_server import GOROUTINE_DEBUG2, FakeTarget, Reply, default_routes
from tests.unit.pprof_builder import Builder
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"
C1 = "\x9b31m"
# No ESC, BEL, other C0 controls but newline, DEL or C1 controls may reach the terminal.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
TOKEN = "tok-HOSTILE-9d2f7c41ab"
LOGIN = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=/login>login</form></body></html>"
LIMIT = 1 << 20  # --max-body-mb 1; max_decompressed_bytes in the config file


def assert_clean(*texts: str) -> None:
    for text in texts:
        found = UNSAFE.findall(text)
        assert not found, f"unsafe characters in output: {found[:5]!r}"
        assert "Traceback" not in text and TOKEN[:8] not in text and "HOSTILE" not in text


# ---- what the server answers --------------------------------------------------------------------


def evil_heap() -> bytes:
    b = Builder(((f"inuse{TITLE}space", f"bytes{CLIPBOARD}{C1}"),))
    b.func(f"main.evil{TITLE}", f"/src/evil{CLIPBOARD}.go")
    b.sample([f"main.evil{TITLE}", "main.main" + C1], [1000])
    b.sample(["main.main" + C1], [10])
    return b.bytes(gz=True)


EVIL_DUMP = (
    f"goroutine 7 [chan receive{TITLE}, 5 minutes]:\nmain.evil{CLIPBOARD}(...)\n\t/src/evil{TITLE}.go:10 +0x1\n"
    f"created by main.main{C1} in goroutine 1\n\t/src/main{CLIPBOARD}.go:5 +0x2\n\n"
    f"goroutine 8 [select]:\nmain.other{TITLE}()\n\t/src/other.go:3 +0x1\n"
).encode()


def echoed_heap() -> bytes:
    """What a target echoing our Authorization value into a function name serves, gzip'd twice."""
    b = Builder((("inuse_space", "bytes"),))
    b.sample([f"main.{TOKEN}", "main.main"], [4096], labels={"auth": f"Bearer {TOKEN}"})
    b.sample(["main.other", "main.main"], [1024])
    return gzip.compress(gzip.compress(b.bytes()))


ECHOED_DUMP = f"goroutine 7 [chan send, 3 minutes]:\nmain.{TOKEN}()\n\t/m.go:9 +0x2\n".encode()


def bad_label_goroutine_proto() -> bytes:
    b = Builder((("goroutine", "count"),))
    b.sample(["runtime.gopark", "main.worker", "main.main"], [3], labels={"worker": "LABEL"})
    return gzip.compress(b.bytes().replace(b"\x05LABEL", b"\x05L\xffB\xfeL"))


def scenario(name: str) -> tuple[dict[str, Reply], Reply | None]:
    """(routes, override) of the hostile server for one scenario."""
    routes = default_routes()
    override = None
    if name == "escapes":
        routes["/debug/pprof/heap"] = Reply(body=evil_heap(), headers={"Content-Type": "application/octet-stream"})
        routes["/debug/pprof/goroutine?debug=2"] = Reply(body=EVIL_DUMP)
    elif name == "echoed-secret":
        routes["/debug/pprof/heap"] = Reply(body=echoed_heap(), headers={"Content-Type": "application/octet-stream"})
        routes["/debug/pprof/goroutine?debug=2"] = Reply(body=ECHOED_DUMP)
    elif name == "login-page":
        override = Reply(200, LOGIN, {"Content-Type": "text/html; charset=utf-8"})
    elif name == "redirect-esc":
        override = Reply(302, b"", {"Location": f"/sso/login{TITLE}{C1}?next=/&token={TOKEN}"})
    elif name == "over-the-limit":
        big = os.urandom(LIMIT + 4096)
        routes["/debug/pprof/heap"] = Reply(body=gzip.compress(big, 1))
        routes["/debug/pprof/goroutine?debug=2"] = Reply(body=GOROUTINE_DEBUG2 + b"\n" + b"x" * (LIMIT + 1))
    elif name == "gzip-bomb":
        bomb = gzip.compress(b"\0" * (16 * LIMIT))
        routes["/debug/pprof/heap"] = Reply(body=bomb, headers={"Content-Type": "application/octet-stream"})
        routes["/debug/pprof/goroutine"] = Reply(body=bomb)
    elif name == "non-utf8-label":
        routes["/debug/pprof/goroutine"] = Reply(body=bad_label_goroutine_proto())
    else:
        raise AssertionError(name)
    return routes, override


SCENARIOS = ("escapes", "echoed-secret", "login-page", "redirect-esc", "over-the-limit", "gzip-bomb", "non-utf8-label")


@pytest.fixture()
def hostile(request):
    routes, override = scenario(request.param)
    server = FakeTarget(routes)
    server.override = override
    server.start()
    yield request.param, server
    server.stop()


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"max_decompressed_bytes": LIMIT}))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ---- top / goroutines / check ---------------------------------------------------------------------

# What each command says, per scenario: (exit status, words in its output); None: not checked.
EXPECT = {
    "escapes": {"top": (0, "main.evil␛]0;pwned␇"), "goroutines": (0, "main.evil"), "check": (None, "")},
    "echoed-secret": {"top": (0, "main.****"), "goroutines": (0, "main.****"), "check": (None, "")},
    "login-page": {
        "top": (1, "an HTML login page"),
        "goroutines": (1, "an HTML login page"),
        "check": (2, "an HTML login page"),
    },
    "redirect-esc": {
        "top": (1, "redirected to /sso/login␛]0;pwned␇"),
        "goroutines": (1, "redirected to /sso/login␛]0;pwned␇"),
        "check": (2, "redirected to /sso/login"),
    },
    "over-the-limit": {
        "top": (1, f"over the {LIMIT}-byte limit"),
        "goroutines": (1, f"over the {LIMIT}-byte limit"),
        "check": (None, "not read: heap"),  # never "nothing found" about a heap it could not read
    },
    "gzip-bomb": {
        "top": (1, "gzip bomb?"),
        "goroutines": (1, "gzip bomb?"),
        "check": (None, "not read: heap (heap: "),
    },
    "non-utf8-label": {"top": (0, "main.worker"), "goroutines": (0, "worker=L\ufffdB\ufffdL"), "check": (None, "")},
}


def command_argv(name: str, command: str, url: str, config_file: Path) -> list[str]:
    goroutine_path = "goroutine" if name in ("gzip-bomb", "non-utf8-label") else "goroutine?debug=2"
    top_path = "goroutine" if name == "non-utf8-label" else "heap"
    common = ["--max-body-mb", "1", "--config", str(config_file)]
    if command == "top":
        return ["top", f"{url}/debug/pprof/{top_path}", *common]
    if command == "goroutines":
        return ["goroutines", f"{url}/debug/pprof/{goroutine_path}", *common]
    return ["check", url, "--for", "1s", "--interval", "0.2", *common]


@pytest.mark.parametrize("hostile", SCENARIOS, indirect=True)
@pytest.mark.parametrize("command", ["top", "goroutines", "check"])
def test_text_commands_against_the_hostile_server(hostile, command, capsys, monkeypatch, config_file):
    name, server = hostile
    monkeypatch.setenv("PPROF_TUI_TOKEN", TOKEN)
    rc, out, err = run(capsys, *command_argv(name, command, server.url, config_file))
    assert_clean(out, err)
    status, words = EXPECT[name][command]
    if status is not None:
        assert rc == status, (rc, out, err)
    else:
        assert rc in (0, 1), (rc, out, err)  # a verdict or none; never an error
    assert words in out + err, (out, err)
    if rc:
        assert err.count("\n") <= 1 or command == "check", err  # one clear line
    assert "mid-answer" not in out + err and "reconnecting" not in out + err
    assert any(h.get("Authorization") == f"Bearer {TOKEN}" for h in server.headers_seen)  # it was sent


def test_the_real_entry_point_prints_no_traceback(config_file):
    """`python -m tui` as a user runs it, on the scenarios whose output is hardest to keep clean."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPROF_TUI_")}
    env["PPROF_TUI_TOKEN"] = TOKEN
    for name in ("escapes", "echoed-secret", "redirect-esc"):
        routes, override = scenario(name)
        server = FakeTarget(routes)
        server.override = override
        server.start()
        try:
            for command in ("top", "goroutines"):
                proc = subprocess.run(
                    [sys.executable, "-m", "tui", *command_argv(name, command, server.url, config_file)],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=ROOT,
                    timeout=60,
                )
                assert_clean(proc.stdout, proc.stderr)
                assert proc.returncode == EXPECT[name][command][0], proc.stderr
        finally:
            server.stop()


# ---- the poller ---------------------------------------------------------------------------------


async def watch(url: str, ticks: int = 4) -> tuple[object, list]:
    from tui.config import build_config
    from tui.service.poller import Poller

    config = build_config(
        {"target": url, "interval": 0.05, "max_body_bytes": LIMIT, "max_decompressed_bytes": LIMIT},
        env={"PPROF_TUI_TOKEN": TOKEN},
    )
    config = dataclasses.replace(config, heap_every=1, goroutine_debug1_every=1)
    seen: list = []
    poller = Poller(config, on_snapshot=seen.append)
    poller.refresh_now("all")
    task = poller.start()
    deadline = time.monotonic() + 20
    while poller.tick < ticks and time.monotonic() < deadline and not task.done():
        await asyncio.sleep(0.02)
    assert not task.done(), task  # the poller never dies of what it is served
    await poller.stop()
    return poller, seen


def poller_texts(poller, seen: list) -> list[str]:
    texts = [poller.last_error, poller.status_line(time.monotonic())]
    texts += [c.last_error or "" for c in poller.costs.snapshot()]
    for s in seen:
        texts += [s.last_error, s.tree_status, s.state]
        texts += [a.reason for a in s.ages.values()]
        if s.heap is not None:
            texts += list(s.heap.functions.names) + [st.unit for st in s.heap.sample_types]
        for group in s.goroutine_groups:
            for bucket in group.buckets:
                texts += [stack.signature for stack in bucket.stacks]
                texts += [f"{k}={v}" for stack in bucket.stacks for k, v in stack.labels_seen]
        if s.goroutine_stacks is not None:  # debug=1 / the goroutine proto
            for record in s.goroutine_stacks.records:
                texts += [f.func for f in record.frames] + [f"{k}={v}" for k, v in record.labels]
    assert all(isinstance(t, str) for t in texts)
    return texts


@pytest.mark.parametrize("hostile", SCENARIOS, indirect=True)
async def test_the_poller_against_the_hostile_server(hostile):
    from tui.model import snapshot as snap

    name, server = hostile
    poller, seen = await watch(server.url)
    assert seen, name
    texts = poller_texts(poller, seen)
    joined = "\n".join(texts)
    assert TOKEN[:8] not in joined and "HOSTILE" not in joined
    # what reaches the screen is cleaned there (widgets/cells.py literal); messages are clean already
    assert_clean(poller.last_error, poller.status_line(time.monotonic()), *(s.last_error for s in seen))
    last = seen[-1]
    if name in ("login-page", "redirect-esc"):
        assert last.state == snap.ERROR, (last.state, last.last_error)  # not "reconnecting"
        assert ("an HTML login page" if name == "login-page" else "redirected to /sso/login") in last.last_error
        assert "mid-answer" not in last.last_error
    elif name == "echoed-secret":
        assert last.heap is not None and any(n.startswith("main.****") for n in last.heap.functions.names)
    elif name == "over-the-limit":
        assert any(f"over the {LIMIT}-byte limit" in t for t in texts), texts
        assert last.memstats is not None  # the other endpoints go on
    elif name == "gzip-bomb":
        assert any("gzip bomb?" in t for t in texts), texts
        assert last.memstats is not None
    elif name == "non-utf8-label":
        assert "worker=L\ufffdB\ufffdL" in texts, texts
    elif name == "escapes":
        assert last.heap is not None and any("main.evil" in n for n in last.heap.functions.names)
