"""tui.goroutines.pivots: the tree by label, by creator, by similar stack, on real captures of
Go 1.19, 1.26 and 1.27 and on hand-made dumps for the edges (spawn cycles, missing creators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import group_goroutines, parse_debug2
from tui.goroutines import fastgroup, spawn_chain
from tui.goroutines.debug1 import parse_debug1
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.grouping import (
    CREATOR_CYCLE,
    CREATOR_GONE,
    CREATOR_NOT_KEPT,
    ReasonGroup,
    StackGroup,
    group_stack_counts,
)
from tui.goroutines.pivots import (
    LABELS_NOT_KEPT,
    NO_CREATOR_ID,
    NO_LABEL,
    Pivot,
    filter_labels,
    label_keys,
    parse_label_filter,
    parse_pivot,
    pivot_groups,
)
from tui.goroutines.proto import decode_goroutine_profile

VERSIONS = ["go1.19", "go1.26", "go1.27"]
PIVOTS = ["reason", "label:worker", "label:req", "creator", "similar:exact", "similar:func", "similar:top1"]


def debug2(version: str, name: str = "goroutine_debug2.txt") -> tuple[ReasonGroup, ...]:
    return group_debug2_text(fixture_path(version, name).read_text()).groups


def debug1(version: str) -> tuple[ReasonGroup, ...]:
    return group_stack_counts(parse_debug1(fixture_path(version, "goroutine_debug1.txt").read_text()))


def proto(version: str) -> tuple[ReasonGroup, ...]:
    return group_stack_counts(decode_goroutine_profile(fixture_path(version, "goroutine.pb.gz").read_bytes()))


def stacks(groups: tuple[ReasonGroup, ...]) -> list[StackGroup]:
    return [s for r in groups for b in r.buckets for s in b.stacks]


def by_key(groups: tuple[ReasonGroup, ...]) -> dict[str, int]:
    return {g.key: g.count for g in groups}


def check_shape(groups: tuple[ReasonGroup, ...]) -> None:
    """Counts add up at every level; keys are unique in the whole tree (the pane finds nodes by them)."""
    keys: list[str] = []
    for r in groups:
        assert r.count == sum(b.count for b in r.buckets) > 0
        keys.append(r.key)
        for b in r.buckets:
            assert b.count == sum(s.count for s in b.stacks) > 0
            assert b.key.startswith(r.key + "|")
            keys.append(b.key)
            for s in b.stacks:
                assert s.count > 0 and s.key.startswith(b.key + "|") and s.source_keys
                keys.append(s.key)
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("source", [debug2, debug1, proto])
@pytest.mark.parametrize("spec", PIVOTS)
def test_every_pivot_keeps_every_goroutine(version: str, source: Callable, spec: str) -> None:
    tree = source(version)
    pivoted = pivot_groups(tree, parse_pivot(spec))
    check_shape(pivoted)
    assert sum(g.count for g in pivoted) == sum(g.count for g in tree)
    original = {s.key for s in stacks(tree)}
    assert {k for s in stacks(pivoted) for k in s.source_keys} == original
    # leaked goroutines stay leaked, as many
    assert sum(s.count for s in stacks(pivoted) if s.leaked) == sum(g.count for g in tree if g.leaked)


@pytest.mark.parametrize("version", ["go1.26", "go1.27"])
def test_labels_from_debug2_headers(version: str) -> None:
    """Go 1.26 (tracebacklabels=1, inside the brackets) and 1.27 (after them) label debug=2 headers."""
    tree = debug2(version)
    total = sum(g.count for g in tree)
    assert label_keys(tree) == ("req", "worker")
    worker = pivot_groups(tree, Pivot("label", label_key="worker"))
    assert by_key(worker) == {"label:worker=cache": 3, f"label:{NO_LABEL}": total - 3}
    labelled = worker[1] if worker[0].key.endswith(NO_LABEL) else worker[0]
    assert labelled.reason == "worker=cache"
    [bucket] = labelled.buckets
    assert bucket.label == "chan receive"
    [stack] = bucket.stacks
    assert stack.frames[0].func == "main.labeledWorker"
    assert stack.label_counts == (((("req", "a-b c"), ("worker", "cache")), 3),)
    req = pivot_groups(tree, Pivot("label", label_key="req"))
    assert by_key(req)["label:req=a-b c"] == 3


def test_go119_debug2_has_no_labels_but_its_debug1_and_proto_do() -> None:
    """Go 1.19 prints no labels in debug=2; its debug=1 (`# labels:`) and proto carry them."""
    tree = debug2("go1.19")
    assert label_keys(tree) == ()
    assert list(by_key(pivot_groups(tree, Pivot("label", label_key="worker")))) == [f"label:{NO_LABEL}"]
    for counts in (debug1("go1.19"), proto("go1.19"), debug1("go1.27"), proto("go1.27")):
        assert set(label_keys(counts)) == {"req", "worker"}
        assert by_key(pivot_groups(counts, Pivot("label", label_key="worker")))["label:worker=cache"] == 3


@pytest.mark.parametrize("source", [debug2, debug1, proto])
def test_label_filter(source: Callable) -> None:
    tree = source("go1.27")
    kept = filter_labels(tree, [("worker", "cache"), ("req", "a-b c")])
    assert sum(g.count for g in kept) == 3
    assert all(s.frames and "labeledWorker" in " ".join(f.func for f in s.frames) for s in stacks(kept))
    assert filter_labels(tree, [("worker", "nope")]) == ()
    assert filter_labels(tree, []) == tree


def test_label_shares_split_one_stack() -> None:
    """One stack whose goroutines carry different values is split by value; counts exact."""
    text = (
        "\n".join(
            f"goroutine {i} [chan receive, 3 minutes] {{tenant: {'acme' if i % 3 else 'beta'}}}:\n"
            f"main.handle(0x{i:x})\n\t/src/h.go:10 +0x1\ncreated by main.serve in goroutine 1\n\t/src/s.go:5 +0x2\n"
            for i in range(2, 32)
        )
        + "\ngoroutine 40 [select]:\nmain.handle(0x1)\n\t/src/h.go:10 +0x1\n"
    )
    for tree in (group_debug2_text(text).groups, group_goroutines(parse_debug2(text))):
        pivoted = pivot_groups(tree, parse_pivot("label:tenant"))
        check_shape(pivoted)
        assert by_key(pivoted) == {"label:tenant=acme": 20, "label:tenant=beta": 10, f"label:{NO_LABEL}": 1}
        acme = next(g for g in pivoted if g.key == "label:tenant=acme")
        assert acme.buckets[0].stacks[0].min_minutes == 3
        assert sum(g.count for g in filter_labels(tree, [parse_label_filter("tenant=beta")])) == 10


def test_labels_not_kept_are_counted() -> None:
    sg = stacks(debug2("go1.27"))[0]
    cut = replace(sg, label_counts=())  # e.g. more label sets than MAX_LABEL_SETS
    group = ReasonGroup("x", "x", sg.count, False, (replace_bucket(cut),))
    assert by_key(pivot_groups((group,), Pivot("label", label_key="worker"))) == {f"label:{LABELS_NOT_KEPT}": sg.count}


def replace_bucket(sg: StackGroup):
    from tui.goroutines.grouping import BucketGroup

    return BucketGroup("x|b", "b", 0, None, sg.count, sg.min_minutes, sg.max_minutes, (sg,))


# --- creator -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["go1.26", "go1.27"])
def test_creator_spawn_chain_on_real_dumps(version: str) -> None:
    """Go 1.21+ says "in goroutine N": the leaking fanOut goroutines were started by fanOut running
    in the main goroutine (the initial 100) and in a goroutine main.main started (1 a second)."""
    pivoted = pivot_groups(debug2(version), Pivot("creator"))
    top = pivoted[0]
    assert top.key == "creator:main.(*Dispatcher).fanOut" and top.count == 250
    chains = {b.label: b.count for b in top.buckets}
    assert sum(chains.values()) == 250 and "← main.main" in chains
    assert all(b.label.startswith("← ") for b in top.buckets)


def test_creator_on_go119_has_no_chain() -> None:
    top = pivot_groups(debug2("go1.19"), Pivot("creator"))[0]
    assert top.key == "creator:main.(*Dispatcher).fanOut" and top.count == 250
    assert [b.label for b in top.buckets] == [NO_CREATOR_ID]


def spawn_dump() -> str:
    """1 (main) -> 10 spawner -> 20 middle -> 30..32 workers; 40 created by a gone goroutine 99;
    50 and 51 create each other (ids reused)."""

    def block(gid: int, func: str, creator: str | None, cid: int | None) -> str:
        text = f"goroutine {gid} [chan receive]:\nmain.{func}(0x{gid:x})\n\t/src/m.go:{len(func)} +0x1\n"
        if creator:
            text += f"created by main.{creator} in goroutine {cid}\n\t/src/m.go:1 +0x2\n"
        return text

    blocks = [
        block(1, "main", None, None),
        block(10, "spawner", "main", 1),
        block(20, "middle", "spawner", 10),
        *(block(gid, "worker", "middle", 20) for gid in (30, 31, 32)),
        block(40, "orphan", "lost", 99),
        block(50, "a", "b", 51),
        block(51, "b", "a", 50),
    ]
    return "\n".join(blocks)


def test_spawn_tree_follows_creators_past_gaps_and_cycles() -> None:
    text = spawn_dump()
    fast, full = group_debug2_text(text).groups, group_goroutines(parse_debug2(text))
    assert fast == full
    chains = {s.frames[0].func: s.creator_chains for s in stacks(fast)}
    assert chains["main.worker"] == ((("main.spawner", "main.main"), 3),)
    assert chains["main.middle"] == ((("main.main",), 1),)
    assert chains["main.spawner"] == (((), 1),)  # created in main, which has no creator
    assert chains["main.orphan"] == (((CREATOR_GONE,), 1),)
    assert chains["main.a"] == ((("main.a", "main.b", CREATOR_CYCLE), 1),)  # 51 by 50 by 51 again
    assert chains["main.main"] == ()
    pivoted = pivot_groups(fast, Pivot("creator"))
    check_shape(pivoted)
    middle = next(g for g in pivoted if g.key == "creator:main.middle")
    assert [b.label for b in middle.buckets] == ["← main.spawner ← main.main"]


def test_many_creators_take_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past _SPAWN_FINDS creators to look up, one regex pass finds them: same chains."""
    text = spawn_dump()
    expected = group_debug2_text(text).groups
    monkeypatch.setattr(spawn_chain, "_SPAWN_FINDS", 1)
    assert group_debug2_text(text).groups == expected


