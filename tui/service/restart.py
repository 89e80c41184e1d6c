"""Detect a restart of the target: cmdline change, counters going backwards, goroutine ids reused."""

from __future__ import annotations

from collections.abc import Mapping


class RestartDetector:
    """observe_*() return a reason string when the target restarted, else None.

    After a detection every baseline is forgotten except the new value that
    triggered it, so one restart is reported once.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._cmdline: bytes | None = None
        self._total_alloc: int | None = None
        self._num_gc: int | None = None
        self._creators: dict[int, str] = {}

    def observe_cmdline(self, cmdline: bytes) -> str | None:
        old, self._cmdline = self._cmdline, cmdline
        if old is not None and old != cmdline:
            self._after_restart(cmdline=cmdline)
            return "command line changed"
        return None

    def observe_memstats(self, total_alloc: int | None, num_gc: int | None) -> str | None:
        reason = None
        if total_alloc is not None and self._total_alloc is not None and total_alloc < self._total_alloc:
            reason = f"TotalAlloc went backwards ({self._total_alloc:,} -> {total_alloc:,})"
        elif num_gc is not None and self._num_gc is not None and num_gc < self._num_gc:
            reason = f"NumGC went backwards ({self._num_gc:,} -> {num_gc:,})"
        if reason:
            self._after_restart(total_alloc=total_alloc, num_gc=num_gc)
            return reason
        if total_alloc is not None:
            self._total_alloc = total_alloc
        if num_gc is not None:
            self._num_gc = num_gc
        return None

    def observe_goroutines(self, creators: Mapping[int, str]) -> str | None:
        """creators: goroutine id -> created-by function. Go never reuses an id within a
        process, so the same id created by a different function means a new process."""
        old = self._creators
        for gid, creator in creators.items():
            if gid in old and old[gid] != creator:
                self._after_restart(creators=creators)
                return f"goroutine {gid} is a different goroutine (ids were reset)"
        self._creators = dict(creators)
        return None

    def _after_restart(
        self,
        *,
        cmdline: bytes | None = None,
        total_alloc: int | None = None,
        num_gc: int | None = None,
        creators: Mapping[int, str] | None = None,
    ) -> None:
        self.reset()
        self._cmdline = cmdline
        self._total_alloc = total_alloc
        self._num_gc = num_gc
        self._creators = dict(creators or {})
