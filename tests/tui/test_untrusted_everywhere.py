"""Untrusted text through the whole app: a target whose names, paths, labels, wait reasons and
error bodies carry Rich markup, ANSI CSI/OSC (OSC 8 links, OSC 52 clipboard set), BEL, C1 (0x9b),
bidi overrides, invalid UTF-8 and 100 kB strings. The real poller and parsers read it from a
loopback server; every pane, both drill-downs, help, the clipboard, the export directory and the
screenshot must show it literally, without a control character and cut to a sane length.
(tests/tui/test_untrusted_text.py is the small canned version of this.)
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re

from rich.text import Text

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.heapgen import encode
from tests.tui.test_app_faults import capture_routes, quiesce, wait_until
from tests.tui.waiting import settle
from tests.unit.fake_pprof_server import FakeTarget, Reply
from tui.app import build_app
from tui.app.main import snapshot_dir
from tui.config import build_config
from tui.goroutines.debug1 import parse_debug1
from tui.recording.export import FILE_NAMES, SCREENSHOT_NAME
from tui.screens.goroutine_drill import GoroutineDrillScreen
from tui.screens.heap_drill import HeapDrillScreen
from tui.screens.help import HelpScreen
from tui.sources.feeds import LiveSource
from tui.widgets.goroutine_tree import GoroutineTree
from tui.widgets.heap_table import HeapTable
from tui.widgets.status_bar import StatusBar, render_status

MARKUP = "[bold red]RED[/][link=http://evil.example/]click[/link]"
ESCAPES = (
    "\x1b[31mCSI\x1b[0m\x1b]8;;http://evil.example/\x1b\\OSC8\x1b]8;;\x1b\\"
    "\x1b]52;c;cHduZWQ=\x07\x07\x9b2J\u202eRTL\u202c"
)
EVIL = MARKUP + ESCAPES
HUGE = "H" * 100_000
BAD_UTF8 = b"\xff\xfe\xc3"
# what must never reach a widget, the clipboard or the screenshot
UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_SHOWN = 2000  # no string a widget holds may be longer (the 100 kB names are cut)

EVIL_FUNC = f"main.{EVIL}"
HUGE_FUNC = f"main.huge{HUGE}"


def evil_dump() -> bytes:
    """A Go 1.27 goroutine?debug=2 dump, with a Go 1.26 `labels:{}` header among the 1.27 `{k: v}` ones."""
    return b"".join(
        [
            b"goroutine 1 [running]:\nruntime/pprof.writeGoroutineStacks({0x0})\n"
            b"\t/usr/local/go/src/runtime/pprof/pprof.go:1 +0x1\n\n",
            # Go 1.27 header labels (quoted when not bare) carrying markup and an OSC 52
            # (Go quotes label values with %q: the escapes arrive as text and the parser decodes them)
            b'goroutine 7 [chan send \x1b[2J\xc2\x9b31m\xe2\x80\xaeX, 3 minutes] {k: "[bold]v\\x1b]52;c;eA==\\a", req: bare}:\n',
            EVIL_FUNC.encode() + BAD_UTF8 + b"(0xc000012345)\n",
            b"\t/src/" + MARKUP.encode() + b"\x1b[31m" + BAD_UTF8 + b".go:12 +0x1d\n",
            HUGE_FUNC.encode() + b"(...)\n\t/src/huge.go:1\n",
            b"created by main.spawn[/] in goroutine 1\n\t/src/main.go:3 +0x2a\n\n",
            # Go 1.26 labels, and a 100 kB wait reason
            b'goroutine 8 [chan receive, labels:{"[bold]k": "\\x1b]52;c;eA==\\a"}]:\n'
            b"main.worker()\n\t/src/w.go:9 +0x1\ncreated by main.spawn in goroutine 1\n\t/src/main.go:4 +0x2a\n\n",
            b"goroutine 9 [" + b"W" * 100_000 + b"]:\nmain.waiter()\n\t/src/w.go:19 +0x1\n",
        ]
    )


EVIL_DEBUG1 = (
    "goroutine profile: total 3\n"
    f'2 @ 0x1 0x2\n# labels: {{"worker":"{MARKUP}\\x1b]52;c;eA==\\a", "\\u202ek":"v"}}\n'
    f"#\t0x1\t{EVIL_FUNC}+0x24\t/src/{MARKUP}\x9b.go:40\n"
    f"#\t0x2\t{HUGE_FUNC}+0x1\t/src/m.go:1\n\n"
    f'1 @ 0x3\n# labels: {{"huge":"{HUGE}"}}\n#\t0x3\tmain.main+0x1\t/src/main.go:1\n\n'
)


def evil_heap() -> bytes:
    main = ("main.main", "/src/main.go", 5)
    return encode(
        [
            (((EVIL_FUNC, f"/src/{MARKUP}{ESCAPES}.go", 10), main), (1, 9000, 1, 9000)),
            (((HUGE_FUNC, f"/src/{HUGE}.go", 11), main), (1, 5000, 1, 5000)),
            ((("main.plain", "/src/plain.go", 12), main), (1, 1000, 1, 1000)),
        ]
    )


def evil_routes() -> dict[str, Reply]:
    routes = capture_routes()
    routes["/debug/pprof/heap"] = Reply(body=evil_heap(), headers={"Content-Type": "application/octet-stream"})
    routes["/debug/pprof/goroutine?debug=2"] = Reply(body=evil_dump())
    routes["/debug/pprof/goroutine?debug=1"] = Reply(body=EVIL_DEBUG1.encode() + BAD_UTF8)
    return routes


def plain(value: object) -> str:
    if isinstance(value, Text):
        return value.plain
    inner = getattr(value, "text", None)
    return inner.plain if isinstance(inner, Text) else str(value)


def assert_safe(value: object, where: str) -> str:
    text = plain(value)
    assert not UNSAFE.search(text), f"{where}: control character in {text[:200]!r}"
    assert len(text) <= MAX_SHOWN, f"{where}: {len(text)} characters"
    return text


def assert_screenshot_safe(svg: str) -> None:
    for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert bad not in svg, f"{bad!r} in the screenshot"
    assert max(len(line) for line in svg.splitlines()) < 200_000  # no 100 kB name made it in whole


async def tree_nodes(pilot, tree: GoroutineTree) -> list:
    """Every node, expanded level by level (children are built lazily when a node opens)."""
    for _ in range(3):
        stack, nodes = list(tree.root.children), []
        while stack:
            node = stack.pop()
            nodes.append(node)
            if node.allow_expand and not node.is_expanded:
                node.expand()
            stack.extend(node.children)
        await pilot.pause()
    return nodes


def evil_source(port: int) -> LiveSource:
    return LiveSource(
        build_config(
            {
                "target": f"127.0.0.1:{port}",
                "interval": 0.1,
                "request_timeout": 1.0,
                "debug2_timeout": 1.0,
                "backoff_base": 0.05,
                "backoff_max": 0.4,
                "heap_every": 1,
                "debug2_min_age": 0.2,
                "stw_budget": 0.5,
            },
            env={},
        )
    )


async def test_every_pane_drill_export_and_screenshot_show_target_text_literally(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = FakeTarget(evil_routes()).start()
    app = build_app(evil_source(target.port))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.dashboard.query_one(HeapTable)
            tree = app.dashboard.query_one(GoroutineTree)
            await wait_until(
                pilot,
                lambda: (
                    table.row_count >= 3
                    and len(tree.root.children) >= 3
                    and any(EVIL_FUNC[:20] in k for k in table.keys_in_order)
                ),
                "the evil target shown",
            )
            await settle(pilot, app)

            # heap table: every cell literal and bounded; the markup is shown as characters
            cells = [assert_safe(c, f"heap cell {k[:30]!r}") for k in table.keys_in_order for c in table.get_row(k)]
            assert any(c.startswith("main.[bo") for c in cells)  # names are shortened to the column
            assert any(c.startswith("main.hu") and "…" in c and len(c) < 100 for c in cells), [
                c[:60] + f"..{len(c)}" for c in cells
            ]
            # the info line shows the whole name of the row under the cursor, literally
            table.move_cursor(row=next(i for i, k in enumerate(table.keys_in_order) if k.startswith(EVIL_FUNC[:20])))
            await settle(pilot, app)
            info = assert_safe(app.dashboard.query_one("#heap-info").text, "#heap-info")
            assert MARKUP in info and "␛]52;c;cHduZWQ=␇" in info, info

            # goroutine tree: reasons, buckets, stacks
            labels = [assert_safe(n.label, "tree label") for n in await tree_nodes(pilot, tree)]
            assert any("main.[bold red]R" in label for label in labels), labels  # shortened to the tree's width
            assert any("chan send ␛[2J\\x9b31m\\u202eX" in label for label in labels), labels[:5]
            assert not any("W" * MAX_SHOWN in label for label in labels)

            # one-line widgets: status, info lines, pane titles, findings and every other Static
            assert_safe(render_status(app.dashboard.query_one(StatusBar).info), "status bar")
            for selector in ("#heap-info", "#tree-info"):
                assert_safe(app.dashboard.query_one(selector).text, selector)
            for selector in ("#heap-pane", "#tree-pane"):
                assert_safe(app.dashboard.query_one(selector).border_title or "", f"{selector} title")
            for widget in app.dashboard.query("Static"):
                assert_safe(widget.render(), f"{type(widget).__name__}#{widget.id}")
            assert_screenshot_safe(app.export_screenshot())

            # heap drill-down on the evil function, and its clipboard text
            table.focus()
            table.move_cursor(row=next(i for i, k in enumerate(table.keys_in_order) if k.startswith(EVIL_FUNC[:20])))
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, HeapDrillScreen)
            await wait_until(pilot, lambda: app.screen.result is not None, "peek")
            body = app.screen.body().plain
            assert MARKUP in body and "\\x9b2J" in body
            for line in body.splitlines():
                assert_safe(line, "heap drill line")
            assert_screenshot_safe(app.export_screenshot())
            await pilot.press("c")
            assert MARKUP in app.clipboard
            for line in app.clipboard.splitlines():
                assert_safe(line, "heap clipboard line")
            await pilot.press("escape")

            # goroutine drill-down on the stack with the evil frames and labels
            node = next(
                n
                for n in await tree_nodes(pilot, tree)
                if n.data.kind == "stack" and any(f.func.startswith(EVIL_FUNC[:20]) for f in n.data.group.frames)
            )
            tree.focus()
            tree.move_cursor(node)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GoroutineDrillScreen)
            body = app.screen.body().plain
            assert MARKUP in body and "\ufffd" in body  # invalid UTF-8 shown as the replacement character
            assert "k=[bold]v␛]52;c;eA==␇" in body  # the header label, decoded from Go's quoting, literally
            for line in body.splitlines():
                assert_safe(line, "goroutine drill line")
            assert_screenshot_safe(app.export_screenshot())
            await pilot.press("c")
            assert MARKUP in app.clipboard
            # (the first line, "N goroutines [reason]", is test_goroutine_clipboard_header_is_clean)
            for line in app.clipboard.splitlines()[1:]:
                assert_safe(line, "goroutine clipboard line")
            await pilot.press("escape")

            # help
            await pilot.press("question_mark")
            await settle(pilot, app)
            assert isinstance(app.screen, HelpScreen)
            assert_screenshot_safe(app.export_screenshot())
            await pilot.press("escape")

            # export: fixed file names, a clean meta.json and screenshot (under <state dir>/snapshots: #25)
            saved = snapshot_dir()
            await pilot.press("s")
            await wait_until(pilot, lambda: list(saved.glob(f"*/{SCREENSHOT_NAME}")), "the export")
            out = next(saved.glob(f"*/{SCREENSHOT_NAME}")).parent
            assert re.fullmatch(r"pprof-tui-[A-Za-z0-9._-]+", out.name)
            names = {p.name for p in out.iterdir()}
            assert names <= set(FILE_NAMES.values()) | {"meta.json", SCREENSHOT_NAME}
            assert "goroutine_debug2.txt" in names and "heap.pb.gz" in names
            meta_raw = (out / "meta.json").read_bytes()
            assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", meta_raw)
            json.loads(meta_raw)
            assert_screenshot_safe((out / SCREENSHOT_NAME).read_text())
            # the raw bodies are kept as the target sent them (that is the point of an export)
            assert (out / "goroutine_debug2.txt").read_bytes() == evil_dump()
            assert gzip.decompress((out / "heap.pb.gz").read_bytes()) == gzip.decompress(evil_heap())

            # an error whose text quotes the target (its Content-Type) in the status bar
            target.routes["/debug/pprof/"] = Reply(
                200, b"zzz", headers={"Content-Type": "text/[bold red]x[/]\x9b2J" + "C" * 3000}
            )
            status = app.dashboard.query_one(StatusBar)
            await wait_until(pilot, lambda: status.info.state == "error", "the error")
            line = assert_safe(render_status(status.info), "status bar with an error")
            assert "[bold red]x[/]\\x9b2J" in line and len(status.info.error) <= 300
            assert_screenshot_safe(app.export_screenshot())
            await quiesce(pilot, app)
    finally:
        target.stop()


async def test_heap_profile_with_invalid_utf8_is_shown_with_replacement_characters():
    """profile.proto strings should be UTF-8, but Go writes names as they are and go tool pprof opens such a
    profile: the heap table shows the name with U+FFFD for the bad bytes (rendered literally), not an error."""
    raw = gzip.decompress(encode([((("main.PLACEHOLDER", "/src/a.go", 1),), (1, 2, 3, 4))]))
    routes = capture_routes()
    routes["/debug/pprof/heap"] = Reply(body=gzip.compress(raw.replace(b"PLACEHOLDER", b"ab\xff\xfe\xc3defghi")))
    target = FakeTarget(routes).start()
    app = build_app(evil_source(target.port))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.dashboard.query_one(HeapTable)
            await wait_until(pilot, lambda: any("main.ab\ufffd" in k for k in table.keys_in_order), "the heap row")
            key = next(k for k in table.keys_in_order if "main.ab\ufffd" in k)
            assert key == "main.ab\ufffd\ufffd\ufffddefghi"  # same length: the wire stays valid
            cells = [assert_safe(c, "heap cell") for c in table.get_row(key)]
            assert any("ab\ufffd" in c for c in cells)
            assert not app.snapshot.age("heap").reason
            assert app.dashboard.query_one(StatusBar).info.state == "live"
            await quiesce(pilot, app)
    finally:
        target.stop()


async def test_debug1_labels_and_names_in_tree_and_drill():
    """Before a debug=2 dump the tree comes from goroutine?debug=1: pprof.Do labels and names there too."""
    stacks = parse_debug1((EVIL_DEBUG1.encode() + BAD_UTF8).decode("utf-8", "replace"))
    shot = dataclasses.replace(make_snapshot(1, groups=()), goroutine_groups=(), goroutine_stacks=stacks)
    app = build_app(CannedSource(shot))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        tree = app.dashboard.query_one(GoroutineTree)
        labels = [assert_safe(n.label, "tree label") for n in await tree_nodes(pilot, tree)]
        assert any("main.[bold red]R" in label for label in labels)  # shortened to the tree's width
        node = next(n for n in await tree_nodes(pilot, tree) if n.data.kind == "stack" and n.data.group.labels_seen)
        tree.focus()
        tree.move_cursor(node)
        await settle(pilot, app)
        info = assert_safe(app.dashboard.query_one("#tree-info").text, "#tree-info")
        assert MARKUP in info, info  # the whole name of the group under the cursor, literally
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, GoroutineDrillScreen)
        body = app.screen.body().plain
        for line in body.splitlines():
            assert_safe(line, "drill line")
        assert f"worker={MARKUP}␛]52;c;eA==␇" in body  # the pprof.Do label, literally
        assert "\\u202ek=" in body
        assert_screenshot_safe(app.export_screenshot())


async def test_goroutine_clipboard_header_is_clean():
    from tests.oracles.reference import group_goroutines, parse_debug2

    groups = group_goroutines(parse_debug2(evil_dump().decode("utf-8", "replace")))
    app = build_app(CannedSource(make_snapshot(1, groups=groups)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        tree = app.dashboard.query_one(GoroutineTree)
        node = next(
            n
            for n in await tree_nodes(pilot, tree)
            if n.data.kind == "stack" and n.data.group.reason.startswith("chan send")
        )
        tree.focus()
        tree.move_cursor(node)
        await pilot.press("enter", "c")
        await settle(pilot, app)
        assert isinstance(app.screen, GoroutineDrillScreen)
        for line in app.clipboard.splitlines():
            assert_safe(line, "goroutine clipboard line")
