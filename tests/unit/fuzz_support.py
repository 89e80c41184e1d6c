"""Fuzz targets, seeds and mutators shared by tests/unit/test_fuzz_parsers.py and tests/benchmarks/fuzz_long.py.

Every target takes raw bytes (what a target or a file gives us) and runs one parser plus the
aggregation on top of whatever decodes. The only exceptions allowed out are ParseError and
LimitExceeded, with a one-line, non-empty, bounded message free of raw control characters.
"""

from __future__ import annotations

import contextlib
import gzip
import random
import signal
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.oracles.reference import group_goroutines, parse_debug2
from tui.core.errors import LimitExceeded, ParseError
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.grouping import group_stack_counts
from tui.goroutines.proto import decode_goroutine_profile
from tui.heap.decode import decode_profile
from tui.heap.top import top
from tui.model.detect import KINDS, detect_kind
from tui.model.index_page import parse_index
from tui.model.memstats import parse_memstats

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERSIONS = ("go1.19", "go1.26", "go1.27")
ALLOWED = (ParseError, LimitExceeded)
MAX_MESSAGE = 500
# Small enough that a gzip bomb among the inputs stays cheap.
FUZZ_MAX_DECOMPRESSED = 4 * 1024 * 1024


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def run_profile(data: bytes) -> None:
    profile = decode_profile(data, max_decompressed=FUZZ_MAX_DECOMPRESSED)
    if profile.sample_types:
        top(profile, None)
        top(profile, None, granularity="lines", sort="cum")


def run_goroutine_proto(data: bytes) -> None:
    group_stack_counts(decode_goroutine_profile(data, max_decompressed=FUZZ_MAX_DECOMPRESSED))


def run_debug2(data: bytes) -> None:
    group_goroutines(parse_debug2(_text(data)))


def run_fastgroup(data: bytes) -> None:
    group_debug2_text(_text(data))


def run_debug1(data: bytes) -> None:
    group_stack_counts(parse_debug1(_text(data)))


def run_memstats(data: bytes) -> None:
    parse_memstats(_text(data))


def run_index(data: bytes) -> None:
    parse_index(_text(data))


def run_detect(data: bytes) -> None:
    kind = detect_kind(data)
    if kind not in KINDS:
        raise AssertionError(f"detect_kind returned {kind!r}")


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seed_names: tuple[str, ...]  # fixture file names mutated for this target


TARGETS = (
    Target("decode_profile+top", run_profile, ("heap.pb.gz", "allocs.pb.gz")),
    Target("decode_goroutine_profile", run_goroutine_proto, ("goroutine.pb.gz",)),
    Target("parse_debug2+group", run_debug2, ("goroutine_debug2.txt", "goroutineleak_debug2.txt")),
    Target("group_debug2_text", run_fastgroup, ("goroutine_debug2.txt", "goroutineleak_debug2.txt")),
    Target("parse_debug1+group", run_debug1, ("goroutine_debug1.txt", "goroutineleak_debug1.txt")),
    Target("parse_memstats", run_memstats, ("heap_debug1.txt",)),
    Target("parse_index", run_index, ("index.html",)),
    Target(
        "detect_kind",
        run_detect,
        (
            "heap.pb.gz",
            "goroutine.pb.gz",
            "goroutine_debug1.txt",
            "goroutine_debug2.txt",
            "heap_debug1.txt",
            "index.html",
        ),
    ),
)


def load_seeds(names: tuple[str, ...]) -> list[bytes]:
    """Real captures for these names, from every recorded Go version that has them."""
    seeds = []
    for version in VERSIONS:
        for name in names:
            path = FIXTURES / version / name
            if path.is_file():
                seeds.append(path.read_bytes())
    if not seeds:
        raise FileNotFoundError(f"no fixture among {names} in {FIXTURES}")
    return seeds


