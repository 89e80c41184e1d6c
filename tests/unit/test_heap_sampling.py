"""The sampling noise behind a heap function's bytes (tui/leaks/sampling.py): hand-made profiles with
known scaling, and real captures of three Go versions."""

from __future__ import annotations

import math

import pytest

from tests.tui.heapgen import encode
from tui.heap.decode import decode_profile
from tui.heap.top import top
from tui.leaks.sampling import function_noise, rise_noise

RATE = 512 * 1024
KB, MB = 1024, 1024 * 1024


def _scaled(count: int, size: int) -> tuple[int, int]:
    """What Go writes for `count` sampled objects of `size` bytes (runtime/pprof scaleHeapSample)."""
    scale = 1.0 / -math.expm1(-size / RATE)
    return round(count * scale), round(count * size * scale)


def _profile(rows: dict[str, tuple[int, int]]):
    samples = []
    for i, (name, (count, size)) in enumerate(rows.items()):
        objs, byts = _scaled(count, size)
        samples.append(
            (((name, "/src/app/x.go", 10 + i), ("main.main", "/src/app/main.go", 5)), (objs, byts, objs, byts))
        )
    return decode_profile(encode(samples))


def test_medium_objects_are_a_few_samples_with_a_wide_spread():
    # the page cache: 16 kB pages, ~58 samples stand for ~30 MB
    noise = function_noise(_profile({"main.renderProductPage": (58, 16 * KB)}), "inuse_space")["main.renderProductPage"]
    assert noise.samples == pytest.approx(58, rel=0.01)
    assert 29 * MB < noise.value < 31 * MB
    p = -math.expm1(-16 * KB / RATE)
    objects = noise.value / (16 * KB)
    assert noise.variance == pytest.approx(objects * (16 * KB) ** 2 * (1 - p) / p, rel=0.01)
    assert 3.5 * MB < math.sqrt(noise.variance) < 4.3 * MB  # ±3.9 MB: the drift the issue measured
    assert noise.value_per_sample == pytest.approx(16 * KB / p, rel=0.01)  # each sample stands for ~520 kB


def test_objects_bigger_than_the_rate_are_exact():
    noise = function_noise(_profile({"main.loadTable": (3, 64 * MB)}), "inuse_space")["main.loadTable"]
    assert noise.samples == pytest.approx(3, rel=0.01)
    assert noise.variance < 1.0  # every such object is sampled: no noise


def test_objects_count_type_and_rise_noise():
    prof = _profile({"main.a": (40, 80), "main.b": (10, 4 * KB)})
    by_objects = function_noise(prof, "inuse_objects")
    assert by_objects["main.a"].variance > 0 and by_objects["main.a"].samples == pytest.approx(40, rel=0.01)
    space = function_noise(prof, "inuse_space")["main.a"]
    # a rise from 1 MB to 3 MB of the same objects: sqrt(variance per byte x 4 MB)
    assert rise_noise(space, 1 * MB, 3 * MB) == pytest.approx(math.sqrt(space.per_unit * 4 * MB))
    assert rise_noise(None, 1, 2) is None


def test_no_period_or_no_pair_says_nothing():
    prof = _profile({"main.a": (40, 80)})
    assert function_noise(prof, "unknown_type") == {}
    assert function_noise(prof, "alloc_space")["main.a"].samples > 0


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_real_captures_every_listed_function_has_its_samples(fixtures_dir, version):
    prof = decode_profile((fixtures_dir / version / "heap.pb.gz").read_bytes())
    noise = function_noise(prof, "inuse_space")
    rows = {r.key: r.flat for r in top(prof, "inuse_space", sort="flat", node_fraction=0.0).rows if r.flat > 0}
    assert noise, version
    for key, n in noise.items():
        assert rows[key] == pytest.approx(n.value, rel=1e-9)  # the same flat bytes `top` shows
        assert n.samples > 0 and n.variance >= 0
    leak = noise["main.(*LFUCache).increment"]
    # 80-byte hit records: each sample stands for ~the sampling rate
    assert 0.9 * RATE < leak.value_per_sample < 1.1 * RATE
    assert leak.samples == pytest.approx(leak.value / leak.value_per_sample)
