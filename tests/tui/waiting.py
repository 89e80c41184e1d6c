"""Waiting helpers for Pilot tests: let the app finish what a poll or a key started."""

from __future__ import annotations

import asyncio


async def settle(pilot, app) -> None:
    """Until the thread workers (heap table, peek, the leak feed) and the message queue are idle."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 30.0) -> None:
    """Until ``predicate()`` holds (real time bounded), letting the app run meanwhile."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached"
        await pilot.pause(0.05)
