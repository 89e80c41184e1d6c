"""Hostile and huge inputs, round two: terminal escapes from a profile or dump in `top`/`goroutines`
output, crafted recordings (meta.json, record headers, corrupt newest answers), `--speed max`,
FIFOs, HTML login pages, `goroutines --max-goroutines`."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import os
import re
import time
from pathlib import Path

import pytest

from tests.unit.pprof_builder import Builder
from tui.cli import main
from tui.core.errors import ParseError, SourceError
from tui.model import snapshot as snap
from tui.recording.format import RecordHeader, open_recording
from tui.recording.replay_client import VirtualClock
from tui.recording.writer import RecordingWriter
from tui.sources.feeds import ReplaySource
from tui.sources.inputs import read_input

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "go1.27"
TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"
C1 = "\x9b31m\x9d0;t\x9c"
# No ESC, BEL, other C0 controls but newline, DEL or C1 controls may reach the terminal.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def assert_safe(text: str) -> None:
    found = UNSAFE.findall(text)
    assert not found, f"unsafe characters in output: {found[:5]!r}"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ---- 1. escapes from a profile / dump ------------------------------------------------------


@pytest.fixture()
def evil_profile(tmp_path) -> Path:
    b = Builder(((f"inuse{TITLE}space", f"bytes{CLIPBOARD}{C1}"), ("alloc" + CLIPBOARD, TITLE)))
    b.func(f"main.evil{TITLE}", f"/src/evil{CLIPBOARD}.go")
    b.sample([f"main.evil{TITLE}", "main.main" + C1], [1000, 5])
    b.sample(["main.main" + C1], [10, 1])
    b.p.comment.append(b.s("comment " + TITLE))
    path = tmp_path / "evil.pb"
    path.write_bytes(b.bytes())
    return path


@pytest.mark.parametrize("extra", [(), ("--lines",), ("--cum",), ("--sample-index", "1"), ("--json",)])
def test_top_output_holds_no_terminal_escapes(capsys, evil_profile, extra):
    rc, out, err = run_cli(capsys, "top", str(evil_profile), *extra)
    assert rc == 0, err
    assert_safe(out)
    assert_safe(err)
    assert "main.evil" in out
    if "--json" in extra:
        doc = json.loads(out)
        for value in (doc["unit"], doc["sample_type"], *doc["sample_types"], *(r["key"] for r in doc["rows"])):
            assert_safe(value)  # cleaned, not merely \u-escaped by JSON


def test_unknown_unit_in_every_cell_is_cleaned_and_cut():
    from tui.heap.units import MAX_UNIT, choose_output_unit, format_value

    unit = CLIPBOARD * 100
    cell = format_value(5, unit, choose_output_unit([(5, 5)], 5, unit))
    assert_safe(cell)
    assert len(cell) <= MAX_UNIT + 10


def evil_dump() -> str:
    return (
        f"goroutine 7 [chan receive{TITLE}, 5 minutes]:\n"
        f"main.evil{CLIPBOARD}(...)\n"
        f"\t/src/evil{TITLE}.go:10 +0x1\n"
        f"created by main.main{C1} in goroutine 1\n"
        f"\t/src/main{CLIPBOARD}.go:5 +0x2\n"
        "\n"
        "goroutine 8 [select]:\n"
        f"main.other{TITLE}()\n"
        "\t/src/other.go:3 +0x1\n"
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_goroutines_output_holds_no_terminal_escapes(capsys, tmp_path, as_json):
    path = tmp_path / "dump.txt"
    path.write_text(evil_dump(), encoding="utf-8")
    rc, out, err = run_cli(capsys, "goroutines", str(path), *(["--json"] if as_json else []))
    assert rc == 0, err
    assert_safe(out)
    assert "main.evil" in out
    if as_json:
        json.loads(out)


def test_check_amount_cleans_a_unit():
    from tui.commands.check_output import _amount

    assert_safe(_amount(3, "objects" + TITLE))


# ---- 2. crafted recordings -------------------------------------------------------------------


def header(t: float, ep: str, **kw) -> RecordHeader:
    values = dict(t=t, dt=0.01, wall=1.7e9 + t, ep=ep, status=200, elapsed=0.01, wire=10)
    values.update(kw)
    return RecordHeader(**values)  # type: ignore[arg-type]


def heap_bytes(value: int = 1000) -> bytes:
    b = Builder((("inuse_space", "bytes"),))
    b.sample(["main.leak", "main.main"], [value])
    return b.bytes(gz=True)


def write_recording(directory: Path, ticks: int = 5, *, poll: dict | None = None) -> Path:
    w = RecordingWriter(directory, target="t:6060", interval=2.0, poll=poll or {"interval": 2.0, "stw_budget": 0.01})
    index = (FIX / "index.html").read_bytes()
    for i in range(ticks):
        w.append(header(100.0 + 2 * i, "index"), index)
        w.append(header(100.0 + 2 * i + 0.01, "heap"), heap_bytes(1000 * (i + 1)))
    w.close()
    return directory


def edit_meta(directory: Path, **changes) -> None:
    path = directory / "meta.json"
    meta = json.loads(path.read_text())
    for key, value in changes.items():
        if key.startswith("poll_"):
            meta["poll"][key[5:]] = value
        else:
            meta[key] = value
    path.write_text(json.dumps(meta))  # NaN / Infinity as Python's json writes them


@pytest.mark.parametrize(
    "change,field",
    [
        ({"poll_stw_budget": 0}, "poll.stw_budget"),
        ({"poll_stw_budget": "1%"}, "poll.stw_budget"),
        ({"poll_heap_every": 0}, "poll.heap_every"),
        ({"poll_request_timeout": math.inf}, "poll.request_timeout"),
        ({"interval": math.nan}, "interval"),
        ({"interval": 0}, "interval"),
        ({"interval": True}, "interval"),
        ({"target": ["x"]}, "target"),
        ({"poll": [1, 2]}, "poll"),
    ],
)
def test_bad_meta_is_a_parse_error_naming_the_field(tmp_path, capsys, change, field):
    rec = write_recording(tmp_path / "rec", 2)
    edit_meta(rec, **change)
    with pytest.raises(ParseError, match=re.escape(f"meta.json: {field}")):
        open_recording(rec)
    rc, _out, err = run_cli(capsys, "replay", str(rec))
    assert rc == 2 and field in err and "Traceback" not in err


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e300])
@pytest.mark.parametrize("name", ["t", "dt"])
def test_non_finite_record_time_ends_the_scan(tmp_path, bad, name):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0)
    w.append(header(100.0, "heap"), heap_bytes())
    w.append(header(**{"t": 102.0, "ep": "heap", name: bad}), heap_bytes())
    w.append(header(104.0, "heap"), heap_bytes())
    w.close()
    recording = open_recording(rec)
    assert [r.header.t for r in recording.records] == [100.0]
    assert recording.torn_segments == 1 and recording.problems


def test_record_far_back_in_time_is_skipped(tmp_path):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0)
    for t in (100.0, 102.0, -5000.0, 104.0):
        w.append(header(t, "heap"), heap_bytes())
    w.close()
    recording = open_recording(rec)
    assert [r.header.t for r in recording.records] == [100.0, 102.0, 104.0]
    assert recording.bad_records == 1 and "skipped" in recording.problems


@pytest.mark.parametrize("command", ["top", "goroutines"])
def test_meta_json_being_a_directory_is_a_clear_error(tmp_path, capsys, command):
    rec = write_recording(tmp_path / "rec", 2)
    (rec / "meta.json").unlink()
    (rec / "meta.json").mkdir()
    rc, _out, err = run_cli(capsys, command, str(rec))
    assert rc == 1 and "meta.json is not a regular file" in err and "Traceback" not in err


def test_top_dir_falls_back_past_a_corrupt_newest_heap(tmp_path, capsys):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0)
    w.append(header(100.0, "heap"), heap_bytes(4096))
    w.append(header(102.0, "heap"), b"\x1f\x8b\x08\x00 truncated gzip")
    w.append(header(104.0, "heap"), b"<html>login</html>")
    w.close()
    rc, out, err = run_cli(capsys, "top", str(rec), "--json")
    assert rc == 0, err
    assert json.loads(out)["total"] == 4096
    assert "skipped 2 unreadable recorded answer(s)" in err and "using the one of" in err


def test_top_dir_with_only_corrupt_heaps_says_so(tmp_path, capsys):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0)
    w.append(header(100.0, "heap"), b"<html>login</html>")
    w.close()
    rc, _out, err = run_cli(capsys, "top", str(rec))
    assert rc == 1 and "no recorded heap answer could be read" in err


def test_goroutines_dir_falls_back_to_an_older_dump(tmp_path, capsys):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0)
    w.append(header(100.0, "goroutine?debug=2"), (FIX / "goroutine_debug2.txt").read_bytes())
    w.append(header(102.0, "goroutine?debug=2"), b"\x00\x01 not a dump")
    w.close()
    rc, out, err = run_cli(capsys, "goroutines", str(rec), "--json")
    assert rc == 0, err
    assert json.loads(out)["format"] == "debug=2" and "skipped 1" in err


async def test_virtual_clock_never_spins_on_nan_or_inf():
    for speed in (1.0, math.inf):
        clock = VirtualClock(100.0, speed=speed)
        for delay in (math.nan, math.inf, -math.inf, -1.0):
            await asyncio.wait_for(clock.sleep(delay), 1.0)
            assert clock.now == 100.0


async def until(predicate, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("speed", [1.0, math.inf])
async def test_replay_of_a_recording_with_a_nan_time_ends_in_bounded_time(tmp_path, speed):
    rec = write_recording(tmp_path / "rec", 3)
    w_path = rec / "seg-000002.rec"  # a second segment holding a NaN-time record, then more
    w2 = RecordingWriter(tmp_path / "scratch", target="t")
    w2.append(header(math.nan, "index"), (FIX / "index.html").read_bytes())
    w2.append(header(200.0, "index"), (FIX / "index.html").read_bytes())
    w2.close()
    w_path.write_bytes((tmp_path / "scratch" / "seg-000001.rec").read_bytes())
    source = ReplaySource(rec, speed=speed)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    try:
        await asyncio.wait_for(asyncio.shield(task), 30.0)
    finally:
        await source.stop()
    assert source.finished and seen
    assert "cut at a torn or bad record" in seen[-1].status


async def test_replay_error_is_shown_not_swallowed(tmp_path):
    rec = write_recording(tmp_path / "rec", 3)
    source = ReplaySource(rec, speed=math.inf)

    async def broken(*args, **kwargs):
        raise RuntimeError("crafted input broke something")

    source.client.get = broken  # type: ignore[method-assign]
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    await asyncio.wait_for(asyncio.shield(task), 10.0)
    assert task.exception() is None
    assert seen and seen[-1].state == snap.ERROR
    assert "crafted input broke something" in seen[-1].last_error
    assert "replay stopped" in seen[-1].status


async def test_replay_with_a_corrupt_recorded_body_keeps_playing(tmp_path):
    rec = tmp_path / "rec"
    w = RecordingWriter(rec, target="t", interval=2.0, poll={"interval": 2.0})
    index = (FIX / "index.html").read_bytes()
    for i in range(3):
        w.append(header(100.0 + 2 * i, "index"), index)
        # stored "zlib" that does not inflate: CRC fine, body corrupt
        w.append(header(100.0 + 2 * i + 0.01, "heap", enc="zlib"), b"\x00not zlib" * 100)
    w.close()
    source = ReplaySource(rec, speed=math.inf)
    seen: list[snap.Snapshot] = []
    source.on_snapshot = seen.append
    task = source.start()
    await asyncio.wait_for(asyncio.shield(task), 30.0)
    assert task.exception() is None and source.finished and not source.error


# ---- 3. small items --------------------------------------------------------------------------


def test_speed_max_and_suffixes():
    from tui.commands.replay import parse_speed

    assert parse_speed("max") == math.inf
    assert parse_speed("MAX") == math.inf
    assert parse_speed("10x") == 10.0 and parse_speed("10×") == 10.0
    with pytest.raises(Exception, match="number"):
        parse_speed("maxx")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["top", "goroutines", "open"])
def test_fifo_is_refused_without_blocking(tmp_path, capsys, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(SourceError, match="not a regular file"):
        read_input(str(fifo))
    rc, _out, err = run_cli(capsys, command, str(fifo))
    assert rc != 0 and "not a regular file" in err
    assert time.monotonic() - started < 10


LOGIN = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=/login>login</form></body></html>"


@pytest.mark.parametrize("command", ["top", "goroutines"])
def test_html_login_page_is_named(tmp_path, capsys, command):
    path = tmp_path / "page"
    path.write_bytes(LOGIN)
    rc, _out, err = run_cli(capsys, command, str(path))
    assert rc == 1 and "an HTML login page" in err and "Wire format" not in err


def test_goroutines_max_goroutines_flag_and_config(tmp_path, capsys):
    dump = str(FIX / "goroutine_debug2.txt")
    rc, out, err = run_cli(capsys, "goroutines", dump, "--json")
    full = json.loads(out)
    assert rc == 0 and full["total"] > 3
    rc, out, err = run_cli(capsys, "goroutines", dump, "--json", "--max-goroutines", "2")
    capped = json.loads(out)
    assert rc == 0 and capped["dropped"] > 0 and capped["dropped"] >= full["total"] - 3
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"max_goroutines": 2}))
    rc, out, err = run_cli(capsys, "goroutines", dump, "--json", "--config", str(config))
    assert rc == 0, err
    assert json.loads(out)["dropped"] == capped["dropped"]


def goroutine_proto_with_bad_label(*, gz: bool) -> bytes:
    """A goroutine profile.proto whose label value is not UTF-8 (Go writes label bytes as they are)."""
    b = Builder((("goroutine", "count"),))
    b.sample(["runtime.gopark", "main.worker", "main.main"], [3], labels={"worker": "LABEL"})
    raw = b.bytes().replace(b"\x05LABEL", b"\x05L\xffB\xfeL")  # same length: the proto stays well-formed
    assert raw != b.bytes()
    return gzip.compress(raw) if gz else raw


@pytest.mark.parametrize("gz", [True, False])
def test_goroutine_proto_with_a_non_utf8_label_is_read(tmp_path, capsys, gz):
    from tui.goroutines.proto import decode_goroutine_profile
    from tui.model.parsers import default_parsers
    from tui.sources.offline import load_file

    data = goroutine_proto_with_bad_label(gz=gz)
    counts = decode_goroutine_profile(data)
    assert counts.total == 3 and counts.records[0].labels == (("worker", "L\ufffdB\ufffdL"),)
    proto_parser = default_parsers().goroutine_proto
    assert proto_parser is not None and proto_parser(data).total == 3  # what the poller parses with
    assert load_file("g.pb", data).kind == "goroutine-profile"  # offline files / `open`
    path = tmp_path / "g.pb"
    path.write_bytes(data)
    rc, out, err = run_cli(capsys, "goroutines", str(path))
    assert rc == 0, err
    assert "3 goroutines" in out and "worker=L\ufffdB\ufffdL" in out
    rc, out, err = run_cli(capsys, "top", str(path))  # as before: top reads it too
    assert rc == 0 and "main.worker" in out, err


async def test_redirect_with_escapes_in_location_is_a_clean_refusal():
    from tests.unit.fake_pprof_server import FakeTarget, Reply
    from tui.config import build_config
    from tui.fetch import validate
    from tui.fetch.client import TargetClient
    from tui.fetch.errors import NotPprof

    target = FakeTarget().start()
    target.override = Reply(302, b"", {"Location": f"/login{TITLE}{C1}?next=/x&token=abc"})
    try:
        async with TargetClient(build_config({"target": target.url}, env={})) as client:
            with pytest.raises(NotPprof) as info:
                await client.get("", expect=validate.INDEX)
    finally:
        target.stop()
    message = info.value.user_message
    assert "redirected to /login" in message and "login page" in message
    assert "mid-answer" not in message and "token=abc" not in message
    assert_safe(message)


@pytest.mark.parametrize("command", ["top", "goroutines"])
def test_html_login_page_from_a_url_is_named(capsys, command):
    from tests.unit.fake_pprof_server import FakeTarget, Reply

    target = FakeTarget().start()
    target.override = Reply(200, LOGIN, {"Content-Type": "text/html"})
    try:
        rc, _out, err = run_cli(capsys, command, f"{target.url}/debug/pprof/heap")
    finally:
        target.stop()
    assert rc == 1 and "an HTML login page" in err and "Wire format" not in err
