"""The pluggable parse step: bytes from each endpoint -> model objects (run off the event loop).

`default_parsers()` wires the real parsers (tui.pprof, tui.goroutines, tui.model);
tests pass their own `Parsers` to drive the scheduler without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

from tui.core import limits
from tui.core.limits import LimitNote

if TYPE_CHECKING:
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.model.contention import ContentionHeader
    from tui.model.cpu import CpuWindow
    from tui.model.memstats import MemStats


@dataclass(frozen=True, slots=True)
class HeapData:
    profile: Profile
    totals: Mapping[str, float]  # sample type name -> sum of values, e.g. inuse_space

    @property
    def notes(self) -> tuple[LimitNote, ...]:
        """The work limits the decode reached (the first N samples kept, labels left out)."""
        return self.profile.notes


@dataclass(frozen=True, slots=True)
class TreeData:
    groups: tuple[ReasonGroup, ...]  # from group_debug2_text / group_stack_counts
    total: int  # goroutines in the dump (also those counted, not grouped, past a limit)
    creators: Mapping[int, str]  # goroutine id -> created-by function (restart detection)
    notes: tuple[LimitNote, ...] = ()  # the work limits the parse reached (tui.core.limits)
    parse_seconds: float = 0.0  # CPU the parse took (the budget spaces dumps by it too)


@dataclass(frozen=True, slots=True)
class Parsers:
    index: Callable[[bytes], Mapping[str, int]]
    heap: Callable[[bytes], HeapData]
    memstats: Callable[[bytes], MemStats]
    goroutine_debug1: Callable[[bytes], StackCounts]
    goroutine_debug2: Callable[[bytes], TreeData]
    goroutineleak: Callable[[bytes], StackCounts] | None = None  # kind "goroutineleak"; None = never fetched
    # goroutine?debug=0 (keeps runtime frames: wait reasons can be inferred); None = use debug=1
    goroutine_proto: Callable[[bytes], StackCounts] | None = None
    # mutex and block profiles (profile.proto, cumulative: parsed like the heap); None = never fetched
    contention: Callable[[bytes], HeapData] | None = None
    # mutex?debug=1's header: the sampling period (is mutex profiling on?)
    contention_header: Callable[[bytes], ContentionHeader] | None = None
    # profile?seconds=N (live CPU top: tui.model.cpu); None = CPU watching unavailable
    cpu: Callable[[bytes], CpuWindow] | None = None


class ParseLimits(Protocol):
    """The bounds the parsers take from the config (tui.config.Config has them)."""

    @property
    def max_decompressed_bytes(self) -> int: ...
    @property
    def max_goroutines(self) -> int: ...
    @property
    def max_frames(self) -> int: ...
    @property
    def max_text_line(self) -> int: ...
    @property
    def max_stacks(self) -> int: ...
    @property
    def max_samples(self) -> int: ...
    @property
    def max_locations(self) -> int: ...


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def profile_totals(profile: Profile) -> dict[str, float]:
    """Sum of each sample type over all samples (e.g. inuse_space, alloc_space)."""
    return {name: float(v) for name, v in profile.totals().items()}


def _parse_index(data: bytes) -> Mapping[str, int]:
    from tui.model.index_page import parse_index

    return parse_index(_text(data))


def _parse_heap(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_samples: int = limits.MAX_SAMPLES,
    max_locations: int = limits.MAX_LOCATIONS,
) -> HeapData:
    from tui.heap.decode import decode_profile

    profile = decode_profile(
        data, max_decompressed=max_decompressed, max_samples=max_samples, max_locations=max_locations
    )
    return HeapData(profile, profile_totals(profile))


def _parse_memstats(data: bytes) -> MemStats:
    from tui.model.memstats import parse_memstats

    return parse_memstats(_text(data))


def _parse_contention_header(data: bytes) -> ContentionHeader:
    from tui.model.contention import parse_contention_header

    return parse_contention_header(_text(data[:8192]))


def _parse_cpu(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_samples: int = limits.MAX_SAMPLES,
    max_locations: int = limits.MAX_LOCATIONS,
) -> CpuWindow:
    from tui.model.cpu import parse_cpu

    return parse_cpu(data, max_decompressed=max_decompressed, max_samples=max_samples, max_locations=max_locations)


def _parse_debug1(
    data: bytes,
    *,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
) -> StackCounts:
    from tui.goroutines.debug1 import parse_debug1

    return parse_debug1(_text(data), max_frames=max_frames, max_line=max_line, max_stacks=max_stacks)


def _parse_goroutine_proto(
    data: bytes,
    *,
    max_decompressed: int = limits.MAX_DECOMPRESSED_BYTES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
    max_locations: int = limits.MAX_LOCATIONS,
) -> StackCounts:
    from tui.goroutines.proto import decode_goroutine_profile

    return decode_goroutine_profile(
        data,
        max_decompressed=max_decompressed,
        max_frames=max_frames,
        max_line=max_line,
        max_stacks=max_stacks,
        max_locations=max_locations,
    )


def tree_from_groups(
    groups: tuple[ReasonGroup, ...], total: int, notes: tuple[LimitNote, ...] = (), parse_seconds: float = 0.0
) -> TreeData:
    """TreeData from grouped goroutines. Creators (for restart detection) come from each stack
    group's sample goroutine ids: a bounded subset, enough to see an id reused by another creator."""
    creators: dict[int, str] = {}
    for group in groups:
        for bucket in group.buckets:
            for stack in bucket.stacks:
                creator = stack.created_by.func if stack.created_by is not None else ""
                for gid in stack.sample_ids:
                    creators[gid] = creator
    return TreeData(tuple(groups), int(total), creators, tuple(notes), parse_seconds)


