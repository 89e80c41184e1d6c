#!/usr/bin/env python3
"""Record the diagnosis benchmark's scenarios: one Go program per scenario, each watched by
`pprof-tui record` at default settings, several at once.

Usage (from anywhere):
  python3 tests/benchmarks/record_diagnosis.py [--seconds 660] [--seeds N] [--go PATH ...] [--go-versions]
                                               [--jobs J] [--force] [SCENARIO ...]

Every scenario (tests/benchmarks/diagnosis_scenarios.py) is recorded once per Go toolchain
(`--go PATH`, repeatable; `--go-versions`: every toolchain of GO_TOOLCHAINS found here; default:
`go` on PATH) and per seed (`--seeds N`: seeds 1..N; tests/target ignores the seed, its repeats
differ in timing only). Writes tests/benchmarks/data/diagnosis/<go1.X>/seed<N>/<scenario>/
(gitignored) and <scenario>.json beside it (argv, duration, Go version, when). A recording is
written to <scenario>.partial and renamed only when the recorder finished and the program was
still alive, so a missing or stale one is easy to tell. Recordings already there (same argv, long
enough) are skipped unless --force. At most --jobs run at once (a queue: the next one starts when
one finishes), so a 2-core machine is not starved: the log says how many polls each got.
Bounded: every program and recorder is stopped at the end, on Ctrl-C and on SIGTERM too
(recorders get SIGINT first, so they close their segment cleanly).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

from tests.benchmarks.diagnosis_scenarios import BY_NAME, SCENARIOS, SERVICES, TARGET, Scenario  # noqa: E402

PROGRAM_DIRS = {TARGET: ROOT / "tests" / "target", SERVICES: ROOT / "tests" / "benchmarks" / "go" / "services"}
DATA_DIR = ROOT / "tests" / "benchmarks" / "data" / "diagnosis"
# --go-versions: the toolchains a recording run covers when they are installed (`go` on PATH
# is this project's 1.27; Debian 12's golang-go is 1.19, the oldest we support)
GO_TOOLCHAINS = ("go", "/usr/lib/go-1.19/bin/go")
DEFAULT_SECONDS = 660.0
DEFAULT_JOBS = 12
START_TIMEOUT_S = 20.0
GRACE_S = 90.0  # past --duration, a recorder still running is stopped
STOP_WAIT_S = 15.0


def go_env() -> dict[str, str]:
    return dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")


@dataclass(frozen=True, slots=True)
class Toolchain:
    go: str  # the go command
    version: str  # go1.27.3
    label: str  # go1.27: the recordings' directory

    @staticmethod
    def of(go: str) -> Toolchain:
        done = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, env=go_env(), check=True)
        version = done.stdout.strip()
        return Toolchain(go, version, ".".join(version.split(".")[:2]))


def installed_toolchains() -> list[str]:
    return [go for go in GO_TOOLCHAINS if shutil.which(go)]


def build(program: str, toolchain: Toolchain, out_dir: Path) -> Path:
    binary = out_dir / f"{program}-{toolchain.label}"
    cmd = [toolchain.go, "build", "-o", str(binary), "."]
    subprocess.run(cmd, cwd=PROGRAM_DIRS[program], env=go_env(), check=True)
    return binary


def recording_dir(data_dir: Path, go_label: str, seed: int) -> Path:
    """Where one toolchain's recordings of one seed go."""
    return data_dir / go_label / f"seed{seed}"


def manifest_path(name: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{name}.json"


def recorded(scenario: Scenario, seconds: float, data_dir: Path = DATA_DIR, seed: int = 1) -> bool:
    """A finished recording of this scenario in data_dir, with today's argv, at least `seconds` long."""
    try:
        meta = json.loads(manifest_path(scenario.name, data_dir).read_text())
    except (OSError, ValueError):
        return False
    return (
        (data_dir / scenario.name).is_dir()
        and meta.get("argv", meta.get("flags")) == scenario.argv(seed)
        and float(meta.get("seconds", 0)) >= seconds
    )


@dataclass
class Run:
    scenario: Scenario
    toolchain: Toolchain
    seed: int
    out_dir: Path
    target: subprocess.Popen[bytes] | None = None
    recorder: subprocess.Popen[bytes] | None = None
    addr: str = ""
    logs: list[IO[bytes]] = field(default_factory=list)
    outcome: str = ""
    started: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.toolchain.label}/seed{self.seed}/{self.scenario.name}"

    @property
    def partial(self) -> Path:
        return self.out_dir / f"{self.scenario.name}.partial"


