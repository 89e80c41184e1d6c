"""Hostile inputs, round three (issue #31), goroutines: a dump with a wait reason per goroutine (one group
per reason) is bounded like distinct stacks; merging the observations of one stack is linear."""

from __future__ import annotations

from types import SimpleNamespace

from tests.unit.fuzz_support import alarm
from tui.core import limits
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.match_keys import from_reason_groups, match_key
from tui.goroutines.records import Frame
from tui.goroutines.work_limits import OTHER_REASONS


def distinct_reasons_dump(n: int) -> str:
    """``n`` goroutines on one stack, each in a wait reason of its own."""
    return "".join(f"goroutine {i} [reason {i}]:\nmain.f()\n\t/x.go:1 +0x1\n\n" for i in range(1, n + 1))


def test_distinct_wait_reasons_are_bounded_in_the_fast_path():
    n = limits.MAX_REASONS + 1000
    grouped = group_debug2_text(distinct_reasons_dump(n))
    assert len(grouped.groups) == limits.MAX_REASONS + 1
    other = next(g for g in grouped.groups if g.reason == OTHER_REASONS)
    assert other.count == 1000
    assert sum(g.count for g in grouped.groups) == n  # every goroutine counted
    note = next(n for n in grouped.notes if n.what == "distinct wait reasons")
    assert "1,000 goroutines" in str(note) and OTHER_REASONS in str(note)


def test_merging_150k_observations_of_one_stack_is_linear():
    # the tree of a 7.6 MB dump with 150k reasons on one stack (as a dump grouped without the reason
    # bound): merged pairwise, each merge copied the tree keys so far (quit took 212 s)
    frames = (Frame("main.f", "", "/x.go", 1),)
    n = 150_000
    groups = [
        SimpleNamespace(
            buckets=[
                SimpleNamespace(
                    stacks=[
                        SimpleNamespace(
                            frames=frames,
                            reason=f"r{i}",
                            count=1 + (i == 7),
                            min_minutes=i % 9,
                            max_minutes=i % 9,
                            leaked=i == 3,
                            key=f"r{i}|<1m|abc",
                        )
                    ]
                )
            ]
        )
        for i in range(n)
    ]
    with alarm(60):
        (obs,) = from_reason_groups(groups)
    assert obs.key == match_key(frames)
    assert obs.count == n + 1 and obs.reason == "r7"  # the biggest share names it
    assert obs.leaked and (obs.min_minutes, obs.max_minutes) == (0, 8)
    assert len(obs.tree_keys) == n and obs.tree_keys[0] == "r0|<1m|abc"
