"""parse_debug2 on hand-made edge cases and on real captures (Go 1.19, 1.27)."""

from __future__ import annotations

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import parse_debug2
from tui.core import limits
from tui.core.errors import ParseError
from tui.goroutines.debug2 import parse_header
from tui.goroutines.records import ELIDED_UNKNOWN, Frame

BLOCK = "main.f(0xc000010000, 0x1)\n\t/src/main.go:40 +0x24\n"


def one(header: str, stack: str = BLOCK):
    dump = parse_debug2(f"{header}\n{stack}")
    assert len(dump.goroutines) == 1
    return dump.goroutines[0]


# --- headers -------------------------------------------------------------------------------


def test_reason_and_minutes() -> None:
    g = one("goroutine 67973 [chan send, 31 minutes]:")
    assert (g.id, g.status, g.wait_minutes) == (67973, "chan send", 31)
    assert not g.locked_to_thread and not g.leaked and g.labels == () and g.extra_markers == ()


def test_one_minutes_plural_as_go_prints_it() -> None:
    assert one("goroutine 3 [chan send, 1 minutes]:").wait_minutes == 1


def test_locked_to_thread() -> None:
    g = one("goroutine 1 [IO wait, locked to thread]:")
    assert g.status == "IO wait" and g.locked_to_thread and g.wait_minutes is None


def test_minutes_and_locked() -> None:
    g = one("goroutine 1 [syscall, 5 minutes, locked to thread]:")
    assert (g.status, g.wait_minutes, g.locked_to_thread) == ("syscall", 5, True)


def test_leaked_marker() -> None:
    g = one("goroutine 8 [chan receive (leaked)]:")
    assert g.status == "chan receive" and g.leaked


def test_leaked_after_reason_with_parentheses() -> None:
    g = one("goroutine 8 [chan receive (nil chan) (leaked)]:")
    assert g.status == "chan receive (nil chan)" and g.leaked


def test_reason_with_parentheses_kept_whole() -> None:
    assert one("goroutine 4 [select (no cases), 2 minutes]:").status == "select (no cases)"
    assert one("goroutine 4 [GC worker (idle)]:").status == "GC worker (idle)"


def test_durable_marker() -> None:
    g = one("goroutine 9 [select (durable), 3 minutes]:")
    assert (g.status, g.durable, g.wait_minutes) == ("select", True, 3)


def test_go127_labels_bare_and_quoted() -> None:
    g = one('goroutine 19 [chan receive] {k: v, req: "a-b"}:')
    assert g.status == "chan receive"
    assert g.labels == (("k", "v"), ("req", "a-b"))


def test_go127_labels_with_escapes() -> None:
    # As runtime.printquoted writes them (see runtime/traceback_test.go).
    g = one(
        r'goroutine 19 [chan receive, 2 minutes] {fizzle: "b\x1bit", "foo\"ba\x00r": "baz\n", "a\\b": "\u1234\u03a3 \U00045678"}:'
    )
    assert g.wait_minutes == 2
    assert g.labels == (("fizzle", "b\x1bit"), ('foo"ba\x00r', "baz\n"), ("a\\b", "\u1234\u03a3 \U00045678"))


def test_go127_label_invalid_utf8_byte_becomes_replacement_char() -> None:
    g = one(r'goroutine 19 [select] {k: "a\xffb"}:')
    assert g.labels == (("k", "a\ufffdb"),)


def test_go127_label_value_with_brackets_commas_and_colons() -> None:
    g = one('goroutine 19 [select] {"k:1": "x], y: {z}"}:')
    assert g.labels == (("k:1", "x], y: {z}"),)


def test_go126_labels_as_go_126_prints_them() -> None:
    # Real Go 1.26.6 output (GODEBUG=tracebacklabels=1): no comma before "labels:".
    g = one('goroutine 19 [chan receive, 2 minutes labels:{"req": "a-b c", "worker": "cache"}]:')
    assert (g.status, g.wait_minutes, g.extra_markers) == ("chan receive", 2, ())
    assert g.labels == (("req", "a-b c"), ("worker", "cache"))
    g = one('goroutine 19 [chan receive labels:{"k": "v, w]"}]:')
    assert (g.status, g.wait_minutes, g.labels) == ("chan receive", None, (("k", "v, w]"),))


def test_go126_labels_inside_brackets() -> None:
    g = one('goroutine 19 [chan receive, labels:{"k": "v", "req": "a, b]"}]:')
    assert g.status == "chan receive"
    assert g.labels == (("k", "v"), ("req", "a, b]"))


def test_go126_labels_with_minutes() -> None:
    g = one('goroutine 19 [chan receive, 7 minutes, labels:{"worker": "cache"}]:')
    assert g.wait_minutes == 7 and g.labels == (("worker", "cache"),)


