"""Write one bundle directory: what the poller holds at the moment a verdict fired.

No request of its own: the heap profile, MemStats, the goroutine profile, the newest goroutine
dump (debug=2, as often as the poller's budget allowed one) and the newest CPU window are the raw
bodies the tap kept (`LatestBodies`); the baseline's come from `BodyKeeper`. Every body is masked
of our credentials again (the fetch client already did: this is the recordings' rule, applied to
files that leave the machine) before it is compressed.

Crash-safe: everything goes into `.partial-<name>-<pid>/`, `bundle.json` ("complete": true) is
written last and the directory renamed: a SIGKILL mid-write leaves a partial directory that is
never listed and is pruned once its pid is gone. Bounded: the goroutine dump is left out (and said
so) when it would take the bundle past `max_bundle_bytes`; `prune` keeps a count and a total size.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.bytesize import format_bytes
from tui.core.masking import mask_secrets
from tui.evidence import readme as names
from tui.evidence.keeper import HEAP, MEMSTATS, BodyKeeper, memstats_trailer
from tui.evidence.listing import BUNDLE_JSON, PARTIAL_PREFIX, dir_size, prune
from tui.evidence.render import findings_json, findings_text, series_csv, stacks_text
from tui.model import catalog

if TYPE_CHECKING:
    from tui.evidence.trigger import Fired
    from tui.leaks.report import LeakReport
    from tui.model.snapshot import Snapshot
    from tui.recording.tap import LatestBodies

GOROUTINE_PROTO = catalog.GOROUTINE_PROTO.key
GOROUTINE_DEBUG2 = catalog.GOROUTINE_DEBUG2.key
VERSION = 1


@dataclass(frozen=True, slots=True)
class BundleLimits:
    max_bundle_bytes: int = 48 << 20  # one bundle on disk (compressed files)
    max_bundles: int = 20  # per session (or --evidence DIR): oldest pruned
    max_total_bytes: int = 256 << 20  # all bundles of a session
    debug2_max_age: float = 900.0  # an older dump is not "the moment": the proto only


DEFAULT_LIMITS = BundleLimits()


@dataclass(frozen=True, slots=True)
class Incident:
    """What one capture is about; the bodies are read when it is written (in the writer thread)."""

    why: str  # "verdict" or "asked"
    fired: tuple[Fired, ...]
    report: LeakReport | None
    snapshot: Snapshot | None
    wall: float
    target: str
    cpu_endpoint: str = ""  # "profile?seconds=10" when CPU watching is on


@dataclass(slots=True)
class _Out:
    path: Path
    secrets: tuple[bytes, ...]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def put(self, name: str, data: bytes, *, compress: int = 0) -> int:
        data = mask_secrets(data, self.secrets)
        if compress:
            data = gzip.compress(data, compresslevel=compress, mtime=0)
        fd = os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.files.append(name)
        return len(data)


def bundle_name(incident: Incident) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(incident.wall))
    label = incident.fired[0].verdict.label if incident.fired else "by-hand"
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", label.rsplit("/", 1)[-1]).strip("-.")[:40] or "verdict"
    return f"{stamp}-{slug}"


def _free_name(root: Path, name: str) -> str:
    n, candidate = 1, name
    while (root / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def write_bundle(
    root: Path,
    incident: Incident,
    bodies: LatestBodies,
    keeper: BodyKeeper,
    *,
    secrets: tuple[bytes, ...] = (),
    limits: BundleLimits = DEFAULT_LIMITS,
) -> Path:
    """Write the bundle and return its directory (raises OSError when the disk refuses)."""
    os.makedirs(root, mode=0o700, exist_ok=True)
    name = _free_name(root, bundle_name(incident))
    partial = root / f"{PARTIAL_PREFIX}{name}-{os.getpid()}"
    partial.mkdir(mode=0o700)
    try:
        return _fill(root, name, partial, incident, bodies, keeper, secrets, limits)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _fill(
    root: Path,
    name: str,
    partial: Path,
    incident: Incident,
    bodies: LatestBodies,
    keeper: BodyKeeper,
    secrets: tuple[bytes, ...],
    limits: BundleLimits,
) -> Path:
    out = _Out(partial, secrets)
    snapshot, report = incident.snapshot, incident.report
    now = snapshot.time if snapshot is not None else None
    base_heap, base_stats = keeper.baseline()
    heap_now = bodies.get(HEAP)
    if base_heap is not None:
        out.put(names.HEAP_BASE, base_heap.body, compress=6)
    else:
        out.notes.append("the heap profile at the baseline: none kept yet")
    if heap_now is not None:
        out.put(names.HEAP_NOW, heap_now.body, compress=6)
    if base_stats is not None:
        out.put(names.MEMSTATS_BASE, base_stats.body)
    stats_now = bodies.get(MEMSTATS)
    if stats_now is not None:
        out.put(names.MEMSTATS_NOW, memstats_trailer(stats_now.body))
    proto = bodies.get(GOROUTINE_PROTO)
    if proto is not None:
        out.put(names.GOROUTINES_PROTO, proto.body, compress=6)
    if incident.cpu_endpoint and snapshot is not None and snapshot.cpu is not None and snapshot.cpu.on:
        cpu = bodies.get(incident.cpu_endpoint)
        if cpu is not None:
            out.put(names.CPU, cpu.body, compress=6)
    if snapshot is not None:
        _flames(out, snapshot, base_heap.body if base_heap is not None else None, incident.target)
    out.put(names.STACKS, stacks_text(incident.fired, snapshot).encode())
    out.put(names.FINDINGS_TXT, findings_text(report, incident.fired, incident.target, incident.wall).encode())
    out.put(names.FINDINGS_JSON, findings_json(report, incident.fired, incident.target, incident.wall).encode())
    out.put(names.SERIES, series_csv(snapshot, incident.wall).encode())
    dump = _goroutine_dump(out, bodies, now, limits, proto is not None)
    baseline_ago = None
    if report is not None and report.baseline_at is not None:
        baseline_ago = report.time - report.baseline_at
    facts = names.ReadmeFacts(
        target=incident.target,
        wall=incident.wall,
        why=incident.why,
        fired=incident.fired,
        report=report,
        files=tuple(out.files),
        goroutine_dump=dump,
        notes=tuple(out.notes),
        baseline_ago=baseline_ago,
    )
    out.put(names.README, names.readme(facts).encode())
    doc = {
        "version": VERSION,
        "name": name,
        "created": incident.wall,
        "why": incident.why,
        "target": incident.target,
        "verdicts": [
            {"key": f.verdict.key, "title": _title(f), "label": f.verdict.label, "why": f.why} for f in incident.fired
        ],
        "goroutine_dump": dump,
        "files": sorted(out.files),
        "complete": True,
    }
    out.put(BUNDLE_JSON, json.dumps(doc, indent=1, ensure_ascii=False).encode())
    final = root / name
    os.rename(partial, final)
    prune(root, max_bundles=limits.max_bundles, max_bytes=limits.max_total_bytes, keep=final)
    return final


def _flames(out: _Out, snapshot: Snapshot, base_body: bytes | None, target: str) -> None:
    """The flame graphs the flame view draws (tui/heap/flame*): the heap now, against the baseline,
    and the newest CPU window. Decoding the baseline costs this thread, never the UI's."""
    from tui.heap.decode import decode_profile
    from tui.heap.flame import flame_tree
    from tui.heap.flame_export import flame_svg, profile_title
    from tui.heap.flame_stacks import profile_stacks

    inuse = "inuse_space"
    try:
        heap = snapshot.heap
        if heap is not None:
            table = profile_stacks(heap, inuse)
            title = profile_title(heap, source=target, sample_type=inuse)
            out.put(names.FLAME_HEAP, flame_svg(flame_tree(table), title, out.secrets).encode())
            if base_body is not None:
                base = profile_stacks(decode_profile(base_body), inuse)
                title = profile_title(heap, source=target, sample_type=inuse, base="against the baseline")
                out.put(names.FLAME_HEAP_DIFF, flame_svg(flame_tree(table, (base,)), title, out.secrets).encode())
        window = snapshot.cpu.window if snapshot.cpu is not None and snapshot.cpu.on else None
        if window is not None:
            cpu = window.profile
            tree = flame_tree(profile_stacks(cpu, "cpu"))
            out.put(
                names.FLAME_CPU,
                flame_svg(tree, profile_title(cpu, source=target, sample_type="cpu"), out.secrets).encode(),
            )
    except Exception as exc:  # a profile the flame code cannot draw: the bundle goes on without it
        out.notes.append(f"flame graphs: {type(exc).__name__}: {str(exc)[:200]}")


