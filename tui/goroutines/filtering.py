"""Filter grouped goroutines (by pattern, by minimum count) and recompute the totals.

Patterns come from tui.core.filters.filter_pattern: a literal substring, an RE2 regex after ``re:``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tui.core.user_regex import TextMatcher
from tui.goroutines.grouping import ReasonGroup, StackGroup, max_known, min_known, raw_reasons_of


def filter_stacks(groups: tuple[ReasonGroup, ...], keep: Callable[[StackGroup], bool]) -> tuple[ReasonGroup, ...]:
    """Keep the stack groups ``keep`` accepts; drop emptied buckets/reasons; recount; re-sort."""
    reasons = []
    for rg in groups:
        buckets = []
        for bg in rg.buckets:
            stacks = tuple(s for s in bg.stacks if keep(s))
            if not stacks:
                continue
            buckets.append(
                replace(
                    bg,
                    stacks=stacks,
                    count=sum(s.count for s in stacks),
                    min_minutes=min_known(s.min_minutes for s in stacks),
                    max_minutes=max_known(s.max_minutes for s in stacks),
                )
            )
        if not buckets:
            continue
        reasons.append(
            replace(
                rg,
                buckets=tuple(buckets),
                count=sum(b.count for b in buckets),
                min_minutes=min_known(b.min_minutes for b in buckets),
                max_minutes=max_known(b.max_minutes for b in buckets),
                raw_reasons=raw_reasons_of(s for b in buckets for s in b.stacks),
            )
        )
    reasons.sort(key=lambda r: (-r.count, r.key))
    return tuple(reasons)


def stack_matcher(pattern: TextMatcher) -> Callable[[StackGroup], bool]:
    """True when the pattern is found in the reason (ours, or the one Go printed: Go 1.19's
    ``semacquire`` finds the stacks we call ``sync.Mutex.Lock``), a frame (func or file:line),
    created-by or a label."""

    def keep(stack: StackGroup) -> bool:
        if pattern.search(stack.reason) or pattern.search(stack.signature):
            return True
        if any(pattern.search(raw) for raw in stack.raw_reasons):
            return True
        return any(pattern.search(f"{k}={v}") for k, v in stack.labels_seen)

    return keep


def min_count(n: int) -> Callable[[StackGroup], bool]:
    return lambda stack: stack.count >= n
