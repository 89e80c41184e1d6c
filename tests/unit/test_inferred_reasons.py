"""The goroutine tree before any debug=2 dump: wait reasons inferred from the goroutine proto's
stacks (runtime frames kept) agree with what debug=2 printed at the same moment.

Each tests/fixtures/goX.Y holds goroutine.pb.gz, goroutine_debug1.txt and goroutine_debug2.txt of
one moment. debug=1 text (and debug=2 text) hide the runtime frames, so from them the reason can
seldom be told; the proto keeps them, which is why the poller fetches the proto.
"""

from collections import Counter

import pytest

from tests.conftest import FIXTURES_DIR, fixture_path
from tests.oracles.reference import parse_debug2
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.grouping import group_stack_counts
from tui.goroutines.match_keys import match_key
from tui.goroutines.proto import decode_goroutine_profile
from tui.goroutines.reasons import UNKNOWN_REASON, infer_reason, normalise_reason
from tui.goroutines.records import Frame, StackCounts
from tui.recording.format import open_recording

VERSIONS = ("go1.19", "go1.26", "go1.27")
REAL = (
    "alertmanager-idle",
    "caddy-idle",
    "etcd-idle",
    "etcd-load",
    "influxdb-idle",
    "prometheus-idle",
    "prometheus-load",
)


def debug2_reasons(version: str) -> dict[str, Counter[str]]:
    """match key -> Counter of debug=2's (normalised) reasons."""
    dump = parse_debug2(fixture_path(version, "goroutine_debug2.txt").read_text())
    by_key: dict[str, Counter[str]] = {}
    for g in dump.goroutines:
        by_key.setdefault(match_key(g.frames), Counter())[normalise_reason(g.status, g.frames)] += 1
    return by_key


def agreement(counts: StackCounts, truth: dict[str, Counter[str]]) -> tuple[int, int, Counter[tuple[str, str, str]]]:
    """Goroutines whose inferred reason debug=2 printed for the same stack (a multiset match),
    the total, and what disagrees: (inferred, debug=2's, leaf function) -> goroutines."""
    left = {k: Counter(c) for k, c in truth.items()}
    agree = 0
    total = 0
    wrong: Counter[tuple[str, str, str]] = Counter()
    for record in counts.records:
        total += record.count
        inferred = infer_reason(record.frames)
        seen = left.get(match_key(record.frames), Counter())
        ok = min(record.count, seen[inferred])
        seen[inferred] -= ok
        agree += ok
        if record.count > ok:
            said = seen.most_common(1)[0][0] if +seen else "(not in the debug=2 dump)"
            leaf = record.frames[0].func if record.frames else "(no frames)"
            wrong[(inferred, said, leaf)] += record.count - ok
    return agree, total, wrong


@pytest.mark.parametrize("version", VERSIONS)
def test_proto_inference_agrees_with_debug2(version):
    counts = decode_goroutine_profile(fixture_path(version, "goroutine.pb.gz").read_bytes())
    agree, total, wrong = agreement(counts, debug2_reasons(version))
    share = agree / total
    print(f"{version}: {agree}/{total} = {share:.1%}; disagree: {dict(wrong)}")
    assert share >= 0.90, f"{version}: {share:.1%} agree; disagreeing: {wrong.most_common()}"
    # what disagrees is known and small: a receive on a nil channel (same runtime frames as any
    # receive), and goroutines that started or ended between the two captures
    assert sum(wrong.values()) <= 10, wrong.most_common()
    # no big "unknown" group in the inferred tree
    groups = group_stack_counts(counts)
    unknown = sum(g.count for g in groups if g.reason == UNKNOWN_REASON)
    assert unknown <= 0.02 * total
    assert all(g.inferred for g in groups)


@pytest.mark.parametrize("version", VERSIONS)
def test_debug1_text_cannot_tell_most_reasons(version):
    """Why the poller fetches the proto: from debug=1 text most goroutines stay "unknown"."""
    counts = parse_debug1(fixture_path(version, "goroutine_debug1.txt").read_text())
    agree, total, _ = agreement(counts, debug2_reasons(version))
    assert agree / total < 0.5


@pytest.mark.parametrize("version", VERSIONS)
def test_proto_stacks_match_debug2_groups_by_match_key(version):
    """The tracker's series (match keys) are the same whether built from the proto or debug=2."""
    counts = decode_goroutine_profile(fixture_path(version, "goroutine.pb.gz").read_bytes())
    truth = debug2_reasons(version)
    matched = sum(r.count for r in counts.records if match_key(r.frames) in truth)
    assert matched >= 0.97 * counts.total


