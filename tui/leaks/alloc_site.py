"""Where a growing heap function's bytes come from: the allocation site and, when that site is a
generic helper, the first caller that is not one.

A heap profile names the function that called the allocator (the leaf of each sample's stack).
When the leaf is a helper shared by many callers, its name alone does not say who leaks:
`main.appendTo[go.shape.struct {...}]` grows because `(*freqTable).increment` keeps appending.
Helpers are generic instantiations (type parameters: `[...]`, `go.shape.*`), runtime code
(`runtime`, `runtime/...`, `internal/...`, `reflect`) and the standard library's growth helpers
(`bytes`, `strings`, `strconv`, `slices`, `maps`, `bufio`, ...). The caller is found by walking the
stacks of the samples that hold the function's flat bytes (its own frames and helper frames
skipped), weighted by those bytes; stacks through pprof's serving path are left out as in the
growth series.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.errors import ParseError
from tui.core.names import collapse_generics, is_helper
from tui.heap.footprint import PPROF_OWN
from tui.heap.nodes import map_nodes
from tui.heap.profile import Profile
from tui.heap.top import stack_totals
from tui.leaks.causes import GOROUTINE_CREATION
from tui.leaks.shapes import is_own_code

PATH_FRAMES = 24


@dataclass(frozen=True, slots=True)
class AllocationSite:
    function: str  # the leaf (the growth series' key)
    caller: str  # first caller outside helpers ("" when the leaf is not a helper or none was found)
    share: float  # of the function's flat bytes, the part allocated through `caller`
    # most of its bytes were allocated while creating goroutines (runtime.malg, newproc1, ...): Go 1.27
    # profiles end those stacks in runtime.mallocgc, with no frame of the service's code above them
    creation: bool = False
    # the heaviest stack holding those bytes, leaf first (function names, at most PATH_FRAMES): where
    # known leak shapes (tui/leaks/shapes.py) and the first frame of the service's code are looked for
    path: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The label: "caller → leaf" for a helper leaf with a known caller, else the leaf."""
        if not self.caller:
            return self.function
        return f"{self.caller} → {collapse_generics(self.function)}"

    @property
    def evidence(self) -> str:
        if not self.caller:
            return ""
        return f"allocated in {collapse_generics(self.function)}, called from {self.caller} ({self.share:.0%} of its bytes)"


def allocation_site(profile: Profile, function: str, sample_type: str | int | None = None) -> AllocationSite:
    """The function's first non-helper caller in the samples that hold its flat bytes.
    A leaf that is not a helper is its own site (caller ""); a standard-library one gets its path."""
    helper_leaf = is_helper(function)
    if (not helper_leaf and is_own_code(function)) or not profile.sample_types:
        return AllocationSite(function, "", 0.0)
    try:
        idx = profile.sample_index(sample_type)
        nodes = map_nodes(profile, "functions")
        totals = stack_totals(profile, idx, ignore=PPROF_OWN)
    except ParseError:
        return AllocationSite(function, "", 0.0)
    keys = [info.key for info in nodes.infos]
    target = next((i for i, k in enumerate(keys) if k == function), None)
    if target is None:
        return AllocationSite(function, "", 0.0)
    helper = {target: True}
    by_caller: dict[int, int] = {}
    flat = creating = heaviest = 0
    path: list[int] = []
    creation_nodes = {i for i, k in enumerate(keys) if k in GOROUTINE_CREATION}
    offs, ids = profile.stack_offsets, profile.stack_ids
    try:
        for s, v in enumerate(totals.values):
            if v <= 0:
                continue
            chain: list[int] = []
            for lid in ids[offs[s] : offs[s + 1]]:
                chain.extend(nodes.nodes_of(lid))
            if not chain or chain[0] != target:
                continue
            flat += v
            if v > heaviest:
                heaviest, path = v, chain[:PATH_FRAMES]
            if creation_nodes and not creation_nodes.isdisjoint(chain):
                creating += v
                continue
            for nd in chain[1:]:
                h = helper.get(nd)
                if h is None:
                    h = helper[nd] = is_helper(keys[nd])
                if not h:
                    by_caller[nd] = by_caller.get(nd, 0) + v
                    break
    except KeyError:
        return AllocationSite(function, "", 0.0)
    names = tuple(dict.fromkeys(keys[nd] for nd in path))
    if flat > 0 and creating * 2 > flat:
        return AllocationSite(function, "", creating / flat, creation=True, path=names)
    if not by_caller or flat <= 0 or not helper_leaf:  # a standard-library leaf: its path only (shapes)
        return AllocationSite(function, "", 0.0, path=names)
    best = min(by_caller, key=lambda nd: (-by_caller[nd], keys[nd]))
    return AllocationSite(function, keys[best], by_caller[best] / flat, path=names)
