"""Produce a 100,000-goroutine goroutine?debug=2 dump for bench_goroutines.py.

Preferred: capture it from the real Go target (tests/target, -chan-leak-initial 100000 plus
parked/labelled/deep/idle goroutines). Fallback (no `go`, or --synthetic): replicate the
blocks of a real fixture dump with fresh goroutine ids, argument values and wait minutes.

    python3 tests/benchmarks/make_big_dump.py [--synthetic] [--count 100000] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "benchmarks" / "data"
DEFAULT_OUT = DATA / "goroutines_100k_debug2.txt"


def capture(count: int, out: Path) -> None:
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("go is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "target"
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=ROOT / "tests" / "target", check=True)
        proc = subprocess.Popen(
            [str(binary), "-chan-leak-initial", str(count), "-parked", "-labels", "-deep", "150", "-idle-pool", "64"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line.startswith("LISTENING "):
                raise RuntimeError(f"target did not start: {line!r}")
            addr = line.split()[1]
            time.sleep(2.0)  # let the leak goroutines park
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://{addr}/debug/pprof/goroutine?debug=2", timeout=120) as resp:
                body = resp.read()
            print(f"captured {len(body):,} bytes in {time.perf_counter() - started:.2f} s", file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    out.write_bytes(body)


_ARG = re.compile(r"0xc[0-9a-f]{9}")


def synthesise(count: int, out: Path, seed_file: Path) -> None:
    """Replicate real blocks: the chan-send stack dominates, every other stack appears a few times."""
    text = seed_file.read_text(encoding="utf-8", errors="replace")
    blocks = [b for b in text.split("\n\n") if b.startswith("goroutine ")]
    if not blocks:
        raise RuntimeError(f"{seed_file}: no goroutine blocks")
    leak = [b for b in blocks if "[chan send" in b.split("\n", 1)[0]] or blocks[:1]
    rng = random.Random(42)
    parts = []
    for gid in range(1, count + 1):
        block = rng.choice(leak) if rng.random() < 0.97 else rng.choice(blocks)
        header, _, rest = block.partition("\n")
        status = re.search(r"\[([^\],]+)", header)
        reason = status.group(1) if status else "chan send"
        minutes = rng.choice([0, 0, 3, 12, 31, 45, 90, 300])
        header = f"goroutine {gid} [{reason}" + (f", {minutes} minutes" if minutes else "") + "]:"
        rest = _ARG.sub(lambda _: f"0xc{rng.getrandbits(36):09x}", rest)
        parts.append(header + "\n" + rest)
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--synthetic", action="store_true", help="do not run Go; replicate fixture blocks")
    ap.add_argument("--seed", type=Path, default=ROOT / "tests" / "fixtures" / "go1.27" / "goroutine_debug2.txt")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.synthetic:
        try:
            capture(args.count, args.out)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"capture failed ({exc}); falling back to a synthetic dump", file=sys.stderr)
            args.synthetic = True
    if args.synthetic:
        synthesise(args.count, args.out, args.seed)
    print(f"{args.out}: {os.path.getsize(args.out):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
