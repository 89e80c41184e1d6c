"""Bounded gunzip for bodies with gzip magic (Go serves heap protos gzip'd without Content-Encoding)."""

from __future__ import annotations

import zlib

from tui.fetch.errors import BadGzip, TooLarge

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip_bounded(data: bytes, max_bytes: int, *, what: str = "body") -> bytes:
    """Decompress every gzip member of data into at most max_bytes, or raise."""
    out: list[bytes] = []
    total = 0
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = d.decompress(rest, max_bytes - total + 1)
            while True:
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(f"{what}: decompresses to more than {max_bytes} bytes (gzip bomb?)")
                out.append(chunk)
                if not d.unconsumed_tail:
                    break
                chunk = d.decompress(d.unconsumed_tail, max_bytes - total + 1)
            if not d.eof:
                chunk = d.flush()
                total += len(chunk)
                if total > max_bytes:
                    raise TooLarge(f"{what}: decompresses to more than {max_bytes} bytes (gzip bomb?)")
                out.append(chunk)
        except zlib.error as exc:
            raise BadGzip(f"{what}: corrupt gzip data ({exc})") from None
        if not d.eof:
            raise BadGzip(f"{what}: gzip data is truncated")
        rest = d.unused_data
        if rest and not is_gzip(rest):
            break  # trailing garbage after the last member: ignore like gzip(1)
    return b"".join(out)
