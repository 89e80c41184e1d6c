"""Work bounded by limits, not by bytes (issue 15): every parser stops building past its limit,
counts the rest and says so (a LimitNote on its result), or refuses a table it cannot cut.

Hostile inputs are made here, small, with small limits (the real sizes are in
tests/benchmarks/bench_hostile_sizes.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tests.unit.pprof_builder import Builder
from tui.config import Config, ConfigError, build_config
from tui.core import limits
from tui.core.errors import LimitExceeded, ParseError
from tui.core.limits import LimitNote
from tui.core.protoscan import scan_fields
from tui.goroutines import fastgroup, proto
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.proto import decode_goroutine_profile
from tui.goroutines.work_limits import StackLimit
from tui.heap import decode
from tui.heap.decode import decode_profile
from tui.model.parsers import default_parsers
from tui.wire import profile_pb2

# --- hostile inputs, small ------------------------------------------------------------------


def distinct_dump(n: int, *, frames: int = 1, reason: str = "select") -> str:
    """``n`` goroutines, each on its own stack (the 70 MB / 1.28 M-goroutine shape, scaled down)."""
    blocks = []
    for i in range(1, n + 1):
        stack = "".join(f"main.f{i}_{j}(0xc000{i:06x})\n\t/src/x{i}.go:{j + 1} +0x1d\n" for j in range(frames))
        blocks.append(f"goroutine {i} [{reason}]:\n{stack}")
    return "\n".join(blocks) + "\n"


def few_stacks_dump(n: int, stacks: int) -> str:
    """``n`` goroutines on ``stacks`` stacks (the 2 M goroutines in 50 stacks shape, scaled down)."""
    return "".join(
        f"goroutine {i} [chan receive, {i % 7} minutes]:\nmain.f{i % stacks}()\n\tx.go:1\n\n" for i in range(n)
    )


def debug1_text(records: int, *, same_stack: bool = False) -> str:
    lines = [f"goroutine profile: total {records * 2}"]
    for i in range(records):
        pc = 0x1000 if same_stack else 0x1000 + i
        lines += [f"2 @ 0x{pc:x}", f'# labels: {{"req":"{i}"}}', f"#\t0x{pc:x}\tmain.f{pc}+0x1\t/src/m.go:{pc}", ""]
    return "\n".join(lines) + "\n"


def heap_profile(samples: int, *, stacks: int = 1, gz: bool = False) -> bytes:
    b = Builder()
    for i in range(samples):
        b.sample([f"f{i % stacks}", "main"], [1, 64, 1, 64], numlabels={"bytes": 64})
    return b.bytes(gz=gz)


def goroutine_proto(samples: int, *, stacks: int | None = None) -> bytes:
    b = Builder(types=(("goroutine", "count"),))
    for i in range(samples):
        b.sample([f"main.f{i if stacks is None else i % stacks}", "main.main"], [3], labels={"req": str(i)})
    return b.bytes(gz=True)


# --- the note ------------------------------------------------------------------------------


def test_note_says_what_was_kept_what_was_left_out_and_which_flag_raises_it() -> None:
    note = LimitNote("distinct stacks", 20_000, "--max-stacks", 1_260_000, "goroutines")
    assert str(note) == (
        "over the limit: more than 20,000 distinct stacks, keeping the first 20,000 "
        "(1,260,000 goroutines left out); raise --max-stacks"
    )
    assert note.short == "1,260,000 goroutines over --max-stacks"
    assert len(f"goroutine tree 12 s old: {note.short}") <= 80


def test_stack_limit_keeps_the_first_and_then_nothing_new() -> None:
    limit = StackLimit(3)  # 3 stacks, 3 * FRAMES_PER_STACK frames and entries
    assert limit.new_stack(1) and limit.new_stack(1) and limit.new_entry() and limit.new_stack(1)
    assert not limit.new_stack(1) and limit.full == "stacks"
    assert not limit.new_entry()  # full: nothing new at all
    frames = StackLimit(2)
    assert not frames.new_stack(2 * limits.FRAMES_PER_STACK + 1) and frames.full == "frames"
    assert frames.note() is not None and "their frames and groups" in str(frames.note())
    assert StackLimit(5).note() is None


# --- protobuf walk -------------------------------------------------------------------------


def test_scan_counts_fields_and_cuts_samples_keeping_everything_else() -> None:
    data = heap_profile(50, stacks=5)
    scan = scan_fields(data)
    p = profile_pb2.Profile.FromString(data)
    assert (scan.count(1), scan.count(2), scan.count(4), scan.count(5), scan.count(6)) == (
        len(p.sample_type),
        len(p.sample),
        len(p.location),
        len(p.function),
        len(p.string_table),
    )
    assert scan.data is data and not any(scan.left_out)
    cut = scan_fields(data, {2: 7})
    q = profile_pb2.Profile.FromString(cut.data)
    assert cut.left_out[2] == 43 and list(q.sample) == list(p.sample)[:7]
    assert (q.location, q.function, q.string_table) == (p.location, p.function, p.string_table)


def test_scan_cuts_interleaved_samples_and_long_fields() -> None:
    parts = [
        profile_pb2.Profile(sample=[profile_pb2.Sample(location_id=[i] * (100 if i % 2 else 1))]) for i in range(6)
    ]
    mixed = b"".join(
        p.SerializeToString() + profile_pb2.Profile(string_table=[f"s{i}"]).SerializeToString()
        for i, p in enumerate(parts)
    )
    cut = scan_fields(mixed, {2: 2})
    q = profile_pb2.Profile.FromString(cut.data)
    assert [list(s.location_id)[:1] for s in q.sample] == [[0], [1]]
    assert list(q.string_table) == [f"s{i}" for i in range(6)]  # every other field is kept
    assert cut.left_out[2] == 4 and cut.sizes[2] == sum(len(p.SerializeToString()) for p in parts[:2])


@pytest.mark.parametrize("bad", [b"\x12\x05ab", b"\x12", b"\x1b", b"\x08\x80", b"\x12\x80\x80"])
def test_scan_refuses_what_go_refuses(bad: bytes) -> None:
    with pytest.raises(ParseError):
        scan_fields(bad)


# --- heap profiles -------------------------------------------------------------------------


@pytest.mark.parametrize("walk_first", [False, True])
def test_heap_keeps_the_first_samples_and_says_so(monkeypatch: pytest.MonkeyPatch, walk_first: bool) -> None:
    if walk_first:  # as a body over SCAN_ABOVE is: walked before it is parsed
        monkeypatch.setattr(decode, "SCAN_ABOVE", 0)
    data = heap_profile(300, stacks=3, gz=True)
    p = decode_profile(data, max_samples=100)
    assert p.num_samples == 100 and p.num_stacks == 3
    assert p.label_sets is not None
    assert [str(n) for n in p.notes] == [
        "over the limit: more than 100 samples, keeping the first 100 (200 samples left out); raise --max-samples"
    ]
    assert decode_profile(data).notes == ()  # under the default: nothing said


def test_heap_slow_path_is_cut_before_it_builds_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    b = Builder()
    for _ in range(50):
        b.p.sample.add(value=[1, 2, 3, 4])  # no location ids: the fast path gives up
    p = decode_profile(b.bytes(), max_samples=10)
    assert p.num_samples == 10 and p.notes[0].left_out == 40


def test_heap_tables_over_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    b = Builder()
    for i in range(30):
        b.sample([f"f{i}"], [1, 1, 1, 1])
    data = b.bytes()
    with pytest.raises(LimitExceeded, match=r"30 locations, more than 20; raise --max-locations"):
        decode_profile(data, max_locations=20)
    monkeypatch.setattr(decode, "SCAN_ABOVE", 0)  # refused by the walk, before any parse
    with pytest.raises(LimitExceeded, match="locations"):
        decode_profile(data, max_locations=20)
    many_types = Builder(types=[(f"t{i}", "count") for i in range(limits.MAX_SAMPLE_TYPES + 1)])
    with pytest.raises(LimitExceeded, match="sample types"):
        decode_profile(many_types.bytes())


def test_heap_location_lines_and_deep_stacks_are_bounded() -> None:
    b = Builder()
    b.sample(["+".join(["f"] * 50)], [1, 1, 1, 1])  # one location, 50 inlined lines
    with pytest.raises(LimitExceeded, match="location lines"):
        decode_profile(b.bytes(), max_locations=10)  # lines: 4 x 10
    deep = Builder()
    deep.sample([f"f{i}" for i in range(200)], [1, 1, 1, 1])  # 200 location ids, one sample
    with pytest.raises(LimitExceeded, match="location ids in the distinct sample stacks"):
        decode_profile(deep.bytes(), max_samples=10)  # 16 ids a kept sample
    assert decode_profile(deep.bytes(), max_samples=20).num_samples == 1


def test_heap_labels_over_their_bound_are_left_out_not_the_profile() -> None:
    b = Builder()
    b.sample(["f", "main"], [1, 1, 1, 1], labels={f"k{i}": "v" * 20 for i in range(50)})
    p = decode_profile(b.bytes(), max_samples=2)  # labels: 16 bytes a kept sample
    assert p.num_samples == 1 and p.label_sets is None
    assert "sample labels" in str(p.notes[0]) and "leaving every label out" in str(p.notes[0])
    assert decode_profile(b.bytes()).label_sets is not None


def test_heap_values_are_counted_before_they_are_expanded() -> None:
    b = Builder()
    b.sample(["f"], [1, 2, 3, 4])
    raw = profile_pb2.Profile.FromString(b.bytes())
    raw.sample[0].value.extend([7] * 1000)  # a sample of 1004 values for 4 types
    with pytest.raises(ParseError, match="1004 values vs. 4 sample types"):
        decode_profile(raw.SerializeToString())


# --- goroutine dumps: debug=2 --------------------------------------------------------------


def test_debug2_distinct_stacks_past_the_limit_are_counted_not_grouped() -> None:
    dump = group_debug2_text(distinct_dump(500), max_stacks=50)
    kept = sum(g.count for g in dump.groups)
    assert (dump.total, kept, dump.dropped) == (500, 50, 450)
    assert sum(len(b.stacks) for g in dump.groups for b in g.buckets) == 50
    assert [str(n) for n in dump.notes] == [
        "over the limit: more than 50 distinct stacks, keeping the first 50 (450 goroutines left out); "
        "raise --max-stacks"
    ]
    # the first 50 in the dump are the ones kept
    ids = sorted(i for g in dump.groups for b in g.buckets for s in b.stacks for i in s.sample_ids)
    assert ids == list(range(1, 51))


def test_debug2_frames_of_the_kept_stacks_are_bounded_too() -> None:
    dump = group_debug2_text(distinct_dump(40, frames=20), max_stacks=10)  # 160 units: 20 frames + a group each
    stacks = [s for g in dump.groups for b in g.buckets for s in b.stacks]
    assert len(stacks) == 7 and dump.dropped == 33
    assert "their frames and groups reached 160" in str(dump.notes[0])


def test_debug2_groups_per_reason_are_bounded_too() -> None:
    text = "".join(f"goroutine {i} [reason {i}]:\nmain.f()\n\tx.go:1\n\n" for i in range(200))
    dump = group_debug2_text(text, max_stacks=2)  # one stack, 200 reasons: 32 units
    assert len(dump.groups) < 40 and dump.total == 200 and dump.dropped == 200 - len(dump.groups)


def test_debug2_many_goroutines_on_few_stacks_are_all_grouped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastgroup, "PIECE", 4096)  # many pieces: the ids and counts carry over
    text = few_stacks_dump(20_000, 50)
    dump = group_debug2_text(text)
    assert dump.notes == () and dump.dropped == 0 and dump.total == 20_000
    assert sum(g.count for g in dump.groups) == 20_000
    stacks = [s for g in dump.groups for b in g.buckets for s in b.stacks]
    assert len({s.signature for s in stacks}) == 50
    assert dump.groups == group_goroutines(parse_debug2(text))


@pytest.mark.parametrize("name", ["goroutine_debug2.txt", "goroutineleak_debug2.txt"])
def test_debug2_pieces_do_not_change_the_groups(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    text = fixture_path("go1.27", name).read_text()
    whole = group_debug2_text(text)
    monkeypatch.setattr(fastgroup, "PIECE", 300)
    assert group_debug2_text(text) == whole
    odd = text.replace("\n\ngoroutine ", "\ngoroutine ", 5).replace("\n\ngoroutine", "\n\n\n\ngoroutine", 3)
    assert group_debug2_text(odd).groups == group_goroutines(parse_debug2(odd))


def test_parse_debug2_keeps_goroutines_of_the_first_stacks() -> None:
    dump = parse_debug2(distinct_dump(30), max_stacks=10)
    assert len(dump.goroutines) == 10 and dump.total == 30 and dump.dropped == 20
    assert dump.notes[0].flag == "--max-stacks"


# --- goroutine dumps: debug=1 and proto ----------------------------------------------------


def test_debug1_records_past_the_limit_are_counted() -> None:
    counts = parse_debug1(debug1_text(100), max_stacks=10)
    assert len(counts.records) == 10 and counts.total == 200 and counts.dropped == 180
    assert counts.notes[0].left_out == 180 and counts.notes[0].flag == "--max-stacks"


def test_debug1_records_of_one_stack_share_its_frames() -> None:
    counts = parse_debug1(debug1_text(100, same_stack=True), max_stacks=10)
    assert len(counts.records) == 100 and counts.notes == ()  # one stack, 100 label sets: 100 units
    assert all(r.frames is counts.records[0].frames for r in counts.records)
    assert [r.labels for r in counts.records[:2]] == [(("req", "0"),), (("req", "1"),)]


@pytest.mark.parametrize("walk_first", [False, True])
def test_proto_samples_past_the_limit_are_counted(monkeypatch: pytest.MonkeyPatch, walk_first: bool) -> None:
    if walk_first:
        monkeypatch.setattr(proto, "SCAN_ABOVE", 0)
    counts = decode_goroutine_profile(goroutine_proto(100), max_stacks=5)
    assert len(counts.records) == 5 and counts.notes[0].flag == "--max-stacks"
    shared = decode_goroutine_profile(goroutine_proto(100, stacks=2), max_stacks=5)
    assert len(shared.records) == 78  # 2 stacks of 2 frames + 76 records: 80 units
    assert shared.dropped == (6 if walk_first else 66)  # walked: the 81st sample on is not even read
    assert shared.total == (240 if walk_first else 300)
    assert shared.records[0].frames is shared.records[2].frames


def test_proto_samples_past_what_can_be_kept_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proto, "SCAN_ABOVE", 0)
    counts = decode_goroutine_profile(goroutine_proto(200, stacks=1), max_stacks=2)  # 32 units: 32 samples read
    assert len(counts.records) == 31 and counts.dropped == 3  # one stack of 2 frames, 30 more records
    assert "168 more samples not read" in str(counts.notes[0])
    with pytest.raises(LimitExceeded, match="locations"):
        decode_goroutine_profile(goroutine_proto(30), max_locations=20)


# --- parsers, config, flags ----------------------------------------------------------------


def test_default_parsers_take_the_limits_from_the_config() -> None:
    config = build_config({"target": "h:1", "max_stacks": 5, "max_samples": 10, "max_locations": 1000}, env={})
    parsers = default_parsers(config)
    tree = parsers.goroutine_debug2(distinct_dump(20).encode())
    assert tree.total == 20 and tree.notes[0].limit == 5 and tree.parse_seconds >= 0
    heap = parsers.heap(heap_profile(30))
    assert heap.profile.num_samples == 10 and heap.notes[0].left_out == 20
    assert parsers.goroutine_debug1(debug1_text(20).encode()).dropped == 30
    assert len(parsers.goroutine_proto(goroutine_proto(20)).records) == 5  # type: ignore[misc]
    assert default_parsers().goroutine_debug2(distinct_dump(20).encode()).notes == ()


def test_config_fields_file_keys_and_validation(tmp_path: Path) -> None:
    c = Config()
    assert (c.max_stacks, c.max_samples, c.max_locations) == (
        limits.MAX_STACKS,
        limits.MAX_SAMPLES,
        limits.MAX_LOCATIONS,
    )
    got = build_config({"target": "h:1"}, env={}, file_values={"max_stacks": 7, "max_samples": 8, "max_locations": 9})
    assert (got.max_stacks, got.max_samples, got.max_locations) == (7, 8, 9)
    assert build_config({"target": "h:1", "max_stacks": 3}, env={}, file_values={"max_stacks": 7}).max_stacks == 3
    for key in ("max_stacks", "max_samples", "max_locations"):
        with pytest.raises(ConfigError, match=key):
            build_config({"target": "h:1", key: 0}, env={})


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_watch_and_check_take_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from tui.config import add_connection_arguments, config_from_args

    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    add_connection_arguments(parser)
    args = parser.parse_args(["h:1", "--max-stacks", "11", "--max-samples", "12", "--max-locations", "13"])
    c = config_from_args(args, env={})
    assert (c.max_stacks, c.max_samples, c.max_locations) == (11, 12, 13)
    with pytest.raises(SystemExit):
        parser.parse_args(["h:1", "--max-stacks", "0"])


def test_top_says_the_note_on_stderr_and_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "heap.pb.gz"
    path.write_bytes(heap_profile(300, stacks=3, gz=True))
    code, out, err = run_cli(capsys, "top", str(path), "--max-samples", "100")
    assert code == 0 and "over the limit: more than 100 samples" in err and "raise --max-samples" in err
    assert "over the limit" not in out
    code, out, err = run_cli(capsys, "top", str(path), "--max-samples", "100", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["limit_notes"] == [
        "over the limit: more than 100 samples, keeping the first 100 (200 samples left out); raise --max-samples"
    ]
    _, out, err = run_cli(capsys, "top", str(path), "--json")
    assert json.loads(out)["limit_notes"] == [] and err == ""
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"max_locations": 2}))
    code, _, err = run_cli(capsys, "top", str(path), "--config", str(config))
    assert code == 1 and "raise --max-locations" in err


def test_goroutines_says_the_note_on_stderr_and_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(distinct_dump(40))
    code, out, err = run_cli(capsys, "goroutines", str(path), "--max-stacks", "10")
    assert code == 0 and "more than 10 distinct stacks" in err and "raise --max-stacks" in err
    assert out.splitlines()[0] == "40 goroutines (debug=2) — 30 over the limit not grouped"
    code, out, _ = run_cli(capsys, "goroutines", str(path), "--max-stacks", "10", "--json")
    doc = json.loads(out)
    assert (doc["total"], doc["dropped"], len(doc["limit_notes"])) == (40, 30, 1)
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"max_stacks": 4}))
    _, out, err = run_cli(capsys, "goroutines", str(path), "--config", str(config), "--json")
    assert json.loads(out)["dropped"] == 36 and "more than 4 distinct stacks" in err
    d1 = tmp_path / "d1.txt"
    d1.write_text(debug1_text(20))
    _, out, err = run_cli(capsys, "goroutines", str(d1), "--max-stacks", "5", "--json")
    assert json.loads(out)["dropped"] == 30 and "raise --max-stacks" in err
    pb = tmp_path / "g.pb.gz"
    pb.write_bytes(goroutine_proto(20))
    _, out, err = run_cli(capsys, "goroutines", str(pb), "--max-stacks", "5", "--json")
    assert len(json.loads(out)["limit_notes"]) == 1 and "raise --max-stacks" in err


def test_gzip_bomb_of_samples_is_cut_not_exploded() -> None:
    """The 10 M-sample shape: tiny samples, highly compressible, scaled down to 20,000."""
    one = profile_pb2.Sample(location_id=[1], value=[1, 64, 1, 64]).SerializeToString()
    b = Builder()
    b.sample(["f"], [1, 64, 1, 64])
    head = b.bytes()
    body = head + (b"\x12" + bytes([len(one)]) + one) * 20_000
    p = decode_profile(gzip.compress(body), max_samples=1000)
    assert p.num_samples == 1000 and p.notes[0].left_out == 19_001
