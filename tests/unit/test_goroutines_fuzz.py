"""Untrusted input: every parser either returns or raises ParseError — nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tui.core.errors import ParseError
from tui.core.textsafe import clean
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.proto import decode_goroutine_profile
from tui.model.detect import KINDS, detect_kind
from tui.model.index_page import parse_index
from tui.model.memstats import parse_memstats

DEBUG2 = fixture_path("go1.27", "goroutine_debug2.txt").read_text()[:6000]
DEBUG1 = fixture_path("go1.27", "goroutine_debug1.txt").read_text()[:3000]

# Text built from the pieces that matter to the parsers, in any order.
PIECES = st.sampled_from(
    [
        "goroutine ",
        "1",
        "42",
        " [",
        "]",
        ":",
        ", ",
        " minutes",
        "(leaked)",
        " (durable)",
        "locked to thread",
        " {",
        "}",
        '"',
        "\\",
        "\\x",
        "\\u12",
        "labels:{",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "(",
        ")",
        "...",
        " +0x1f",
        "created by ",
        " in goroutine ",
        "...3 frames elided...",
        "main.f",
        "/src/a.go:",
        "#",
        " @ 0x1",
        "goroutine profile: total ",
        "# labels: ",
        "# runtime.MemStats\n",
        "# Stack = ",
        " / ",
        "# PauseNs = [",
        "<td>",
        "</td>",
        "<a href='x'>",
        "</a>",
        "\x1b",
        "\x00",
        "\u202e",
        "é",
    ]
)
TEXT = st.lists(PIECES, max_size=60).map("".join)


def _ok_or_parse_error(fn, arg) -> None:
    try:
        fn(arg)
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_text_parsers_never_crash(text: str) -> None:
    for fn in (parse_debug2, parse_debug1, parse_memstats, parse_index, group_debug2_text):
        _ok_or_parse_error(fn, text)
    assert detect_kind(text.encode("utf-8", "surrogatepass")) in KINDS


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(DEBUG2)), st.text(max_size=20))
def test_cut_or_corrupted_real_dump(at: int, junk: str) -> None:
    text = DEBUG2[:at] + junk + DEBUG2[at : at + 400]
    try:
        dump = parse_debug2(text)
    except ParseError:
        return

    # Same goroutines in the same reason/age cells; stack signatures may differ only where junk
    # mimics Go syntax mid-line (e.g. "0created by f in goroutine 1": the fast path strips the id).
    def cells(groups):
        return {(b.key, s.count, s.sample_ids) for g in groups for b in g.buckets for s in b.stacks}

    assert cells(group_debug2_text(text).groups) == cells(group_goroutines(dump))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(DEBUG1)), st.text(max_size=20))
def test_cut_or_corrupted_debug1(at: int, junk: str) -> None:
    _ok_or_parse_error(parse_debug1, DEBUG1[:at] + junk + DEBUG1[at:])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_proto_decoder_never_crashes(data: bytes) -> None:
    _ok_or_parse_error(decode_goroutine_profile, data)
    assert detect_kind(data) in KINDS


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.integers(min_value=0, max_value=50)))
def test_clean_output_is_safe(text: str, max_len: int | None) -> None:
    out = clean(text, max_len)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in out)
    if max_len is not None:
        assert len(out) <= max_len
