"""tui.core.textsafe.clean: nothing from the target may drive the terminal."""

from __future__ import annotations

import unicodedata

import pytest

from tui.core.textsafe import ELLIPSIS, clean, clean_bytes


def _no_controls(text: str) -> bool:
    return all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text)


def test_plain_text_unchanged() -> None:
    assert clean("main.(*Server).Serve /src/main.go:12") == "main.(*Server).Serve /src/main.go:12"
    assert clean("naïve ünïcode Σ 日本") == "naïve ünïcode Σ 日本"


def test_ansi_csi_escape_is_made_visible() -> None:
    out = clean("red\x1b[31mtext\x1b[0m")
    assert "\x1b" not in out
    assert out == "red␛[31mtext␛[0m"


def test_osc52_clipboard_write_is_neutralised() -> None:
    out = clean("\x1b]52;c;ZXZpbA==\x07")
    assert out == "␛]52;c;ZXZpbA==␇"
    assert _no_controls(out)


def test_c1_csi_del_and_bell() -> None:
    out = clean("a\x9b31mb\x7fc\x07d\x85e")
    assert out == "a\\x9b31mb␡c␇d\\x85e"
    assert _no_controls(out)


def test_newlines_and_carriage_returns_cannot_break_lines() -> None:
    out = clean("line1\nline2\roverwrite")
    assert "\n" not in out and "\r" not in out
    assert out == "line1␊line2␍overwrite"


def test_tabs_become_spaces() -> None:
    assert clean("a\tb") == "a b"


@pytest.mark.parametrize(
    "ch",
    [
        "\u202e",
        "\u202d",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200f",
        "\u061c",
        "\u200b",
        "\ufeff",
        "\u2028",
        "\u2029",
        "\U000e0041",
    ],
)
def test_bidi_and_invisible_format_characters(ch: str) -> None:
    out = clean(f"abc{ch}def")
    assert ch not in out
    assert out.startswith("abc") and out.endswith("def")
    assert _no_controls(out)


def test_invalid_utf8_decoded_with_replacement() -> None:
    out = clean_bytes(b"ok\xff\xfe\x1b[2Jend")
    assert out == "ok\ufffd\ufffd␛[2Jend"


def test_lone_surrogates_are_replaced() -> None:
    text = b"x\xffy".decode("utf-8", errors="surrogateescape")
    out = clean(text)
    assert out == "x\\udcffy"
    out.encode("utf-8")  # must be encodable for the terminal


def test_truncation_with_ellipsis() -> None:
    assert clean("abcdef", 4) == "abc" + ELLIPSIS
    assert len(clean("abcdef", 4)) == 4
    assert clean("abc", 3) == "abc"
    assert clean("abc", 0) == ""


def test_truncation_counts_placeholders() -> None:
    out = clean("\x9b\x9b\x9b", 6)
    assert len(out) == 6 and out.endswith(ELLIPSIS)


def test_every_c0_and_c1_character_is_replaced() -> None:
    raw = "".join(chr(c) for c in list(range(0, 32)) + list(range(0x7F, 0xA0)))
    out = clean(raw)
    assert _no_controls(out)
