"""Bundles on disk, read back: what `E`, `pprof-tui sessions` and `pprof-tui bundle` list.

A bundle is a directory holding `bundle.json` with "complete": true, written last: a bundle cut
short (the process killed while writing) keeps its temporary name `.partial-<name>-<pid>` and is
never listed; `prune` removes it once its writer is gone, and keeps the newest bundles within a
count and a total size (oldest removed first).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

BUNDLE_JSON = "bundle.json"
PARTIAL_PREFIX = ".partial-"
MAX_JSON = 256 * 1024
_PARTIAL = re.compile(r"\.partial-.*-(\d+)$")


@dataclass(frozen=True, slots=True)
class BundleVerdict:
    key: str
    title: str  # "growing", "leaked", ... (tui.leaks.growth.verdict_title)
    label: str
    why: str  # "first failed", "escalated from stuck"


@dataclass(frozen=True, slots=True)
class BundleInfo:
    path: Path
    name: str
    created: float  # wall time
    why: str  # "verdict" or "asked"
    verdicts: tuple[BundleVerdict, ...]
    size: int  # bytes of its files
    goroutine_dump: str  # what the goroutine file is: "debug=2 …", "proto", "none"

    @property
    def summary(self) -> str:
        if not self.verdicts:
            return "captured by hand" if self.why == "asked" else self.why
        first = self.verdicts[0]
        more = f" +{len(self.verdicts) - 1}" if len(self.verdicts) > 1 else ""
        return f"{first.title} {first.label}{more}"


def dir_size(path: Path) -> int:
    total = 0
    for entry in path.iterdir():
        try:
            if entry.is_file() and not entry.is_symlink():
                total += entry.stat().st_size
        except OSError:
            continue
    return total


def read_bundle(path: Path) -> BundleInfo | None:
    """The bundle in `path`, or None when it is no complete bundle."""
    try:
        with open(path / BUNDLE_JSON, "rb") as fh:
            raw = fh.read(MAX_JSON + 1)
        doc = json.loads(raw) if len(raw) <= MAX_JSON else None
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("complete") is not True:
        return None
    verdicts = []
    for v in doc.get("verdicts", ()) if isinstance(doc.get("verdicts"), list) else ():
        if isinstance(v, dict):
            verdicts.append(BundleVerdict(*(str(v.get(k, "")) for k in ("key", "title", "label", "why"))))
    created = doc.get("created")
    try:
        size = dir_size(path)
    except OSError:
        return None
    return BundleInfo(
        path=path,
        name=path.name,
        created=float(created) if isinstance(created, (int, float)) else 0.0,
        why=str(doc.get("why", "")),
        verdicts=tuple(verdicts),
        size=size,
        goroutine_dump=str(doc.get("goroutine_dump", "")),
    )


def list_bundles(root: Path) -> tuple[BundleInfo, ...]:
    """Complete bundles under `root`, oldest first ((): no such directory)."""
    try:
        entries = [e for e in root.iterdir() if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return ()
    found = [b for b in (read_bundle(e) for e in entries) if b is not None]
    return tuple(sorted(found, key=lambda b: (b.created, b.name)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune(root: Path, *, max_bundles: int, max_bytes: int, keep: Path | None = None) -> list[Path]:
    """Remove partial bundles whose writer is gone, then the oldest complete ones past the count or
    total size (never `keep`). Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _PARTIAL.match(entry.name)
        if m and entry.is_dir() and not _alive(int(m.group(1))):  # its writer was killed mid-bundle
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    bundles = list(list_bundles(root))
    total = sum(b.size for b in bundles)
    while bundles and (len(bundles) > max_bundles or total > max_bytes):
        oldest = next((b for b in bundles if b.path != keep), None)
        if oldest is None:
            break
        bundles.remove(oldest)
        total -= oldest.size
        shutil.rmtree(oldest.path, ignore_errors=True)
        removed.append(oldest.path)
    return removed
