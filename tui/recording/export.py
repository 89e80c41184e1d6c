"""`s`: save the current snapshot's raw bodies to a new directory (stdlib only).

Layout of `DIR/pprof-tui-<target>-<UTC time>/`:
  heap.pb.gz             heap profile (gzip'd profile.proto; opens in `go tool pprof`)
  heap_debug1.txt        heap?debug=1 (runtime.MemStats at the end)
  goroutine_debug1.txt   goroutine?debug=1
  goroutine_debug2.txt   goroutine?debug=2 (full dump)
  goroutine.pb.gz, allocs.pb.gz, goroutineleak_debug{1,2}.txt, index.html  when the source had them
  meta.json              target label, source kind, export time, per-file endpoint/age/bytes
  screen.svg             written by the app (`app.save_screenshot`) next to these

Private: the directory 0700, its files 0600. Every command opens it back (`saved_files`): `pprof-tui
DIR` and `open DIR` (all its files), `top DIR`, `goroutines DIR` (the file of the endpoint they read).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.gunzip import is_gzip
from tui.core.masking import mask_secrets
from tui.model import catalog

SCREENSHOT_NAME = "screen.svg"

# endpoint key -> file name (the catalog's records: tui/model/catalog.py)
FILE_NAMES = {spec.key: spec.file_name for spec in catalog.ALL if spec.file_name is not None}
_GZIPPED = {spec.file_name for spec in catalog.ALL if spec.gunzip and spec.file_name is not None}


def file_name(endpoint: str) -> str | None:
    if endpoint in FILE_NAMES:
        return FILE_NAMES[endpoint]
    if endpoint == catalog.CMDLINE.key:
        return None  # may carry the target's own secrets: never exported
    safe = re.sub(r"[^A-Za-z0-9]+", "_", endpoint).strip("_")[:60]
    return f"{safe}.bin" if safe else None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_")[:60] or "target"


def save_snapshot(
    directory: str | os.PathLike[str],
    bodies: Any,
    *,
    target: str,
    snapshot: Any = None,
    source: str = "live",
    now: float | None = None,
    secrets: tuple[bytes, ...] = (),
) -> Path:
    """Write every kept body into a new sub-directory of `directory`; returns its path.

    `bodies` is a `LatestBodies` (or anything with `.all() -> {endpoint: Body}`).
    """
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    base = Path(directory)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = base / f"pprof-tui-{_slug(target)}-{stamp}"
    n = 1
    while out.exists():
        n += 1
        out = base / f"pprof-tui-{_slug(target)}-{stamp}-{n}"
    out.mkdir(mode=0o700)  # private, as sessions are: a dump holds the target's strings
    os.chmod(out, 0o700)  # whatever the umask
    files: dict[str, Any] = {}
    for endpoint, body in sorted(bodies.all().items()):
        name = file_name(endpoint)
        if name is None:
            continue
        data = mask_secrets(body.body, secrets)  # a target may echo our credentials
        if name in _GZIPPED and not is_gzip(data):
            data = gzip.compress(data, 6, mtime=0)
        _write_private(out / name, data)
        files[name] = {
            "endpoint": endpoint,
            "bytes": len(data),
            "content_type": body.content_type,
            "fetched_unix": body.wall,
        }
    meta = {
        "tool": f"pprof-tui {__version__}",
        "target": target,
        "source": source,
        "exported_unix": now,
        "files": files,
        "screenshot": SCREENSHOT_NAME,
    }
    if snapshot is not None:
        meta["snapshot"] = {
            "seq": getattr(snapshot, "seq", None),
            "state": getattr(snapshot, "state", ""),
            "goroutines": getattr(snapshot, "goroutine_total", None),
        }
    _write_private(out / "meta.json", (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
    return out


def _write_private(path: Path, data: bytes) -> None:
    """A new file, mode 0600 (the screenshot the app writes beside them is made so too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def is_saved_snapshot(directory: str | os.PathLike[str]) -> bool:
    """A directory `s` wrote: its meta.json names its files."""
    return bool(saved_files(directory))


def saved_files(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """endpoint -> file of a saved snapshot, as its meta.json lists them ({} when it is none): plain
    names inside the directory that are regular files (a crafted meta.json names nothing else)."""
    base = Path(directory)
    try:
        with open(base / "meta.json", "rb") as fh:
            meta = json.loads(fh.read(1 << 20).decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        return {}
    files = meta.get("files") if isinstance(meta, dict) else None
    if not isinstance(files, dict) or not str(meta.get("tool", "")).startswith("pprof-tui"):
        return {}
    found: dict[str, Path] = {}
    for name, info in files.items():
        endpoint = info.get("endpoint") if isinstance(info, dict) else None
        if not isinstance(name, str) or not isinstance(endpoint, str) or name != Path(name).name:
            continue
        path = base / name
        if name not in (".", "..") and path.is_file() and not path.is_symlink():
            found[endpoint] = path
    return found
