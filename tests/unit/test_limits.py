"""Every bound is configurable through Config (CLI, config file) and is honoured where it applies."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import fixture_path
from tui.config import Config, ConfigError, add_connection_arguments, build_config, config_from_args
from tui.core import limits
from tui.core.errors import LimitExceeded
from tui.model.history import History, history_levels
from tui.model.parsers import default_parsers


def parse_cli(*argv: str) -> Config:
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    return config_from_args(parser.parse_args(["h:1", *argv]), env={})


def test_defaults_come_from_tui_limits() -> None:
    c = Config()
    assert (
        c.max_body_bytes,
        c.max_decompressed_bytes,
        c.max_goroutines,
        c.max_frames,
        c.max_text_line,
        c.history_points,
        c.history_series,
    ) == (
        limits.MAX_BODY_BYTES,
        limits.MAX_DECOMPRESSED_BYTES,
        limits.MAX_GOROUTINES,
        limits.MAX_FRAMES,
        limits.MAX_TEXT_LINE,
        limits.HISTORY_POINTS,
        limits.HISTORY_SERIES,
    )


def test_cli_flags_and_config_file(tmp_path: Path) -> None:
    c = parse_cli("--max-body-mb", "1.5", "--max-goroutines", "1000")
    assert c.max_body_bytes == int(1.5 * limits.MiB) and c.max_goroutines == 1000
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "max_decompressed_bytes": 1 << 20,
                "max_frames": 64,
                "max_text_line": 512,
                "history_points": 100,
                "history_series": 32,
                "max_goroutines": 5,
            }
        )
    )
    c = parse_cli("--config", str(path), "--max-goroutines", "7")  # CLI beats the file
    assert (
        c.max_decompressed_bytes,
        c.max_frames,
        c.max_text_line,
        c.history_points,
        c.history_series,
        c.max_goroutines,
    ) == (1 << 20, 64, 512, 100, 32, 7)


@pytest.mark.parametrize(
    "key",
    [
        "max_body_bytes",
        "max_decompressed_bytes",
        "max_goroutines",
        "max_frames",
        "max_text_line",
        "history_points",
        "history_series",
    ],
)
def test_non_positive_bounds_are_refused(key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        build_config({"target": "h:1", key: 0}, env={})


def test_max_body_mb_must_be_a_number() -> None:
    with pytest.raises(ConfigError, match="max-body-mb"):
        build_config({"target": "h:1", "max_body_mb": "lots"}, env={})


def test_goroutine_frame_and_line_bounds_reach_the_parsers() -> None:
    dump = fixture_path("go1.27", "goroutine_debug2.txt").read_bytes()
    full = default_parsers(Config()).goroutine_debug2(dump)
    config = build_config({"target": "h:1", "max_goroutines": 10, "max_frames": 2, "max_text_line": 12}, env={})
    tree = default_parsers(config).goroutine_debug2(dump)
    assert full.total == tree.total > 10  # over the bound: counted, not kept
    kept = sum(g.count for g in tree.groups)
    assert kept <= 10 < sum(g.count for g in full.groups) + 1
    frames = [f for g in tree.groups for b in g.buckets for s in b.stacks for f in s.frames]
    assert frames and all(len(f.func) <= 12 and len(f.file) <= 12 for f in frames)
    assert max(len(s.frames) for g in tree.groups for b in g.buckets for s in b.stacks) <= 2

    d1 = default_parsers(config).goroutine_debug1(fixture_path("go1.27", "goroutine_debug1.txt").read_bytes())
    assert d1.records and all(len(r.frames) <= 2 and all(len(f.func) <= 12 for f in r.frames) for r in d1.records)


def test_decompressed_bound_reaches_the_heap_parser() -> None:
    heap = fixture_path("go1.27", "heap.pb.gz").read_bytes()
    assert default_parsers(Config()).heap(heap).totals
    config = build_config({"target": "h:1", "max_decompressed_bytes": 1024}, env={})
    with pytest.raises(LimitExceeded):
        default_parsers(config).heap(gzip.compress(b"\0" * 4096))


def test_history_bounds() -> None:
    history, unbounded = History(levels=history_levels(5), max_series=3), History()
    for t in range(20):
        history.push("a", float(t), float(t))
        unbounded.push("a", float(t), float(t))
    # same coarse buckets; 5 raw points instead of 20
    assert unbounded.series("a").stored_count() - history.series("a").stored_count() == 15
    for key in "bcde":
        history.push(key, 100.0, 1.0)
    assert len(history.keys()) == 3


def test_poller_builds_its_history_from_the_config() -> None:
    from tui.service.poller import Poller

    config = build_config({"target": "h:1", "history_points": 4, "history_series": 2}, env={})
    poller = Poller(config, client=object())
    for key in "abc":
        for t in range(10):
            poller.history.push(key, float(t), 1.0)
    assert len(poller.history.keys()) == 2
    assert History().series("c") is None
    unbounded = History()
    for t in range(10):
        unbounded.push("c", float(t), 1.0)
    assert unbounded.series("c").stored_count() - poller.history.series("c").stored_count() == 6


async def test_body_bound_reaches_the_fetch_layer() -> None:
    from tests.unit.fake_pprof_server import FakeTarget
    from tui.fetch.client import TargetClient
    from tui.fetch.errors import TooLarge

    server = FakeTarget().start()
    try:
        config = build_config({"target": server.url, "max_body_mb": 0.0001}, env={})  # ~104 bytes
        async with TargetClient(config) as client:
            with pytest.raises(TooLarge):
                await client.get("goroutine", params={"debug": "2"})
            assert (await client.get("goroutine", params={"debug": "1"})).body  # small: fine
    finally:
        server.stop()
