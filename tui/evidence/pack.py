"""`pprof-tui bundle DIR --tar FILE`: one bundle packed for a ticket, our credentials masked.

The same rule as recordings (tui/recording/writer.py): every credential of the Config (`--token-file`,
`--header-file`, basic auth and its base64 form, the environment's) is overwritten with '*' in every
file — inside the gzip'd profiles too (decompressed with the one bounded gunzip, masked, compressed
again: lengths are kept, so a profile stays valid). Only the bundle's regular files go in (no
symlinks, no subdirectories), under the bundle's name, with no owner names.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import PprofTuiError
from tui.core.gunzip import gunzip
from tui.core.masking import mask_secrets
from tui.evidence.listing import read_bundle

MAX_FILE = 512 << 20  # a file decompressed (a bundle's dump is well below)


class PackError(PprofTuiError):
    """The directory is no complete bundle, or the output cannot be written."""


@dataclass(frozen=True, slots=True)
class Packed:
    path: Path
    files: int
    size: int  # bytes of the tar.gz
    masked: int  # occurrences of a credential overwritten


def _masked(data: bytes, secrets: tuple[bytes, ...]) -> tuple[bytes, int]:
    count = sum(data.count(s) for s in secrets if s)
    return (mask_secrets(data, secrets), count) if count else (data, 0)


def pack_bundle(directory: Path, out: Path, secrets: tuple[bytes, ...]) -> Packed:
    info = read_bundle(directory)
    if info is None:
        raise PackError(f"{directory}: not a complete incident bundle (no bundle.json marked complete)")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PackError(f"{out}: already exists") from None
    files = masked = 0
    try:
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            for entry in sorted(directory.iterdir()):
                if entry.is_symlink() or not entry.is_file():
                    continue
                data = entry.read_bytes()
                if entry.name.endswith(".gz"):
                    plain, n = _masked(gunzip(data, MAX_FILE, what=entry.name), secrets)
                    if n:
                        data = gzip.compress(plain, compresslevel=6, mtime=0)
                else:
                    data, n = _masked(data, secrets)
                masked += n
                member = tarfile.TarInfo(f"{info.name}/{entry.name}")
                member.size, member.mode, member.mtime = len(data), 0o600, int(entry.stat().st_mtime)
                tar.addfile(member, io.BytesIO(data))
                files += 1
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return Packed(out, files, out.stat().st_size, masked)
