"""What a flame view shows, from a Snapshot: which profile (heap, CPU window, mutex, block, goroutines),
which sample type, and against which base (the pinned heap baseline, the previous CPU window, the
contention profile's previous fetch). Pure: ``flame_input`` picks, ``FlameInput.build`` (slow on big
profiles: the screen runs it in a thread worker) makes the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.flame import FlameTree
    from tui.heap.flame_stacks import StackTable
    from tui.heap.profile import Profile
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot
    from tui.screens.presenters import HeapWindow

FlameKind = Literal["heap", "cpu", "mutex", "block", "goroutines"]
KIND_TITLES = {
    "heap": "heap",
    "cpu": "CPU (newest window)",
    "mutex": "mutex contention (since start)",
    "block": "block contention (since start)",
    "goroutines": "goroutines by stack",
}
BASE_TITLES = {
    "heap": "the pinned baseline",
    "cpu": "the previous CPU window",
    "mutex": "the previous fetch",
    "block": "the previous fetch",
    "goroutines": "",
}


@dataclass(frozen=True, slots=True)
class FlameSpec:
    """What the user asked for: the kind of profile, its sample type, and whether against a base."""

    kind: FlameKind = "heap"
    sample_type: str = ""  # "" = the profile's default; heap views may say "alloc_space/s"
    diff: bool = False
    against: Literal["base", "siblings"] = "base"  # heap in a fleet: the siblings' median instead


@dataclass(frozen=True, slots=True)
class FlameInput:
    """What to build, and the objects it is built from (their identity says whether it changed)."""

    sources: tuple[object, ...]
    title: str
    base_title: str  # "" when not differential (or no base yet)
    build: Callable[[], tuple[StackTable, list[StackTable]]] = field(compare=False)
    profile: Profile | None = None  # the drill-down (callers/callees) runs on it
    sample_type: str = ""

    def same_sources(self, other: FlameInput | None) -> bool:
        return (
            other is not None
            and len(other.sources) == len(self.sources)
            and all(a is b for a, b in zip(self.sources, other.sources))
        )


def make_tree(data: FlameInput) -> FlameTree:
    from tui.heap.flame import flame_tree

    table, bases = data.build()
    return flame_tree(table, bases)


def _profile_input(
    profile: Profile,
    sample_type: str,
    title: str,
    base: Profile | None,
    base_title: str,
    extra: tuple[object, ...] = (),
) -> FlameInput:
    names = [st.type for st in profile.sample_types]
    chosen = sample_type if sample_type in names else (names[profile.default_sample_index] if names else "")

    def build() -> tuple[StackTable, list[StackTable]]:
        from tui.heap.flame_stacks import profile_stacks

        bases = []
        if base is not None and chosen in [st.type for st in base.sample_types]:
            bases.append(profile_stacks(base, chosen))
        return profile_stacks(profile, chosen or None), bases

    with_base = base is not None
    return FlameInput((profile, base, *extra), title, base_title if with_base else "", build, profile, chosen)


def flame_input(
    spec: FlameSpec,
    snapshot: Snapshot | None,
    *,
    window: HeapWindow | None = None,
    report: LeakReport | None = None,
    siblings: tuple[Profile, ...] = (),
) -> FlameInput | None:
    """The flame view's input for ``spec`` in this snapshot, or None when there is no such profile yet."""
    if snapshot is None:
        return None
    kind = spec.kind
    if kind == "heap":
        if spec.diff and spec.against == "siblings":
            return _siblings_input(spec, snapshot, siblings)
        return _heap_input(spec, snapshot, window, report)
    if kind == "cpu":
        cpu = snapshot.cpu
        if cpu is None or cpu.window is None:
            return None
        base = cpu.previous.profile if spec.diff and cpu.previous is not None else None
        return _profile_input(cpu.window.profile, spec.sample_type or "cpu", KIND_TITLES[kind], base, BASE_TITLES[kind])
    if kind in ("mutex", "block"):
        contention = snapshot.contention.get(kind)
        if contention is None or contention.profile is None:
            return None
        base = contention.base if spec.diff else None
        return _profile_input(
            contention.profile, spec.sample_type or "delay", KIND_TITLES[kind], base, BASE_TITLES[kind]
        )
    return _goroutine_input(snapshot)


def _heap_input(
    spec: FlameSpec, snapshot: Snapshot, window: HeapWindow | None, report: LeakReport | None
) -> FlameInput | None:
    heap = snapshot.heap
    if heap is None:
        return None
    from tui.screens.presenters import RATE_TYPES

    sample_type = spec.sample_type or "inuse_space"
    base: Profile | None = None
    if spec.diff and report is not None and report.heap_diff is not None:
        base = report.heap_diff.baseline_profile
    if sample_type not in RATE_TYPES:
        return _profile_input(heap, sample_type, KIND_TITLES["heap"], base, BASE_TITLES["heap"])
    if window is None:
        return None
    previous, seconds, of = window.previous, window.seconds, RATE_TYPES[sample_type]

    def build() -> tuple[StackTable, list[StackTable]]:
        from tui.heap.diff import diff
        from tui.heap.flame_stacks import profile_stacks, scaled

        # what each stack allocated per second between the two newest profiles
        delta = diff(heap, previous)
        return scaled(profile_stacks(delta, of), seconds, sample_type=sample_type), []

    title = f"heap, allocated per second over the last {seconds:.0f} s"
    return FlameInput((heap, previous), title, "", build, heap, of)


def _siblings_input(spec: FlameSpec, snapshot: Snapshot, siblings: tuple[Profile, ...]) -> FlameInput | None:
    """The heap against the median of the fleet siblings' heaps (per frame path; a path a sibling lacks
    is 0 there)."""
    heap = snapshot.heap
    if heap is None:
        return None
    names = [st.type for st in heap.sample_types]
    chosen = spec.sample_type if spec.sample_type in names else "inuse_space"

    def build() -> tuple[StackTable, list[StackTable]]:
        from tui.heap.flame_stacks import profile_stacks

        bases = [profile_stacks(p, chosen) for p in siblings if chosen in [st.type for st in p.sample_types]]
        return profile_stacks(heap, chosen if chosen in names else None), bases

    title = f"the median of {len(siblings)} sibling{'s' if len(siblings) != 1 else ''}" if siblings else ""
    return FlameInput((heap, *siblings), KIND_TITLES["heap"], title, build, heap, chosen)


def goroutine_stacks(data: tuple[ReasonGroup, ...] | StackCounts | None) -> StackTable:
    """Goroutines by stack (function names, leaf first) from the debug=2 tree or the stack counts."""
    from tui.goroutines.records import StackCounts
    from tui.heap.flame_stacks import named_stacks

    if isinstance(data, StackCounts):
        pairs = [(tuple(f.func for f in r.frames), r.count) for r in data.records]
    else:
        pairs = [
            (tuple(f.func for f in stack.frames), stack.count)
            for group in data or ()
            for bucket in group.buckets
            for stack in bucket.stacks
        ]
    return named_stacks(pairs)


def _goroutine_input(snapshot: Snapshot) -> FlameInput | None:
    from tui.screens.presenters import goroutine_data

    data = goroutine_data(snapshot)
    if not data:
        return None
    return FlameInput((data,), KIND_TITLES["goroutines"], "", lambda: (goroutine_stacks(data), []))