def _read_listening(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stdout is not None
    out: list[bytes] = []
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    line = out[0].decode(errors="replace").strip() if out else ""
    if not line.startswith("LISTENING "):
        raise RuntimeError(f"program did not start (first line {line!r})")
    return line.split(" ", 1)[1]


def _start(run: Run, binary: Path, seconds: float) -> None:
    name = run.scenario.name
    log_dir = run.out_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(run.partial, ignore_errors=True)
    env = dict(os.environ)
    env.pop("GODEBUG", None)
    target_log = open(log_dir / f"{name}.target.log", "wb")  # closed in record()
    record_log = open(log_dir / f"{name}.record.log", "wb")
    run.logs += [target_log, record_log]
    run.started = time.monotonic()
    # Own sessions: a Ctrl-C reaches only this script, which then stops them in order.
    run.target = subprocess.Popen(
        [str(binary), *run.scenario.argv(run.seed)],
        stdout=subprocess.PIPE,
        stderr=target_log,
        env=env,
        start_new_session=True,
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


def polls_in(record_log: Path) -> int | None:
    """How many polls the recorder says it made ("N polls" in its log), None when it does not say."""
    try:
        found = re.findall(r"(\d+) polls", record_log.read_text(errors="replace"))
    except OSError:
        return None
    return int(found[-1]) if found else None


def _finish(run: Run, seconds: float, late: bool = False) -> None:
    """Keep a finished recording. `late`: its recorder overran and was stopped by SIGINT, which
    closes the segment cleanly: kept when it then exited cleanly and said how many polls it made."""
    assert run.recorder is not None and run.target is not None
    rc = run.recorder.returncode
    target_alive = run.target.poll() is None
    _stop(run.target, signal.SIGKILL)
    log = run.out_dir / "logs" / f"{run.scenario.name}.record.log"
    if late and rc in (0, 130, -signal.SIGINT) and polls_in(log) is not None:
        rc = 0
    if rc != 0 or not target_alive:
        run.outcome = f"FAILED (recorder exit {rc}, program {'alive' if target_alive else 'died'})"
        return
    final = run.out_dir / run.scenario.name
    shutil.rmtree(final, ignore_errors=True)
    run.partial.rename(final)
    manifest_path(run.scenario.name, run.out_dir).write_text(
        json.dumps(
            {
                "program": run.scenario.program,
                "argv": run.scenario.argv(run.seed),
                "flags": list(run.scenario.flags),
                "seed": run.seed,
                "seconds": seconds,
                "go": run.toolchain.version,
                "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "took_s": round(time.monotonic() - run.started, 1),
                **({"note": f"recorder overran --duration by > {GRACE_S:g} s; stopped by SIGINT"} if late else {}),
            },
            indent=2,
        )
        + "\n"
    )
    polls = polls_in(log)
    run.outcome = f"ok ({polls if polls is not None else '?'} polls{', stopped late' if late else ''}) -> {final}"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def plan(
    scenarios: list[Scenario],
    toolchains: list[Toolchain],
    seeds: list[int],
    seconds: float,
    data_dir: Path,
    force: bool,
) -> list[Run]:
    """Every (toolchain, seed, scenario) not recorded yet: seed by seed, so seed 1 of everything comes first."""
    runs = []
    for seed in seeds:
        for toolchain in toolchains:
            out_dir = recording_dir(data_dir, toolchain.label, seed)
            for s in scenarios:
                if force or not recorded(s, seconds, out_dir, seed):
                    runs.append(Run(s, toolchain, seed, out_dir))
    return runs


def record(
    scenarios: list[Scenario],
    seconds: float,
    data_dir: Path = DATA_DIR,
    *,
    gos: list[str] | None = None,
    seeds: list[int] | None = None,
    jobs: int = DEFAULT_JOBS,
    force: bool = False,
) -> bool:
    """Record every scenario for every toolchain and seed, `jobs` at a time; True when all were recorded."""
    toolchains = [Toolchain.of(go) for go in (gos or ["go"])]
    runs = plan(scenarios, toolchains, seeds or [1], seconds, data_dir, force)
    if not runs:
        print("every recording is there already (--force records them again)", file=sys.stderr)
        return True
    # SIGTERM, and SIGINT even where it was inherited as ignored (a background job), stop everything
    old_handlers = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    active: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="pprof-tui-diagnosis-") as tmp:
            binaries = {
                (program, t.label): build(program, t, Path(tmp))
                for t in toolchains
                for program in sorted({r.scenario.program for r in runs})
            }
            print(
                f"recording {len(runs)} runs of {seconds:g} s, {jobs} at a time, into {data_dir}"
                f" ({', '.join(f'{t.label}={t.go}' for t in toolchains)})",
                file=sys.stderr,
            )
            queue = list(runs)
            next_note = started + 60
            while queue or active:
                while queue and len(active) < jobs:
                    run = queue.pop(0)
                    try:
                        _start(run, binaries[(run.scenario.program, run.toolchain.label)], seconds)
                    except (RuntimeError, OSError) as exc:
                        run.outcome = f"FAILED to start: {exc}"
                        print(f"  {run.name}: {run.outcome}", file=sys.stderr)
                        _stop(run.target, signal.SIGKILL)
                        continue
                    active.append(run)
                    print(
                        f"  start {run.name:40} {run.addr:22} {' '.join(run.scenario.argv(run.seed))}", file=sys.stderr
                    )
                time.sleep(1.0)
                now = time.monotonic()
                for run in list(active):
                    assert run.recorder is not None
                    late = now > run.started + seconds + GRACE_S
                    if run.recorder.poll() is None and not late:
                        continue
                    active.remove(run)
                    if run.recorder.poll() is None:
                        _stop(run.recorder, signal.SIGINT)
                        _finish(run, seconds, late=True)
                        if not run.outcome.startswith("ok"):
                            run.outcome = f"FAILED (recorder still running {GRACE_S:g} s past --duration)"
                    else:
                        _finish(run, seconds)
                    print(f"  {run.name}: {run.outcome}", file=sys.stderr)
                if now >= next_note:
                    next_note += 60
                    done = len(runs) - len(queue) - len(active)
                    print(
                        f"  ... {now - started:.0f} s: {done} done, {len(active)} recording, {len(queue)} queued",
                        file=sys.stderr,
                    )
    except KeyboardInterrupt:
        print("interrupted: stopping every program and recorder", file=sys.stderr)
        raise
    finally:
        for run in active:
            _stop(run.recorder, signal.SIGINT)
        for run in runs:
            _stop(run.target, signal.SIGKILL)
        for run in runs:
            for log in run.logs:
                log.close()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    print(f"recording took {time.monotonic() - started:.0f} s", file=sys.stderr)
    for run in runs:
        if not run.outcome.startswith("ok"):
            print(f"  {run.name}: {run.outcome or 'not run'}", file=sys.stderr)
    return all(run.outcome.startswith("ok") for run in runs)


def add_matrix_args(parser: argparse.ArgumentParser) -> None:
    """--go, --go-versions, --seeds: the toolchains and seeds (shared with bench_diagnosis.py)."""
    parser.add_argument(
        "--go", action="append", default=[], metavar="PATH", help="a go command to build with (repeatable)"
    )
    parser.add_argument(
        "--go-versions",
        action="store_true",
        help=f"every toolchain of {', '.join(GO_TOOLCHAINS)} installed here (Go 1.27 and 1.19)",
    )
    parser.add_argument("--seeds", type=int, default=1, help="repeat each scenario with seeds 1..N (default 1)")
    parser.add_argument("--first-seed", type=int, default=1, help="start at this seed instead (default 1)")


def chosen_seeds(args: argparse.Namespace) -> list[int]:
    return list(range(args.first_seed, args.seeds + 1))


def chosen_gos(args: argparse.Namespace) -> list[str]:
    gos = list(args.go)
    if args.go_versions:
        gos += [go for go in installed_toolchains() if go not in gos]
    return gos or ["go"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"default: all ({', '.join(BY_NAME)})")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="recording length (default 660)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where recordings go (default %(default)s)")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help=f"recordings at once (default {DEFAULT_JOBS})")
    parser.add_argument("--force", action="store_true", help="record again what is recorded already")
    add_matrix_args(parser)
    args = parser.parse_args(argv)
    unknown = [n for n in args.scenarios if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}: one of {', '.join(BY_NAME)}")
    if not args.seconds > 0:
        parser.error("--seconds must be > 0")
    if args.jobs < 1 or not chosen_seeds(args) or args.first_seed < 1:
        parser.error("--jobs must be >= 1, and 1 <= --first-seed <= --seeds")
    chosen = [BY_NAME[n] for n in args.scenarios] or list(SCENARIOS)
    try:
        ok = record(
            chosen,
            args.seconds,
            args.data_dir,
            gos=chosen_gos(args),
            seeds=chosen_seeds(args),
            jobs=args.jobs,
            force=args.force,
        )
        return 0 if ok else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
