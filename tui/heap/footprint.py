"""The profiler's own footprint: what the target allocated while serving *our* requests.

Every poll makes the target write a profile: `net/http/pprof`'s handlers, `runtime/pprof`'s
writers, their buffers and the gzip compressor they write through. Those allocations show in
the heap profile like any other and, sampled every 512 kB, they come and go between polls;
judged as the service's own they raise alarms about our polling (`compress/flate.NewWriter`
"growing"). They are told apart by the stack, not by a list of leaf names: a sample is the
profiler's own when any frame of its stack is in `net/http/pprof`, or in `runtime/pprof` outside
its label API (`pprof.Do` and friends run the service's own code under labels).
"""

from __future__ import annotations

import re

from tui.heap.profile import Profile
from tui.heap.top import stack_totals, top

# A function name (pprof -focus/-ignore semantics: any frame of the stack) of pprof's serving path.
# Ours, compiled with Python's re (RE2, which user patterns get, has no lookahead): anchored at
# the start, the lookahead reads a few characters, so the work stays linear in the name.
PPROF_OWN = re.compile(
    r"^(?:net/http/pprof\."
    r"|runtime/pprof\.(?!(?:Do|Labels?|WithLabels|SetGoroutineLabels|ForLabels|LabelSet|labelMap|labelSet)\b))"
)


def own_footprint(profile: Profile, sample_index: int | str | None = None) -> int:
    """The summed value (of one sample type) of the samples whose stack runs through pprof's serving path."""
    if not profile.sample_types:
        return 0
    idx = profile.sample_index(sample_index)
    return sum(stack_totals(profile, idx, focus=PPROF_OWN).values)


def own_functions(profile: Profile, sample_index: int | str | None = None, *, share: float = 0.9) -> frozenset[str]:
    """Functions (top's row keys) whose flat value is at least `share` pprof's own: the heap table
    marks them, so nobody chases our polling's buffers as the service's memory."""
    if not profile.sample_types:
        return frozenset()
    idx = profile.sample_index(sample_index)
    own = {r.key: r.flat for r in top(profile, idx, focus=PPROF_OWN, node_fraction=0.0).rows if r.flat > 0}
    if not own:
        return frozenset()
    every = {r.key: r.flat for r in top(profile, idx, node_fraction=0.0).rows}
    return frozenset(k for k, v in own.items() if v >= share * every.get(k, v))
