"""Ending an asyncio task: cancel it and wait until it has finished unwinding."""

from __future__ import annotations

import asyncio
import contextlib


async def cancel_and_wait(task: asyncio.Task[None] | asyncio.Future[None] | None) -> None:
    """Cancel `task` (if it is still running) and wait for it; its cancellation is not re-raised
    here, an error it ended with is."""
    if task is None:
        return
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
