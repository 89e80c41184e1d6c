import pytest

from tui.heap.units import choose_output_unit, format_pct, format_value, scale


@pytest.mark.parametrize(
    "value,unit,expected",
    [
        (1572864, "bytes", "1.50MB"),
        (524288, "bytes", "512kB"),
        (1023, "bytes", "1023B"),
        (1024, "bytes", "1kB"),
        (0, "bytes", "0"),
        (-1572864, "bytes", "-1.50MB"),
        (3 << 30, "bytes", "3GB"),
        (42, "count", "42"),
        (1500000000, "nanoseconds", "1.50s"),
        (2500, "nanoseconds", "2.50us"),
        (7, "widgets", "7"),
    ],
)
def test_format_value_auto(value, unit, expected):
    assert format_value(value, unit) == expected


def test_format_value_in_a_fixed_output_unit():
    assert format_value(74637600 * 1024 // 1000, "bytes", "kB") == "74637.60kB"
    assert format_value(512, "bytes", "MB") == "0"  # 0.00048828125 rounds to 0.00
    assert format_value(5 * 1024, "bytes", "MB") == "0"  # 0.0049 -> "0.00" -> "0"
    assert format_value(10 * 1024, "bytes", "MB") == "0.01MB"
    assert format_value(7, "widgets", "widgets") == "7widgets"  # unknown unit kept as output unit


def test_choose_output_unit_like_pprof_minimum():
    # Smallest row 20kB, total 2GB: different units and min*100 < max -> unit of 100*min (MB).
    assert choose_output_unit([(20 * 1024, 20 * 1024), (0, 1 << 31)], 1 << 31, "bytes") == "MB"
    # 10kB * 100 is still under 1MB: kB.
    assert choose_output_unit([(10 * 1024, 10 * 1024)], 1 << 31, "bytes") == "kB"
    # Close values keep the smallest's unit.
    assert choose_output_unit([(512 * 1024, 600 * 1024)], 1 << 20, "bytes") == "kB"
    assert choose_output_unit([(0, 0)], 0, "bytes") == "B"
    assert choose_output_unit([(3, 5)], 10, "count") == "count"
    # Negative rows use their magnitude.
    assert choose_output_unit([(-2048, -2048)], 4096, "bytes") == "kB"


@pytest.mark.parametrize(
    "value,total,expected",
    [
        (1, 1, "  100%"),
        (9996, 10000, "  100%"),
        (404, 10000, " 4.04%"),
        (80, 10000, "  0.8%"),
        (5, 10000, " 0.05%"),
        (-5, 100, " 5.00%"),
        (1, 0, "    0%"),
        (0, 10, "    0%"),
    ],
)
def test_format_pct_like_pprof(value, total, expected):
    assert format_pct(value, total) == expected


def test_scale_units():
    assert scale(1 << 20, "bytes", "kB") == (1024.0, "kB")
    assert scale(5, "count") == (5.0, "")