# --- similar stacks ----------------------------------------------------------------------------


def similar_dump() -> str:
    """Three stacks of one problem: lines differ (two builds), an extra caller frame."""
    return "\n".join(
        [
            "goroutine 2 [chan send]:\nmain.deliver(0x1)\n\t/src/d.go:10 +0x1\nmain.route()\n\t/src/r.go:5 +0x1\n",
            "goroutine 3 [chan send]:\nmain.deliver(0x2)\n\t/src/d.go:12 +0x1\nmain.route()\n\t/src/r.go:5 +0x1\n",
            "goroutine 4 [chan send]:\nmain.deliver(0x3)\n\t/src/d.go:10 +0x1\nmain.other()\n\t/src/o.go:5 +0x1\n",
            "goroutine 5 [select, 2 minutes]:\nmain.deliver(0x3)\n\t/src/d.go:10 +0x1\nmain.route()\n\t/src/r.go:5 +0x1\n",
        ]
    )


def test_similar_levels_merge_more_and_more() -> None:
    tree = group_debug2_text(similar_dump()).groups
    exact = pivot_groups(tree, parse_pivot("similar:exact"))
    func = pivot_groups(tree, parse_pivot("similar"))
    top = pivot_groups(tree, parse_pivot("similar:top1"))
    for pivoted in (exact, func, top):
        check_shape(pivoted)
    assert sorted(g.count for g in exact) == [1, 1, 2]  # goroutines 2 and 5: one stack, two reasons
    assert sorted(g.count for g in func) == [1, 3]
    [merged] = top
    assert merged.count == 4 and merged.reason == "main.deliver  (3 stacks)"
    assert {b.label: b.count for b in merged.buckets} == {"chan send": 3, "select": 1}
    send = next(b for b in merged.buckets if b.label == "chan send")
    assert len(send.stacks) == 3  # the merged stacks, listed


