"""tui.core.filters: literal by default, a regex after re:; user regexes are RE2 (tui.core.user_regex)."""

from __future__ import annotations

import json
import re

import pytest

from tests.unit.pprof_builder import Builder
from tui.cli import main
from tui.core.filters import UserPatternError, filter_pattern
from tui.core.user_regex import compile_user_regex
from tui.goroutines.filtering import stack_matcher
from tui.goroutines.grouping import StackGroup
from tui.screens.presenters import HeapView, heap_row_filter


def test_literal_by_default():
    assert filter_pattern("appendTo[").search("main.appendTo[go.shape.int]")
    assert filter_pattern("(*Mutex).Lock").search("sync.(*Mutex).Lock")
    assert not filter_pattern("a.c").search("abc")  # "." is a dot
    assert filter_pattern("").search("anything")


def test_re_prefix_is_a_regex():
    assert filter_pattern("re:a.c").search("abc")
    assert filter_pattern(r"re:^main\.(f|g)$").search("main.g")
    assert not filter_pattern(r"re:^main\.(f|g)$").search("main.h")
    with pytest.raises(UserPatternError):
        filter_pattern("re:appendTo[")


def test_heap_row_filter_and_stack_matcher_use_it():
    from tui.heap.top import TopRow

    fields = dict.fromkeys(TopRow.__dataclass_fields__, 0)  # type: ignore[attr-defined]
    row = TopRow(**{**fields, "key": "k", "name": "main.appendTo[go.shape.int]", "file": "a.go", "line": 3})
    keep = heap_row_filter(HeapView(filter="appendTo["))
    assert keep is not None and keep(row)
    keep = heap_row_filter(HeapView(filter="re:^main\\.appendTo\\["))
    assert keep is not None and keep(row)
    group = StackGroup(
        key="k",
        reason="chan send",
        count=1,
        frames=(),
        created_by=None,
        labels_seen=(("w", "[x]"),),
        sample_ids=(),
        min_minutes=None,
        max_minutes=None,
        leaked=False,
        signature="main.f[...] a.go:1",
    )
    assert stack_matcher(filter_pattern("f[...]"))(group)
    assert stack_matcher(filter_pattern("w=[x]"))(group)
    assert not stack_matcher(filter_pattern("re:^chan receive$"))(group)


# ---- patterns that would backtrack for ever in Python's re finish (RE2: linear time) ------------

# `(a+)+$` against "aaaa…!": Python's re tries 2**n ways to split the a's before failing.
HOSTILE_PATTERN = "(a+)+$"
HOSTILE_NAME = "main." + "a" * 5000 + "!"


def test_hostile_pattern_finishes_and_says_no():
    assert not compile_user_regex(HOSTILE_PATTERN).search(HOSTILE_NAME)
    assert compile_user_regex(HOSTILE_PATTERN).search("main.aaa")
    assert not filter_pattern("re:" + HOSTILE_PATTERN).search(HOSTILE_NAME)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", "backreferences"),
        ("(?P<x>a)(?P=x)", "backreferences"),
        ("main(?=x)", "lookahead"),
        ("(?<!x)main", "lookbehind"),
        (r"a\Z", "use \\z"),
        ("appendTo[", "missing ]"),
    ],
)
def test_unsupported_syntax_is_said_in_words(pattern, words, capfd):
    with pytest.raises(UserPatternError) as info:
        compile_user_regex(pattern)
    message = str(info.value)
    assert words in message and "\n" not in message and "b'" not in message
    assert "re2.cc" not in capfd.readouterr().err  # RE2's own logging stays off the terminal


def test_re2_syntax_as_go_uses_it():
    assert compile_user_regex("(?i)MAIN\\.").search("main.f")
    assert compile_user_regex(r"^runtime\.gc\z").search("runtime.gc")
    assert compile_user_regex("é.").search("café!")  # UTF-8 aware: "." is one character
    assert compile_user_regex(r"\pL+").search("ß")
    assert compile_user_regex("x").search("a\udcffx")  # a lone surrogate does not make it raise


def test_our_trusted_pattern_is_not_a_user_pattern():
    from tui.heap.footprint import PPROF_OWN

    assert isinstance(PPROF_OWN, re.Pattern)  # ours, with a lookahead RE2 lacks
    assert PPROF_OWN.search("net/http/pprof.Index") and not PPROF_OWN.search("runtime/pprof.Do")


@pytest.fixture()
def hostile_dump(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(
        f"goroutine 7 [chan receive, 5 minutes]:\n{HOSTILE_NAME}()\n\t/src/a.go:10 +0x1\n\n"
        "goroutine 8 [select]:\nmain.aaa()\n\t/src/b.go:3 +0x1\n",
        encoding="utf-8",
    )
    return path


def test_goroutines_match_on_a_hostile_name_finishes(hostile_dump, capsys):
    # the signature ends with file:line, so `$` never follows the a's: Python's re would try them all
    rc = main(["goroutines", str(hostile_dump), "--json", "--match", "re:" + HOSTILE_PATTERN + r"|b\.go"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    groups = json.loads(out)["groups"]
    assert [g["reason"] for g in groups] == ["select"]  # only main.aaa (in b.go) matches
    with pytest.raises(SystemExit) as info:
        main(["goroutines", str(hostile_dump), "--match", r"re:(a)\1"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "backreferences" in err and "Traceback" not in err


@pytest.fixture()
def hostile_profile(tmp_path):
    b = Builder((("inuse_space", "bytes"),))
    b.sample([HOSTILE_NAME, "main.main"], [1000])
    b.sample(["main.aaa", "main.main"], [10])
    path = tmp_path / "heap.pb"
    path.write_bytes(b.bytes())
    return path


@pytest.mark.parametrize("flag", ["--focus", "--ignore"])
def test_top_focus_and_ignore_on_a_hostile_name_finish(hostile_profile, flag, capsys):
    rc = main(["top", str(hostile_profile), "--json", flag, HOSTILE_PATTERN])
    out, err = capsys.readouterr()
    assert rc == 0, err
    names = [r["name"] for r in json.loads(out)["rows"]]
    hostile_shown = any(n.startswith("main.aaaa") for n in names)  # (cut in the output)
    if flag == "--focus":  # only main.aaa ends in a's
        assert "main.aaa" in names and not hostile_shown
    else:
        assert "main.aaa" not in names and hostile_shown
    rc = main(["top", str(hostile_profile), flag, "x(?=y)"])
    out, err = capsys.readouterr()
    assert rc != 0 and "lookahead" in err and "Traceback" not in err
