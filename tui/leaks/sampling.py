"""How many samples stand behind a heap function's bytes, and how far the estimate can wander.

A heap profile is a sample. The Go runtime records one allocation per ~`period` bytes (512 kB by
default: `runtime.MemProfileRate`), each allocation of size s with probability p = 1 - e^(-s/R),
and writes every record scaled back up by 1/p (`runtime/pprof` scaleHeapSample). So a profile's
`inuse_space` is an estimate: a function holding N live objects of size s is sampled ~N·p times,
and each sampled object stands for s/p bytes. Its variance (sampling each object independently
with probability p) is N·s²·(1-p)/p: for objects far bigger than the rate every one is recorded
and the estimate is exact; for objects of a few kB each sample stands for ~R bytes, and a 30 MB
cache of 16 kB pages is ~58 samples, ±3.9 MB (one standard deviation) from one GC to the next as
the cached objects turn over. A rule that judges a function's growth must not outrun that noise.

`function_noise(profile, sample_type)` inverts the scaling per sample (the scaled object count and
bytes give s and p back) and sums, per function (flat: the leaf frame, as `top` counts it), the
variance of the bytes (or objects) estimate and the number of samples behind it. Stacks through
pprof's own serving path are left out, as in the growth series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from tui.core.errors import ParseError
from tui.heap.footprint import PPROF_OWN
from tui.heap.nodes import map_nodes
from tui.heap.profile import Profile
from tui.heap.top import stack_totals

# sample type judged -> (the objects column, the bytes column) it is estimated from
PAIRS = {
    "inuse_space": ("inuse_objects", "inuse_space"),
    "inuse_objects": ("inuse_objects", "inuse_space"),
    "alloc_space": ("alloc_objects", "alloc_space"),
    "alloc_objects": ("alloc_objects", "alloc_space"),
}


@dataclass(frozen=True, slots=True)
class SampleNoise:
    """One function's estimate: its value, the variance of that value, the samples behind it."""

    value: float  # the estimate (bytes or objects, the sample type's unit)
    variance: float
    samples: float  # raw sampled records behind the value (may be fractional: per-sample averages)

    @property
    def per_unit(self) -> float:
        """Variance per unit of value: the estimate of a value v of the same objects has variance
        per_unit · v (the variance of a sum of samples grows with the number of samples)."""
        return self.variance / self.value if self.value > 0 else 0.0

    @property
    def value_per_sample(self) -> float:
        return self.value / self.samples if self.samples > 0 else 0.0


def function_noise(profile: Profile, sample_type: str) -> Mapping[str, SampleNoise]:
    """SampleNoise per function (top's stable key), for the functions with a positive flat value.
    Empty when the profile has no sampling period or not both columns of the pair."""
    pair = PAIRS.get(sample_type)
    period = float(profile.period)
    names = [st.type for st in profile.sample_types]
    if pair is None or period <= 0 or not math.isfinite(period) or any(n not in names for n in pair):
        return MappingProxyType({})
    io, ib = names.index(pair[0]), names.index(pair[1])
    judged = names.index(sample_type)
    try:
        objs = np.asarray(profile.values[io], dtype=np.float64)
        byts = np.asarray(profile.values[ib], dtype=np.float64)
        stacks = np.asarray(profile.sample_stack, dtype=np.int64)
        kept = stack_totals(profile, judged, ignore=PPROF_OWN).values
        nodes = map_nodes(profile, "functions")
    except (ParseError, ValueError):
        return MappingProxyType({})
    if objs.size == 0 or objs.size != byts.size or stacks.size != objs.size:
        return MappingProxyType({})
    good = (objs > 0) & (byts > 0)
    avg = np.divide(byts, objs, out=np.zeros_like(byts), where=good)
    p = -np.expm1(-avg / period)  # probability an object of this size is sampled
    p = np.where(good & (p > 0), p, 1.0)
    raw = np.where(good, objs * p, 0.0)  # sampled records behind each sample
    if sample_type.endswith("_space"):
        var = np.where(good, objs * avg * avg * (1.0 - p) / p, 0.0)
    else:
        var = np.where(good, objs * (1.0 - p) / p, 0.0)
    n = profile.num_stacks
    var_stack = np.bincount(stacks, weights=var, minlength=n)[:n]
    raw_stack = np.bincount(stacks, weights=raw, minlength=n)[:n]
    value_stack = np.bincount(stacks, weights=np.asarray(profile.values[judged], dtype=np.float64), minlength=n)[:n]
    offs, ids = profile.stack_offsets, profile.stack_ids
    keys = nodes.infos
    acc: dict[int, list[float]] = {}
    try:
        for s in np.flatnonzero((var_stack > 0) | (raw_stack > 0)).tolist():
            if s >= len(kept) or kept[s] <= 0 or offs[s] >= offs[s + 1]:
                continue  # pprof's own serving path, or an empty stack
            leaf = nodes.nodes_of(ids[offs[s]])[0]
            row = acc.setdefault(leaf, [0.0, 0.0, 0.0])
            row[0] += float(value_stack[s])
            row[1] += float(var_stack[s])
            row[2] += float(raw_stack[s])
    except (KeyError, IndexError):
        return MappingProxyType({})
    return MappingProxyType({keys[node].key: SampleNoise(v, var, c) for node, (v, var, c) in acc.items() if v > 0})


def rise_noise(noise: SampleNoise | None, start: float, end: float) -> float | None:
    """One standard deviation of (end - start) where both are estimates of the same function's
    objects (independent samples at two GC cycles): sqrt(per_unit · (start + end)). None when the
    profile said nothing about its sampling (no period, or the function was not in it)."""
    if noise is None or noise.value <= 0:
        return None
    return math.sqrt(max(0.0, noise.per_unit) * (max(0.0, start) + max(0.0, end)))
