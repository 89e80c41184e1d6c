"""`pprof-tui check` over several targets: target lists, per-target reports and the replicas' outliers
(fake pprof servers; the real Go targets are in tests/e2e/test_fleet_check.py)."""

from __future__ import annotations

import argparse
import io
import json
import socket

import pytest

from tests.unit.fake_pprof_server import FakeTarget, Reply, default_routes
from tui.cli import main
from tui.commands.targets import MAX_TARGETS, NamedTarget, TargetListError, gather_targets, parse_target

CHECK = ["--for", "2", "--interval", "0.5"]


def _dump(n: int) -> bytes:
    """goroutine?debug=1: n goroutines blocked sending on a channel in main.fetchAll.func1, 2 in main.main."""
    return (
        f"goroutine profile: total {n + 2}\n{n} @ 0x1 0x2 0x3\n#\t0x1\truntime.gopark+0x1\t/r.go:1\n"
        f"#\t0x2\truntime.chansend1+0x1\t/c.go:1\n#\t0x3\tmain.fetchAll.func1+0x1\t/m.go:9\n\n"
        "2 @ 0x4\n#\t0x4\tmain.main+0x1\t/m.go:1\n\n"
    ).encode()


def _target(n: int) -> FakeTarget:
    routes = default_routes(goroutines=n + 2)
    routes["/debug/pprof/goroutine?debug=1"] = Reply(body=_dump(n))
    return FakeTarget(routes).start()


@pytest.fixture
def fleet():
    started: list[FakeTarget] = []

    def start(*counts: int) -> list[FakeTarget]:
        new = [_target(n) for n in counts]
        started.extend(new)
        return new

    yield start
    for t in started:
        t.stop()


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"  # closed when the block ends: nothing listens


# ---- target lists -----------------------------------------------------------------------


def test_named_and_plain_targets():
    assert parse_target("pod-3=10.0.4.7:6060") == NamedTarget("pod-3", "10.0.4.7:6060")
    assert parse_target(" 10.0.4.7:6060 ") == NamedTarget("", "10.0.4.7:6060")
    url = "https://h/app/debug/pprof/?token=x"  # an `=` inside a URL names nothing
    assert parse_target(url) == NamedTarget("", url)


def test_targets_file_from_stdin_skips_comments_and_blank_lines():
    args = argparse.Namespace(targets=["a:1"], targets_file="-")
    stdin = io.StringIO("# pods\npod-1=10.0.0.1:6060\n\n  10.0.0.2:6060  \n")
    assert gather_targets(args, stdin) == [
        NamedTarget("", "a:1"),
        NamedTarget("pod-1", "10.0.0.1:6060"),
        NamedTarget("", "10.0.0.2:6060"),
    ]


def test_target_list_errors(tmp_path):
    with pytest.raises(TargetListError, match="give a TARGET"):
        gather_targets(argparse.Namespace(targets=[], targets_file=None))
    with pytest.raises(TargetListError, match="given twice"):
        gather_targets(argparse.Namespace(targets=["p=a:1", "p=b:1"], targets_file=None))
    with pytest.raises(TargetListError, match="at most"):
        gather_targets(argparse.Namespace(targets=[f"h:{i}" for i in range(MAX_TARGETS + 1)], targets_file=None))
    with pytest.raises(TargetListError, match="missing"):
        gather_targets(argparse.Namespace(targets=[], targets_file=str(tmp_path / "missing")))


def test_check_without_targets_exits_2(capsys):
    assert main(["check"]) == 2
    assert "give a TARGET" in capsys.readouterr().err


# ---- several live targets -----------------------------------------------------------------


def test_the_replica_with_a_big_group_is_the_outlier(fleet, capsys):
    targets = fleet(12, 14, 41_929)
    names = [f"pod-{i}={t.url}" for i, t in enumerate(targets)]
    assert main(["check", *names, *CHECK]) == 0  # an outlier is a note unless --fail-on says so
    out = capsys.readouterr().out
    assert "replicas: 3 compared, 1 outlier\n" in out
    assert "note outlier  pod-2: 41,929 in main.fetchAll.func1 [chan send], siblings median 13\n" in out
    for i in range(3):
        assert f"pod-{i}: watched" in out

    assert main(["check", *names, *CHECK, "--json", "--fail-on", "outlier,growing"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [t["target"] for t in doc["targets"]] == ["pod-0", "pod-1", "pod-2"]
    assert doc["replicas"]["compared"] == ["pod-0", "pod-1", "pod-2"]
    (outlier,) = doc["replicas"]["outliers"]
    assert outlier["target"] == "pod-2" and outlier["kind"] == "goroutines"
    assert outlier["key"] == "main.fetchAll.func1 [chan send]"
    assert (outlier["value"], outlier["siblings_median"], outlier["siblings"]) == (41_929, 13, 2)


def test_healthy_replicas_have_no_outlier(fleet, capsys):
    targets = fleet(12, 14, 13, 15)
    assert main(["check", *(t.url for t in targets), *CHECK, "--fail-on", "outlier"]) == 0
    assert "replicas: 4 compared, no outliers\n" in capsys.readouterr().out


def test_two_replicas_are_too_few_to_compare(fleet, capsys):
    targets = fleet(12, 41_929)
    assert main(["check", *(t.url for t in targets), *CHECK, "--fail-on", "outlier"]) == 0
    assert "outliers need at least 3" in capsys.readouterr().out


def test_a_dead_and_a_hanging_target_do_not_stop_the_others(fleet, tmp_path, capsys):
    healthy = fleet(12, 14, 13, 30_000)
    hanging = FakeTarget().start()
    hanging.override = Reply(delay=30)  # accepts, never answers within the check
    try:
        listing = "\n".join(f"pod-{i}={t.url}" for i, t in enumerate(healthy))
        listing += f"\ndead={_dead_address()}\nhanging={hanging.url}\n"
        (tmp_path / "pods").write_text(listing)
        status = main(["check", "--targets-file", str(tmp_path / "pods"), *CHECK, "--json"])
    finally:
        hanging.stop()
    doc = json.loads(capsys.readouterr().out)
    assert status == 2  # two targets never answered
    by_name = {t["target"]: t for t in doc["targets"]}
    assert by_name["dead"]["errors"] and by_name["hanging"]["errors"]
    for i in range(4):
        assert by_name[f"pod-{i}"]["errors"] == [] and "goroutine-stacks" not in by_name[f"pod-{i}"]["not_read"]
    assert doc["replicas"]["compared"] == ["pod-0", "pod-1", "pod-2", "pod-3"]
    assert [(o["target"], o["value"]) for o in doc["replicas"]["outliers"]] == [("pod-3", 30_000)]
