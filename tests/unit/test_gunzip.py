"""tui.core.gunzip: the one bounded gunzip, on hand-made edge cases, and the same verdict from
`top` (decode_profile) and the live fetch path for the same gzip'd bytes.

The rules are Go's compress/gzip.Reader (what `go tool pprof` reads profiles with): members
are concatenated, any byte after the last member is an error (zeros too), truncation is an error.
"""

from __future__ import annotations

import gzip
import struct
import zlib

import httpx
import pytest

from tests.unit.fuzz_support import alarm
from tests.unit.pprof_builder import Builder
from tui.config import build_config
from tui.core.errors import LimitExceeded, ParseError
from tui.core.gunzip import gunzip, is_gzip
from tui.fetch import validate
from tui.fetch.client import TargetClient
from tui.fetch.errors import BadGzip, TooLarge
from tui.heap.decode import decode_profile

AB = gzip.compress(b"ab", mtime=0)
CD = gzip.compress(b"cd", mtime=0)


def test_one_member() -> None:
    assert is_gzip(AB)
    assert gunzip(AB, 10) == b"ab"


def test_multi_member_is_read_whole_like_gzip_d_and_go() -> None:
    assert gunzip(AB + CD, 10) == b"abcd"
    assert gunzip(AB + gzip.compress(b"", mtime=0) + CD, 10) == b"abcd"  # an empty member is fine
    assert gunzip(gzip.compress(b"", mtime=0) * 3, 10) == b""


def test_member_with_header_fields() -> None:
    # FNAME + FEXTRA + FCOMMENT, as written by gzip(1) and others
    body = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = body.compress(b"hello") + body.flush()
    header = b"\x1f\x8b\x08" + bytes([0x04 | 0x08 | 0x10]) + b"\x00" * 4 + b"\x00\xff"
    extra = b"\x03\x00abc"
    member = header + extra + b"name\x00" + b"comment\x00" + deflated + struct.pack("<II", zlib.crc32(b"hello"), 5)
    assert gunzip(member + AB, 10) == b"helloab"


@pytest.mark.parametrize("n", [1, 8, 9, 10, 512])
def test_trailing_zeros_are_rejected_like_go(n: int) -> None:
    with pytest.raises(ParseError, match="trailing garbage"):
        gunzip(AB + b"\x00" * n, 10)


@pytest.mark.parametrize("tail", [b"junk", b"junkjunkjunkjunkjunk", b"\x1f", b"\n"])
def test_trailing_garbage_is_rejected(tail: bytes) -> None:
    with pytest.raises(ParseError, match="trailing garbage"):
        gunzip(AB + CD + tail, 10)


@pytest.mark.parametrize(
    "data",
    [
        AB[:-1],  # inside the trailer
        AB[:-8],  # the whole trailer missing
        AB[:5],  # inside the header
        b"\x1f\x8b",  # the magic alone
        AB + CD[:-3],  # the second member
        AB + b"\x1f\x8b",  # a second member that is only a magic number
    ],
)
def test_truncated_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError, match="truncated"):
        gunzip(data, 10)


def test_corrupt_data_and_checksum() -> None:
    with pytest.raises(ParseError, match="corrupt"):
        gunzip(b"\x1f\x8b\x08\x00" + b"\xff" * 40, 100)
    bad_crc = AB[:-8] + struct.pack("<I", zlib.crc32(b"ab") ^ 1) + AB[-4:]
    with pytest.raises(ParseError, match="corrupt"):
        gunzip(bad_crc, 10)
    bad_size = AB[:-4] + struct.pack("<I", 3)
    with pytest.raises(ParseError, match="corrupt"):
        gunzip(bad_size, 10)


@pytest.mark.parametrize("data", [b"", b"x", b"\x1f", b"\x8b\x1f\x08", b"hello world"])
def test_not_gzip(data: bytes) -> None:
    assert not is_gzip(data)
    with pytest.raises(ParseError, match="not gzip"):
        gunzip(data, 10)


def test_limit_is_exact_and_counts_every_member() -> None:
    assert gunzip(AB + CD, 4) == b"abcd"
    with pytest.raises(LimitExceeded, match="limit"):
        gunzip(AB + CD, 3)
    with pytest.raises(LimitExceeded, match="gzip bomb"):
        gunzip(AB, 1)
    assert gunzip(gzip.compress(b"", mtime=0), 0) == b""


