"""The pivots on real captures of a spawn tree and labelled request paths (tests/fixtures/pivots/,
tests/target/spawn.go) from Go 1.19, 1.26 and 1.27. Asserts what does not depend on timing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.oracles.reference import group_goroutines, parse_debug2
from tests.unit.test_goroutines_command import run
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.grouping import ReasonGroup, group_stack_counts
from tui.goroutines.pivots import NO_CREATOR_ID, NO_LABEL, Pivot, filter_labels, label_keys, pivot_groups
from tui.goroutines.proto import decode_goroutine_profile

PIVOTS = Path(__file__).resolve().parents[1] / "fixtures" / "pivots"
VERSIONS = ["go1.19", "go1.26", "go1.27"]
CREATOR_IDS = {"go1.19": False, "go1.26": True, "go1.27": True}  # "in goroutine N": Go 1.21+
DEBUG2_LABELS = {"go1.19": False, "go1.26": True, "go1.27": True}


def path(version: str, name: str) -> Path:
    return PIVOTS / version / name


def tree(version: str, name: str = "goroutine_debug2.txt") -> tuple[ReasonGroup, ...]:
    if name.endswith(".pb.gz"):
        return group_stack_counts(decode_goroutine_profile(path(version, name).read_bytes()))
    if "debug1" in name:
        return group_stack_counts(parse_debug1(path(version, name).read_text()))
    return group_debug2_text(path(version, name).read_text()).groups


def counts(groups: tuple[ReasonGroup, ...]) -> dict[str, int]:
    return {g.key: g.count for g in groups}


def chains(group: ReasonGroup) -> dict[str, int]:
    return {b.label: b.count for b in group.buckets}


@pytest.mark.parametrize("version", VERSIONS)
def test_fast_and_full_paths_agree(version: str) -> None:
    text = path(version, "goroutine_debug2.txt").read_text()
    assert group_debug2_text(text).groups == group_goroutines(parse_debug2(text))


@pytest.mark.parametrize("version", VERSIONS)
def test_spawn_tree(version: str) -> None:
    by_creator = {g.key: g for g in pivot_groups(tree(version), Pivot("creator"))}
    workers, helpers = by_creator["creator:main.spawner"], by_creator["creator:main.spawnWorker"]
    assert (workers.count, helpers.count) == (3, 6)
    assert by_creator["creator:main.startSpawnTree"].count == 1
    if CREATOR_IDS[version]:
        # each helper's creator (a worker) was created by the spawner, created by startSpawnTree in main
        assert chains(helpers) == {"← main.spawner ← main.startSpawnTree": 6}
        assert chains(workers) == {"← main.startSpawnTree": 3}
        upstream = by_creator["creator:main.handleRequest.func1"]
        assert chains(upstream) == {"← main.acceptLoop.func1 ← main.startTenants": upstream.count}
    else:
        assert (chains(helpers), chains(workers)) == ({NO_CREATOR_ID: 6}, {NO_CREATOR_ID: 3})


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["goroutine_debug2.txt", "goroutine_debug1.txt", "goroutine.pb.gz"])
def test_tenants_by_label(version: str, name: str) -> None:
    groups = tree(version, name)
    by_tenant = counts(pivot_groups(groups, Pivot("label", label_key="tenant")))
    if name == "goroutine_debug2.txt" and not DEBUG2_LABELS[version]:
        assert label_keys(groups) == () and list(by_tenant) == [f"label:{NO_LABEL}"]
        return
    assert {"tenant", "path", "worker", "req"} <= set(label_keys(groups))
    acme = by_tenant["label:tenant=acme"]
    # every acme request holds two goroutines (the handler, its upstream call: labels inherited), and
    # they pile up: 2 a second, half of them acme, never ending
    assert acme % 2 == 0 and acme >= 100
    assert acme > by_tenant.get("label:tenant=beta", 0)
    # the same goroutines by path; only acme's requests go to /api/orders
    by_path = counts(pivot_groups(groups, Pivot("label", label_key="path")))
    assert by_path["label:path=/api/orders"] == acme
    kept = filter_labels(groups, [("tenant", "acme"), ("path", "/api/orders")])
    assert sum(g.count for g in kept) == acme
    funcs = {f.func for g in kept for b in g.buckets for s in b.stacks for f in s.frames}
    assert "main.callUpstream" in funcs and "main.spawnHelper" not in funcs


def test_go127_leaked_requests_in_every_pivot() -> None:
    """Go 1.27's goroutineleak proves acme's requests leaked (a local channel): the marks follow."""
    groups = tree("go1.27", "goroutineleak_debug2.txt")
    by_tenant = {g.key: g for g in pivot_groups(groups, Pivot("label", label_key="tenant"))}
    acme = by_tenant["label:tenant=acme"]
    assert acme.reason == "tenant=acme  (all leaked)"
    assert all(s.leaked for b in acme.buckets for s in b.stacks)
    assert not any(s.leaked for b in by_tenant["label:tenant=beta"].buckets for s in b.stacks)
    by_creator = {g.key: g for g in pivot_groups(groups, Pivot("creator"))}
    assert "leaked" in by_creator["creator:main.handleRequest.func1"].reason
    assert "leaked" not in by_creator["creator:main.spawnWorker"].reason  # held by a global: not leaked


@pytest.mark.parametrize("version", VERSIONS)
def test_command_on_the_captures(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    dump = str(path(version, "goroutine_debug2.txt"))
    _, out, _ = run([dump, "--group-by", "creator"], capsys)
    assert "\nmain.spawnWorker: 6" in out
    if CREATOR_IDS[version]:
        assert "\n  ← main.spawner ← main.startSpawnTree: 6" in out
    _, out, _ = run([str(path(version, "goroutine_debug1.txt")), "--group-by", "label:tenant", "--json"], capsys)
    doc = json.loads(out)
    keys = [g["key"] for g in doc["groups"]]
    assert doc["group_by"] == "label:tenant" and "label:tenant=acme" in keys
    _, out, _ = run([dump, "--label", "tenant=acme", "--group-by", "similar:top1"], capsys)
    tops = [line for line in out.splitlines()[2:] if line and not line.startswith(" ")]
    if DEBUG2_LABELS[version]:
        assert {t.split(":")[0].split("  ")[0] for t in tops} <= {"main.callUpstream", "main.handleRequest.func1"}
        assert len(tops) == 2
    else:
        assert tops == []  # Go 1.19 prints no labels in debug=2: nothing is labelled tenant=acme there
