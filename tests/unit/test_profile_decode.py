import gzip
import zlib
from pathlib import Path

import pytest

from tests.unit.pprof_builder import Builder
from tui.core.errors import LimitExceeded, ParseError
from tui.heap.decode import decode_profile
from tui.heap.top import top
from tui.wire import profile_pb2

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def small() -> Builder:
    b = Builder()
    b.sample(["malloc", "handler", "main"], [1, 64, 1, 64], numlabels={"bytes": 64})
    b.sample(["malloc", "handler", "main"], [2, 256, 0, 0], numlabels={"bytes": 128})
    b.sample(["grow", "main"], [3, 300, 3, 300], labels={"worker": "cache"})
    return b


def test_raw_and_gzip_decode_the_same():
    b = small()
    raw, gz = decode_profile(b.bytes()), decode_profile(b.bytes(gz=True))
    assert raw.num_samples == gz.num_samples == 3
    assert [list(s.values) for s in raw.samples] == [list(s.values) for s in gz.samples]
    assert [st.type for st in raw.sample_types] == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    assert raw.sample_types[3].unit == "bytes"


def test_samples_stacks_and_labels_round_trip():
    p = decode_profile(small().bytes())
    samples = list(p.samples)
    names = [
        [p.functions.get(p.locations.get(lid).lines[0].function_id).name for lid in s.location_ids] for s in samples
    ]
    assert names == [["malloc", "handler", "main"], ["malloc", "handler", "main"], ["grow", "main"]]
    assert p.num_stacks == 2  # identical stacks are interned once
    assert samples[0].labels[0].key == "bytes" and samples[0].labels[0].num == 64
    assert samples[0].labels[0].is_numeric
    assert samples[2].labels[0].str_value == "cache" and not samples[2].labels[0].is_numeric
    assert p.totals()["inuse_space"] == 364


def test_default_sample_index_is_last_type_or_default_sample_type():
    b = small()
    assert decode_profile(b.bytes()).default_sample_index == 3
    b.p.default_sample_type = b.s("alloc_space")
    p = decode_profile(b.bytes())
    assert p.default_sample_index == 1
    assert p.sample_index("inuse_objects") == 2 and p.sample_index("0") == 0
    with pytest.raises(ParseError, match="not in profile"):
        p.sample_index("cpu")
    with pytest.raises(ParseError, match="out of range"):
        p.sample_index(9)


def test_multi_member_gzip_is_read_whole():
    raw = small().bytes()
    half = len(raw) // 2
    data = gzip.compress(raw[:half]) + gzip.compress(raw[half:])
    assert decode_profile(data).num_samples == 3


def test_truncated_gzip_is_a_parse_error():
    data = small().bytes(gz=True)
    with pytest.raises(ParseError, match="truncated"):
        decode_profile(data[: len(data) - 12])


def test_gzip_bomb_stops_at_the_limit():
    bomb = gzip.compress(b"\x00" * (8 * 1024 * 1024))
    assert len(bomb) < 20_000
    with pytest.raises(LimitExceeded, match="limit"):
        decode_profile(bomb, max_decompressed=1024 * 1024)


def test_corrupt_gzip_and_garbage_are_parse_errors():
    with pytest.raises(ParseError):
        decode_profile(b"\x1f\x8b\x08\x00" + b"\xff" * 40)
    with pytest.raises(ParseError, match="not a valid profile"):
        decode_profile(b"\xff\xff\xff\xff not a proto")
    with pytest.raises(ParseError, match="trailing garbage"):
        decode_profile(small().bytes(gz=True) + b"junk")


def test_bad_string_index_is_a_parse_error():
    b = small()
    b.p.function[0].name = 999
    with pytest.raises(ParseError, match="string index 999"):
        decode_profile(b.bytes())


def test_string_table_must_start_empty():
    b = small()
    data = b.bytes()
    p = profile_pb2.Profile.FromString(data)
    p.string_table[0] = "x"
    with pytest.raises(ParseError, match="string_table"):
        decode_profile(p.SerializeToString())