def test_crash_dump_gp_m_form() -> None:
    g = one("goroutine 5 gp=0xc000007 m=nil [running]:")
    assert (g.id, g.status, g.extra_markers) == (5, "running", ())
    g = one("goroutine 5 gp=0xc000007 m=3 mp=0xc000100008 [runnable]:")
    assert (g.id, g.status) == (5, "runnable")


def test_unknown_header_parts_are_kept_not_fatal() -> None:
    g = one("goroutine 20 [select, 3 minutes, synctest bubble 4, frobnicated]:")
    assert g.status == "select" and g.wait_minutes == 3
    assert g.extra_markers == ("synctest bubble 4", "frobnicated")
    g = one("goroutine 21 [chan send (scan)] ???:")
    assert g.status == "chan send" and g.extra_markers == ("scan", "???")


def test_malformed_labels_do_not_raise() -> None:
    g = one('goroutine 19 [chan receive] {k: "unterminated}:')
    assert g.status == "chan receive" and g.labels == ()
    assert g.extra_markers  # the unparsed rest is kept as text


def test_parse_header_rejects_non_headers() -> None:
    assert parse_header("main.main()") is None
    assert parse_header("goroutine x [running]:") is None


# --- frames --------------------------------------------------------------------------------


def test_frames_args_offsets_and_inlined() -> None:
    g = one(
        "goroutine 7 [semacquire]:",
        "sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:77 +0x25\n"
        "sync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:90\n"
        "main.F[...](0xc000, {0x4b2c3e, 0x5})\n\t/src/main.go:68 +0x39\n",
    )
    assert g.frames == (
        Frame("sync.runtime_SemacquireMutex", "0x0?, 0x0?, 0x0?", "/go/src/runtime/sema.go", 77, 0x25, False),
        Frame("sync.(*Mutex).Lock", "...", "/go/src/sync/mutex.go", 90, None, True),
        Frame("main.F[...]", "0xc000, {0x4b2c3e, 0x5}", "/src/main.go", 68, 0x39, False),
    )


def test_created_by_in_goroutine_and_old_form() -> None:
    g = one("goroutine 7 [select]:", BLOCK + "created by main.start in goroutine 12\n\t/src/main.go:30 +0x55\n")
    assert g.created_by == Frame("main.start", "", "/src/main.go", 30, 0x55, False)
    assert g.creator_id == 12
    g = one("goroutine 7 [select]:", BLOCK + "created by main.start\n\t/src/main.go:30 +0x55\n")
    assert g.created_by is not None and g.created_by.func == "main.start" and g.creator_id is None
    assert len(g.frames) == 1


def test_elided_frames_both_forms() -> None:
    g = one("goroutine 7 [select]:", BLOCK + "...51 frames elided...\n" + BLOCK)
    assert g.elided == 51 and len(g.frames) == 2
    g = one("goroutine 7 [select]:", BLOCK + "...additional frames elided...\n")
    assert g.elided == ELIDED_UNKNOWN and len(g.frames) == 1


def test_serving_goroutine_is_flagged() -> None:
    g = one(
        "goroutine 1 [running]:",
        "runtime/pprof.writeGoroutineStacks({0xa0ffb0, 0xc000})\n\t/go/src/runtime/pprof/pprof.go:816 +0x69\n",
    )
    assert g.is_serving
    assert not one("goroutine 1 [running]:").is_serving


def test_too_many_frames_are_bounded() -> None:
    (g,) = parse_debug2(f"goroutine 7 [select]:\n{BLOCK * 5}", max_frames=3).goroutines
    assert len(g.frames) == 3 and g.elided == 2
    assert len(one("goroutine 7 [select]:", BLOCK * 5).frames) == 5  # the default bound is far above


def test_line_bound_is_a_parameter() -> None:
    (g,) = parse_debug2(
        f"goroutine 7 [select]:\nmain.{'x' * 100}()\n\t/src/{'d' * 100}.go:1 +0x1\n", max_line=20
    ).goroutines
    assert len(g.frames[0].func) == 20 and len(g.frames[0].file) == 20


def test_huge_lines_are_cut() -> None:
    name = "main." + "x" * (limits.MAX_TEXT_LINE * 3)
    g = one("goroutine 7 [select]:", f"{name}()\n\t/src/{'d' * 10_000}.go:1 +0x1\n")
    assert len(g.frames[0].func) == limits.MAX_TEXT_LINE
    assert len(g.frames[0].file) == limits.MAX_TEXT_LINE


# --- whole dumps ---------------------------------------------------------------------------

TWO = "goroutine 1 [running]:\n" + BLOCK + "\ngoroutine 2 [chan send, 3 minutes]:\n" + BLOCK


