"""The one bounded gunzip (stdlib zlib only): every gzip'd body or file goes through :func:`gunzip`.

Go serves profile.proto gzip'd without a Content-Encoding header, and `pprof-tui top FILE`,
offline files and the live poller must accept and reject exactly the same bytes. The rules are
those of Go's ``compress/gzip.Reader`` (multistream by default), which ``go tool pprof`` reads
profiles with (``profile.ParseData``: ``gzip.NewReader`` + ``io.ReadAll``):

- several gzip members one after the other (``cat a.gz b.gz``) are read as one stream, their
  outputs concatenated (``gzip -d`` does the same); empty members are fine;
- any byte after the last member is an error, zero padding included: Go reads the next member's
  header and fails (``unexpected EOF`` for fewer than 10 bytes, else ``gzip: invalid header``).
  ``gzip -d`` only warns about trailing garbage; we follow Go, so a file ``go tool pprof``
  rejects is rejected here too (ParseError "trailing garbage");
- a stream that ends inside a member is truncated (ParseError "truncated"); a bad header,
  deflate data, CRC-32 or length is corrupt (ParseError "corrupt");
- more than ``max_size`` decompressed bytes raise LimitExceeded ("gzip bomb?") as soon as the
  limit is passed: never more than ``max_size + 1`` bytes are produced.

The work is linear in the input: each member is fed to zlib in chunks that start small and
double, so the bytes after a member's end that zlib copies out (``unused_data``) stay within
twice the member's size, however many members there are.
"""

from __future__ import annotations

import io
import zlib

from tui.core.errors import LimitExceeded, ParseError
from tui.core.limits import MiB

GZIP_MAGIC = b"\x1f\x8b"
# zlib wbits: a gzip header and trailer (16) around a deflate stream with a 32 kB window.
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_FIRST_CHUNK = 512
_MAX_CHUNK = MiB


def is_gzip(data: bytes) -> bool:
    """Does ``data`` start with the gzip magic number?"""
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes, max_size: int, *, what: str = "gzip data", kind: str = "gzip") -> bytes:
    """Decompress every gzip member of ``data`` into at most ``max_size`` bytes (rules above).

    ``what`` starts every error message (a file name, an endpoint); ``kind`` is the ParseError's.
    Raises ParseError (not gzip, corrupt, truncated, trailing garbage) or LimitExceeded.
    """
    if not is_gzip(data):
        raise ParseError(f"{what}: not gzip data", kind=kind)
    view = memoryview(data)
    end = len(data)
    # BytesIO, not a list joined at the end: its getvalue() hands over its buffer without a copy,
    # so the peak is about the output once, not twice (a 190 MB heap body: 424 -> 349 MB RSS).
    out = io.BytesIO()
    total = 0
    pos = 0
    while True:  # one member per turn, starting at pos
        member = zlib.decompressobj(_GZIP_WBITS)
        chunk_size = _FIRST_CHUNK
        while not member.eof:
            if pos >= end:
                raise ParseError(f"{what}: truncated gzip data", kind=kind)
            chunk = view[pos : pos + chunk_size]
            pos += len(chunk)
            chunk_size = min(2 * chunk_size, _MAX_CHUNK)
            try:
                # At most one byte over the limit: enough to tell that it was passed.
                piece = member.decompress(chunk, max_size - total + 1)
            except zlib.error as exc:
                raise ParseError(f"{what}: corrupt gzip data ({exc})", kind=kind) from None
            total += len(piece)
            if total > max_size or member.unconsumed_tail:
                raise LimitExceeded(f"{what}: decompresses to more than the {max_size}-byte limit (gzip bomb?)")
            out.write(piece)
        pos -= len(member.unused_data)  # the bytes of the chunk after this member's end
        if pos == end:
            return out.getvalue()
        if view[pos : pos + 2] != GZIP_MAGIC:
            raise ParseError(f"{what}: trailing garbage after gzip data ({end - pos} bytes)", kind=kind)


# Gzip inside gzip: a target (or a proxy compressing again without saying so) may wrap a body more
# than once. The fetch client undoes every layer, so secrets are masked in what is parsed, and
# stops here: each layer is bounded by max_size, so the work is at most this many times that.
MAX_GZIP_LAYERS = 4


def gunzip_layers(
    data: bytes, max_size: int, *, max_layers: int = MAX_GZIP_LAYERS, what: str = "gzip data", kind: str = "gzip"
) -> bytes:
    """``data`` with every gzip layer undone (none if it is not gzip), each by :func:`gunzip`.

    Raises what gunzip raises, and ParseError past ``max_layers`` layers. (A profile.proto never
    starts with the gzip magic: its first byte would be a field tag of wire type 7.)
    """
    for _ in range(max_layers):
        if not is_gzip(data):
            return data
        data = gunzip(data, max_size, what=what, kind=kind)
    if is_gzip(data):
        raise ParseError(f"{what}: gzip inside gzip more than {max_layers} times", kind=kind)
    return data


__all__ = ["GZIP_MAGIC", "MAX_GZIP_LAYERS", "gunzip", "gunzip_layers", "is_gzip"]