def _parse_debug2(
    data: bytes,
    *,
    max_goroutines: int = limits.MAX_GOROUTINES,
    max_frames: int = limits.MAX_FRAMES,
    max_line: int = limits.MAX_TEXT_LINE,
    max_stacks: int = limits.MAX_STACKS,
) -> TreeData:
    """The fast path (one parse per distinct stack, no object per goroutine: ~5x faster than
    parse_debug2 + group_goroutines on 100k goroutines), with the cyclic GC paused: a full
    collection over the app's objects while this thread holds the GIL froze typing for ~2 s.
    The tree says what the parse cost (CPU seconds: the budget spaces dumps by it)."""
    from tui.core.gc_pause import gc_paused
    from tui.goroutines.fastgroup import group_debug2_text

    started = time.process_time()
    with gc_paused():
        grouped = group_debug2_text(
            _text(data), max_goroutines=max_goroutines, max_frames=max_frames, max_line=max_line, max_stacks=max_stacks
        )
    return tree_from_groups(grouped.groups, grouped.total, grouped.notes, time.process_time() - started)


def default_parsers(config: ParseLimits | None = None) -> Parsers:
    """The real parsers, bounded by the config's limits (tui.config.Config; None = defaults)."""
    if config is None:
        return Parsers(
            _parse_index,
            _parse_heap,
            _parse_memstats,
            _parse_debug1,
            _parse_debug2,
            _parse_debug1,
            _parse_goroutine_proto,
            contention=_parse_heap,
            contention_header=_parse_contention_header,
            cpu=_parse_cpu,
        )
    debug1 = partial(
        _parse_debug1, max_frames=config.max_frames, max_line=config.max_text_line, max_stacks=config.max_stacks
    )
    return Parsers(
        _parse_index,
        partial(
            _parse_heap,
            max_decompressed=config.max_decompressed_bytes,
            max_samples=config.max_samples,
            max_locations=config.max_locations,
        ),
        _parse_memstats,
        debug1,
        partial(
            _parse_debug2,
            max_goroutines=config.max_goroutines,
            max_frames=config.max_frames,
            max_line=config.max_text_line,
            max_stacks=config.max_stacks,
        ),
        debug1,
        partial(
            _parse_goroutine_proto,
            max_decompressed=config.max_decompressed_bytes,
            max_frames=config.max_frames,
            max_line=config.max_text_line,
            max_stacks=config.max_stacks,
            max_locations=config.max_locations,
        ),
        contention=partial(
            _parse_heap,
            max_decompressed=config.max_decompressed_bytes,
            max_samples=config.max_samples,
            max_locations=config.max_locations,
        ),
        contention_header=_parse_contention_header,
        cpu=partial(
            _parse_cpu,
            max_decompressed=config.max_decompressed_bytes,
            max_samples=config.max_samples,
            max_locations=config.max_locations,
        ),
    )


def memstats_series(ms: MemStats) -> dict[str, float]:
    """History series from a MemStats record (fields that exist and are numbers)."""
    out: dict[str, float] = {}
    for name in (
        "heap_inuse",
        "heap_alloc",
        "stack_inuse",
        "sys",
        "num_gc",
        "total_alloc",
        "gc_cpu_fraction",
        "heap_objects",
        "next_gc",
    ):
        value = getattr(ms, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f"mem.{name}"] = float(value)
    return out
