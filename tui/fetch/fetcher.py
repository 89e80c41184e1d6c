"""What the poller needs from whatever fetches its bodies, and what a fetch returns.

Stdlib only (no httpx): a replay answers from a recording without the HTTP client. Three things satisfy it: the target's HTTP client (`TargetClient`), the recording tap
around one (`tui.recording.tap.TapClient`) and the replay of a recording
(`tui.recording.replay_client.ReplayClient`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from tui.fetch import validate


@dataclass(frozen=True, slots=True)
class FetchResult:
    path: str  # relative to the base, with the query (e.g. "goroutine?debug=2")
    status: int
    body: bytes  # decoded (every gzip layer undone when asked), secret values masked
    wire_bytes: int  # bytes received (after any Content-Encoding decoding by httpx)
    elapsed: float  # seconds, first byte sent -> last byte read
    content_type: str


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
