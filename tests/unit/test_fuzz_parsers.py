"""Quick fuzz of every parser (the long run is tests/benchmarks/fuzz_long.py).

Mutated real captures (go1.19/go1.26/go1.27) and random bytes: each parser returns, or raises
ParseError/LimitExceeded with a one-line, bounded, control-free message. Regression inputs that
used to hang (catastrophic regex backtracking) run under a 10 s alarm: a linear parser finishes
them in milliseconds, a quadratic one would need minutes.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oracles.reference import parse_debug2
from tests.unit import fuzz_support as fz
from tests.unit.fuzz_support import alarm
from tui.core.errors import LimitExceeded, ParseError
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.proto import decode_goroutine_profile
from tui.heap.decode import decode_profile
from tui.model.detect import detect_kind
from tui.model.index_page import parse_index
from tui.model.memstats import parse_memstats

TARGETS = {t.name: t for t in fz.TARGETS}
SEEDS = {t.name: fz.load_seeds(t.seed_names) for t in fz.TARGETS}
QUICK = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def assert_clean(target: fz.Target, data: bytes) -> None:
    problem = fz.run_checked(target, data)
    assert problem is None, f"{target.name}: {problem} (input of {len(data)} bytes: {data[:120]!r})"


@pytest.mark.parametrize("name", list(TARGETS))
@QUICK
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_mutated_captures(name: str, seed: int) -> None:
    target = TARGETS[name]
    assert_clean(target, fz.make_input(target, SEEDS[name], random.Random(seed)))


@pytest.mark.parametrize("name", list(TARGETS))
@QUICK
@given(data=st.binary(max_size=2048))
def test_random_bytes(name: str, data: bytes) -> None:
    assert_clean(TARGETS[name], data)


@pytest.mark.parametrize("name", ["decode_profile+top", "decode_goroutine_profile"])
@QUICK
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_proto_structure_mutations_raw_and_gzipped(name: str, seed: int) -> None:
    rng = random.Random(seed)
    raw = fz.zlib.decompress(rng.choice(SEEDS[name]), 31)
    out = fz.mutate_proto(fz.mutate_proto(raw, rng), rng)
    assert_clean(TARGETS[name], out)
    assert_clean(TARGETS[name], fz.gzip.compress(out, compresslevel=1))


def test_real_captures_decode_without_error() -> None:
    # The seeds themselves must parse: otherwise the mutations fuzz only the error path.
    for name, target in TARGETS.items():
        for data in SEEDS[name]:
            target.run(data)


# ---- the checker itself can fail


def test_checker_rejects_foreign_and_malformed_errors() -> None:
    assert fz.check_error(KeyError(3)) is not None
    assert fz.check_error(ParseError("two\nlines")) is not None
    assert fz.check_error(ParseError("")) is not None
    assert fz.check_error(ParseError("x" * 1000)) is not None
    assert fz.check_error(ParseError("esc \x1b[31m")) is not None
    assert fz.check_error(LimitExceeded("body over the 10-byte limit")) is None


# ---- regressions: messages


def test_goroutine_proto_with_a_huge_sample_type_name_has_a_short_message() -> None:
    from tests.unit.pprof_builder import Builder

    b = Builder([("\x1b[2J" + "x" * 10_000, "count")])
    b.sample(["main"], [1])
    with pytest.raises(ParseError) as info:
        decode_goroutine_profile(b.bytes())
    assert fz.check_error(info.value) is None


def test_profile_with_a_varint_overflow_is_a_parse_error() -> None:
    raw = fz.zlib.decompress(SEEDS["decode_profile+top"][0], 31)
    with pytest.raises(ParseError) as info:
        decode_profile(raw[:10] + b"\xff" * 11)
    assert fz.check_error(info.value) is None


def test_gzip_bomb_is_limit_exceeded() -> None:
    bomb = fz.gzip.compress(b"\x00" * (8 << 20), compresslevel=9)
    with pytest.raises(LimitExceeded):
        decode_profile(bomb, max_decompressed=1 << 20)


# ---- regressions: inputs that were quadratic or worse


def _ok_or_parse_error(fn, arg) -> None:
    with alarm():
        try:
            fn(arg)
        except ParseError as exc:
            assert fz.check_error(exc) is None


MB = 1 << 20


@pytest.mark.parametrize(
    "page",
    [
        # Each took 19 s at 10 kB (or grew quadratically) with the old index regex.
        "<td>1</td><td><a " + "href=" * (MB // 5),
        "<td>1</td><td><a href=x>" + " " * MB,
        "<td" * (MB // 3),
        "<td>1</td><td><a href='" + "x" * MB,
        "<td>" + "1" * 19 + " " * MB,
    ],
)
def test_index_adversarial_pages_are_linear(page: str) -> None:
    _ok_or_parse_error(parse_index, page)
    with alarm():
        detect_kind(page.encode())


def test_index_still_parses_quote_styles_and_whitespace() -> None:
    page = (
        "<tr><td>3</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n"
        '<TR><TD align=right> 12 </TD><TD><A class=x HREF="goroutine?debug=1"> goroutine </A>'
        "<tr><td>5</td><td><a name=nohref>notalink</a>"
    )
    assert parse_index(page) == {"allocs": 3, "goroutine": 12}


def test_memstats_value_with_a_long_inner_space_run_is_linear() -> None:
    # "(.*?)\s*$" took 150 ms at 8 kB and grew quadratically.
    text = "# runtime.MemStats\n# Alloc = 1" + " " * MB + "2\n"
    with alarm(), pytest.raises(ParseError) as info:
        parse_memstats(text)
    assert fz.check_error(info.value) is None
    assert parse_memstats("# runtime.MemStats\n# Alloc =   12   \n# Stack = 1 / 2\n").alloc == 12


@pytest.mark.parametrize(
    "text",
    [
        "goroutine 1 [running]:\ncreated by f in goroutine " + "1" * MB + "x\n",
        "goroutine 1 [running]:\nf()\n\t" + ":1" * (MB // 2) + "x\n",
        "goroutine 1 [running]:\nf" + "(a" * (MB // 2) + ")\n",
        "goroutine 1 [running" + " (scan)" * 50_000 + "]:\n",
        "goroutine 1 " + "a=b " * (MB // 4) + "[x]:\n",
        "goroutine 1 [a labels:{" + '"\\' * (MB // 2) + "]:\n",
        "goroutine 1 [a] {" + "a: b, " * (MB // 6) + "]:\n",
        "goroutine 1 [running]:\n" + "f()\n\t/a.go:1\n" * (MB // 16),
    ],
)
def test_debug2_adversarial_dumps_are_linear(text: str) -> None:
    _ok_or_parse_error(parse_debug2, text)
    _ok_or_parse_error(group_debug2_text, text)


@pytest.mark.parametrize(
    "text",
    [
        "goroutine profile: total 1\n1 @" + " 0x1" * (MB // 4) + " z\n",
        "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\t" + "+0x1" * (MB // 8) + "z\t" + ":1" * (MB // 4) + "z\n",
    ],
)
def test_debug1_adversarial_dumps_are_linear(text: str) -> None:
    from tui.goroutines.debug1 import parse_debug1

    _ok_or_parse_error(parse_debug1, text)


# ---- regressions: found by reading the parsers for unbounded conversions


def test_fast_path_goroutine_id_longer_than_python_int_limit() -> None:
    # int() refuses more than 4300 digits (ValueError); the fast path converted the whole id.
    text = (
        "goroutine " + "9" * 5000 + " [running]:\nmain.f()\n\t/a.go:1 +0x1\n\n"
        "goroutine 2 [running]:\nmain.f()\n\t/a.go:1 +0x1\n"
    )
    fast = group_debug2_text(text)
    slow = parse_debug2(text)
    assert fast.total == len(slow.goroutines) == 2
    ids = sorted(i for g in fast.groups for b in g.buckets for s in b.stacks for i in s.sample_ids)
    assert ids == sorted(g.id for g in slow.goroutines)


@pytest.mark.parametrize("value", ["NaN", "inf", "-1e309"])
def test_memstats_non_finite_fraction_is_a_parse_error(value: str) -> None:
    with pytest.raises(ParseError, match="finite") as info:
        parse_memstats(f"# runtime.MemStats\n# Alloc = 1\n# GCCPUFraction = {value}\n")
    assert fz.check_error(info.value) is None
