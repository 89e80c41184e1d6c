"""Masking secret values out of what a target sent (stdlib only).

A target, or a proxy in front of it, may echo our ``Authorization`` or secret header values back:
into a function name, a label, a goroutine's arguments. The fetch client masks every answer
(tui.fetch.client, after every gzip layer is undone: tui.core.gunzip.gunzip_layers) before
anything parses, records or exports it, so the model, the screen, the clipboard and the files
never hold them; the recording writer and the export mask again, and the app's clipboard and
SVG screenshot text once more (last lines).
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = b"*"
# Values shorter than this are not masked: masking every "a" in a dump would destroy it and
# protect nothing (README "Secrets").
MIN_SECRET = 4


def secret_forms(secrets: Iterable[str]) -> tuple[bytes, ...]:
    """Byte forms (UTF-8) of secret values to mask, longest first; very short values are skipped."""
    forms = {s.encode("utf-8", "replace") for s in secrets if s and len(s) >= MIN_SECRET}
    return tuple(sorted(forms, key=len, reverse=True))


def mask_secrets(data: bytes, secrets: tuple[bytes, ...]) -> bytes:
    """Overwrite every occurrence of a secret with as many '*' (lengths kept: a protobuf stays valid)."""
    for secret in secrets:
        if secret and secret in data:
            data = data.replace(secret, MASK * len(secret))
    return data


def mask_text(text: str, secrets: tuple[bytes, ...]) -> str:
    """``mask_secrets`` for text already decoded (clipboard, screenshot): one '*' per character."""
    for secret in secrets:
        value = secret.decode("utf-8", "replace")
        if value and value in text:
            text = text.replace(value, "*" * len(value))
    return text


__all__ = ["MIN_SECRET", "mask_secrets", "mask_text", "secret_forms"]
