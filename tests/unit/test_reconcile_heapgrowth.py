"""Memory reconciliation sentences and the heap baseline helpers."""

import random

import pytest

from tests.conftest import fixture_path
from tui.core.bytesize import format_bytes
from tui.heap.decode import decode_profile
from tui.leaks.heap_baseline import Baseline, function_values, heap_diff, pick_sample_type
from tui.leaks.reconcile import (
    GOROUTINES,
    HEAP,
    HEAP_AFTER_GC,
    HEAP_PROFILE,
    METRICS,
    NOTHING,
    STACKS,
    lower_envelope,
    reconcile,
)

MB = 1 << 20


def pts(fn, n=90, every=2.0):
    return [(i * every, fn(i)) for i in range(n)]


def test_stack_growth_with_goroutines_and_flat_heap_points_at_the_tree():
    series = {
        "stack_inuse": pts(lambda i: 400_000 + i * 8192),  # +240 kB/min
        GOROUTINES: pts(lambda i: 20 + i * 2),  # +60/min
        HEAP_PROFILE: pts(lambda i: 3 * MB),
        "heap_inuse": pts(lambda i: 4 * MB + (i % 5) * 100_000),  # saw-tooth, no trend
    }
    r = reconcile(series)
    assert r.verdict == STACKS
    assert r.sentence.startswith("Stack is growing with the goroutine count (+240kB/min, +60 goroutines/min)")
    assert r.sentence.endswith("the growth is goroutine stacks, not heap — look at the goroutine tree")
    stack = next(m for m in r.metrics if m.key == "stack_inuse")
    assert stack.growing and stack.current == 400_000 + 89 * 8192 and len(stack.values) == 60


def test_heap_growth_names_the_largest_delta_functions():
    series = {HEAP_AFTER_GC: pts(lambda i: 4 * MB + i * 200_000, n=20, every=6.0), "heap_inuse": pts(lambda i: 5 * MB)}
    growers = [("main.(*LFUCache).increment", 15 * MB), ("main.other", 2 * MB), ("main.freed", -MB)]
    alone = reconcile(series, growers)  # HeapInuse alone is not a claim: the heap profile must agree
    assert alone.verdict == NOTHING and next(m for m in alone.metrics if m.key == "heap_inuse").growing
    r = reconcile(series, growers, function_growing=True)
    assert r.verdict == HEAP
    assert r.sentence == (
        "HeapInuse is growing +1.91MB/min: largest Δinuse: main.(*LFUCache).increment (+15MB), main.other (+2MB)"
    )


def test_saw_tooth_heapinuse_without_after_gc_series_uses_the_lower_envelope():
    rng = random.Random(3)
    flat = pts(lambda i: 4 * MB + rng.randint(0, 3 * MB), n=150)
    assert reconcile({"heap_inuse": flat}, function_growing=True).verdict == NOTHING
    rising = pts(lambda i: 4 * MB + i * 40_000 + rng.randint(0, MB), n=150)
    assert reconcile({"heap_inuse": rising}, function_growing=True).verdict == HEAP
    assert lower_envelope([(0.0, 5.0), (10.0, 3.0), (31.0, 9.0), (float("nan"), 1.0)]) == [(10.0, 3.0), (31.0, 9.0)]


def test_nothing_growing_and_empty_inputs():
    r = reconcile({})
    # issue #25: a target never read is not "nothing growing"
    assert r.verdict == NOTHING and r.sentence == "nothing read yet"
    assert reconcile({"heap_inuse": [(0.0, 5.0 * MB)]}).sentence == "too few polls to judge yet"
    flat = reconcile({key: pts(lambda i: 5 * MB) for key, _, _ in METRICS})
    assert flat.sentence == "nothing growing"
    assert len(r.metrics) == len(METRICS) + 2
    assert all(m.current is None and m.rate_per_min is None and not m.growing for m in r.metrics)
    shrinking = reconcile({"stack_inuse": pts(lambda i: 9 * MB - i * 50_000), GOROUTINES: pts(lambda i: 500 - i)})
    assert shrinking.verdict == NOTHING
    assert next(m for m in shrinking.metrics if m.key == GOROUTINES).rate_per_min < 0


