"""Outliers across replicas (tui/fleet/outliers.py) on hand-made fleets."""

from __future__ import annotations

import pytest

from tui.fleet.outliers import (
    GOROUTINE_RULE,
    HEAP,
    Rule,
    find_outliers,
    fleet_outliers,
    goroutine_metric,
    heap_metric,
)

LEAK = ("main.fetchAll.func1", "chan send")
POOL = ("main.worker", "chan receive")
MB = 1024 * 1024


def _fleet(n: int, sick: dict[int, int], healthy: int = 12) -> dict[str, list[tuple[str, str, int]]]:
    """n replicas pod-0..pod-n-1: each a steady pool, and LEAK goroutines (`healthy`, or sick[i])."""
    return {f"pod-{i}": [(*POOL, 8), (*LEAK, sick.get(i, healthy + i % 3))] for i in range(n)}


@pytest.mark.parametrize("n", [3, 4, 7, 20])
def test_one_sick_replica_is_flagged_with_its_siblings_median(n):
    found = find_outliers(goroutine_metric(_fleet(n, {n - 1: 41_929})), GOROUTINE_RULE)
    assert [(o.target, o.key) for o in found] == [(f"pod-{n - 1}", "main.fetchAll.func1 [chan send]")]
    out = found[0]
    assert out.value == 41_929 and out.siblings == n - 1 and 12 <= out.siblings_median <= 14
    assert out.sentence().startswith(f"pod-{n - 1}: 41,929 in main.fetchAll.func1 [chan send], siblings median 1")


def test_the_example_sentence():
    fleet = {"pod-1": [(*LEAK, 12)], "pod-2": [(*LEAK, 12)], "pod-3": [(*LEAK, 41_929)]}
    (out,) = fleet_outliers(fleet, {})
    assert out.sentence() == "pod-3: 41,929 in main.fetchAll.func1 [chan send], siblings median 12"


def test_no_sick_replica_flags_nothing():
    assert find_outliers(goroutine_metric(_fleet(10, {})), GOROUTINE_RULE) == ()


def test_all_equal_flags_nothing_even_when_big():
    fleet = {f"pod-{i}": [(*LEAK, 50_000)] for i in range(6)}
    assert find_outliers(goroutine_metric(fleet), GOROUTINE_RULE) == ()


def test_two_sick_replicas_out_of_six_are_both_flagged():
    found = find_outliers(goroutine_metric(_fleet(6, {1: 9_000, 4: 30_000})), GOROUTINE_RULE)
    assert [o.target for o in found] == ["pod-4", "pod-1"]  # biggest excess first
    assert all(o.siblings_median < 20 for o in found)


def test_two_sick_out_of_four_are_still_flagged():
    # each sick one's siblings are one sick and two healthy: their median is healthy
    found = find_outliers(goroutine_metric(_fleet(4, {0: 9_000, 1: 9_100})), GOROUTINE_RULE)
    assert sorted(o.target for o in found) == ["pod-0", "pod-1"]


def test_most_of_the_fleet_sick_is_no_outlier():
    # a fleet-wide problem: the siblings' median is sick too
    assert find_outliers(goroutine_metric(_fleet(5, {0: 9_000, 1: 9_100, 2: 9_050})), GOROUTINE_RULE) == ()


def test_tiny_counts_never_flag():
    # 60 against 2 is 30 times the median but below the absolute minimum
    fleet = {"a": [(*LEAK, 2)], "b": [(*LEAK, 2)], "c": [(*LEAK, 3)], "d": [(*LEAK, 60)]}
    assert find_outliers(goroutine_metric(fleet), GOROUTINE_RULE) == ()
    # the same shape, big enough, does
    assert [o.target for o in find_outliers(goroutine_metric(fleet), Rule(min_excess=50))] == ["d"]


def test_noisy_siblings_raise_the_bar():
    # siblings spread 100..900: 1,500 is neither 3x their median nor 5 MADs out
    fleet = {f"p{i}": [(*LEAK, v)] for i, v in enumerate([100, 300, 500, 700, 900, 1_500])}
    assert find_outliers(goroutine_metric(fleet), GOROUTINE_RULE) == ()


def test_a_group_only_the_sick_replica_has_counts_as_zero_elsewhere():
    fleet = {f"pod-{i}": [(*POOL, 8)] for i in range(4)}
    fleet["pod-2"].append(("main.stuck", "sync.Mutex.Lock", 500))
    (out,) = find_outliers(goroutine_metric(fleet), GOROUTINE_RULE)
    assert (out.target, out.value, out.siblings_median) == ("pod-2", 500, 0)


def test_rows_of_one_key_add_up():
    metric = goroutine_metric({"a": [(*LEAK, 5), (*LEAK, 7)]})
    assert metric.values["a"]["main.fetchAll.func1 [chan send]"] == 12


def test_too_few_siblings_flags_nothing():
    fleet = {"a": [(*LEAK, 12)], "b": [(*LEAK, 40_000)]}
    assert find_outliers(goroutine_metric(fleet), GOROUTINE_RULE) == ()
    assert [o.target for o in find_outliers(goroutine_metric(fleet), Rule(min_excess=100, min_siblings=1))] == ["b"]


def test_heap_function_outlier_in_bytes():
    heap = {f"pod-{i}": {"main.cache.put": 2 * MB + i, "bytes.growSlice": 1 * MB} for i in range(5)}
    heap["pod-3"]["main.cache.put"] = 700 * MB
    (out,) = fleet_outliers({}, heap)
    assert (out.kind, out.target) == (HEAP, "pod-3")
    assert out.sentence() == "pod-3: 700MB in main.cache.put (inuse_space), siblings median 2MB"


def test_heap_listing_is_not_complete_a_missing_function_is_at_most_the_smallest_listed():
    # siblings list only their top functions, each >= 50 MB: a function they do not list may be 50 MB
    # there, so 60 MB on pod-0 is no outlier
    heap = {f"pod-{i}": {"main.big": 50 * MB} for i in range(4)}
    heap["pod-0"]["main.other"] = 60 * MB
    assert find_outliers(heap_metric(heap), Rule(min_excess=8 * MB)) == ()
    heap["pod-0"]["main.other"] = 400 * MB
    assert [o.key for o in find_outliers(heap_metric(heap), Rule(min_excess=8 * MB))] == ["main.other"]


def test_at_most_per_target_outliers_each():
    fleet = {f"pod-{i}": [(f"main.f{k}", "select", 1) for k in range(10)] for i in range(4)}
    fleet["pod-0"] = [(f"main.f{k}", "select", 1_000 + k) for k in range(10)]
    found = find_outliers(goroutine_metric(fleet), GOROUTINE_RULE, per_target=3)
    assert [o.key for o in found] == ["main.f9 [select]", "main.f8 [select]", "main.f7 [select]"]
