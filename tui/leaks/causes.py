"""Causes, not symptoms: heap growth in goroutine creation belongs to the goroutines that grow.

When goroutines leak, the heap profile shows the runtime allocating their `g` structs and
bookkeeping (`runtime.malg`, `runtime.newproc1`, `runtime.allgadd`, …) and MemStats shows StackInuse
rising: both are what the leak costs, not where it is. A heap verdict "growing runtime.malg" ahead of
the goroutine group that grows sends the reader to the runtime. So when a goroutine group grows, the
creation functions' heap verdicts are folded into the group's verdict as the memory it holds (its
share of StackInuse and of the creation functions' inuse bytes), and only the group is named.
Without a growing group to blame, the heap verdict stays (the tree may not have been dumped yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tui.core.bytesize import format_bytes
from tui.leaks.growth import GROWING, LEAKED, Verdict

# Runtime functions whose heap allocations are goroutine creation (their flat inuse is g structs,
# the allgs slice and the first stack's bookkeeping), whatever code started the goroutines.
GOROUTINE_CREATION = frozenset(
    {
        "runtime.malg",
        "runtime.newproc",
        "runtime.newproc1",
        "runtime.newproc.func1",
        "runtime.allgadd",
        "runtime.gfget",
        "runtime.gfget.func1",
        "runtime.stackalloc",
        "runtime.stackcacherefill",
    }
)


def is_goroutine_creation(function: str) -> bool:
    return function in GOROUTINE_CREATION


@dataclass(frozen=True, slots=True)
class GoroutineMemory:
    """What every goroutine costs on average right now: its stack (StackInuse / goroutines) and its
    share of the creation functions' inuse heap bytes."""

    goroutines: float
    stack_inuse: float | None
    creation_heap: float

    def per_goroutine(self) -> tuple[float, float]:
        if self.goroutines <= 0:
            return 0.0, 0.0
        return (self.stack_inuse or 0.0) / self.goroutines, self.creation_heap / self.goroutines


def attribute_goroutine_memory(
    group_verdicts: Mapping[str, Verdict], heap_verdicts: Sequence[Verdict], memory: GoroutineMemory | None
) -> tuple[dict[str, Verdict], list[Verdict]]:
    """(group verdicts, heap verdicts) with the goroutine-creation heap verdicts folded into the
    growing goroutine groups' evidence. Unchanged when no group grows."""
    groups = dict(group_verdicts)
    growing = [k for k, v in groups.items() if v.kind in (GROWING, LEAKED) and v.rate_per_min > 0]
    symptoms = [v for v in heap_verdicts if is_goroutine_creation(v.key)]
    if not growing:
        return groups, list(heap_verdicts)
    names = ", ".join(sorted(v.key for v in symptoms))
    for key in growing:
        v = groups[key]
        extra = ""
        if memory is not None and memory.goroutines > 0:
            stack_each, struct_each = memory.per_goroutine()
            held = v.current * (stack_each + struct_each)
            extra = (
                f"; holds ≈ {format_bytes(held)} (stacks + g structs at {format_bytes(stack_each + struct_each)} each)"
            )
        if names:
            extra += f"; heap growth in {names} is these goroutines being created"
        if extra:
            groups[key] = replace(v, evidence=v.evidence + extra)
    return groups, [v for v in heap_verdicts if not is_goroutine_creation(v.key)]
