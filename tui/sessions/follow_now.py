"""The newest poll of a recording first, before its whole history (`attach`).

Replaying a long history through the poller takes as long as parsing every goroutine dump in it
again (a 40-minute, 100k-goroutine session: dozens of 30 MB dumps). Attaching shows *now* first: the
recording's last `FINAL_SECONDS`, with each endpoint's newest answer before them (so the first tick,
which asks for everything at once, gets the newest goroutine dump however old it is), are played
through a poller of its own; its last snapshot is what the screens show while the whole history is
read behind it (`FollowSource`). Each datum keeps its recorded age: the client remembers when the
answer it gave was recorded, not when the stretch's poller asked.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from tui.config import Config
from tui.fetch.fetcher import FetchResult
from tui.model import catalog
from tui.model import snapshot as snap
from tui.model.catalog import endpoint_key
from tui.recording.format import Recording, RecordRef
from tui.recording.replay_client import ReplayClient, ReplayFinished, VirtualClock
from tui.recording.tap import LatestBodies
from tui.service.endpoints import EXPENSIVE
from tui.service.poller import Poller

FINAL_SECONDS = 20.0  # the recording's end played first (its dump, heap and MemStats asked at once)


def without_dumps(refs: Sequence[RecordRef]) -> list[RecordRef]:
    """The records but the expensive answers (goroutine dumps, leak checks): a first look that takes
    well under a second (the tree inferred from the goroutine stacks, its dump said to be coming)."""
    return [r for r in refs if r.header.ep not in EXPENSIVE]


def final_stretch(refs: Sequence[RecordRef]) -> tuple[float, list[RecordRef]]:
    """(start time, records) of the recording's final stretch (see the module docstring)."""
    ordered = sorted(refs, key=lambda r: r.header.t)
    index_times = [r.header.t for r in ordered if r.header.ep == catalog.INDEX.key]
    if not index_times:
        return (ordered[0].header.t if ordered else 0.0), list(ordered)
    start = max(index_times[-1] - FINAL_SECONDS, ordered[0].header.t)
    times = [r.header.t for r in ordered]
    cut = bisect.bisect_left(times, start)
    before: dict[str, RecordRef] = {}  # each endpoint's newest record before the stretch
    for ref in ordered[:cut]:
        if not ref.header.failed or ref.header.ep not in before:
            before[ref.header.ep] = ref
    kept = sorted(before.values(), key=lambda r: r.header.t) + ordered[cut:]
    return start, kept


class _StretchClient(ReplayClient):
    """A ReplayClient that remembers each answer's own time on the virtual clock: the stretch's poller
    asks on its own cadence, so it may take an answer recorded a tick (or a dump's interval) before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered_at: dict[str, float] = {}
        # the newest dump however old (the replay's staleness rule would drop one older than a few of
        # its gaps): it is shown at its recorded age
        self._stale_after = dict.fromkeys(self._stale_after, math.inf)

    async def get(self, path: str, *, params: Mapping[str, str] | None = None, **kwargs: Any) -> FetchResult:
        key = endpoint_key(path, params)
        ref = self._pick(key)
        at = None if ref is None else ref.header.t - self.offset
        result = await super().get(path, params=params, **kwargs)
        if at is not None:
            self.answered_at[key] = min(at, self.clock.now)
        return result


async def newest_snapshot(
    meta: dict[str, Any],
    refs: Sequence[RecordRef],
    config: Config,
    *,
    real_sleep: Callable[[float], Any],
    rand: Callable[[], float],
    latest: LatestBodies | None = None,
    **poller_kwargs: Any,
) -> snap.Snapshot | None:
    """The snapshot a poller ends with after playing the final stretch of `refs` (None: none came)."""
    start, kept = final_stretch(refs)
    if not kept:
        return None
    recording = Recording(meta, tuple(kept), 0)
    clock = VirtualClock(start, real_sleep=real_sleep, speed=float("inf"))
    client = _StretchClient(recording, clock, latest=latest)
    got: list[snap.Snapshot] = []
    poller = Poller(
        config,
        client=client,
        clock=clock,
        sleep=clock.sleep,
        expensive_in_background=False,
        rand=rand,
        on_snapshot=got.append,
        **poller_kwargs,
    )
    poller.refresh_now("all")  # its first tick asks for the newest dump, heap profile and MemStats
    try:
        await poller.run()
    except ReplayFinished:
        pass
    finally:
        await poller.stop()
    if not got:
        return None
    for name, at in client.answered_at.items():  # each datum's age as recorded, not as re-asked
        ep = poller.endpoints.get(name)
        if ep is not None and ep.last_ok is not None:
            ep.last_ok = min(ep.last_ok, at)
    clock.now = got[-1].time  # the moment of that snapshot (the poller slept on to its next tick)
    found = dataclasses.replace(poller.build_snapshot(), seq=got[-1].seq)
    if not any(r.header.ep in EXPENSIVE for r in kept):
        found = _dump_coming(found)
    return found


def _dump_coming(found: snap.Snapshot) -> snap.Snapshot:
    """Played without the dumps (`without_dumps`): the tree's line says its dump is being read."""
    coming = "the newest goroutine dump is being read"
    age = found.age(snap.GOROUTINE_TREE)
    ages = dict(found.ages, **{snap.GOROUTINE_TREE: dataclasses.replace(age, reason=coming)})
    return dataclasses.replace(found, ages=MappingProxyType(ages), tree_status=coming)
