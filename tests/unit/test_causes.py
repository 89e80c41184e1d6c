"""Causes, not symptoms: goroutine-creation heap growth is folded into the goroutine group that grows."""

from __future__ import annotations

from tui.goroutines.match_keys import GroupObservation
from tui.leaks.causes import GoroutineMemory, attribute_goroutine_memory, is_goroutine_creation
from tui.leaks.growth import GROWING, LEAKED, Verdict
from tui.leaks.reconcile import GOROUTINES
from tui.leaks.tracker import LeakTracker

MB = 1024 * 1024


def _feed(tr: LeakTracker, *, group_grows: bool, malg_grows: bool, cache_grows: bool = False) -> None:
    for i in range(13):
        t = 10.0 * i
        count = 100 + (200 * i if group_grows else 0)
        tr.observe_groups(t, [GroupObservation("leak", "chan send", count, label="main.(*Dispatcher).deliver")])
        tr.observe_metrics(t, {GOROUTINES: count + 10, "stack_inuse": (count + 10) * 8192})
        values = {"runtime.malg": 1 * MB + (i * 512 * 1024 if malg_grows else 0), "main.steady": 4 * MB}
        if cache_grows:
            values["main.(*LFUCache).increment"] = 1 * MB + i * MB
        tr.observe_function_values(t, values)


def test_malg_growth_is_the_growing_groups_cost_not_a_verdict_of_its_own():
    tr = LeakTracker()
    _feed(tr, group_grows=True, malg_grows=True, cache_grows=True)
    r = tr.report()
    kinds = [(v.kind, v.key) for v in r.verdicts]
    assert (GROWING, "leak") in kinds and (GROWING, "main.(*LFUCache).increment") in kinds
    assert not any(is_goroutine_creation(v.key) for v in r.verdicts), kinds
    group = next(v for v in r.verdicts if v.key == "leak")
    assert "holds ≈" in group.evidence and "runtime.malg" in group.evidence
    # the table still marks runtime.malg as rising: the evidence is not hidden, only not a cause
    assert next(f for f in r.functions if f.key == "runtime.malg").mark == "↑"
    # and the reconciliation does not blame the heap for the goroutines' memory alone
    assert r.reconciliation.verdict != "heap" or any(v.key.startswith("main.(*LFU") for v in r.verdicts)


def test_without_a_growing_group_a_runtime_heap_verdict_is_context_not_a_failing_verdict():
    tr = LeakTracker()
    _feed(tr, group_grows=False, malg_grows=True)
    r = tr.report()
    assert r.verdicts == ()  # no failing verdict is labelled with a runtime frame
    note = next(v for v in r.context if v.key == "runtime.malg")
    assert "goroutines being created" in note.evidence and "no frame of the service's code" in note.evidence


def test_memory_held_is_count_times_stack_and_struct_share():
    v = Verdict(LEAKED, "k", "f [chan send]", 60.0, 1000.0, 0.0, "proven", "goroutines")
    malg = Verdict(GROWING, "runtime.malg", "runtime.malg", 1000.0, 5e5, 0.0, "rises", "bytes")
    memory = GoroutineMemory(goroutines=2000, stack_inuse=2000 * 8192, creation_heap=2000 * 448)
    groups, heap, context = attribute_goroutine_memory({"k": v}, [malg], memory)
    assert heap == [] and context == []
    assert "holds ≈ 8.24MB" in groups["k"].evidence and "8.44kB each" in groups["k"].evidence
    steady = Verdict(LEAKED, "k", "f", 0.0, 3.0, 0.0, "proven", "goroutines")
    groups, heap, context = attribute_goroutine_memory({"k": steady}, [malg], memory)
    assert heap == [] and groups["k"].evidence == "proven"  # a steady group causes no growth
    assert [c.key for c in context] == ["runtime.malg"]  # ... and the runtime is no cause of its own


def test_go127_goroutine_creation_ends_in_mallocgc_and_is_known_as_creation(fixture_path):
    """Go 1.27 profiles end the g structs' stacks in runtime.mallocgc (under runtime.malg), with no
    frame of the service's code above them: the site says goroutine creation, so the verdict is folded."""
    from tui.heap.decode import decode_profile
    from tui.leaks.alloc_site import allocation_site
    from tui.leaks.causes import is_creation_verdict, is_runtime_label
    from tui.leaks.growth import CAUSE_GOROUTINE_CREATION

    profile = decode_profile(fixture_path("go1.27", "heap.pb.gz").read_bytes())
    site = allocation_site(profile, "runtime.mallocgc", "inuse_space")
    assert site.creation and "runtime.malg" in site.path
    v = Verdict(GROWING, "runtime.mallocgc", site.label, 1e5, 5e5, 0.0, "rises", "bytes", CAUSE_GOROUTINE_CREATION)
    assert is_creation_verdict(v) and is_runtime_label(v.label)
    grow = Verdict(GROWING, "g", "main.fetchAll.func1 [chan send]", 2300.0, 1e5, 0.0, "grows", "goroutines")
    closure = Verdict(GROWING, "main.fetchAll.func1", "main.fetchAll.func1", 1e6, 1e8, 0.0, "rises", "bytes")
    groups, heap, context = attribute_goroutine_memory(
        {"g": grow}, [v, closure], None, {"g": ("main.fetchAll.func1", "main.fetchAll")}
    )
    assert heap == [] and context == []  # both folded into the goroutine verdict that explains them
    assert "runtime.mallocgc" in groups["g"].evidence and "main.fetchAll.func1" in groups["g"].evidence
    assert "holds ≥ 95.37MB of heap they allocated" in groups["g"].evidence