def check_error(exc: BaseException) -> str | None:
    """None if exc is an allowed, well-formed error; otherwise what is wrong with it."""
    if not isinstance(exc, ALLOWED):
        return f"uncaught {type(exc).__name__}: {str(exc)[:200]}"
    msg = str(exc)
    if not msg.strip():
        return f"{type(exc).__name__} with an empty message"
    if len(msg) > MAX_MESSAGE:
        return f"{type(exc).__name__} message of {len(msg)} chars: {msg[:80]!r}..."
    bad = [c for c in msg if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E]
    if bad:
        return f"{type(exc).__name__} message has raw control characters {bad[:3]!r}: {msg[:80]!r}"
    return None


def run_checked(target: Target, data: bytes) -> str | None:
    """Run one input; return a problem description or None."""
    try:
        target.run(data)
    except RecursionError:
        return "uncaught RecursionError"
    except Exception as exc:
        return check_error(exc)
    return None


# ---------------------------------------------------------------- mutators

INTERESTING_TEXT = (
    "0",
    "-1",
    "18446744073709551616",
    "9" * 40,
    "1e309",
    "nan",
    "-0x8000000000000000",
    "\x00",
    "\x1b[31m",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b2J",
    "\u202e",
    "\ufffd",
    "[red]x[/red]",
    "\r",
    "\r\n",
    "\t",
    " ",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    '"',
    "\\",
    "\\x",
    "+0x",
    "@ 0x",
    "...",
    "# ",
    "goroutine ",
    "goroutine 1 [",
    "minutes",
    "labels:{",
    "created by ",
    " in goroutine ",
    "...9 frames elided...",
    "# runtime.MemStats\n",
    "# Stack = ",
    "# PauseNs = [",
    "<td>",
    "</td>",
    "<a href='",
    "</a>",
    "heap profile: ",
    "goroutine profile: total ",
)


def _long_piece(rng: random.Random) -> str:
    choice = rng.randrange(6)
    n = rng.choice((100, 5_000, 70_000))
    if choice == 0:
        return "a" * n
    if choice == 1:
        return "{" * n
    if choice == 2:
        return "(" * n + ")" * rng.randrange(n + 1)
    if choice == 3:
        return "\\" * n
    if choice == 4:
        return "9" * n
    return ", " * n


def mutate_bytes(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """One generic byte-level mutation."""
    buf = bytearray(data)
    n = len(buf)
    op = rng.randrange(10)
    if op == 0 and n:  # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
    elif op == 1 and n:  # interesting bytes
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(n)] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x0A, 0x1B, 0x9B, 0x20, 0x22, 0xC3))
    elif op == 2:  # truncate
        del buf[rng.randrange(n + 1) :]
    elif op == 3 and n:  # delete a range
        i = rng.randrange(n)
        del buf[i : i + rng.randint(1, 512)]
    elif op == 4 and n:  # duplicate a range
        i = rng.randrange(n)
        j = min(n, i + rng.randint(1, 2048))
        buf[j:j] = buf[i:j] * rng.randint(1, 4)
    elif op == 5:  # splice with another seed
        a = rng.randrange(n + 1)
        b = rng.randrange(len(other) + 1)
        buf = buf[:a] + other[b:]
    elif op == 6:  # insert a text token
        i = rng.randrange(n + 1)
        buf[i:i] = rng.choice(INTERESTING_TEXT).encode("utf-8")
    elif op == 7:  # insert a huge piece
        i = rng.randrange(n + 1)
        buf[i:i] = _long_piece(rng).encode()
    elif op == 8:  # invalid UTF-8 / random bytes in the middle
        i = rng.randrange(n + 1)
        buf[i:i] = rng.randbytes(rng.randint(1, 32))
    else:  # overwrite a range with random bytes
        if n:
            i = rng.randrange(n)
            k = min(n - i, rng.randint(1, 16))
            buf[i : i + k] = rng.randbytes(k)
    return bytes(buf)


