"""Make target-supplied text safe to show on a terminal (stdlib only).

Every string that comes from the target (function names, file paths, labels,
error bodies) goes through :func:`clean` before it reaches a screen or stdout:
control characters (C0, DEL, C1 such as the 8-bit CSI 0x9b), bidi overrides and
invisible format characters are replaced by a visible placeholder, so the
target cannot move the cursor, set the clipboard (OSC 52), ring the bell or
reorder what the user reads.
"""

from __future__ import annotations

import re

ELLIPSIS = "\u2026"

# C0 controls except TAB (handled separately) and DEL, C1 controls, lone surrogates
# (from errors="surrogateescape"), and the Unicode format/separator characters that
# change how text is laid out or hide it: soft hyphen, Arabic letter mark, Mongolian
# vowel separator, zero-width and direction marks, line/paragraph separators,
# bidi embeddings/overrides/isolates, invisible operators, BOM, interlinear
# annotation, and tag characters.
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


def _placeholder(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": \x1b -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def clean(text: str, max_len: int | None = None) -> str:
    """Return ``text`` with unsafe characters made visible, tabs as spaces, cut to ``max_len``.

    The result never exceeds ``max_len`` characters; a cut is shown by a trailing ``…``.
    """
    if not text.isprintable():
        if "\t" in text:
            text = text.replace("\t", " ")
        text = _UNSAFE.sub(_placeholder, text)
    if max_len is not None and len(text) > max_len:
        if max_len <= 0:
            return ""
        text = text[: max_len - 1] + ELLIPSIS
    return text


def clean_bytes(data: bytes, max_len: int | None = None) -> str:
    """Decode untrusted bytes as UTF-8 (invalid sequences become U+FFFD) and :func:`clean` them."""
    return clean(data.decode("utf-8", errors="replace"), max_len)
