"""tui/core/ring.py: the one ring buffer (history levels, the tracker's windows, the heap floors)."""

from __future__ import annotations

from tui.core.ring import Ring


def test_fills_then_overwrites_the_oldest_and_reads_oldest_first():
    ring = Ring(3, "dq")
    assert len(ring) == 0 and list(ring.rows(0)) == []
    for i in range(5):
        ring.append(float(i), i * 10)
    assert len(ring) == 3 and ring.total == 5
    assert list(ring.rows(0)) == [2.0, 3.0, 4.0] and list(ring.rows(1)) == [20, 30, 40]
    assert list(ring.rows(0, 1, 3)) == [3.0, 4.0] and list(ring.rows(0, 2, 2)) == []
    assert ring.value(1, 0) == 20 and ring.value(1, 2) == 40
    ring.set_value(0, 2, 9.5)
    assert list(ring.rows(0, 1)) == [3.0, 9.5]


def test_drop_oldest_and_a_zero_capacity():
    ring = Ring(2, "d")
    ring.append(1.0)
    ring.append(2.0)
    ring.drop_oldest()
    ring.append(3.0)
    assert list(ring.rows(0)) == [2.0, 3.0]
    ring.drop_oldest()
    ring.drop_oldest()
    ring.drop_oldest()  # empty: nothing to drop
    assert len(ring) == 0
    empty = Ring(0, "d")
    empty.append(1.0)
    assert len(empty) == 0 and list(empty.rows(0)) == []
