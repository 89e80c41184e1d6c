"""Which expensive request (`endpoints.EXPENSIVE`) the poller starts now: goroutine?debug=2 first,
then goroutineleak?debug=1, each when the shared target-work budget (`budget.Debug2Budget`) allows
it, never two at once. Also says why the goroutine tree is what it is (`Latest.tree_reason`,
`Latest.tree_wait`) for the status line. Decides only: the poller starts and runs the request."""

from __future__ import annotations

from collections.abc import Mapping

from tui.service import endpoints as E
from tui.service.budget import Debug2Budget


def pick_expensive(
    now: float,
    *,
    budget: Debug2Budget,
    data: E.Latest,
    endpoints: Mapping[str, E.Endpoint],
    can_leak: bool,
    requested: bool,
    running: str,
) -> tuple[str, str] | None:
    """(endpoint, reason) to start now, or None. ``requested``: a dump was asked for (`r`);
    ``running``: the expensive endpoint in flight ("" when none); ``can_leak``: there is a
    goroutineleak parser. Sets ``data.tree_wait`` and ``data.tree_reason``."""
    d2 = endpoints[E.GOROUTINE_DEBUG2]
    decision = budget.decide(now, data.goroutine_total)
    data.tree_wait = decision.wait
    if running:
        if running != E.GOROUTINE_DEBUG2:
            data.tree_reason = decision.reason
        return None
    if requested or (decision.due and now >= d2.not_before):
        reason = "refreshing on request" if requested else decision.reason
        data.tree_reason = reason
        return E.GOROUTINE_DEBUG2, reason
    if now < d2.not_before and d2.error:
        data.tree_reason = f"{d2.error} (retrying)"
    else:
        data.tree_reason = decision.reason
    leaks = endpoints[E.GOROUTINELEAK_DEBUG1]
    if not can_leak or "goroutineleak" not in data.profiles or now < leaks.not_before:
        return None
    if budget.decide_leak(now, data.goroutine_total).due:
        return E.GOROUTINELEAK_DEBUG1, ""
    return None