def test_keys_stay_when_counts_change() -> None:
    """A refresh keeps open nodes and the cursor: keys come from values, not counts or order."""
    text = fixture_path("go1.27", "goroutine_debug2.txt").read_text()
    fewer = text.replace("chan send, 2 minutes", "chan send, 1 minutes", 40)
    for spec in PIVOTS[1:]:
        pivot = parse_pivot(spec)
        a = {s.key for s in stacks(pivot_groups(group_debug2_text(text).groups, pivot))}
        b = {s.key for s in stacks(pivot_groups(group_debug2_text(fewer).groups, pivot))}
        assert a == b, spec


def test_leaked_marks_in_every_pivot() -> None:
    tree = debug2("go1.27", "goroutineleak_debug2.txt")
    leaked = sum(g.count for g in tree if g.leaked)
    assert leaked == 256
    for spec in PIVOTS[1:]:
        pivoted = pivot_groups(tree, parse_pivot(spec))
        assert sum(s.count for s in stacks(pivoted) if s.leaked) == leaked
    by_func = pivot_groups(tree, parse_pivot("similar:func"))
    assert by_func[0].reason == "main.(*Dispatcher).deliver  (all leaked)"
    assert by_func[0].buckets[0].label == "chan send (leaked)"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("reason", "reason"),
        ("label:tenant", "label:tenant"),
        ("creator", "creator"),
        ("similar", "similar:func"),
        ("similar:exact", "similar:exact"),
        ("similar:top3", "similar:top3"),
        ("similar:top", "similar:top5"),
    ],
)
def test_parse_pivot(text: str, spec: str) -> None:
    assert parse_pivot(text).spec == spec