def test_a_rising_heapinuse_not_claimed_says_why_not_nothing_growing():
    """Issue #25: `L` said "memory: nothing growing" right above `HeapInuse +13.69MB/min`."""
    rising = pts(lambda i: 4 * MB + i * 200_000)
    r = reconcile({"heap_inuse": rising, "heap_profile_inuse": pts(lambda i: 3 * MB)})
    assert r.verdict == NOTHING
    rate = next(m for m in r.metrics if m.key == "heap_inuse").rate_per_min
    assert rate is not None and rate > 0
    assert r.sentence.startswith("nothing claimed (HeapInuse +") and r.sentence.endswith("heap profile not growing)")


def test_goroutines_growing_without_stack_growth_is_not_a_stack_claim():
    r = reconcile({GOROUTINES: pts(lambda i: 20 + i * 2), "stack_inuse": pts(lambda i: 400_000)})
    assert r.verdict == NOTHING


@pytest.mark.parametrize(
    "value,text",
    [
        (0, "0"),
        (1023, "1023B"),
        (2048, "2kB"),
        (3 * MB, "3MB"),
        (-5 * MB, "-5MB"),
        (2 << 30, "2GB"),
        (1.5 * MB, "1.50MB"),
    ],
)
def test_sentences_use_the_one_byte_formatter(value, text):
    assert format_bytes(value) == text


def test_heap_helpers_on_real_profiles():
    heap = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    goroutine = decode_profile(fixture_path("go1.27", "goroutine.pb.gz").read_bytes())
    assert pick_sample_type(heap, "inuse_space") == "inuse_space"
    assert pick_sample_type(heap, "nope") == heap.sample_types[heap.default_sample_index].type
    assert pick_sample_type(goroutine, "inuse_space") == "goroutine"
    values = function_values(heap, limit=5)
    assert 0 < len(values) <= 5 and all(v > 0 for v in values.values())
    # profiles of different kinds have no common sample type: no diff, no crash
    assert heap_diff(goroutine, Baseline(heap, 0.0, "start"), current_at=1.0) is None
    d = heap_diff(heap, Baseline(heap, 0.0, "start"), current_at=1.0, sample_type="alloc_space")
    assert d is not None and d.report.sample_type == "alloc_space" and d.report.rows == ()


def test_heap_profile_steps_of_a_few_samples_are_not_growth(monkeypatch):
    """A quiet target's heap profile picks up its own pprof gzip buffers: one or two ~512 kB
    sample steps that look like a rising line. Under MIN_PROFILE_RISE across the window: no claim."""
    from tui.leaks.reconcile import HEAP_PROFILE, MIN_PROFILE_RISE, NOTHING, reconcile

    base = 2.8e6
    steps = [(i * 10.0, base + (512 * 1024) * min(i // 4, 3)) for i in range(13)]  # 3 steps over 2 min
    assert steps[-1][1] - steps[0][1] < MIN_PROFILE_RISE
    quiet = reconcile({HEAP_PROFILE: steps})
    assert quiet.verdict == NOTHING
    assert not next(m for m in quiet.metrics if m.key == HEAP_PROFILE).growing
    # it is the minimum rise that keeps these steps from being called growth
    monkeypatch.setattr("tui.leaks.reconcile.MIN_PROFILE_RISE", 0)
    assert reconcile({HEAP_PROFILE: steps}).verdict != NOTHING
    monkeypatch.undo()

    leak = [(i * 10.0, base + 1.5e6 * i) for i in range(13)]  # +9 MB/min
    grown = reconcile({HEAP_PROFILE: leak})
    assert next(m for m in grown.metrics if m.key == HEAP_PROFILE).growing
    assert grown.verdict != NOTHING
