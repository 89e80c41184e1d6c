"""`pprof-tui FILE...`: one snapshot built from saved files, through the same parsers as live.

Each file's kind is detected by content (tui/model/detect.py): heap/allocs profiles (gzip'd or
raw proto), goroutine profiles (proto), heap?debug=1 (memstats), goroutine debug=1/debug=2 dumps
and goroutineleak dumps (their groups come out marked leaked), the pprof index page.
No polling: state "offline"; pause/resume/refresh do nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from tui.core.errors import ParseError, PprofTuiError
from tui.core.tasks import cancel_and_wait
from tui.model import catalog
from tui.model import snapshot as snap
from tui.model.history import History
from tui.model.parsers import memstats_series, profile_totals
from tui.recording.tap import Body, LatestBodies

if TYPE_CHECKING:
    from tui.goroutines.fastgroup import GroupedDump
    from tui.goroutines.grouping import ReasonGroup
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.model.memstats import MemStats
    from tui.service.parse_worker import ParseWorker

    # What a file parses to: Profile (heap), MemStats (heap-debug1), StackCounts
    # (goroutine-debug1, goroutine-profile), GroupedDump (goroutine-debug2), the index's counts.
    FileValue = Profile | MemStats | StackCounts | GroupedDump | dict[str, int]

OFFLINE = "offline"
# Kinds whose parse is deferred to the parse worker when the file is big (their results pickle; a heap
# Profile does not, and its decode is bounded by its tables).
_DEFERRED_KINDS = ("goroutine-debug2", "goroutine-debug1")


@dataclass(frozen=True, slots=True)
class LoadedFile:
    path: str
    kind: str  # heap, goroutine-profile, heap-debug1, goroutine-debug1, goroutine-debug2, index
    endpoint: str  # the endpoint it stands for (for exports)
    leak: bool  # a goroutineleak profile
    value: FileValue


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def load_file(path: str, data: bytes) -> LoadedFile:
    """Detect and parse one file. Raises ParseError naming the file."""
    from tui.model.detect import detect_kind

    kind = detect_kind(data)
    try:
        if kind == "profile":
            return _load_profile(path, data)
        if kind == "heap-debug1":
            from tui.model.memstats import parse_memstats

            return LoadedFile(path, kind, catalog.MEMSTATS.key, False, parse_memstats(_text(data)))
        if kind == "goroutine-debug1":
            from tui.goroutines.debug1 import parse_debug1

            counts = parse_debug1(_text(data))
            leak = counts.kind == "goroutineleak"
            return LoadedFile(
                path, kind, (catalog.GOROUTINELEAK_DEBUG1 if leak else catalog.GOROUTINE_DEBUG1).key, leak, counts
            )
        if kind == "goroutine-debug2":
            from tui.goroutines.fastgroup import group_debug2_text

            text = _text(data)
            grouped = group_debug2_text(text)
            leak = "writeGoroutineLeak" in text[:8192] or any(g.leaked for g in grouped.groups)
            return LoadedFile(
                path, kind, (catalog.GOROUTINELEAK_DEBUG2 if leak else catalog.GOROUTINE_DEBUG2).key, leak, grouped
            )
        if kind == "index":
            from tui.model.index_page import parse_index

            return LoadedFile(path, kind, catalog.INDEX.key, False, parse_index(_text(data)))
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}", kind=exc.kind) from None
    raise ParseError(f"{path}: not a pprof profile, goroutine dump or heap?debug=1 text", kind="unknown")


def _load_profile(path: str, data: bytes) -> LoadedFile:
    from tui.heap.decode import decode_profile

    profile = decode_profile(data)
    names = {st.type for st in profile.sample_types}
    if names & {"goroutine", "goroutineleak"}:
        from tui.goroutines.proto import decode_goroutine_profile

        counts = decode_goroutine_profile(data)
        leak = counts.kind == "goroutineleak"
        return LoadedFile(
            path,
            "goroutine-profile",
            (catalog.GOROUTINELEAK_PROTO if leak else catalog.GOROUTINE_PROTO).key,
            leak,
            counts,
        )
    types = [st.type for st in profile.sample_types]
    default = types[profile.default_sample_index] if 0 <= profile.default_sample_index < len(types) else ""
    endpoint = (catalog.ALLOCS if default.startswith("alloc_") else catalog.HEAP).key
    return LoadedFile(path, "heap", endpoint, False, profile)


def build_offline_snapshot(files: Sequence[LoadedFile], *, now: float, label: str) -> snap.Snapshot:
    """Combine loaded files into one Snapshot (later files of a kind win; leak dumps add leaked groups)."""
    from tui.goroutines.fastgroup import GroupedDump
    from tui.goroutines.records import StackCounts
    from tui.heap.profile import Profile
    from tui.model.memstats import MemStats

    history = History()
    heap: Profile | None = None
    memstats: MemStats | None = None
    stacks: StackCounts | None = None
    heap_totals: dict[str, float] = {}
    groups: tuple[ReasonGroup, ...] = ()
    leak_groups: tuple[ReasonGroup, ...] = ()
    total: int | None = None
    profiles: dict[str, int] = {}
    ages: dict[str, snap.DataAge] = {}

    def aged(kind: str, f: LoadedFile) -> None:
        ages[kind] = snap.DataAge(kind, now, 0.0, f"from {Path(f.path).name}")

    leak_tree: GroupedDump | None = None
    leak_counts: StackCounts | None = None
    plain_tree: GroupedDump | None = None
    for f in files:
        value = f.value  # its type follows f.kind (load_file)
        if f.kind == "heap" and isinstance(value, Profile):
            if heap is None or f.endpoint == catalog.HEAP.key:
                heap = value
                heap_totals = profile_totals(value)
                aged(snap.HEAP, f)
        elif f.kind == "heap-debug1" and isinstance(value, MemStats):
            memstats = value
            aged(snap.MEMSTATS, f)
        elif f.kind in ("goroutine-debug1", "goroutine-profile") and isinstance(value, StackCounts):
            if f.leak:
                from tui.goroutines.grouping import group_stack_counts

                leak_counts = value
                leak_groups = tuple(group_stack_counts(value))
                aged(snap.GOROUTINE_LEAKS, f)
            else:
                stacks = value
                aged(snap.GOROUTINE_STACKS, f)
                total = int(value.total) if total is None else total
        elif f.kind == "goroutine-debug2" and isinstance(value, GroupedDump):
            if f.leak:
                leak_tree = value
            else:
                plain_tree = value
            aged(snap.GOROUTINE_TREE, f)
        elif f.kind == "index" and isinstance(value, dict):
            profiles = dict(value)
            if isinstance(profiles.get("goroutine"), int):
                total = profiles["goroutine"]
            aged(snap.GOROUTINE_COUNT, f)
    tree_status = ""
    # goroutineleak?debug=2 is a full dump with "(leaked)" markers: the best tree there is.
    tree = leak_tree if leak_tree is not None else plain_tree
    if tree is not None:
        groups = tuple(tree.groups)
        total = int(tree.total)
        tree_status = "from a goroutineleak dump" if tree is leak_tree else "from a file"
    if leak_groups and tree is None:
        # a debug=1/proto leak profile alone: it holds only the leaked goroutines
        groups = leak_groups
        tree_status = "leaked goroutines only (goroutineleak profile)"
    if total is not None:
        history.push("goroutines", now, total)
    if memstats is not None:
        history.push_many(now, memstats_series(memstats))
    if heap_totals:
        history.push_many(now, {f"heap.{k}": v for k, v in heap_totals.items()})
    names = ", ".join(Path(f.path).name for f in files)
    return snap.Snapshot(
        seq=1,
        time=now,
        target=label,
        state=OFFLINE,
        status=f"offline: {len(files)} file(s): {names}"[:200],
        ages=MappingProxyType(ages),
        heap=heap,
        heap_totals=MappingProxyType(heap_totals),
        memstats=memstats,
        goroutine_groups=groups,
        goroutine_stacks=stacks,
        goroutine_leaks=leak_counts,
        goroutine_total=total,
        tree_status=tree_status,
        history=history.view(),
        profiles=MappingProxyType(profiles),
    )


def expand_saved(paths: Sequence[str]) -> tuple[list[str], str]:
    """A snapshot saved with `s` (a directory) stands for its files; (paths, its label or "")."""
    from tui.recording.export import saved_files

    out: list[str] = []
    label = ""
    for path in paths:
        files = saved_files(path) if Path(path).is_dir() else {}
        if files:
            out += [str(p) for _, p in sorted(files.items())]
            label = label or Path(path).name
        else:
            out.append(path)
    return out, label


class OfflineSource:
    """The app's source for files given on the command line: publishes one snapshot on start.

    A big goroutine dump (at least the parse worker's MIN_BODY_BYTES) is parsed after start, in the
    parse worker's child process (tui/service/parse_worker.py): the first frame comes at once (its
    status says what is being parsed), and `q` or SIGTERM end the app within a second, killing the
    child, however long the parse would take (a 1.4M-goroutine dump parsed in the app before its first
    frame, 19 s, and kept it from quitting)."""

    kind = OFFLINE

    def __init__(
        self,
        paths: Sequence[str],
        *,
        read: Callable[[str], bytes] | None = None,
        clock: Callable[[], float] = time.monotonic,
        deferred_min: int | None = None,
    ) -> None:
        if not paths:
            raise PprofTuiError("no files given")
        from tui.model.detect import detect_kind
        from tui.service.parse_worker import MIN_BODY_BYTES
        from tui.sources.inputs import read_input

        read = read or read_input
        paths, saved_label = expand_saved(paths)
        deferred_min = MIN_BODY_BYTES if deferred_min is None else deferred_min
        self.paths = tuple(paths)
        self.bodies = LatestBodies()
        self._loaded: list[LoadedFile | None] = []
        self._pending: list[tuple[int, str, bytes]] = []  # (position, path, body): parsed after start
        self._now = now = clock()
        for path in self.paths:
            data = read(path)
            if len(data) >= deferred_min and detect_kind(data, parse=False) in _DEFERRED_KINDS:
                self._pending.append((len(self._loaded), path, data))
                self._loaded.append(None)
                continue
            f = load_file(path, data)
            self._loaded.append(f)
            self.bodies.put(Body(f.endpoint, data, "", now, time.time()))
        self.label = saved_label or (Path(self.paths[0]).name if len(self.paths) == 1 else f"{len(self.paths)} files")
        self.files = tuple(f for f in self._loaded if f is not None)
        self.snapshot = build_offline_snapshot(self.files, now=now, label=self.label)
        if self._pending:
            waiting = ", ".join(f"{Path(p).name} ({len(d) / 2**20:.1f} MB)" for _, p, d in self._pending)
            self.snapshot = replace(self.snapshot, status=f"offline: parsing {waiting}…"[:200])
        self.on_snapshot: Callable[[snap.Snapshot], None] | None = None
        self.latest = self.snapshot
        self._task: asyncio.Task[None] | None = None
        self._worker: ParseWorker | None = None

    def start(self) -> asyncio.Task[None] | None:
        self._publish(self.snapshot)
        if self._pending and self._task is None:
            self._task = asyncio.create_task(self._parse_pending(), name="pprof-tui open")
        return self._task

    def _publish(self, snapshot: snap.Snapshot) -> None:
        self.snapshot = self.latest = snapshot
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)

    async def _parse_pending(self) -> None:
        from functools import partial

        from tui.core.errors import LimitExceeded
        from tui.service.parse_worker import ParseWorker, ParseWorkerError

        self._worker = worker = ParseWorker()
        try:
            for position, path, data in self._pending:
                try:
                    f = await worker.parse(Path(path).name, partial(load_file, path), data)
                except (ParseError, LimitExceeded, ParseWorkerError) as exc:
                    self._publish(replace(self.snapshot, state=snap.ERROR, last_error=str(exc)[:300]))
                    return
                self._loaded[position] = f
                self.bodies.put(Body(f.endpoint, data, "", self._now, time.time()))
            self._pending = []
            self.files = tuple(f for f in self._loaded if f is not None)
            self._publish(build_offline_snapshot(self.files, now=self._now, label=self.label))
        finally:
            worker.close()

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.close()  # kills the child mid-parse: nothing waits for it
        if self._task is not None and not self._task.done():
            await cancel_and_wait(self._task)

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None

    def refresh_now(self, kind: str = "all") -> None:
        return None

    def save(self, directory: str | Path) -> Path:
        from tui.recording.export import save_snapshot

        return save_snapshot(directory, self.bodies, target=self.label, snapshot=self.snapshot, source=OFFLINE)
