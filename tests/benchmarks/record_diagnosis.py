#!/usr/bin/env python3
"""Record the diagnosis benchmark's scenarios: one tests/target per scenario, each watched by
`pprof-tui record` at default settings, all at once.

Usage (from anywhere): python3 tests/benchmarks/record_diagnosis.py [--seconds 660] [SCENARIO ...]
Writes tests/benchmarks/data/diagnosis/<scenario>/ (gitignored) and <scenario>.json beside it (the
flags, duration and Go version it was recorded with). A recording is written to <scenario>.partial
and renamed only when the recorder finished and the target was still alive, so a missing or stale
one is easy to tell. Bounded: every target and recorder is stopped at the end, on Ctrl-C and on
SIGTERM too (recorders get SIGINT first, so they close their segment cleanly).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.diagnosis_scenarios import BY_NAME, SCENARIOS, Scenario  # noqa: E402

TARGET_DIR = ROOT / "tests" / "target"
DATA_DIR = ROOT / "tests" / "benchmarks" / "data" / "diagnosis"
DEFAULT_SECONDS = 660.0
START_TIMEOUT_S = 20.0
GRACE_S = 90.0  # past --duration, a recorder still running is stopped
STOP_WAIT_S = 15.0


def go_env() -> dict[str, str]:
    return dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")


def go_version() -> str:
    done = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, env=go_env(), check=True)
    return done.stdout.strip()


def build_target(out_dir: Path) -> Path:
    binary = out_dir / "target"
    subprocess.run(["go", "build", "-o", str(binary), "."], cwd=TARGET_DIR, env=go_env(), check=True)
    return binary


def manifest_path(name: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{name}.json"


def recorded(scenario: Scenario, seconds: float, data_dir: Path = DATA_DIR) -> bool:
    """A finished recording of this scenario, with today's flags, at least `seconds` long."""
    try:
        meta = json.loads(manifest_path(scenario.name, data_dir).read_text())
    except (OSError, ValueError):
        return False
    return (
        (data_dir / scenario.name).is_dir()
        and meta.get("flags") == list(scenario.flags)
        and float(meta.get("seconds", 0)) >= seconds
    )


@dataclass
class Run:
    scenario: Scenario
    partial: Path
    target: subprocess.Popen[bytes] | None = None
    recorder: subprocess.Popen[bytes] | None = None
    addr: str = ""
    logs: list[IO[bytes]] = field(default_factory=list)
    outcome: str = ""


def _read_listening(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stdout is not None
    out: list[bytes] = []
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    line = out[0].decode(errors="replace").strip() if out else ""
    if not line.startswith("LISTENING "):
        raise RuntimeError(f"target did not start (first line {line!r})")
    return line.split(" ", 1)[1]


def _start(run: Run, binary: Path, seconds: float, log_dir: Path) -> None:
    name = run.scenario.name
    env = dict(os.environ)
    env.pop("GODEBUG", None)
    target_log = open(log_dir / f"{name}.target.log", "wb")  # closed in record()
    record_log = open(log_dir / f"{name}.record.log", "wb")
    run.logs += [target_log, record_log]
    # Own sessions: a Ctrl-C reaches only this script, which then stops them in order.
    run.target = subprocess.Popen(
        [str(binary), *run.scenario.flags], stdout=subprocess.PIPE, stderr=target_log, env=env, start_new_session=True
    )
    run.addr = _read_listening(run.target)
    run.recorder = subprocess.Popen(
        [sys.executable, "-m", "tui", "record", run.addr, str(run.partial), "--duration", f"{seconds:g}"],
        cwd=ROOT,
        stdout=record_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes] | None, first: int) -> None:
    """Send `first` (SIGINT lets a recorder close cleanly), then SIGKILL if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(first)
        proc.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_WAIT_S)
    except ProcessLookupError:
        pass


def _finish(run: Run, seconds: float, data_dir: Path, version: str) -> None:
    assert run.recorder is not None and run.target is not None
    rc = run.recorder.returncode
    target_alive = run.target.poll() is None
    _stop(run.target, signal.SIGKILL)
    if rc != 0 or not target_alive:
        run.outcome = f"FAILED (recorder exit {rc}, target {'alive' if target_alive else 'died'})"
        return
    final = data_dir / run.scenario.name
    shutil.rmtree(final, ignore_errors=True)
    run.partial.rename(final)
    manifest_path(run.scenario.name, data_dir).write_text(
        json.dumps(
            {
                "flags": list(run.scenario.flags),
                "seconds": seconds,
                "go": version,
                "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            indent=2,
        )
        + "\n"
    )
    run.outcome = f"ok -> {final.relative_to(ROOT) if final.is_relative_to(ROOT) else final}"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def record(scenarios: list[Scenario], seconds: float, data_dir: Path = DATA_DIR) -> bool:
    """Record every scenario concurrently; True when all of them were recorded."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_dir = data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    version = go_version()
    # SIGTERM, and SIGINT even where it was inherited as ignored (a background job), stop everything
    old_handlers = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    runs = [Run(s, data_dir / f"{s.name}.partial") for s in scenarios]
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="pprof-tui-diagnosis-") as tmp:
            binary = build_target(Path(tmp))
            for run in runs:
                shutil.rmtree(run.partial, ignore_errors=True)
                _start(run, binary, seconds, log_dir)
                print(f"  {run.scenario.name:16} {run.addr:22} {' '.join(run.scenario.flags)}", file=sys.stderr)
            print(
                f"recording {len(runs)} scenarios for {seconds:g} s each into {data_dir} (logs: {log_dir})",
                file=sys.stderr,
            )
            deadline = started + seconds + GRACE_S
            next_note = started + 60
            pending = list(runs)
            while pending and time.monotonic() < deadline:
                time.sleep(1.0)
                for run in list(pending):
                    assert run.recorder is not None
                    if run.recorder.poll() is not None:
                        pending.remove(run)
                        _finish(run, seconds, data_dir, version)
                        print(f"  {run.scenario.name}: {run.outcome}", file=sys.stderr)
                if pending and time.monotonic() >= next_note:
                    next_note += 60
                    print(f"  ... {time.monotonic() - started:.0f} s of {seconds:g}", file=sys.stderr)
            for run in pending:
                run.outcome = f"FAILED (recorder still running {GRACE_S:g} s past --duration)"
                print(f"  {run.scenario.name}: {run.outcome}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted: stopping every target and recorder", file=sys.stderr)
        raise
    finally:
        for run in runs:
            _stop(run.recorder, signal.SIGINT)
        for run in runs:
            _stop(run.target, signal.SIGKILL)
        for run in runs:
            for log in run.logs:
                log.close()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    print(f"recording took {time.monotonic() - started:.0f} s", file=sys.stderr)
    return all(run.outcome.startswith("ok") for run in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"default: all ({', '.join(BY_NAME)})")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="recording length (default 660)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where recordings go (default %(default)s)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.scenarios if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}: one of {', '.join(BY_NAME)}")
    if not args.seconds > 0:
        parser.error("--seconds must be > 0")
    chosen = [BY_NAME[n] for n in args.scenarios] or list(SCENARIOS)
    try:
        return 0 if record(chosen, args.seconds, args.data_dir) else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