def _title(f: Fired) -> str:
    from tui.leaks.growth import verdict_title

    return verdict_title(f.verdict)


def _goroutine_dump(out: _Out, bodies: LatestBodies, now: float | None, limits: BundleLimits, have_proto: bool) -> str:
    """The newest debug=2 dump when the budget allowed one recently and it fits; else say why not."""
    fallback = "the goroutine profile (proto)" if have_proto else "none"
    at = bodies.at(GOROUTINE_DEBUG2)
    if at is None:
        out.notes.append("the full goroutine dump (debug=2): the budget allowed none yet")
        return fallback
    age = (now - at) if now is not None else 0.0
    if age > limits.debug2_max_age:
        out.notes.append(f"the full goroutine dump (debug=2): the newest is {age / 60:.0f} min old")
        return fallback
    body = bodies.get(GOROUTINE_DEBUG2)
    if body is None:
        return fallback
    room = limits.max_bundle_bytes - dir_size(out.path)
    data = mask_secrets(body.body, out.secrets)
    packed = gzip.compress(data, compresslevel=1, mtime=0)
    if len(packed) > room:
        out.notes.append(
            f"the full goroutine dump (debug=2): {format_bytes(len(packed))} compressed, over the bundle's"
            f" {format_bytes(limits.max_bundle_bytes)}"
        )
        return fallback
    out.put(names.GOROUTINES_DEBUG2, packed)
    return f"debug=2 (every goroutine), {max(age, 0):.0f} s old at capture"
