"""Several targets at once (`watch TARGET TARGET...`): one source per target, all polled
concurrently on the app's event loop (each its own poller: its own budget, backoff and restart
detection; one that is down or slow never stalls the others), and one of them *focused*.

The app's dashboard gets the focused target's snapshots through ``on_snapshot`` (the one path of a
single-target watch); every target's snapshots, named, go to ``on_member_snapshot`` (the fleet view
and the per-target leak trackers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from tui.model.snapshot import Snapshot
from tui.service.gates import Gates
from tui.sources.protocol import SnapshotCallback, SnapshotSource

MemberCallback = Callable[[str, Snapshot], None]


class FleetSource:
    kind = "fleet"

    def __init__(self, members: Sequence[tuple[str, SnapshotSource]], *, gates: Gates | None = None) -> None:
        if not members:
            raise ValueError("a fleet needs at least one target")
        labels = [label for label, _ in members]
        if len(set(labels)) != len(labels):
            raise ValueError("fleet labels must be unique")
        self.members = dict(members)
        self.gates = gates  # the members' shared request/parse caps and parse worker (closed on stop)
        self.labels = tuple(labels)
        self.focused = labels[0]
        self.on_snapshot: SnapshotCallback | None = None
        self.on_member_snapshot: MemberCallback | None = None

    def focus(self, label: str) -> None:
        if label not in self.members:
            raise KeyError(label)
        self.focused = label

    def _forward(self, label: str) -> SnapshotCallback:
        def forward(snapshot: Snapshot) -> None:
            if self.on_member_snapshot is not None:
                self.on_member_snapshot(label, snapshot)
            if label == self.focused and self.on_snapshot is not None:
                self.on_snapshot(snapshot)

        return forward

    def start(self) -> None:
        for label, member in self.members.items():
            member.on_snapshot = self._forward(label)
            member.start()

    async def stop(self) -> None:
        await asyncio.gather(*(member.stop() for member in self.members.values()), return_exceptions=True)
        if self.gates is not None:
            self.gates.close()

    def pause(self) -> None:
        for member in self.members.values():
            member.pause()

    def resume(self) -> None:
        for member in self.members.values():
            member.resume()

    def refresh_now(self, kind: str = "all") -> None:
        self.members[self.focused].refresh_now(kind)
