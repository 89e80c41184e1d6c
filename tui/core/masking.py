"""Masking secret values out of what a target sent (stdlib only).

A target, or a proxy in front of it, may echo our ``Authorization`` or secret header values back:
into a function name, a label, a goroutine's arguments. The fetch client masks every answer
(tui.fetch.client, after every gzip layer is undone: tui.core.gunzip.gunzip_layers) before
anything parses, records or exports it, so the model, the screen, the clipboard and the files
never hold them; the recording writer and the export mask again, and the app's clipboard and
SVG screenshot text once more (last lines).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = b"*"
# Values shorter than this are not masked: masking every "a" in a dump would destroy it and
# protect nothing (README "Secrets").
MIN_SECRET = 4


def secret_variants(secret: str) -> set[str]:
    """The forms a server commonly echoes a value in (issue #31): as sent, upper- and lower-cased (a
    base64 value case-folded), URL-encoded (``Basic%20c3Zj…%3D%3D``, ``+`` for spaces, lower-case hex),
    JSON-escaped (``\\/``, ``\\u`` escapes), repr-escaped, and base64-encoded. Not every disguise: a
    target that means to hide what it echoes (reversed, split, re-encoded twice) is not caught
    (README "Secrets")."""
    if not secret:
        return set()
    cased = {secret, secret.upper(), secret.lower()}
    out: set[str] = set()
    for value in cased:
        url = quote(value, safe="")
        escaped = json.dumps(value)[1:-1]
        out.update(
            (
                value,
                url,
                quote_plus(value, safe=""),
                _lower_hex(url),
                escaped,
                escaped.replace("/", "\\/"),
                json.dumps(value, ensure_ascii=False)[1:-1],
                repr(value)[1:-1],
            )
        )
    raw = secret.encode("utf-8", "replace")
    out.update((base64.b64encode(raw).decode("ascii"), base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")))
    return {v for v in out if v}


def _lower_hex(url: str) -> str:
    """``%3D`` written ``%3d``: percent escapes in lower-case hex."""
    parts = url.split("%")
    return parts[0] + "".join("%" + p[:2].lower() + p[2:] for p in parts[1:])


def secret_forms(secrets: Iterable[str]) -> tuple[bytes, ...]:
    """Byte forms (UTF-8) of secret values to mask, in every common echoed form (secret_variants), longest
    first; very short values are skipped."""
    forms = {v.encode("utf-8", "replace") for s in secrets if s and len(s) >= MIN_SECRET for v in secret_variants(s)}
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True))


def mask_secrets(data: bytes, secrets: tuple[bytes, ...]) -> bytes:
    """Overwrite every occurrence of a secret with as many '*' (lengths kept: a protobuf stays valid).
    Matched without regard to ASCII case (a server may case-fold what it echoes): one lower-cased copy
    of the data is searched for each distinct form."""
    if not secrets:
        return data
    lowered = data.lower()
    hits = [f for f in dict.fromkeys(s.lower() for s in secrets) if f and f in lowered]
    if not hits:
        return data
    out = bytearray(data)
    for form in hits:
        start = 0
        while (i := lowered.find(form, start)) >= 0:
            out[i : i + len(form)] = MASK * len(form)
            start = i + len(form)
    return bytes(out)


def mask_text(text: str, secrets: tuple[bytes, ...]) -> str:
    """``mask_secrets`` for text already decoded (clipboard, screenshot): one '*' per character."""
    for secret in secrets:
        value = secret.decode("utf-8", "replace")
        if value and value.lower() in text.lower():
            text = re.sub(re.escape(value), lambda m: "*" * len(m.group(0)), text, flags=re.IGNORECASE)
    return text


__all__ = ["MIN_SECRET", "mask_secrets", "mask_text", "secret_forms", "secret_variants"]