def test_two_blocks() -> None:
    dump = parse_debug2(TWO)
    assert [g.id for g in dump.goroutines] == [1, 2]
    assert not dump.truncated and dump.dropped == 0 and dump.total == 2


def test_crlf_line_endings() -> None:
    assert parse_debug2(TWO.replace("\n", "\r\n")) == parse_debug2(TWO)


def test_blocks_without_blank_line_between() -> None:
    dump = parse_debug2(TWO.replace("\n\ngoroutine", "\ngoroutine"))
    assert [g.id for g in dump.goroutines] == [1, 2]


def test_leading_panic_text_is_skipped() -> None:
    dump = parse_debug2("panic: boom\n\n" + TWO)
    assert [g.id for g in dump.goroutines] == [1, 2]


def test_truncated_last_block_keeps_what_parses() -> None:
    text = TWO + "\ngoroutine 3 [select]:\nmain.g(0x1)\n\t/src/ma"
    dump = parse_debug2(text)
    assert dump.truncated
    assert [g.id for g in dump.goroutines] == [1, 2, 3]
    assert dump.goroutines[2].frames[0].func == "main.g"


def test_truncated_after_function_line() -> None:
    dump = parse_debug2(TWO + "\ngoroutine 3 [select]:\nmain.g(0x1)\n")
    assert dump.truncated and dump.goroutines[2].frames == ()


def test_truncated_inside_header() -> None:
    dump = parse_debug2(TWO + "\ngoroutine 3 [sel")
    assert dump.truncated and len(dump.goroutines) == 3


def test_max_goroutines_counts_dropped() -> None:
    dump = parse_debug2(TWO, max_goroutines=1)
    assert len(dump.goroutines) == 1 and dump.dropped == 1 and dump.total == 2


@pytest.mark.parametrize("text", ["", "   \n\n", "hello world", "<html>404</html>", "\x00\x01\x02"])
def test_empty_or_garbage_is_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_debug2(text)


# --- real captures -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_fixture_dump(version: str) -> None:
    text = fixture_path(version, "goroutine_debug2.txt").read_text()
    dump = parse_debug2(text)
    assert not dump.truncated
    assert len(dump.goroutines) == text.count("\ngoroutine ") + 1
    statuses = {g.status for g in dump.goroutines}
    assert {
        "chan send",
        "chan receive",
        "select",
        "sleep",
        "IO wait",
        "sync.Cond.Wait",
        "select (no cases)",
        "chan receive (nil chan)",
        "syscall",
        "running",
    } <= statuses
    leak = [g for g in dump.goroutines if g.status == "chan send"]
    assert len(leak) >= 100
    assert all(g.frames[0].func == "main.(*Dispatcher).deliver" for g in leak)
    assert all(g.created_by is not None and g.created_by.func == "main.(*Dispatcher).fanOut" for g in leak)
    assert any(g.wait_minutes and g.wait_minutes >= 1 for g in leak)
    assert sum(g.is_serving for g in dump.goroutines) == 1
    for g in dump.goroutines:
        assert g.frames, g.id
        assert all(f.file and f.line > 0 for f in g.frames), g.id


def test_fixture_go119_semacquire() -> None:
    dump = parse_debug2(fixture_path("go1.19", "goroutine_debug2.txt").read_text())
    assert sum(g.status == "semacquire" for g in dump.goroutines) == 9


@pytest.mark.parametrize("version", ["go1.26", "go1.27"])
def test_fixture_labels_and_elided(version: str) -> None:
    dump = parse_debug2(fixture_path(version, "goroutine_debug2.txt").read_text())
    labelled = [g for g in dump.goroutines if g.labels]
    assert len(labelled) == 3
    assert all(dict(g.labels) == {"req": "a-b c", "worker": "cache"} for g in labelled)
    deep = [g for g in dump.goroutines if g.elided]
    assert deep and all(g.elided and g.elided > 0 for g in deep)
    assert all(f.func == "main.recurse" for f in deep[0].frames[:10])
    assert {"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait"} <= {g.status for g in dump.goroutines}
    assert all(g.creator_id is not None for g in dump.goroutines if g.created_by is not None)
    assert all(g.extra_markers == () for g in dump.goroutines)


def test_fixture_go127_goroutineleak_dump() -> None:
    dump = parse_debug2(fixture_path("go1.27", "goroutineleak_debug2.txt").read_text())
    leaked = [g for g in dump.goroutines if g.leaked]
    assert len(leaked) == 256
    assert {g.status for g in leaked} == {"chan send", "select (no cases)", "chan receive (nil chan)"}
    assert all(g.wait_minutes is None for g in leaked)
