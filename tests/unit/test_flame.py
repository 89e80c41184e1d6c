"""The flame graph's tree, layout and folded stacks: on real captures of several Go versions (every
sample type) and on hand-made stacks whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tui.heap.decode import decode_profile
from tui.heap.flame import ROOT, flame_tree, folded, matching_share, vanished
from tui.heap.flame_layout import layout
from tui.heap.flame_stacks import named_stacks, profile_stacks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAPTURES = sorted(
    [
        FIXTURES / v / n
        for v in ("go1.19", "go1.26", "go1.27")
        for n in ("heap.pb.gz", "allocs.pb.gz", "goroutine.pb.gz")
    ]
    + [
        FIXTURES / "profiles" / d / n
        for d in ("go1.19", "go1.27", "etcd-load")
        for n in ("cpu.pb.gz", "mutex.pb.gz", "block.pb.gz", "heap_delta.pb.gz")
    ]
)


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_folded_values_add_up_to_the_profile_total_for_every_sample_type(path):
    profile = decode_profile(path.read_bytes())
    for index, st in enumerate(profile.sample_types):
        tree = flame_tree(profile_stacks(profile, index))
        lines = folded(tree)
        assert sum(v for _, v in lines) == sum(profile.values[index]), st.type
        if min(profile.values[index], default=0) >= 0:
            assert sum(v for _, v in lines) == tree.total == int(tree.values[ROOT])
        # distinct paths: a stack is one line
        assert len({p for p, _ in lines}) == len(lines)


@pytest.mark.parametrize("version", ["go1.19", "go1.26", "go1.27"])
def test_tree_invariants_on_real_heap(version):
    profile = decode_profile((FIXTURES / version / "heap.pb.gz").read_bytes())
    tree = flame_tree(profile_stacks(profile, "alloc_space"))
    for node in range(1, len(tree)):
        parent = int(tree.parent[node])
        assert tree.depth[node] == tree.depth[parent] + 1
        # a child lies inside its parent
        assert tree.x[parent] <= tree.x[node]
        assert tree.x[node] + tree.values[node] <= tree.x[parent] + tree.values[parent]
    for node in range(len(tree)):
        kids = tree.children(node)
        assert int(tree.values[list(kids)].sum()) + int(tree.self_values[node]) == int(tree.values[node])
        names = [tree.name(k) for k in kids]
        assert names == sorted(names)
    leak = tree.find(("main.every", "main.(*LFUCache).readSome", "main.(*LFUCache).Get", "main.(*LFUCache).increment"))
    assert leak[1] == 4 and tree.values[leak[0]] > 0


def _table(*stacks):
    """Stacks written root first, 'a;b;c', with their values."""
    return named_stacks(
        [(tuple(reversed(s.split(";"))), v) for s, v in stacks], sample_type="inuse_space", unit="bytes"
    )


def test_hand_made_tree_layout_and_navigation():
    tree = flame_tree(_table(("main;a;x", 30), ("main;a", 10), ("main;b", 60), ("other", 0)))
    assert tree.total == 100 and len(tree) == 5  # root, main, a, b, x ("other" weighs nothing)
    assert sorted(folded(tree)) == [(("main", "a"), 10), (("main", "a", "x"), 30), (("main", "b"), 60)]
    lay = layout(tree, ROOT, 10)
    rows = [[(int(a), int(b), tree.name(int(n))) for a, b, n in zip(r.starts, r.ends, r.nodes)] for r in lay.rows]
    assert rows == [[(0, 10, "all")], [(0, 10, "main")], [(0, 4, "a"), (4, 10, "b")], [(0, 3, "x")]]
    main = lay.child(ROOT)
    assert tree.name(main) == "main"
    assert tree.name(lay.child(main)) == "b"  # the heaviest child: the hot path
    a = lay.sibling(lay.child(main), -1)
    assert tree.name(a) == "a" and lay.parent(a) == main and lay.sibling(a, -1) == a
    # zoomed into a: its ancestors span the width, x fills it
    zoomed = layout(tree, a, 10)
    assert [tree.name(int(r.nodes[0])) for r in zoomed.rows] == ["all", "main", "a", "x"]
    assert (int(zoomed.rows[3].starts[0]), int(zoomed.rows[3].ends[0])) == (0, 7)
    # a path survives a new profile; a missing frame falls back to its deepest ancestor
    again = flame_tree(_table(("main;a;x", 5), ("main;c", 1)))
    assert again.find(tree.path(a)) == (again.find(("main", "a"))[0], 2)
    assert again.find(("main", "b")) == (again.find(("main",))[0], 1)


def test_search_share_counts_a_stack_once():
    tree = flame_tree(_table(("main;lock;work;lock", 40), ("main;work", 50), ("main;idle", 10)))
    names = np.array([("lock" in n) for n in tree.names])
    hit, share = matching_share(tree, names)
    assert share == 40  # the inner lock is inside the outer one
    assert int(hit.sum()) == 2
    hit, share = matching_share(tree, np.array([n == "work" for n in tree.names]))
    assert share == 90


def test_differential_tree_keeps_vanished_frames():
    new = _table(("main;a", 70), ("main;b", 30))
    base = _table(("main;a", 20), ("main;gone;deep", 50), ("old", 5))
    tree = flame_tree(new, [base])
    assert tree.base_values is not None
    a = tree.find(("main", "a"))[0]
    assert (int(tree.values[a]), int(tree.base_values[a])) == (70, 20)
    # width only from the new profile: the vanished frames take no room
    assert tree.width_of(tree.find(("main", "gone"))[0]) == 0
    assert vanished(tree) == [(("main", "gone"), 50), (("old",), 5)]
    # folded stays the new profile's
    assert sum(v for _, v in folded(tree)) == 100
    # the median of several bases
    median = flame_tree(new, [_table(("main;a", 10)), _table(("main;a", 30)), _table(("main;a", 90))])
    assert median.base_values is not None and int(median.base_values[median.find(("main", "a"))[0]]) == 30


def test_negative_values_draw_nothing_outside_the_width():
    tree = flame_tree(_table(("main;a", 50), ("main;b", -80), ("main;b;c", 20)))
    lay = layout(tree, ROOT, 40)
    for row in lay.rows:
        assert (row.starts >= 0).all() and (row.ends <= 40).all() and (row.ends > row.starts).all()


def test_inlined_frames_are_frames_of_their_own():
    profile = decode_profile((FIXTURES / "profiles" / "go1.27" / "cpu.pb.gz").read_bytes())
    tree = flame_tree(profile_stacks(profile, "cpu"))
    # `go tool pprof -traces` prints runtime.readvarint (inline) under runtime.step
    paths = [p for p, _ in folded(tree) if "runtime.readvarint" in p]
    assert paths and all(p[p.index("runtime.readvarint") - 1] == "runtime.step" for p in paths)


def test_empty_profile_table():
    tree = flame_tree(_table())
    assert len(tree) == 1 and tree.total == 0 and folded(tree) == []
    assert len(layout(tree, ROOT, 80).rows) == 1
