"""`pprof-tui goroutines --group-by …` and `--label key=value`: text and JSON on real captures."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fixture_path
from tests.unit.test_goroutines_command import run

VERSIONS = ["go1.19", "go1.26", "go1.27"]
FILES = ["goroutine_debug2.txt", "goroutine_debug1.txt", "goroutine.pb.gz"]


def top_lines(out: str) -> list[str]:
    """The level-1 lines of a text report (after its head lines)."""
    return [line for line in out.splitlines()[2:] if line and not line.startswith(" ")]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("how", ["label:worker", "creator", "similar", "similar:exact", "similar:top2"])
def test_json_counts_add_up(version: str, name: str, how: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture_path(version, name))
    _, plain, _ = run([path, "--json"], capsys)
    code, out, err = run([path, "--group-by", how, "--json"], capsys)
    assert code == 0 and err == ""
    doc, base = json.loads(out), json.loads(plain)
    assert doc["group_by"] == ("similar:func" if how == "similar" else how) and base["group_by"] == "reason"
    assert sum(g["count"] for g in doc["groups"]) == sum(g["count"] for g in base["groups"]) > 0
    for group in doc["groups"]:
        assert group["count"] == sum(b["count"] for b in group["buckets"])
        for bucket in group["buckets"]:
            assert bucket["count"] == sum(s["count"] for s in bucket["stacks"])


@pytest.mark.parametrize(
    ("version", "name", "labelled"),
    [
        ("go1.19", "goroutine_debug2.txt", False),  # Go 1.19 prints no labels in debug=2
        ("go1.19", "goroutine_debug1.txt", True),
        ("go1.19", "goroutine.pb.gz", True),
        ("go1.26", "goroutine_debug2.txt", True),
        ("go1.27", "goroutine_debug2.txt", True),
        ("go1.27", "goroutine_debug1.txt", True),
    ],
)
def test_group_by_label_text(version: str, name: str, labelled: bool, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(fixture_path(version, name)), "--group-by", "label:worker"], capsys)
    assert code == 0
    assert out.splitlines()[1] == "grouped by label worker"
    tops = top_lines(out)
    assert tops[0].startswith("(none): ")
    assert ("worker=cache: 3" in [t.split("  ")[0] for t in tops]) == labelled


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
@pytest.mark.parametrize("name", ["goroutine_debug1.txt", "goroutine.pb.gz"])
def test_label_filter_text(version: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture_path(version, name))
    code, out, _ = run([path, "--label", "worker=cache", "--label", "req=a-b c"], capsys)
    assert code == 0
    assert "labelled worker=cache, req=a-b c" in out.splitlines()[0]
    assert [t.split(":")[1].strip() for t in top_lines(out)] == ["3"]
    assert "main.labeledWorker" in out and "main.(*Dispatcher).deliver" not in out
    _, out, _ = run([path, "--label", "worker=nope", "--json"], capsys)
    assert json.loads(out)["groups"] == [] and json.loads(out)["label_filter"] == ["worker=nope"]


def test_group_by_creator_text_shows_the_spawn_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(fixture_path("go1.27", "goroutine_debug2.txt")), "--group-by", "creator"], capsys)
    lines = out.splitlines()
    assert lines[1] == "grouped by creator"
    assert top_lines(out)[0].startswith("main.(*Dispatcher).fanOut: 250")
    chains = [line for line in lines if line.startswith("  ← ")]
    assert any(line.startswith("  ← main.main: ") for line in chains)
    _, out, _ = run([str(fixture_path("go1.19", "goroutine_debug2.txt")), "--group-by", "creator"], capsys)
    assert "  (creator not in the dump: Go < 1.21): 250" in out


def test_group_by_similar_lists_merged_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(fixture_path("go1.27", "goroutine_debug2.txt")), "--group-by", "similar:top1"], capsys)
    merged = [t for t in top_lines(out) if " stacks)" in t]
    assert merged, out
    # a merged group lists each stack it merged under its reason
    block = out.split(merged[0], 1)[1].split("\n\n", 1)[0]
    assert block.count(" × stack ") >= 2


def test_group_by_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture_path("go1.27", "goroutine_debug2.txt"))
    for argv, said in (
        (["--group-by", "label"], "label needs a key"),
        (["--group-by", "tenant"], "unknown grouping 'tenant'"),
        (["--label", "worker"], "bad --label: not key=value"),
    ):
        with pytest.raises(SystemExit):
            run([path, *argv], capsys)
        assert said in capsys.readouterr().err
