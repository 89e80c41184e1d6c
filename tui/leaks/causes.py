"""Causes, not symptoms: heap growth in goroutine creation belongs to the goroutines that grow.

When goroutines leak, the heap profile shows the runtime allocating their `g` structs and
bookkeeping (`runtime.malg`, `runtime.newproc1`, `runtime.allgadd`, …) and MemStats shows StackInuse
rising: both are what the leak costs, not where it is. A heap verdict "growing runtime.malg" ahead of
the goroutine group that grows sends the reader to the runtime. So when a goroutine group grows, the
creation functions' heap verdicts are folded into the group's verdict as the memory it holds (its
share of StackInuse and of the creation functions' inuse bytes), and only the group is named.
The same goes for heap growth in a growing group's own functions (the closures and buffers those
goroutines allocated before they blocked: `main.fetchAll.func1`). Without a growing group to blame, a
heap verdict that names only the runtime (Go 1.27 ends goroutine-creation stacks in `runtime.mallocgc`
with no frame of the service's code above it) is context, never a failing verdict: it names a symptom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tui.core.bytesize import format_bytes
from tui.core.names import is_runtime
from tui.leaks.growth import CAUSE_GOROUTINE_CREATION, GROWING, LEAKED, Verdict

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


def is_creation_verdict(v: Verdict) -> bool:
    """Heap growth that is goroutines being created: a creation function's own bytes, or a leaf (Go
    1.27: runtime.mallocgc) whose stacks run through one (alloc_site.AllocationSite.creation)."""
    return is_goroutine_creation(v.key) or v.cause == CAUSE_GOROUTINE_CREATION


def is_runtime_label(label: str) -> bool:
    """A label that names the runtime, not the service's code (no caller outside it was found)."""
    head = label.split(" → ", 1)[0]
    return is_runtime(head)


def _owner(v: Verdict, group_functions: Mapping[str, Sequence[str]], growing: Sequence[str]) -> str | None:
    """The growing goroutine group whose own stack holds the heap verdict's function (or its caller):
    `main.fetchAll.func1` growing while goroutines parked in `main.fetchAll.func1` pile up is those
    goroutines' memory (what they allocated before they blocked), not a second leak."""
    names = {v.key, v.label.split(" → ", 1)[0]}
    for key in growing:
        if not names.isdisjoint(group_functions.get(key, ())):
            return key
    return None


def attribute_goroutine_memory(
    group_verdicts: Mapping[str, Verdict],
    heap_verdicts: Sequence[Verdict],
    memory: GoroutineMemory | None,
    group_functions: Mapping[str, Sequence[str]] | None = None,
) -> tuple[dict[str, Verdict], list[Verdict], list[Verdict]]:
    """(group verdicts, heap verdicts, context): goroutine-creation heap verdicts and heap verdicts in
    a growing group's own functions folded into the growing goroutine groups' evidence; a heap verdict
    still labelled with the runtime (nothing of the service's code above it) goes to the context,
    never a failing verdict of its own."""
    groups = dict(group_verdicts)
    growing = [k for k, v in groups.items() if v.kind in (GROWING, LEAKED) and v.rate_per_min > 0]
    functions = group_functions or {}
    symptoms = [v for v in heap_verdicts if is_creation_verdict(v)] if growing else []
    owned: dict[str, list[Verdict]] = {}
    for v in heap_verdicts:
        if v in symptoms:
            continue
        owner = _owner(v, functions, growing)
        if owner is not None:
            owned.setdefault(owner, []).append(v)
    folded = {id(v) for v in symptoms} | {id(v) for vs in owned.values() for v in vs}
    names = ", ".join(sorted({v.key for v in symptoms}))
    for key in growing:
        v = groups[key]
        extra = ""
        own = owned.get(key, [])
        own_bytes = sum(h.current for h in own)
        if memory is not None and memory.goroutines > 0:
            stack_each, struct_each = memory.per_goroutine()
            held = v.current * (stack_each + struct_each) + own_bytes
            extra = (
                f"; holds ≈ {format_bytes(held)} (stacks + g structs at {format_bytes(stack_each + struct_each)} each"
            )
            extra += f", {format_bytes(own_bytes)} of heap they allocated)" if own else ")"
        elif own:
            extra = f"; holds ≥ {format_bytes(own_bytes)} of heap they allocated"
        if names:
            extra += f"; heap growth in {names} is these goroutines being created"
        if own:
            extra += f"; heap growth in {', '.join(sorted(h.label for h in own))} is in their own frames"
        if extra:
            groups[key] = replace(v, evidence=v.evidence + extra)
    heap: list[Verdict] = []
    context: list[Verdict] = []
    for v in heap_verdicts:
        if id(v) in folded:
            continue
        if is_creation_verdict(v) or is_runtime_label(v.label):
            why = "goroutines being created" if is_creation_verdict(v) else "allocated inside the runtime"
            note = f"{v.evidence}; {why}, with no frame of the service's code above it: see the goroutine groups"
            context.append(replace(v, evidence=note))
            continue
        heap.append(v)
    return groups, heap, context
