"""`pprof-tui check` over several real Go targets of ours, as replicas of one service: one leaks 3,000
goroutines on [chan send] at start, its two siblings do not; the leaking one is flagged as the outlier,
the healthy ones are not, and a dead target beside them does not keep the others from being judged."""

from __future__ import annotations

import json
import socket

import pytest

from tui.cli import main

pytestmark = pytest.mark.e2e

CHAN_LEAF = "main.(*Dispatcher).deliver"
COMMON = ("-idle-pool", "8", "-heap-steady-mb", "2")


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def test_the_leaking_replica_is_the_outlier(go_target, capsys):
    pods = {
        "pod-1": go_target(*COMMON),
        "pod-2": go_target(*COMMON, "-chan-leak-initial", "3000"),
        "pod-3": go_target(*COMMON),
    }
    args = [f"{name}={t.addr}" for name, t in pods.items()] + [f"dead={_dead_address()}"]
    status = main(["check", *args, "--for", "6", "--interval", "1", "--json", "--fail-on", "outlier"])
    doc = json.loads(capsys.readouterr().out)
    by_name = {t["target"]: t for t in doc["targets"]}
    assert by_name["dead"]["errors"]
    assert status == 2  # the dead target never answered: an error outranks the outlier
    for name in pods:
        assert by_name[name]["errors"] == [], by_name[name]
    assert doc["replicas"]["compared"] == ["pod-1", "pod-2", "pod-3"]
    goroutine_outliers = [o for o in doc["replicas"]["outliers"] if o["kind"] == "goroutines"]
    assert [o["target"] for o in goroutine_outliers] == ["pod-2"], doc["replicas"]
    (leak,) = goroutine_outliers
    assert leak["key"].startswith(CHAN_LEAF) and leak["key"].endswith("[chan send]")
    assert leak["value"] >= 3000 and leak["siblings_median"] < 100
    assert {o["target"] for o in doc["replicas"]["outliers"]} == {"pod-2"}

    # without the dead one: exit 1 on the outlier, and the text names it
    alive = [f"{name}={t.addr}" for name, t in pods.items()]
    assert main(["check", *alive, "--for", "4", "--interval", "1", "--fail-on", "outlier"]) == 1
    out = capsys.readouterr().out
    assert "replicas: 3 compared, 1 outlier" in out
    assert "FAIL outlier  pod-2: 3,0" in out and "[chan send], siblings median" in out
