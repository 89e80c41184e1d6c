"""Enforce the layer table in ../shared/ARCHITECTURE.md, two ways:

1. statically: walk the AST of every module and check what each layer imports;
2. dynamically: import the pure packages in a subprocess where textual/httpx/rich
   cannot be imported at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "tui"

UI_OR_NET = {"textual", "httpx", "rich"}
# layer -> third-party and tui sub-packages it must NOT import
FORBIDDEN = {
    "pprof": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "goroutines": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "model": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "config": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "errors": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "limits": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "textsafe": UI_OR_NET | {"tui.fetch", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "fetch": {"textual", "tui.service", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "service": {"textual", "tui.widgets", "tui.screens", "tui.app", "tui.cli", "tui.commands"},
    "widgets": {"httpx", "tui.fetch", "tui.service", "tui.app", "tui.cli", "tui.commands"},
    "screens": {"httpx", "tui.fetch", "tui.service", "tui.app", "tui.cli", "tui.commands"},
}
PURE_MODULES = ["tui.pprof", "tui.goroutines", "tui.model", "tui.config", "tui.errors", "tui.limits", "tui.textsafe"]


def _layer_of(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the module's package
                base = list(path.relative_to(ROOT).with_suffix("").parts[: -node.level])
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _violations() -> list[str]:
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        layer = _layer_of(path)
        forbidden = FORBIDDEN.get(layer)
        if not forbidden:
            continue
        for lineno, name in _imports(path):
            for f in forbidden:
                if name == f or name.startswith(f + "."):
                    bad.append(f"{path.relative_to(ROOT)}:{lineno} ({layer}) imports {name}")
    return bad


def test_layers_import_only_what_the_table_allows():
    assert _violations() == []


def test_static_check_catches_a_violation(tmp_path, monkeypatch):
    # The checker itself must be able to fail: plant a bad module in a copy of the layout.
    fake_pkg = tmp_path / "tui" / "model"
    fake_pkg.mkdir(parents=True)
    (fake_pkg / "bad.py").write_text("import httpx\nfrom textual.app import App\nfrom ..fetch import x\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PKG", tmp_path / "tui")
    found = _violations()
    assert len(found) == 3, found


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


def test_pure_packages_import_without_textual_httpx_rich():
    existing = [m for m in PURE_MODULES if (PKG / m.split(".")[1]).exists() or (PKG / (m.split(".")[1] + ".py")).exists()]
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER % (existing,)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
