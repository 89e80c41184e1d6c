"""Enforce the floor order of docs/INTERNALS.md ("The floors"), two ways:

1. statically: walk the AST of every module (lazy imports inside functions included) and check
   that each floor imports only from itself and the floors below it. A strict order makes a
   circle between two packages impossible: one of its two edges points up;
2. dynamically: import the pure floors in a subprocess where textual/httpx/rich cannot be
   imported at all.

Every top-level module or package of `tui/` must have a floor: a new one fails the test
until it is placed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "tui"

# Bottom first. Each name is a package (tui/NAME/) or a module (tui/NAME.py) of tui.
FLOORS = (
    "core",  # errors, limits, text cleaning, bounded gunzip, byte formatting: stdlib only (+ re2 for user regexes)
    "wire",  # profile.proto gencode
    "heap",  # decode -> Profile tables; sums, top, peek, diff, units
    "goroutines",  # dump parsers, grouping, match keys
    "metrics",  # /metrics pages: families, prometheus-client parse, quantiles, rates, what to watch
    "model",  # Snapshot, history, MemStats, index page, content detection, endpoint parsers
    "leaks",  # trends, verdicts, baseline, reconciliation, tracker, feed
    "fleet",  # several replicas side by side: outliers by robust statistics
    "config",  # Config: target, cadence, budgets, limits, auth
    "fetch",  # httpx: one client per target
    "recording",  # the recording format, writer, tap, replay client, exports
    "service",  # the poller
    "sources",  # what feeds the app: protocol, live, replay, offline, command-line inputs
    "evidence",  # incident bundles: captured when a verdict fails (trigger, kept bodies, writer, listing)
    "sessions",  # background sessions: state dir, the session process, attaching to a recording being written
    "widgets",  # textual widgets that render parts of a Snapshot
    "screens",  # screens and their presenters
    "app",  # wiring: source -> messages -> screens
    "commands",  # one module per subcommand
    "cli",  # argument parsing
    "__main__",
)
# The package root (`tui/__init__.py`: the version string only) may be imported from anywhere.
ROOT_PACKAGE = "tui"
# Third-party imports allowed only from a floor on: nothing below fetch imports httpx,
# nothing below widgets imports textual or rich.
THIRD_PARTY_FROM = {"httpx": "fetch", "textual": "widgets", "rich": "widgets"}
PURE_FLOORS = ["tui." + f for f in FLOORS[: FLOORS.index("config") + 1]]


def _floor_of(path: Path, pkg: Path) -> str:
    return path.relative_to(pkg).parts[0].removesuffix(".py")


def _imports(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = list(path.relative_to(root).with_suffix("").parts[: -node.level])
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == ROOT_PACKAGE:  # `from tui import x`: x is the floor
                found += [(node.lineno, f"{ROOT_PACKAGE}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, name))
    return found


def violations(root: Path = ROOT, floors: tuple[str, ...] = FLOORS) -> list[str]:
    pkg = root / ROOT_PACKAGE
    rank = {name: i for i, name in enumerate(floors)}
    bad = []
    for path in sorted(pkg.rglob("*.py")):
        if path.parent == pkg and path.name == "__init__.py":
            continue
        where = f"{path.relative_to(root)}"
        floor = _floor_of(path, pkg)
        if floor not in rank:
            bad.append(f"{where}: tui.{floor} has no floor in FLOORS")
            continue
        for lineno, name in _imports(path, root):
            parts = name.split(".")
            if parts[0] == ROOT_PACKAGE and len(parts) > 1:
                target = parts[1]
                if target == "__version__":
                    continue
                if target not in rank:
                    bad.append(f"{where}:{lineno} imports {name}: no such floor")
                elif rank[target] > rank[floor]:
                    bad.append(f"{where}:{lineno} ({floor}) imports {name} ({target} is above it)")
            elif parts[0] in THIRD_PARTY_FROM and rank[floor] < rank[THIRD_PARTY_FROM[parts[0]]]:
                bad.append(f"{where}:{lineno} ({floor}) imports {name} (allowed from {THIRD_PARTY_FROM[parts[0]]} on)")
    return bad


def test_every_floor_imports_only_itself_and_below():
    assert violations() == []


def test_every_package_of_tui_has_a_floor():
    present = {p.name.removesuffix(".py") for p in PKG.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert present - {"__init__"} <= set(FLOORS), present - set(FLOORS)


def test_the_check_fails_on_an_upward_import_a_circle_and_an_unplaced_package(tmp_path):
    pkg = tmp_path / "tui"
    for name in ("heap", "goroutines", "fetch", "mystery"):
        (pkg / name).mkdir(parents=True)
    (pkg / "__init__.py").write_text('__version__ = "0"\n')
    # heap <-> goroutines: a circle between two packages; heap's edge points up.
    (pkg / "heap" / "a.py").write_text("from tui.goroutines.b import x\nimport tui.core.errors\n")
    (pkg / "goroutines" / "b.py").write_text("from tui.heap import a\nfrom tui import __version__\n")
    # lazy and relative imports count too; httpx is fine in fetch, not in heap
    (pkg / "heap" / "c.py").write_text("def f():\n    from ..screens import x\n    import httpx\n")
    (pkg / "fetch" / "d.py").write_text("import httpx\nfrom tui import leaks\n")
    (pkg / "mystery" / "e.py").write_text("")
    found = violations(tmp_path)
    assert any("heap/a.py:1" in v and "goroutines is above" in v for v in found), found
    assert any("heap/c.py:2" in v and "screens is above" in v for v in found), found
    assert any("heap/c.py:3" in v and "httpx" in v for v in found), found
    assert any("mystery" in v and "no floor" in v for v in found), found
    # goroutines -> heap points down, version import and fetch -> leaks are allowed
    assert not any("goroutines/b.py" in v or "fetch/d.py" in v for v in found), found
    assert len(found) == 4, found


BLOCKER = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'textual', 'httpx', 'rich'}:
            raise ImportError('blocked by layering test: ' + name)
        return None
sys.meta_path.insert(0, Block())
for top in %r:
    mod = importlib.import_module(top)
    if hasattr(mod, '__path__'):
        for info in pkgutil.walk_packages(mod.__path__, top + '.'):
            importlib.import_module(info.name)
print('ok')
"""


def test_pure_floors_import_without_textual_httpx_rich():
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER % (PURE_FLOORS,)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
