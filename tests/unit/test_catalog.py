"""tui/model/catalog.py: one record per endpoint, read by everything that spells one."""

from __future__ import annotations

import ast
from pathlib import Path

from tui.config import Config
from tui.fetch import validate
from tui.model import catalog
from tui.model.detect import KINDS
from tui.model.parsers import Parsers
from tui.recording.export import FILE_NAMES, file_name
from tui.service import request
from tui.service.endpoints import EXPENSIVE, make_endpoints

TUI = Path(__file__).resolve().parents[2] / "tui"


def test_every_record_is_consistent():
    parser_fields = set(Parsers.__dataclass_fields__)
    for spec in catalog.ALL:
        assert spec.key == catalog.endpoint_key(spec.path, spec.query)
        assert spec.content in (*KINDS, validate.CMDLINE, validate.METRICS, validate.ANY), spec
        assert isinstance(spec.every, int) or spec.every == "" or hasattr(Config(), spec.every), spec
        assert spec.parser == "" or spec.parser in parser_fields, spec
        assert catalog.spec_for(spec.key) is spec
    assert len(catalog.BY_KEY) == len(catalog.ALL)  # keys are unique
    assert catalog.spec_for("profile?seconds=7") is catalog.CPU and catalog.cpu_key(7) == "profile?seconds=7"
    assert catalog.spec_for("threadcreate") is None


def test_the_poller_reads_its_table_from_the_catalog():
    config = Config(cpu_window=7.0, heap_every=3, debug2_timeout=42.0)
    eps = make_endpoints(config, rand=lambda: 0.5)
    assert list(eps) == [spec.key for spec in catalog.POLLED]
    assert eps[catalog.INDEX.key].every == 1  # every tick: the goroutine count, and what the others wait for
    heap = eps[catalog.HEAP.key]
    assert (heap.path, heap.params, heap.expect, heap.every, heap.gunzip) == ("heap", None, "profile", 3, True)
    assert eps[catalog.GOROUTINE_DEBUG2.key].params == {"debug": "2"}
    assert eps[catalog.GOROUTINE_DEBUG2.key].deadline == 42.0 and eps[catalog.GOROUTINE_DEBUG2.key].every == 0
    cpu = eps[catalog.CPU.key]
    assert cpu.params == {"seconds": "7"} and cpu.deadline == 7.0 + config.request_timeout
    assert set(EXPENSIVE) == {catalog.GOROUTINE_DEBUG2.key, catalog.GOROUTINELEAK_DEBUG1.key}
    assert catalog.GOROUTINE_DEBUG2.key in request.IN_WORKER and catalog.HEAP.key not in request.IN_WORKER


def test_exports_name_files_from_the_catalog():
    assert FILE_NAMES[catalog.GOROUTINE_DEBUG2.key] == "goroutine_debug2.txt"
    assert file_name(catalog.CMDLINE.key) is None  # may carry the target's own secrets
    assert file_name("profile?seconds=10") == "profile_seconds_10.bin"


def _string_constants(tree: ast.AST) -> list[ast.Constant]:
    """The str constants of a module that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_an_endpoint_with_a_query_is_spelled_in_the_catalog_only():
    """The goal of issue #26: a new endpoint is one record, so no other module of tui/ spells one as a
    string (comments and docstrings aside)."""
    keys = {spec.key for spec in catalog.ALL if "?" in spec.key}
    found = []
    for path in sorted(TUI.rglob("*.py")):
        if path.name == "catalog.py" or path.parent.name == "wire":
            continue
        for node in _string_constants(ast.parse(path.read_text())):
            if node.value in keys:
                found.append(f"{path.relative_to(TUI)}:{node.lineno}: {node.value}")
    assert found == []
