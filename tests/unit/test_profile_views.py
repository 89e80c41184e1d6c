"""The views' embedded descriptors match what their builders produce from profile.proto."""

from tui.heap import packed
from tui.heap import upb_views as views


def test_view_descriptor_is_current():
    assert views.build_file_descriptor() == views.SERIALIZED


def test_packed_descriptor_is_current():
    assert packed.build_file_descriptor() == packed.SERIALIZED


def test_packed_round_trip():
    values = [0, 1, 127, 128, 300, 2**40, 2**64 - 1]
    assert list(packed.decode_uint64s(packed.encode_uint64s(values))) == values
    assert packed.encode_uint64s([]) == b""
    assert list(packed.decode_int64s(packed.encode_uint64s([2**64 - 5]))) == [-5]
