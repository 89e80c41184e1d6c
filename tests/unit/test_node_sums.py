"""The vectorised flat/cum sums (numpy) against the plain Python ones, and the varint decoder."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES_DIR
from tests.unit.pprof_builder import Builder
from tui.core.errors import ParseError
from tui.heap import node_sums
from tui.heap.decode import decode_profile
from tui.heap.diff import diff
from tui.heap.node_sums import node_values, node_values_exact
from tui.heap.nodes import map_nodes
from tui.heap.packed import (
    decode_uint64_array,
    decode_uint64s,
    encode_uint64s,
    varints_before,
)
from tui.heap.top import stack_totals, top

PROFILES = sorted(p for p in FIXTURES_DIR.glob("go1.*/*.pb.gz") if p.name in ("heap.pb.gz", "allocs.pb.gz"))


def both_ways(profile, sample_index, granularity):
    nodes = map_nodes(profile, granularity)
    per_stack = stack_totals(profile, sample_index).values
    return node_values(profile, nodes, per_stack), node_values_exact(profile, nodes, per_stack)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("granularity", ["functions", "lines"])
def test_vectorised_sums_equal_python_sums_on_real_captures(path, granularity):
    profile = decode_profile(path.read_bytes())
    for index in range(len(profile.sample_types)):
        fast, exact = both_ways(profile, index, granularity)
        assert fast == exact
        assert any(fast[1])  # the captures have samples: the check compares something


def test_vectorised_sums_equal_python_sums_on_a_diff_with_negative_values():
    current = decode_profile((FIXTURES_DIR / "go1.27" / "heap.pb.gz").read_bytes())
    base = decode_profile((FIXTURES_DIR / "go1.26" / "heap.pb.gz").read_bytes())
    delta = diff(current, base)
    fast, exact = both_ways(delta, delta.default_sample_index, "functions")
    assert fast == exact
    assert min(fast[1]) < 0 < max(fast[1])


def random_profile(rnd: random.Random, n_samples: int, big: bool = False):
    b = Builder((("inuse_space", "bytes"),))
    names = [f"f{i}" for i in range(12)]
    for _ in range(n_samples):
        depth = rnd.randint(1, 8)
        frames = []
        for _ in range(depth):
            name = rnd.choice(names)
            if rnd.random() < 0.2:
                name += "+" + rnd.choice(names)  # an inlined location, maybe recursive
            frames.append(name)
        value = rnd.randint(-(2**62), 2**62) if big else rnd.randint(-1000, 10**6)
        b.sample(frames, [value])
    return decode_profile(b.bytes())


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 60))
def test_vectorised_sums_equal_python_sums_on_random_stacks(seed, n):
    profile = random_profile(random.Random(seed), n)
    for granularity in ("functions", "lines"):
        fast, exact = both_ways(profile, 0, granularity)
        assert fast == exact


def test_values_beyond_float_precision_take_the_exact_path(monkeypatch):
    profile = random_profile(random.Random(7), 40, big=True)
    calls = []
    real = node_sums.node_values_exact
    monkeypatch.setattr(node_sums, "node_values_exact", lambda *a: calls.append(1) or real(*a))
    report = top(profile, node_fraction=0)
    assert calls, "sums of |values| >= 2**53 must not go through float64"
    # Exact to the unit: the rows' flats add up to the sum of all values (each sample has a leaf).
    assert sum(r.flat for r in report.rows) == sum(profile.values[0])


def test_unknown_location_in_a_stack_names_the_first_one():
    b = Builder((("inuse_space", "bytes"),))
    b.sample(["a", "main"], [5])
    b.p.sample.add(location_id=[1, 999, 998], value=[3])
    profile = decode_profile(b.bytes(), validate_stacks=False)
    with pytest.raises(ParseError, match="unknown location id 999"):
        top(profile)


def test_sparse_location_ids_are_looked_up_without_a_dense_table():
    b = Builder((("inuse_space", "bytes"),))
    b.sample(["a", "main"], [5])
    b.sample(["b", "main"], [7])
    for loc in b.p.location:
        loc.id = loc.id * 10**15  # far apart: searchsorted, not a table
    for s in b.p.sample:
        s.location_id[:] = [lid * 10**15 for lid in s.location_id]
    r = {row.key: (row.flat, row.cum) for row in top(decode_profile(b.bytes())).rows}
    assert r == {"a": (5, 5), "b": (7, 7), "main": (0, 12)}


# --- packed varints ---------------------------------------------------------------

EDGES = [0, 1, 127, 128, 255, 16383, 16384, 2**21, 2**32, 2**56, 2**63, 2**64 - 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(EDGES), st.integers(0, 2**64 - 1)), max_size=60))
def test_uint64_array_decodes_every_width(values):
    blob = encode_uint64s(values)
    out = decode_uint64_array(blob)
    assert out.dtype == np.uint64
    assert out.tolist() == values == list(decode_uint64s(blob))


def test_varints_before_counts_the_values_ending_before_each_boundary():
    chunks = [[1, 300, 2**40], [], [5], [70000, 1]]
    blobs = [encode_uint64s(c) for c in chunks]
    boundaries = np.cumsum([len(b) for b in blobs])
    assert varints_before(b"".join(blobs), boundaries).tolist() == [3, 3, 4, 6]


@pytest.mark.parametrize("blob", [b"\x80", b"\x01\xff", b"\xff" * 10 + b"\x01"])
def test_uint64_array_rejects_malformed_input(blob):
    with pytest.raises(ParseError, match="bad packed ids"):
        decode_uint64_array(blob)


def test_a_sample_whose_ids_end_in_a_truncated_varint_is_a_parse_error():
    b = Builder((("inuse_space", "bytes"),))
    b.sample(["a", "main"], [5])
    b.sample(["b", "main"], [7])
    raw = bytearray(b.bytes())
    # The first sample's packed location ids: field 1, length 2, ids 1 and 2.
    at = raw.index(b"\x0a\x02\x01\x02")
    raw[at + 3] = 0x82  # its last id now has a continuation bit, running into nothing
    with pytest.raises(ParseError, match="truncated varint"):
        decode_profile(bytes(raw))