def test_proven_leaks_are_carried_into_the_inferred_tree():
    counts = decode_goroutine_profile(fixture_path("go1.27", "goroutine.pb.gz").read_bytes())
    leaks = parse_debug1(fixture_path("go1.27", "goroutineleak_debug1.txt").read_text())
    groups = group_stack_counts(counts, leaks)
    leaked = sum(g.count for g in groups if g.leaked)
    assert leaked > 0 and leaked <= leaks.total
    assert leaked >= 0.9 * leaks.total  # nearly every proven leak found its stack
    assert sum(g.count for g in groups) == counts.total  # nothing counted twice
    assert all(g.reason != UNKNOWN_REASON for g in groups if g.leaked)
    assert group_stack_counts(counts) != groups


@pytest.mark.parametrize(
    ("leaf", "want"),
    [
        (["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1"], "chan receive"),
        (["runtime.gopark", "runtime.chansend", "runtime.chansend1"], "chan send"),
        (["runtime.gopark", "runtime.selectgo"], "select"),
        (["runtime.gopark", "runtime.block"], "select (no cases)"),
        (
            [
                "runtime.gopark",
                "runtime.goparkunlock",
                "runtime.semacquire1",
                "sync.runtime_SemacquireMutex",
                "sync.(*Mutex).lockSlow",
                "sync.(*Mutex).Lock",
            ],
            "sync.Mutex.Lock",
        ),
        (
            [
                "runtime.gopark",
                "runtime.semacquire1",
                "internal/sync.runtime_SemacquireMutex",
                "internal/sync.(*Mutex).lockSlow",
                "internal/sync.(*Mutex).Lock",
                "sync.(*Mutex).Lock",
            ],
            "sync.Mutex.Lock",
        ),
        (
            ["runtime.gopark", "runtime.semacquire1", "sync.runtime_SemacquireRWMutexR", "sync.(*RWMutex).RLock"],
            "sync.RWMutex.RLock",
        ),
        (
            ["runtime.gopark", "runtime.semacquire1", "sync.runtime_SemacquireRWMutex", "sync.(*RWMutex).Lock"],
            "sync.RWMutex.Lock",
        ),
        (
            ["runtime.gopark", "runtime.semacquire1", "sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait"],
            "sync.WaitGroup.Wait",
        ),
        (["runtime.gopark", "sync.runtime_notifyListWait", "sync.(*Cond).Wait"], "sync.Cond.Wait"),
        (["runtime.gopark", "runtime.semacquire1", "sync.runtime_Semacquire", "main.custom"], "semacquire"),
        (["runtime.gopark", "runtime.netpollblock", "internal/poll.runtime_pollWait"], "IO wait"),
        (["runtime.gopark", "time.Sleep"], "sleep"),
        (["runtime.gopark", "runtime.gcBgMarkWorker"], "GC worker (idle)"),
        (["runtime.notetsleepg", "os/signal.signal_recv", "os/signal.loop"], "syscall"),
        (["main.main"], UNKNOWN_REASON),
    ],
)
def test_leaf_frames_name_the_wait(leaf, want):
    assert infer_reason([Frame(func=f) for f in leaf] + [Frame(func="main.work")]) == want


@pytest.mark.parametrize("name", REAL)
def test_real_daemons_inference_never_contradicts_debug2(name):
    """The real daemons' recordings hold debug=2 dumps but no proto, and debug=2 text hides the
    runtime frames: the rule is checked on those stacks for precision (a reason it names is the
    one Go printed), not coverage (most stay "unknown" there; the proto has the frames)."""
    rec = open_recording(FIXTURES_DIR / "real" / name)
    dumps = [r for r in rec.records if r.header.ep == "goroutine?debug=2" and not r.header.failed]
    assert dumps and not any(r.header.ep == "goroutine" for r in rec.records)
    named = 0
    for ref in dumps[:: max(1, len(dumps) // 4)]:
        for g in parse_debug2(ref.read_body().decode()).goroutines:
            if g.is_serving or g.status in ("running", "runnable"):
                continue  # not waiting at that instant (e.g. back from a syscall): no reason to judge
            got = infer_reason(g.frames)
            if got != UNKNOWN_REASON:
                named += 1
                assert got == normalise_reason(g.status, g.frames), (g.status, [f.func for f in g.frames[:4]])