def test_missing_location_id_is_a_parse_error_not_keyerror():
    b = small()
    b.p.sample[0].location_id[1] = 77
    with pytest.raises(ParseError, match="unknown location id 77"):
        decode_profile(b.bytes())
    # Without the decode-time check, top() reports it the same way.
    p = decode_profile(b.bytes(), validate_stacks=False)
    with pytest.raises(ParseError, match="unknown location id"):
        top(p)


def test_missing_function_id_is_a_parse_error():
    b = small()
    b.p.location[0].line[0].function_id = 55
    with pytest.raises(ParseError, match="unknown function id 55"):
        decode_profile(b.bytes())


def test_value_count_mismatch_is_a_parse_error():
    b = small()
    del b.p.sample[1].value[3]
    with pytest.raises(ParseError, match="3 values vs. 4"):
        decode_profile(b.bytes())


def _unpacked(data: bytes) -> bytes:
    """Re-encode every Sample with unpacked (one tag per element) repeated fields."""
    p = profile_pb2.Profile.FromString(data)
    out = bytearray()
    other = profile_pb2.Profile()
    other.CopyFrom(p)
    del other.sample[:]
    out += other.SerializeToString()

    def varint(n: int) -> bytes:
        n &= (1 << 64) - 1
        buf = bytearray()
        while n >= 0x80:
            buf.append((n & 0x7F) | 0x80)
            n >>= 7
        buf.append(n)
        return bytes(buf)

    for s in p.sample:
        body = b"".join(b"\x08" + varint(x) for x in s.location_id)
        body += b"".join(b"\x10" + varint(x) for x in s.value)
        body += b"".join(b"\x1a" + varint(len(lb.SerializeToString())) + lb.SerializeToString() for lb in s.label)
        out += b"\x12" + varint(len(body)) + body
    return bytes(out)


def test_unpacked_encoding_falls_back_and_matches():
    b = small()
    b.sample(["grow", "main"], [-1, -10, 0, 0])  # negative values survive too
    data = b.bytes()
    fast, slow = decode_profile(data), decode_profile(_unpacked(data))
    assert [(s.location_ids, s.values, s.labels) for s in fast.samples] == [
        (s.location_ids, s.values, s.labels) for s in slow.samples
    ]
    assert slow.values[1][-1] == -10


def test_empty_profile_and_empty_input():
    p = decode_profile(Builder().bytes())
    assert p.num_samples == 0 and p.num_stacks == 0
    assert top(p).rows == () and top(p).total == 0
    empty = decode_profile(b"")
    assert empty.sample_types == ()
    with pytest.raises(ParseError, match="no sample types"):
        top(empty)


def test_sample_without_locations_counts_in_total_only():
    b = small()
    b.p.sample.add(value=[1, 1000, 1, 1000])
    p = decode_profile(b.bytes())
    r = top(p, "inuse_space")
    assert r.total == 1364 and sum(row.flat for row in r.rows) == 364


def test_raw_input_over_limit():
    with pytest.raises(LimitExceeded):
        decode_profile(small().bytes(), max_decompressed=10)


@pytest.mark.parametrize("version", ["go1.19", "go1.27"])
@pytest.mark.parametrize("name", ["heap.pb.gz", "allocs.pb.gz"])
def test_real_captures_decode(version, name):
    path = FIXTURES / version / name
    if not path.exists():
        pytest.skip(f"fixture {path} not recorded")
    data = path.read_bytes()
    assert data[:2] == b"\x1f\x8b"
    p = decode_profile(data)
    assert [st.type for st in p.sample_types] == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    expected_default = "alloc_space" if name.startswith("allocs") else "inuse_space"
    assert p.sample_types[p.default_sample_index].type == expected_default
    assert p.num_samples > 0 and p.period_type is not None and p.period_type.type == "space"
    # Decoding agrees with the plain gencode on every sample.
    full = profile_pb2.Profile.FromString(zlib.decompress(data, 47))
    assert [tuple(s.location_id) for s in full.sample] == [s.location_ids for s in p.samples]
    assert [tuple(s.value) for s in full.sample] == [s.values for s in p.samples]
    assert all(lb.key == "bytes" for s in p.samples for lb in s.labels)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

_VALID = small().bytes()