def test_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"\x00" * (8 << 20), compresslevel=9)
    with alarm(), pytest.raises(LimitExceeded, match="more than the 1000-byte limit"):
        gunzip(bomb, 1000)
    # many members, each under the limit: the total counts
    with pytest.raises(LimitExceeded):
        gunzip(gzip.compress(b"x" * 600, mtime=0) * 2, 1000)


def test_what_and_kind_name_the_input() -> None:
    with pytest.raises(ParseError, match=r"^heap\.pb\.gz: truncated gzip data$") as info:
        gunzip(AB[:-1], 10, what="heap.pb.gz", kind="profile")
    assert info.value.kind == "profile"


def test_work_is_linear_in_many_members() -> None:
    empty = gzip.compress(b"", mtime=0)
    many = empty * 200_000 + gzip.compress(b"end", mtime=0)  # ~4 MB of members
    with alarm():
        assert gunzip(many, 10) == b"end"
    with alarm(), pytest.raises(ParseError, match="trailing garbage"):
        gunzip(many + b"\x00", 10)


def test_big_member_in_growing_chunks() -> None:
    payload = bytes(range(256)) * 40_000  # 10 MB, compresses poorly enough to span many chunks
    data = gzip.compress(payload, compresslevel=1, mtime=0) + gzip.compress(b"!", mtime=0)
    assert gunzip(data, len(payload) + 1) == payload + b"!"


# ---- `top` (decode_profile) and the fetch path agree on the same bytes

LIMIT = 100_000


def _profile() -> bytes:
    b = Builder()
    b.sample(["malloc", "handler", "main"], [1, 64, 1, 64])
    b.sample(["grow", "main"], [3, 300, 3, 300])
    return b.bytes()


RAW = _profile()
HALF = len(RAW) // 2
CASES = {
    "one member": gzip.compress(RAW, mtime=0),
    "two members": gzip.compress(RAW[:HALF], mtime=0) + gzip.compress(RAW[HALF:], mtime=0),
    "trailing zeros": gzip.compress(RAW, mtime=0) + b"\x00" * 16,
    "trailing garbage": gzip.compress(RAW, mtime=0) + b"junk",
    "truncated": gzip.compress(RAW, mtime=0)[:-5],
    "corrupt": b"\x1f\x8b\x08\x00" + b"\xff" * 40,
    "over the limit": gzip.compress(RAW + b"\x00" * LIMIT, mtime=0),
}


def _verdict(exc: Exception | None, samples: int = 0) -> tuple[str, str]:
    """("ok", samples) or ("bad" | "limit", the message without its "what:" prefix)."""
    if exc is None:
        return "ok", str(samples)
    kind = "limit" if isinstance(exc, LimitExceeded) else "bad"  # TooLarge is a LimitExceeded too
    return kind, str(exc).split(": ", 1)[1]


def top_verdict(data: bytes) -> tuple[str, str]:
    try:
        # as `pprof-tui top` decodes a file (tui/commands/top.py)
        profile = decode_profile(data, labels=False, validate_stacks=False, max_decompressed=LIMIT)
    except (ParseError, LimitExceeded) as exc:
        return _verdict(exc)
    return _verdict(None, profile.num_samples)


async def fetch_verdict(data: bytes) -> tuple[str, str]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"Content-Type": "application/octet-stream"})

    config = build_config({"target": "h:1", "max_decompressed_bytes": LIMIT}, env={})
    try:
        async with TargetClient(config, transport=httpx.MockTransport(handler)) as c:
            result = await c.get("heap", expect=validate.PROFILE, gunzip=True)  # as the poller asks
        profile = decode_profile(result.body, max_decompressed=LIMIT)  # the poller's heap parser
    except (BadGzip, TooLarge, ParseError, LimitExceeded) as exc:
        return _verdict(exc)
    return _verdict(None, profile.num_samples)


@pytest.mark.parametrize("case", list(CASES))
async def test_top_and_fetch_accept_and_reject_the_same_bytes(case: str) -> None:
    data = CASES[case]
    top_says = top_verdict(data)
    assert top_says == await fetch_verdict(data)
    expected = {"one member": "ok", "two members": "ok", "over the limit": "limit"}.get(case, "bad")
    assert top_says[0] == expected