@pytest.mark.parametrize("text", ["label", "label:", "creator:x", "similar:top0", "similar:lines", "age", ""])
def test_parse_pivot_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_pivot(text)


def test_parse_label_filter() -> None:
    assert parse_label_filter("req=a=b") == ("req", "a=b")
    assert parse_label_filter("k=") == ("k", "")
    for bad in ("k", "=v"):
        with pytest.raises(ValueError):
            parse_label_filter(bad)


def test_pivot_titles() -> None:
    assert Pivot().title == "by reason"
    assert Pivot("label", label_key="tenant").title == "by label tenant"
    assert Pivot("label").title == "by label (none in this dump)"
    assert parse_pivot("similar:top3").title == "by similar stack (same top 3 frames)"
    assert parse_pivot("similar").spec == replace(Pivot("similar"), level="func").spec


def test_a_piece_of_many_creators_keeps_counts_not_creators(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past _MAX_KEYS_PER_PIECE distinct keys in a piece (a goroutine per request, each started by
    its own handler), the fast path keys it without creator ids: same groups and counts, and its
    goroutines' creators are "(creator not kept)" instead of a chain."""
    text = spawn_dump()
    expected = group_debug2_text(text).groups
    monkeypatch.setattr(fastgroup, "_MAX_KEYS_PER_PIECE", 0)
    groups = group_debug2_text(text).groups
    assert [(s.key, s.count) for s in stacks(groups)] == [(s.key, s.count) for s in stacks(expected)]
    chains = {s.frames[0].func: s.creator_chains for s in stacks(groups)}
    assert chains["main.worker"] == (((CREATOR_NOT_KEPT,), 3),) and chains["main.main"] == ()
    by_creator = pivot_groups(groups, Pivot("creator"))
    middle = next(g for g in by_creator if g.key == "creator:main.middle")
    assert [b.label for b in middle.buckets] == [CREATOR_NOT_KEPT]


def test_creators_past_the_per_stack_bound_are_counted_as_not_kept() -> None:
    from tui.goroutines.grouping import MAX_CREATOR_IDS

    blocks = [
        f"goroutine {gid} [chan receive]:\nmain.work(0x1)\n\t/src/w.go:3 +0x1\n"
        f"created by main.handle in goroutine {gid + 1000}\n\t/src/h.go:9 +0x2\n"
        for gid in range(2, 2 + MAX_CREATOR_IDS + 10)
    ]
    text = "\n".join(blocks)
    for groups in (group_debug2_text(text).groups, group_goroutines(parse_debug2(text))):
        [sg] = stacks(groups)
        chains = dict(sg.creator_chains)
        assert chains == {(CREATOR_GONE,): MAX_CREATOR_IDS, (CREATOR_NOT_KEPT,): 10}


def test_label_values_past_the_biggest_are_grouped_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request id as a label: past MAX_VALUES values, the smaller ones share one group."""
    from tui.goroutines import pivots

    text = "\n".join(
        f"goroutine {i} [chan receive] {{req: r{i % 7}}}:\nmain.handle(0x{i:x})\n\t/src/h.go:{10 + i % 2} +0x1\n"
        for i in range(2, 2 + 7 * 9 + 3)
    )
    tree = group_debug2_text(text).groups
    everything = by_key(pivot_groups(tree, parse_pivot("label:req")))
    assert len(everything) == 7
    monkeypatch.setattr(pivots, "MAX_VALUES", 3)
    pivoted = pivot_groups(tree, parse_pivot("label:req"))
    check_shape(pivoted)
    biggest = sorted(everything, key=lambda k: (-everything[k], k))[:3]
    assert by_key(pivoted) == {
        **{k: everything[k] for k in biggest},
        f"label:{pivots.OTHER_VALUES}": sum(v for k, v in everything.items() if k not in biggest),
    }
    other = next(g for g in pivoted if g.key == f"label:{pivots.OTHER_VALUES}")
    shares = [s for b in other.buckets for s in b.stacks]
    assert all(
        all(dict(labels)["req"] not in {k.split("=")[1] for k in biggest} for labels, _ in s.label_counts)
        for s in shares
    )