@settings(max_examples=300, deadline=None)
@given(
    hst.lists(hst.tuples(hst.integers(0, len(_VALID) - 1), hst.integers(0, 255)), min_size=1, max_size=6),
    hst.integers(0, len(_VALID)),
)
def test_mutated_profiles_raise_only_parse_errors(flips, cut):
    data = bytearray(_VALID)
    for pos, byte in flips:
        data[pos] = byte
    data = bytes(data[:cut] if cut % 3 == 0 else data)
    try:
        p = decode_profile(data)
        if p.sample_types:
            top(p, granularity="lines")
            top(p, focus="a", ignore="b")
    except (ParseError, LimitExceeded):
        pass


def _odd_tables():
    """Functions and locations with left-out (zero) fields, which the merged parse cannot line up."""
    from tui.wire import profile_pb2

    p = profile_pb2.Profile()
    p.string_table.extend(["", "inuse_space", "bytes", "main", "main.go", "f", "f.go", "/bin/app"])
    p.sample_type.add(type=1, unit=2)
    p.mapping.add(id=1, filename=7)
    p.function.add(id=1, name=3, system_name=3, filename=4, start_line=10)
    p.function.add(id=2, name=5, system_name=5, filename=0, start_line=0)  # no file, no start line
    p.location.add(id=1, mapping_id=1, address=0x10, line=[profile_pb2.Line(function_id=1, line=7)])
    p.location.add(
        id=2,
        mapping_id=0,
        address=0,
        line=[
            profile_pb2.Line(function_id=2, line=0),  # line 0
            profile_pb2.Line(function_id=1, line=9),
        ],
    )
    p.location.add(id=3, mapping_id=1, address=0x30)  # no lines
    p.sample.add(location_id=[2, 1], value=[5])
    p.sample.add(location_id=[3, 1], value=[7])
    return p


def test_tables_with_left_out_fields_decode_like_the_full_gencode():
    p = _odd_tables()
    got = decode_profile(p.SerializeToString())
    assert got.functions.ids == (1, 2)
    assert got.functions.names == ("main", "f") and got.functions.filenames == ("main.go", "")
    assert got.functions.start_lines == (10, 0)
    locs = got.locations
    assert locs.ids == (1, 2, 3) and locs.addresses == (0x10, 0, 0x30)
    assert locs.mapping_files == ("/bin/app", "", "/bin/app")
    assert locs.lines == (((1, 7),), ((2, 0), (1, 9)), ())
    assert [ln.line for ln in locs.get(2).lines] == [0, 9]
    rows = {r.key: (r.flat, r.cum) for r in top(got, node_fraction=0).rows}
    assert rows == {"f": (5, 5), "main": (0, 12), "[app]": (7, 7)}


def test_a_line_that_looks_like_the_location_end_mark_is_rejected_not_misread():
    from tui.heap.decode_tables import LINE_MARK as _LINE_MARK

    p = _odd_tables()
    raw = p.SerializeToString()
    # Location 3 gets a "line" whose bytes are the mark: not a valid Line message.
    loc3 = p.location[2].SerializeToString()
    forged = loc3 + b"\x22" + bytes([len(_LINE_MARK)]) + _LINE_MARK
    raw = raw.replace(b"\x22" + bytes([len(loc3)]) + loc3, b"\x22" + bytes([len(forged)]) + forged)
    with pytest.raises(ParseError, match="line"):
        decode_profile(raw)


def test_invalid_utf8_names_decode_with_replacement_characters_like_go_pprof_opens_them():
    from tui.wire import profile_pb2

    b = Builder((("inuse_space", "bytes"),))
    b.sample(["main.ok", "main.main"], [5])
    raw = b.bytes()
    # profile_pb2 refuses to write invalid UTF-8, so patch the bytes: "main.ok" -> "main.\xffk"
    # (the name and its file "/src/main.ok.go")
    raw = raw.replace(b"main.ok", b"main.\xffk")
    with pytest.raises(Exception):
        profile_pb2.Profile.FromString(raw)  # the plain gencode rejects it (proto3 string)
    p = decode_profile(raw)
    rows = {r.key: (r.flat, r.cum) for r in top(p).rows}
    assert rows == {"main.\ufffdk": (5, 5), "main.main": (0, 5)}
