"""What the poller needs from whatever fetches its bodies.

Three things satisfy it: the target's HTTP client (`TargetClient`), the recording tap
around one (`tui.recording.tap.TapClient`) and the replay of a recording
(`tui.recording.replay_client.ReplayClient`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from tui.fetch import validate

if TYPE_CHECKING:
    from tui.fetch.client import FetchResult


class Fetcher(Protocol):
    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        expect: str = validate.ANY,
        deadline: float | None = None,
        gunzip: bool = False,
    ) -> FetchResult:
        """GET one endpoint's body (``path`` relative to the target's pprof base); raises a
        tui.fetch.errors.FetchError subclass when there is none to give."""
        ...

    async def aclose(self) -> None:
        """Release what the fetcher holds (connections, a recording)."""
        ...
