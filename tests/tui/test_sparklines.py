"""Sparklines with honest scales (tui/widgets/sparklines.py): a floor at zero, small changes drawn
flat, the scale shown in the value's unit beside the bars."""

from __future__ import annotations

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tests.tui.waiting import settle
from tui.app import build_app
from tui.core.bytesize import format_bytes
from tui.model.history import History
from tui.widgets.sparklines import BARS, FLAT_FRACTION, TOP, MetricSpark, bars, fmt_count, spark_scale


def test_nine_to_eight_goroutines_is_one_step_not_a_cliff():
    # auto-scaling min..max drew this as █████▁▁▁▁
    values = [9] * 5 + [8] * 4
    scale = spark_scale(values, 20)
    assert scale.zero and scale.lo == 0 and scale.hi == 9
    assert set(bars(values, 20)) == {"█", "▇"}  # 8/9 of the height: one step down
    assert scale.label(fmt_count) == "0–9"


def test_stack_between_524_and_557_kB_is_flat():
    # min..max drew this as █▁█▁███▁: a 6% wobble
    kb = [557, 524, 557, 524, 557, 557, 557, 524]
    values = [v * 1024 for v in kb]
    assert len(set(bars(values, 20))) == 1
    assert spark_scale(values, 20).label(format_bytes) == "0–557kB"


def test_a_change_below_flat_fraction_is_flat_anywhere_on_the_scale():
    base = 1_000_000.0
    wobble = [base, base * (1 - FLAT_FRACTION * 0.99), base] * 4
    scale = spark_scale(wobble, 50)
    assert scale.flat and len(set(scale.levels)) == 1 and scale.levels[0] == TOP
    # just above the threshold it is drawn (here: one step, as its size deserves)
    bigger = [base, base * (1 - FLAT_FRACTION * 3), base] * 4
    assert not spark_scale(bigger, 50).flat
    assert sorted(set(spark_scale(bigger, 50).levels)) == [TOP - 1, TOP]


def test_growth_from_zero_fills_the_scale_and_heights_are_proportional():
    values = [0, 25, 50, 75, 100]
    scale = spark_scale(values, 10)
    assert scale.levels == (0, 2, 4, 5, 7)
    assert bars(values, 10)[0] == BARS[0] and bars(values, 10)[-1] == BARS[-1]
    # the level of each value is its share of the top of the scale
    for value, level in zip(values, scale.levels):
        assert abs(level - value / 100 * TOP) <= 0.5


def test_only_the_newest_width_values_decide_the_scale():
    values = [1000] + [10, 11, 12]
    assert spark_scale(values, 3).hi == 12
    assert spark_scale(values, 4).hi == 1000


def test_negative_series_get_a_labelled_min_max():
    values = [-3, 0, 12]
    scale = spark_scale(values, 10)
    assert not scale.zero and scale.lo == -3 and scale.hi == 12
    assert scale.levels[0] == 0 and scale.levels[-1] == TOP
    assert scale.label(fmt_count) == "-3–12"


@pytest.mark.parametrize("values", [[], [0], [0, 0, 0], [5], [7, 7, 7]])
def test_empty_zero_and_constant_series(values):
    scale = spark_scale(values, 10)
    assert len(scale.levels) == len(values)
    assert len(set(scale.levels)) <= 1
    if values and max(values) > 0:
        assert scale.levels[0] == TOP and scale.label(fmt_count) == f"0–{values[0]}"
    assert bars(values, 0) == ""


async def test_dashboard_sparklines_show_their_scale_in_the_value_unit():
    history = History()
    for i in range(30):
        history.push_many(
            float(i),
            {
                "goroutines": 9 if i < 20 else 8,
                "mem.heap_inuse": 5e6 + 1e5 * i,
                "mem.stack_inuse": 524 * 1024 + i % 2 * 33 * 1024,
            },
        )
    app = build_app(CannedSource(make_snapshot(1, history=history)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        gor = app.screen.query_one("#spark-goroutines", MetricSpark)
        assert gor.scale_text == "0–9" and gor.current_text == "8"
        assert set(str(gor.query_one("Bars").render()).strip()) == {"█", "▇"}  # one step down, no cliff
        stack = app.screen.query_one("#spark-stack", MetricSpark)
        assert stack.scale_text == "0–557kB"
        assert len(set(str(stack.query_one("Bars").render()).strip())) == 1  # a 6% wobble: flat
        heap = app.screen.query_one("#spark-heap", MetricSpark)
        assert heap.scale_text.startswith("0–") and heap.scale_text.endswith("MB")


def test_a_floor_at_zero_is_written_0_in_any_unit():
    assert spark_scale([0.0001, 0.0002], 10).label(lambda v: f"{v * 100:.2f}%") == "0–0.02%"
    assert spark_scale([1024.0, 2048.0], 10).label(format_bytes) == "0–2kB"
