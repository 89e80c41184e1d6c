"""Echoed credentials in the forms real servers transform them into (issue #31, item 4): URL-encoded
(`Basic%20…%3D%3D`), upper-cased (case-folded base64), JSON-escaped. A loopback target echoes the
request's credential so transformed into profile names, dumps, heap?debug=1, cmdline and error bodies;
every artefact (screen, SVG, clipboard, recording, export, `check --json`, error lines) is grepped for
every form of every planted secret."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.integration import test_secrets as base
from tests.integration.test_secrets import (
    PASSWORD,
    ROOT,
    SECRETS,
    TOKEN,
    USER,
    EchoTarget,
    _files_text,
    auth_value,
    planted_configs,
)
from tests.unit.fake_pprof_server import GOROUTINE_DEBUG1, index_html
from tui.core.masking import mask_secrets, mask_text, secret_forms

echo_target = base.echo_target  # the fixture


def encodings(value: str) -> dict[str, str]:
    return {
        "url": quote(value, safe=""),
        "upper": value.upper(),
        "lower": value.lower(),
        "json": json.dumps(value)[1:-1].replace("/", "\\/"),
        "url-lower-hex": quote(value, safe="").replace("%3D", "%3d").replace("%20", "%20"),
    }


# every form of every secret, and of the full Authorization values as sent
SENT = (f"Bearer {TOKEN}", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
NEEDLES = tuple({form for s in (*SECRETS, *SENT) for form in (s, *encodings(s).values())} | {"PLANTED", "planted"})


def leaks(*texts: object) -> list[str]:
    blob = "\n".join(str(t) for t in texts)
    return [n for n in NEEDLES if n in blob]


@pytest.mark.parametrize("how", ["url", "upper", "lower", "json", "url-lower-hex"])
@pytest.mark.parametrize("secret", [*SECRETS, *SENT])
def test_every_common_form_is_masked(secret: str, how: str) -> None:
    forms = secret_forms([secret])
    echoed = encodings(secret)[how]
    body = f'{{"error": "denied: {echoed}", "x": 1}}'.encode()
    masked = mask_secrets(body, forms)
    assert len(masked) == len(body) and b'"x": 1' in masked
    assert echoed.encode() not in masked and b"PLANTED" not in masked.upper()
    assert "PLANTED" not in mask_text(body.decode(), forms).upper()


def transformed(e: str) -> list[str]:
    value = auth_value(e)
    return list(encodings(value).values())


def names(e: str) -> str:
    return "_".join(transformed(e))


def routes() -> dict:
    from tests.integration.test_secrets import Route  # noqa: F401
    from tests.unit.pprof_builder import Builder

    def heap(e: str):
        b = Builder((("inuse_space", "bytes"),))
        for i, form in enumerate(transformed(e)):
            b.sample([f"main.h{i}_{form}", "main.main"], [4096 * (i + 1)])
        return 200, {"Content-Type": "application/octet-stream"}, b.bytes(gz=True)

    def dump(e: str):
        text = "".join(
            f"goroutine {i + 7} [chan send, 3 minutes]:\nmain.g{i}_{f}()\n\t/m.go:9 +0x2\n\n"
            for i, f in enumerate(transformed(e))
        )
        return 200, {}, text.encode()

    return {
        "/debug/pprof/": lambda e: (200, {"Content-Type": "text/html"}, index_html(2)),
        "/debug/pprof/cmdline": lambda e: (200, {}, f"/srv/app\x00{names(e)}".encode()),
        "/debug/pprof/heap?debug=1": lambda e: (
            200,
            {},
            f"heap profile: 1: 8 [2: 16] @ heap/1\n\n# runtime.MemStats\n# Alloc = 100\n# X = {names(e)}\n".encode(),
        ),
        "/debug/pprof/heap": heap,
        "/debug/pprof/goroutine?debug=1": lambda e: (200, {}, GOROUTINE_DEBUG1),
        "/debug/pprof/goroutine?debug=2": dump,
        "/debug/pprof/goroutine": lambda e: (
            500,
            {"Content-Type": "application/json"},
            json.dumps({"error": transformed(e)}).encode(),
        ),
    }


def run_cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PPROF_TUI_")} | env
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, env=full, cwd=ROOT, timeout=120
    )


@pytest.mark.parametrize(
    "env",
    [{"PPROF_TUI_TOKEN": TOKEN}, {"PPROF_TUI_USER": USER, "PPROF_TUI_PASSWORD": PASSWORD}],
    ids=["bearer", "basic"],
)
def test_text_commands_and_check_json_hold_no_encoded_echo(env: dict[str, str], tmp_path: Path) -> None:
    server = EchoTarget(routes())
    try:
        top = run_cli("top", f"{server.url}/debug/pprof/heap", "--json", env=env)
        gor = run_cli("goroutines", f"{server.url}/debug/pprof/goroutine?debug=2", env=env)
        err = run_cli("goroutines", f"{server.url}/debug/pprof/goroutine", env=env)
        check = run_cli("check", server.url, "--for", "4", "--json", env=env)
    finally:
        server.close()
    assert top.returncode == 0 and "main.h0_" in top.stdout, top.stderr
    assert gor.returncode == 0 and "main.g0_" in gor.stdout, gor.stderr
    assert json.loads(check.stdout)["targets"]
    assert any(any(s in e for s in SENT) for e in server.seen)  # the target did get them
    outputs = [p.stdout + p.stderr for p in (top, gor, err, check)]
    assert not leaks(*outputs), leaks(*outputs)


async def _watch_save_copy(config, record_dir: Path, export_dir: Path) -> list[str]:
    """Watch with a recording, `s` (export + SVG), drill into the hottest function and `c` (copy)."""
    from tests.tui.waiting import settle, wait_for
    from tui.app import build_app
    from tui.screens.heap_drill import HeapDrillScreen
    from tui.sources.feeds import LiveSource
    from tui.widgets.heap_table import HeapTable

    app = build_app(LiveSource(config, record_dir=record_dir))
    out: list[str] = []
    async with app.run_test(size=(160, 40)) as pilot:
        table = app.screen.query_one(HeapTable)
        await wait_for(pilot, lambda: any("****" in k for k in table.keys_in_order))
        await settle(pilot, app)
        out += [app.export_screenshot(), *table.keys_in_order]
        before = len(list(export_dir.glob("*/screen.svg")))
        await pilot.press("s")
        await wait_for(pilot, lambda: len(list(export_dir.glob("*/screen.svg"))) > before)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HeapDrillScreen) and app.screen.result is not None)
        await pilot.press("c")
        await pilot.pause()
        out += [app.clipboard, app.export_screenshot()]
        await pilot.press("q")
        await pilot.pause()
    return out


async def test_watch_record_save_screen_and_clipboard_hold_no_encoded_echo(
    tmp_path: Path, echo_target, monkeypatch
) -> None:
    from tui.recording.format import open_recording

    server = echo_target(routes())
    texts: list[str] = []
    for how in ("basic-file", "header-file"):
        monkeypatch.setenv("PPROF_TUI_STATE_DIR", str(tmp_path / f"state-{how}"))
        export_dir = tmp_path / f"state-{how}" / "snapshots"  # where `s` saves
        config = dataclasses.replace(planted_configs(tmp_path, server.url)[how], interval=0.1)
        texts += await _watch_save_copy(config, tmp_path / f"rec-{how}", export_dir)
        recorded = [ref.read_body().decode("latin-1") for ref in open_recording(tmp_path / f"rec-{how}").records]
        assert any(re.search(r"main\.h0_[\w%]*\*{8}", t) for t in recorded), how  # the echo is there, masked
        texts += [*recorded, *_files_text(tmp_path / f"rec-{how}"), *_files_text(export_dir)]
    assert any(any(s in e for s in SENT) for e in server.seen)
    found = leaks(*texts)
    assert not found, found
