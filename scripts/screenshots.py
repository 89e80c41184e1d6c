#!/usr/bin/env python3
"""Regenerate screenshots/*.svg from real captures: the bundled demo recording of our Go test
target leaking heap and goroutines, replayed (as fast as possible) to a fixed point, then paused;
and a real service with long module paths (Prometheus under load, tests/fixtures/real/prometheus-load)
played to its end.

    python3 scripts/screenshots.py [--at SECONDS] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tui.canned import CannedSource  # noqa: E402
from tui.app import build_app  # noqa: E402
from tui.commands.demo import demo_source  # noqa: E402
from tui.sources.feeds import ReplaySource  # noqa: E402
from tui.widgets.goroutine_tree import GoroutineTree  # noqa: E402

PROMETHEUS = ROOT / "tests" / "fixtures" / "real" / "prometheus-load"

# (file name, terminal size, keys pressed after the replay reached the point, recording: None = the demo)
SHOTS: list[tuple[str, tuple[int, int], list[str], Path | None]] = [
    ("dashboard-80x24", (80, 24), [], None),
    ("dashboard-160x48", (160, 48), [], None),
    ("goroutine-tree-80x24", (80, 24), ["tab", "enter"], None),
    ("goroutine-drill-80x24", (80, 24), ["tab", "enter", "j", "enter"], None),
    ("heap-drill-80x24", (80, 24), ["enter"], None),
    ("heap-alloc-space-160x48", (160, 48), ["3"], None),
    ("heap-alloc-per-second-80x24", (80, 24), ["5"], None),
    ("help-80x24", (80, 24), ["question_mark"], None),
    ("leak-report-80x24", (80, 24), ["L"], None),
    ("leak-report-160x48", (160, 48), ["L"], None),
    ("heap-diff-80x24", (80, 24), ["d"], None),
    ("goroutines-by-label-80x24", (80, 24), ["tab", "g", "enter"], None),
    ("goroutines-by-creator-80x24", (80, 24), ["tab", "g", "g", "enter"], None),
    ("goroutines-by-similar-stack-80x24", (80, 24), ["tab", "g", "g", "g", "enter"], None),
    ("prometheus-200x60", (200, 60), [], PROMETHEUS),
    ("prometheus-80x24", (80, 24), [], PROMETHEUS),
    ("prometheus-tree-120x40", (120, 40), ["tab", "enter"], PROMETHEUS),
]


async def shoot(
    name: str, size: tuple[int, int], keys: list[str], at: float, out: Path, recording: Path | None
) -> None:
    source = (
        demo_source(speed=float("inf"), loop=False)
        if recording is None
        else ReplaySource(recording, speed=float("inf"))
    )
    app = build_app(source)
    async with app.run_test(size=size) as pilot:
        while (recording is not None or source.position < at) and not source.finished:
            await pilot.pause(0.05)
        await pilot.press("p")  # freeze the replay where it is
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        tree = app.screen.query_one(GoroutineTree)
        if keys and keys[0] == "tab":  # start the tree walk at the leaking group
            await pilot.press("tab")
            keys = keys[1:]
            leaked = next((i for i, n in enumerate(tree.root.children) if n.data.group.leaked), 0)
            for _ in range(leaked):
                await pilot.press("j")
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"wrote {out / (name + '.svg')}")


async def shoot_cpu(name: str, capture: str, out: Path) -> None:
    """The CPU view (`C`) over a real CPU capture (tests/fixtures/profiles/CAPTURE/cpu.pb.gz): the
    newest window, and the since-start column summing it twice (as the Pilot tests do)."""
    from tests.tui.test_cpu_view import CpuSource, cpu_state, with_cpu

    app = build_app(CpuSource(with_cpu(cpu_state(capture))))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("C")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"wrote {out / (name + '.svg')}")


CPU_SHOTS = [("cpu-top-80x24", "go1.27"), ("cpu-top-prometheus-80x24", "prometheus-load")]


async def shoot_contention(name: str, capture: str, keys: list[str], out: Path) -> None:
    """The contention view (`m`) over real captures (tests/fixtures/profiles/CAPTURE: the cumulative
    mutex/block profiles, the window being their 5 s delta), as the Pilot tests build it."""
    from tests.tui.test_contention_view import snapshot_with

    app = build_app(CannedSource(snapshot_with(capture)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.press("m", *keys)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"wrote {out / (name + '.svg')}")


# (file name, capture, keys on the contention view)
CONTENTION_SHOTS = [
    ("contention-mutex-80x24", "go1.27", []),
    ("contention-block-80x24", "go1.27", ["b"]),
    ("contention-not-set-prometheus-80x24", "prometheus-load", []),
]


async def shoot_flame(name: str, size: tuple[int, int], keys: list[str], at: float, out: Path) -> None:
    """The flame view (`f` on the heap table) of the demo at ``at`` s, paused; ``keys`` pressed once
    the graph is built (``d``: against the baseline pinned at start), then down the heaviest path."""
    from tui.screens.flame_screen import FlameScreen

    source = demo_source(speed=float("inf"), loop=False)
    app = build_app(source)
    async with app.run_test(size=size) as pilot:
        while source.position < at and not source.finished:
            await pilot.pause(0.05)
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FlameScreen)
        for key in [*keys, "j", "j", "j", "j"]:
            await app.workers.wait_for_complete()
            while screen.graph is None or (key == "j" and screen.spec.diff and screen.graph.base_values is None):
                await pilot.pause(0.1)
            await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"wrote {out / (name + '.svg')}")


# (file name, size, keys on the flame view before walking down the heaviest path)
FLAME_SHOTS = [
    ("flame-80x24", (80, 24), []),
    ("flame-200x60", (200, 60), []),
    ("flame-diff-80x24", (80, 24), ["d"]),
]


async def shoot_evidence(name: str, at: float, out: Path) -> None:
    """`E` after the demo's two leaks fired: the incident bundles the replay wrote (into a temporary
    state directory; the Evidence is the one a foreground watch uses)."""
    import shutil
    import tempfile

    from tui.evidence.capture import Evidence

    state = Path(tempfile.gettempdir()) / "pprof-tui-screenshots"
    shutil.rmtree(state, ignore_errors=True)
    source = demo_source(speed=float("inf"), loop=False)
    evidence = Evidence(state / "evidence" / "demo-target_6060", source.bodies, target="demo-target:6060")
    app = build_app(source, evidence=evidence)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            while source.position < at and not source.finished:
                await pilot.pause(0.05)
            await pilot.press("p")
            await app.workers.wait_for_complete()
            await asyncio.to_thread(evidence.wait_idle, 60)
            await pilot.press("E")
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
    finally:
        shutil.rmtree(state, ignore_errors=True)
    print(f"wrote {out / (name + '.svg')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--at", type=float, default=180.0, help="replay position in seconds (default 180)")
    ap.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, size, keys, recording in SHOTS:
        asyncio.run(shoot(name, size, keys, args.at, args.out, recording))
    for name, capture in CPU_SHOTS:
        asyncio.run(shoot_cpu(name, capture, args.out))
    for name, capture, keys in CONTENTION_SHOTS:
        asyncio.run(shoot_contention(name, capture, keys, args.out))
    asyncio.run(shoot_evidence("evidence-80x24", args.at, args.out))
    for name, size, keys in FLAME_SHOTS:
        asyncio.run(shoot_flame(name, size, keys, args.at, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