def mutate_lines(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """Line-level mutation of text: duplicate, delete, swap, splice lines; replace numbers."""
    lines = data.split(b"\n")
    n = len(lines)
    op = rng.randrange(6)
    i = rng.randrange(n)
    if op == 0:
        lines[i:i] = [lines[i]] * rng.randint(1, 50)
    elif op == 1:
        del lines[i : i + rng.randint(1, 20)]
    elif op == 2:
        j = rng.randrange(n)
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        others = other.split(b"\n")
        k = rng.randrange(len(others))
        lines[i:i] = others[k : k + rng.randint(1, 30)]
    elif op == 4:  # numbers -> huge / negative / empty
        out = bytearray()
        for ch in lines[i]:
            if 0x30 <= ch <= 0x39 and rng.random() < 0.3:
                out += rng.choice(
                    (b"99999999999999999999999999", b"-1", b"", b"0x1", b"1.5", b"9" * 5000, "\u0663".encode())
                )  # past int()'s 4300-digit limit; an Arabic-Indic 3
            else:
                out.append(ch)
        lines[i] = bytes(out)
    else:  # header/frame line made enormous
        lines[i] = lines[i] + _long_piece(rng).encode()
    return b"\n".join(lines)


# -- protobuf wire format


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        b = data[pos]
        value |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if not b & 0x80:
            return value, pos


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def split_fields(data: bytes) -> list[tuple[int, int, bytes]] | None:
    """Top-level (field number, wire type, raw payload) list, or None if not parseable."""
    fields = []
    pos = 0
    try:
        while pos < len(data):
            key, pos = _read_varint(data, pos)
            num, wt = key >> 3, key & 7
            if wt == 0:
                start = pos
                _, pos = _read_varint(data, pos)
                fields.append((num, wt, data[start:pos]))
            elif wt == 2:
                length, pos = _read_varint(data, pos)
                fields.append((num, wt, data[pos : pos + length]))
                pos += length
            elif wt == 1:
                fields.append((num, wt, data[pos : pos + 8]))
                pos += 8
            elif wt == 5:
                fields.append((num, wt, data[pos : pos + 4]))
                pos += 4
            else:
                return None
    except ValueError:
        return None
    return fields


def join_fields(fields: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray()
    for num, wt, payload in fields:
        out += _varint(num << 3 | wt)
        if wt == 2:
            out += _varint(len(payload))
        out += payload
    return bytes(out)


def mutate_proto(raw: bytes, rng: random.Random) -> bytes:
    """Structure-aware mutation of an (uncompressed) profile.proto."""
    fields = split_fields(raw)
    if not fields:
        return mutate_bytes(raw, rng, raw)
    op = rng.randrange(9)
    i = rng.randrange(len(fields))
    num, wt, payload = fields[i]
    if op == 0:  # varint field -> huge / negative / zero
        value = rng.choice((0, 1, (1 << 63) - 1, (1 << 64) - 1, 1 << 31, 2**32 + 5, rng.getrandbits(64)))
        fields[i] = (num, 0, _varint(value))
    elif op == 1:  # corrupt a varint: all continuation bits
        fields[i] = (num, 0, b"\xff" * rng.randint(1, 12))
        return join_fields(fields[: i + 1])  # the tail cannot follow a broken varint sensibly
    elif op == 2:  # delete a field
        del fields[i]
    elif op == 3:  # duplicate a field
        fields[i:i] = [fields[i]] * rng.randint(1, 5)
    elif op == 4 and wt == 2:  # mutate inside a submessage, or its packed ints
        inner = split_fields(payload)
        if inner and rng.random() < 0.6:
            j = rng.randrange(len(inner))
            n2, w2, _ = inner[j]
            if w2 == 0:
                inner[j] = (n2, 0, _varint(rng.choice((0, (1 << 64) - 1, rng.getrandbits(32), 1 << 40))))
            elif w2 == 2:  # packed ints: random ids / indexes
                inner[j] = (
                    n2,
                    2,
                    b"".join(_varint(rng.choice((0, 1, 2, 7, 10**6, (1 << 64) - 1))) for _ in range(rng.randint(0, 8))),
                )
            fields[i] = (num, wt, join_fields(inner))
        else:
            fields[i] = (num, wt, mutate_bytes(payload, rng, payload))
    elif op == 5:  # deep nesting: a length-delimited field wrapping itself
        depth = rng.choice((10, 100, 1000, 5000))
        inner = payload if wt == 2 else b""
        for _ in range(depth):
            inner = _varint(1 << 3 | 2) + _varint(len(inner)) + inner
        fields[i] = (num, 2, inner)
    elif op == 6:  # wrong wire type for the field
        fields[i] = (num, rng.choice((0, 1, 2, 5)), payload[:8] if wt != 2 else payload)
    elif op == 7:  # lie about the length (raw join)
        out = join_fields(fields[:i])
        out += _varint(num << 3 | 2) + _varint(len(payload) + rng.randint(1, 1 << 20)) + payload
        return out + join_fields(fields[i + 1 :])
    else:  # string table entry with control characters / invalid UTF-8 / huge
        s = rng.choice((b"\x1b[31mred\x1b[0m", b"\xff\xfe", "é".encode() * 3, b"x" * 10_000, b"[bold]x"))
        fields.insert(i, (6, 2, s))
    return join_fields(fields)


_BOMBS: dict[int, bytes] = {}


def _bomb(size: int) -> bytes:
    """gzip of ``size`` zero bytes (cached: compressing 20 MB per input would dominate the run)."""
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(b"\x00" * size, compresslevel=9)
    return _BOMBS[size]


def mutate_profile_bytes(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """Mutate a gzip'd profile: in the proto (re-gzip'd or not), or in the gzip stream itself."""
    raw = zlib.decompress(data, 31) if data[:2] == b"\x1f\x8b" else data
    r = rng.random()
    if r < 0.55:
        out = mutate_proto(raw, rng)
        for _ in range(rng.randrange(3)):
            out = mutate_proto(out, rng)
        return gzip.compress(out, compresslevel=1) if rng.random() < 0.5 else out
    if r < 0.75:
        return mutate_bytes(raw, rng, other)
    if r < 0.85:  # gzip stream corruption
        return mutate_bytes(data, rng, other)
    if r < 0.92:  # gzip bomb / multi-member
        return _bomb(rng.choice((1 << 20, 5 << 20, 20 << 20))) + (data if rng.random() < 0.5 else b"")
    return data + rng.choice((b"", b"\x00" * 8, b"junk", data))


def random_input(rng: random.Random) -> bytes:
    """Random bytes or random token soup."""
    if rng.random() < 0.5:
        return rng.randbytes(rng.choice((0, 1, 2, 16, 256, 4096)))
    return "".join(rng.choice(INTERESTING_TEXT) for _ in range(rng.randint(1, 200))).encode("utf-8")


def make_input(target: Target, seeds: list[bytes], rng: random.Random) -> bytes:
    """One fuzz input for target: a mutated real capture (mostly) or random data.

    gzip'd captures get protobuf-aware mutations (raw or re-gzip'd) or gzip-stream damage; text
    captures get line-level and byte-level mutations, often on a window of the capture."""
    if rng.random() < 0.1:
        return random_input(rng)
    seed = rng.choice(seeds)
    other = rng.choice(seeds)
    if seed[:2] == b"\x1f\x8b":
        return mutate_profile_bytes(seed, rng, other)
    if rng.random() < 0.5:
        # a window of the capture keeps each input small (and fast) without losing structure
        start = rng.randrange(len(seed))
        start = seed.rfind(b"\n", 0, start) + 1
        seed = seed[start : start + rng.choice((2_000, 10_000, 40_000))]
    out = seed
    for _ in range(rng.randint(1, 4)):
        out = mutate_lines(out, rng, other) if rng.random() < 0.4 else mutate_bytes(out, rng, other)
    return out


@contextlib.contextmanager
def alarm(seconds: int = 10) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the body runs longer than ``seconds``."""

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: super-linear work?")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
