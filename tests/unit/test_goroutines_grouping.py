"""Grouping by reason -> age bucket -> stack; the text fast path; filters."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tui.goroutines.buckets import DEFAULT_BUCKETS, bucket_label, check_buckets
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.filtering import filter_stacks, min_count, stack_matcher
from tui.goroutines.grouping import group_stack_counts
from tui.goroutines.proto import decode_goroutine_profile
from tui.goroutines.reasons import UNKNOWN_REASON, infer_reason, normalise_reason
from tui.goroutines.records import Frame


def block(gid: int, header: str, funcs: list[str], arg: str = "0xc000", creator: int = 1) -> str:
    lines = [f"goroutine {gid} [{header}]:"]
    for i, f in enumerate(funcs):
        lines += [f"{f}({arg}, 0x{gid:x})", f"\t/src/{f.split('.')[-1]}.go:{10 + i} +0x{gid % 7 + 16:x}"]
    lines += [f"created by main.spawn in goroutine {creator}", "\t/src/spawn.go:5 +0x30"]
    return "\n".join(lines) + "\n"


def dump_text(blocks: list[str]) -> str:
    return "\n".join(blocks)


LEAK = ["main.deliver", "main.loop"]
OTHER = ["main.wait", "main.loop"]
SERVING = (
    "goroutine 99 [running]:\nruntime/pprof.writeGoroutineStacks({0x1, 0x2})\n"
    "\t/go/src/runtime/pprof/pprof.go:816 +0x69\n"
)


def sample_text() -> str:
    blocks = [SERVING]
    blocks += [
        block(i, f"chan send, {m} minutes" if m else "chan send", LEAK, arg=f"0xc{i:06x}", creator=i % 3 + 1)
        for i, m in zip(range(1, 41), [0, 0, 2, 3, 31, 45, 90, 300] * 5)
    ]
    blocks += [block(100 + i, "chan receive, 2 minutes", OTHER) for i in range(3)]
    blocks.append(
        'goroutine 200 [chan receive] {worker: cache, req: "a-b c"}:\nmain.wait(0x1)\n\t/src/wait.go:10 +0x1\n'
    )
    blocks.append(block(300, "chan send (leaked)", LEAK))
    return dump_text(blocks)


def test_tree_shape_counts_and_order() -> None:
    groups = group_goroutines(parse_debug2(sample_text()))
    assert [(g.key, g.count) for g in groups] == [("chan send", 40), ("chan receive", 4), ("chan send (leaked)", 1)]
    send = groups[0]
    assert (send.min_minutes, send.max_minutes) == (0, 300)
    # Oldest bucket first; each bucket keeps its own min/max.
    assert [(b.label, b.count, b.min_minutes, b.max_minutes) for b in send.buckets] == [
        ("≥4h", 5, 300, 300),
        ("1–4h", 5, 90, 90),
        ("15–60m", 10, 31, 45),
        ("1–5m", 10, 2, 3),
        ("<1m", 10, 0, 0),
    ]
    stack = send.buckets[0].stacks[0]
    assert [f.func for f in stack.frames] == LEAK
    assert all(f.args == "" and f.offset is None for f in stack.frames)  # arguments and offsets ignored
    assert stack.created_by == Frame("main.spawn", "", "/src/spawn.go", 5)
    assert stack.sample_ids == (8, 16, 24, 32, 40)


def test_serving_goroutine_excluded_unless_asked() -> None:
    dump = parse_debug2(sample_text())
    assert "running" not in {g.reason for g in group_goroutines(dump)}
    assert "running" in {g.reason for g in group_goroutines(dump, include_serving=True)}
    assert group_debug2_text(sample_text()).serving == 1


def test_labels_seen_and_leaked_flag() -> None:
    groups = {g.key: g for g in group_goroutines(parse_debug2(sample_text()))}
    recv_stacks = [s for b in groups["chan receive"].buckets for s in b.stacks]
    assert any(s.labels_seen == (("worker", "cache"), ("req", "a-b c")) for s in recv_stacks)
    leaked = groups["chan send (leaked)"]
    assert leaked.leaked and leaked.reason == "chan send" and leaked.buckets[0].stacks[0].leaked


def test_keys_are_stable_across_processes() -> None:
    code = (
        "import sys; from tests.oracles.reference import parse_debug2; "
        "from tests.oracles.reference import group_goroutines; "
        "print([s.key for g in group_goroutines(parse_debug2(sys.stdin.read())) for b in g.buckets for s in b.stacks])"
    )
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.add(
            subprocess.run(
                [sys.executable, "-c", code], input=sample_text(), capture_output=True, text=True, env=env, check=True
            ).stdout
        )
    assert len(outs) == 1
    assert re.search(r"chan send\|≥4h\|[0-9a-f]{16}", outs.pop())


def test_different_stacks_different_keys_same_stack_same_key() -> None:
    groups = group_goroutines(parse_debug2(sample_text()))
    keys = [s.key.rsplit("|", 1)[1] for g in groups for b in g.buckets for s in b.stacks]
    send_hashes = {s.key.rsplit("|", 1)[1] for b in groups[0].buckets for s in b.stacks}
    assert len(send_hashes) == 1  # one stack in five buckets
    recv_hashes = {s.key.rsplit("|", 1)[1] for b in groups[1].buckets for s in b.stacks}
    assert len(recv_hashes) == 2 and not (recv_hashes & send_hashes)
    assert len(keys) == 8


def test_custom_buckets() -> None:
    groups = group_goroutines(parse_debug2(sample_text()), buckets=(10,))
    assert [(b.label, b.count) for b in groups[0].buckets] == [("≥10m", 20), ("<10m", 20)]
    with pytest.raises(ValueError):
        check_buckets((5, 1))
    with pytest.raises(ValueError):
        check_buckets((0, 1))
    assert [bucket_label(i, DEFAULT_BUCKETS) for i in range(6)] == ["<1m", "1–5m", "5–15m", "15–60m", "1–4h", "≥4h"]


# --- semacquire (Go 1.19) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("funcs", "expected"),
    [
        (["sync.runtime_SemacquireMutex", "sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock", "main.f"], "sync.Mutex.Lock"),
        (["sync.runtime_SemacquireMutex", "sync.(*RWMutex).RLock", "main.f"], "sync.RWMutex.RLock"),
        (["sync.runtime_SemacquireMutex", "sync.(*RWMutex).Lock", "main.f"], "sync.RWMutex.Lock"),
        # RWMutex.Lock blocked on its inner writer mutex: Go 1.20+ says sync.Mutex.Lock too.
        (
            ["sync.runtime_SemacquireMutex", "sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock", "sync.(*RWMutex).Lock"],
            "sync.Mutex.Lock",
        ),
        (["sync.runtime_Semacquire", "sync.(*WaitGroup).Wait", "main.f"], "sync.WaitGroup.Wait"),
        (["internal/poll.runtime_Semacquire", "internal/poll.(*fdMutex).rwlock"], "semacquire"),
    ],
)
def test_semacquire_normalised_only_when_the_stack_proves_it(funcs: list[str], expected: str) -> None:
    assert normalise_reason("semacquire", [Frame(f) for f in funcs]) == expected
    assert normalise_reason("chan send", [Frame(f) for f in funcs]) == "chan send"


def test_go119_and_go127_fixtures_agree_on_sync_reasons() -> None:
    def reasons(version: str) -> dict[str, int]:
        groups = group_goroutines(parse_debug2(fixture_path(version, "goroutine_debug2.txt").read_text()))
        return {g.key: g.count for g in groups if g.reason.startswith("sync.")}

    old, mid, new = reasons("go1.19"), reasons("go1.26"), reasons("go1.27")
    assert (
        old
        == mid
        == new
        == {"sync.Mutex.Lock": 3, "sync.RWMutex.RLock": 3, "sync.WaitGroup.Wait": 3, "sync.Cond.Wait": 3}
    )


@pytest.mark.parametrize("version", ["go1.19", "go1.27"])
def test_fixture_leak_group_on_top(version: str) -> None:
    groups = group_goroutines(parse_debug2(fixture_path(version, "goroutine_debug2.txt").read_text()))
    top = groups[0]
    assert top.key == "chan send" and top.count == 250
    assert {s.key.rsplit("|", 1)[1] for b in top.buckets for s in b.stacks} and len(top.buckets) >= 2
    assert top.buckets[0].stacks[0].frames[0].func == "main.(*Dispatcher).deliver"


# --- text fast path == full path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "name"),
    [
        ("go1.19", "goroutine_debug2.txt"),
        ("go1.26", "goroutine_debug2.txt"),
        ("go1.27", "goroutine_debug2.txt"),
        ("go1.27", "goroutineleak_debug2.txt"),
    ],
)
def test_fast_path_equals_full_path_on_fixtures(version: str, name: str) -> None:
    text = fixture_path(version, name).read_text()
    fast = group_debug2_text(text)
    assert fast.groups == group_goroutines(parse_debug2(text))
    assert fast.total == len(parse_debug2(text).goroutines) and not fast.truncated


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t,
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t[:-25],
        lambda t: t + "\n\n\n",
        lambda t: t.replace("\n\ngoroutine", "\ngoroutine"),
        lambda t: "panic: x\n\n" + t,
        lambda t: t.replace("\ngoroutine 2 [", "\n0goroutine 2 ["),  # corrupt header: skipped by both paths
        lambda t: t.replace("\ngoroutine 3 [", "\ngoroutine  ["),
        lambda t: t.replace("\ngoroutine 4 [", "\nXXXXXXXXX 4 ["),
    ],
)
def test_fast_path_equals_full_path_on_edge_cases(mutate) -> None:
    text = mutate(sample_text())
    fast = group_debug2_text(text, buckets=(1, 60))
    dump = parse_debug2(text)
    assert fast.groups == group_goroutines(dump, buckets=(1, 60))
    assert fast.truncated == dump.truncated


def test_fast_path_limit() -> None:
    fast = group_debug2_text(sample_text(), max_goroutines=10)
    assert fast.dropped == fast.total - 10
    assert sum(g.count for g in fast.groups) + fast.serving == 10


# --- debug=1 / proto ------------------------------------------------------------------------


def test_infer_reason() -> None:
    assert infer_reason([Frame("runtime.gopark"), Frame("runtime.chansend"), Frame("main.f")]) == "chan send"
    assert infer_reason([Frame("internal/poll.runtime_pollWait"), Frame("main.f")]) == "IO wait"
    assert infer_reason([Frame("main.f")]) == UNKNOWN_REASON


def test_group_proto_counts_reasons_inferred() -> None:
    sc = decode_goroutine_profile(fixture_path("go1.27", "goroutine.pb.gz").read_bytes())
    groups = group_stack_counts(sc)
    assert all(g.inferred for g in groups)
    top = groups[0]
    assert top.key == "chan send" and top.count >= 250
    assert top.buckets[0].label == "age unknown" and top.min_minutes is None
    by_key = {g.key: g.count for g in groups}
    assert by_key.get("sync.Mutex.Lock") == 3 and by_key.get("sleep", 0) >= 3
    assert sum(by_key.values()) == sc.total


def test_group_debug1_without_runtime_frames_is_honest() -> None:
    # Go hides runtime frames in debug=1: a chan-send leak cannot be told from its stack.
    groups = group_stack_counts(parse_debug1(fixture_path("go1.27", "goroutine_debug1.txt").read_text()))
    top = groups[0]
    assert top.key == UNKNOWN_REASON and top.count >= 250
    assert "IO wait" in {g.key for g in groups}


def test_goroutineleak_counts_are_leaked() -> None:
    groups = group_stack_counts(parse_debug1(fixture_path("go1.27", "goroutineleak_debug1.txt").read_text()))
    assert all(g.leaked for g in groups) and sum(g.count for g in groups) == 256


# --- filters --------------------------------------------------------------------------------


def test_filter_by_regex_and_min_count_recounts() -> None:
    groups = group_goroutines(parse_debug2(sample_text()))
    only_wait = filter_stacks(groups, stack_matcher(re.compile(r"main\.wait")))
    assert [(g.key, g.count) for g in only_wait] == [("chan receive", 4)]
    by_label = filter_stacks(groups, stack_matcher(re.compile("worker=cache")))
    assert [(g.key, g.count) for g in by_label] == [("chan receive", 1)]
    big = filter_stacks(groups, min_count(5))
    assert [(g.key, g.count) for g in big] == [("chan send", 40)]
    assert filter_stacks(groups, stack_matcher(re.compile("nothing-matches"))) == ()


def test_go119_raw_reason_is_kept_and_matched_beside_our_label() -> None:
    """Go 1.19 prints `semacquire`; we show `sync.Mutex.Lock` &c. (the stack proves it) and keep
    what Go printed, so a filter for either finds the same goroutines, on both grouping paths."""
    text = fixture_path("go1.19", "goroutine_debug2.txt").read_text()
    for groups in (group_goroutines(parse_debug2(text)), group_debug2_text(text).groups):
        sync = {g.reason: g for g in groups if g.reason.startswith("sync.")}
        assert set(sync) == {"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait", "sync.Cond.Wait"}
        relabelled = {r for r, g in sync.items() if g.raw_reasons == ("semacquire",)}
        assert relabelled == {"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait"}
        assert all(s.raw_reasons == ("semacquire",) for r in relabelled for b in sync[r].buckets for s in b.stacks)
        # reasons Go printed as we show them carry no raw reason
        assert all(not g.raw_reasons for g in groups if not g.reason.startswith("sync."))
        by_raw = filter_stacks(groups, stack_matcher(re.compile(re.escape("semacquire"))))
        assert {(g.reason, g.count) for g in by_raw} == {
            ("sync.Mutex.Lock", 3),
            ("sync.RWMutex.RLock", 3),
            ("sync.WaitGroup.Wait", 3),
        }
        assert all(g.raw_reasons == ("semacquire",) for g in by_raw)
        by_ours = filter_stacks(groups, stack_matcher(re.compile(re.escape("sync.Mutex.Lock"))))
        assert [(g.reason, g.count) for g in by_ours] == [("sync.Mutex.Lock", 3)]
    # Go 1.27 names the primitive itself: nothing relabelled
    new = group_goroutines(parse_debug2(fixture_path("go1.27", "goroutine_debug2.txt").read_text()))
    assert not any(g.raw_reasons for g in new)
