"""Stacks as a flame graph reads them: one row per distinct stack, its frames as names, its value.

A ``StackTable`` is what every flame graph is built from, whatever the profile: a heap, CPU,
mutex or block profile (``profile_stacks``: from the same decoded tables ``top`` sums, no second
decode) or goroutines by stack (``named_stacks``: a few thousand stacks of names). Frames are
report nodes of ``tui.heap.nodes`` at function granularity: an inlined location gives one frame
per inlined function, as ``go tool pprof -traces`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tui.heap.node_sums import index_runs, location_rows, sum_per_stack
from tui.heap.nodes import map_nodes
from tui.heap.profile import Profile

Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class StackTable:
    """Distinct stacks: stack i is ``frames[offsets[i]:offsets[i + 1]]`` (indexes into ``names``,
    leaf first) and weighs ``values[i]`` (may be negative: a difference of two profiles)."""

    names: tuple[str, ...]
    frames: Int64s
    offsets: Int64s  # one more than stacks
    values: Int64s
    sample_type: str = ""
    unit: str = ""

    @property
    def num_stacks(self) -> int:
        return len(self.offsets) - 1

    def total(self) -> int:
        """The sum of |value|: pprof's total."""
        return int(np.abs(self.values).sum())


def profile_stacks(profile: Profile, sample_index: int | str | None = None) -> StackTable:
    """The profile's interned stacks with one sample type summed per stack (samples that differ only
    by labels are one stack here), stacks that weigh nothing left out."""
    index = profile.sample_index(sample_index)
    values = profile.values[index]
    per_stack = np.asarray(
        sum_per_stack(profile.sample_stack, values, profile.num_stacks, None, sum(map(abs, values))), dtype=np.int64
    )
    st = profile.sample_types[index] if profile.sample_types else None
    sample_type, unit = (st.type, st.unit.lower()) if st is not None else ("", "")
    nodes = map_nodes(profile, "functions")
    names = tuple(info.key for info in nodes.infos)
    offs = np.frombuffer(profile.stack_offsets, dtype=np.int64)
    keep = np.flatnonzero(per_stack)
    if not len(keep):
        empty = np.zeros(0, dtype=np.int64)
        return StackTable(names, empty, np.zeros(1, dtype=np.int64), empty, sample_type, unit)
    ids = profile.stack_id_array()
    # Only the frames of the stacks kept: each stack's run of ids.
    lens = np.diff(offs)[keep]
    sel = index_runs(offs[keep], lens)
    rows = location_rows(nodes, ids[sel])
    starts = nodes.node_starts
    per_frame = (starts[1:] - starts[:-1])[rows]  # nodes per location: 1, more when inlined
    frames = nodes.node_ids[index_runs(starts[rows], per_frame)]
    ends = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(per_frame)))
    stack_ends = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(lens)))
    return StackTable(names, frames, ends[stack_ends], per_stack[keep], sample_type, unit)


def named_stacks(
    stacks: Iterable[tuple[Sequence[str], int]], *, sample_type: str = "goroutines", unit: str = "count"
) -> StackTable:
    """A table from (frame names leaf first, value) pairs: goroutines by stack, tests."""
    index: dict[str, int] = {}
    frames: list[int] = []
    offsets = [0]
    values: list[int] = []
    for names, value in stacks:
        if not value:
            continue
        frames.extend(index.setdefault(name, len(index)) for name in names)
        offsets.append(len(frames))
        values.append(value)
    return StackTable(
        tuple(index),
        np.asarray(frames, dtype=np.int64),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(values, dtype=np.int64),
        sample_type,
        unit,
    )


def scaled(table: StackTable, divisor: float, *, sample_type: str) -> StackTable:
    """The same stacks with every value divided (a window's difference per second), rounded."""
    values = np.rint(table.values / divisor).astype(np.int64) if divisor > 0 else table.values
    return StackTable(table.names, table.frames, table.offsets, values, sample_type, table.unit)
