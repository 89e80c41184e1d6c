"""tui.leaks.angles and the tracker's `angles`: a growing label value or creator is a finding."""

from __future__ import annotations

from tests.conftest import fixture_path
from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.grouping import group_stack_counts
from tui.goroutines.proto import decode_goroutine_profile
from tui.leaks.angles import (
    CREATOR_PREFIX,
    LABEL_PREFIX,
    MAX_PER_OBSERVATION,
    AngleSeries,
    creator_counts,
    label_counts,
    observe_tree,
)
from tui.leaks.growth import GROWING
from tui.leaks.tracker import LeakTracker
from tui.screens.leak_screen import report_text


def handlers_dump(acme: int, beta: int, *, labelled: bool = True) -> str:
    """Go 1.27 debug=2: ``acme`` + ``beta`` handlers (labelled tenant=…), each started by its own
    request goroutine (gone), on three stacks that differ by a line, plus one steady spawner."""
    blocks = ["goroutine 1 [select, 5 minutes]:\nmain.main()\n\t/src/main.go:20 +0x1\n"]
    gid = 100
    for tenant, n in (("acme", acme), ("beta", beta)):
        for i in range(n):
            gid += 1
            labels = f" {{tenant: {tenant}}}" if labelled else ""
            blocks.append(
                f"goroutine {gid} [chan receive]{labels}:\nmain.handle(0x{gid:x})\n\t/src/h.go:{10 + i % 3} +0x1\n"
                f"created by main.serve in goroutine {5000 + gid}\n\t/src/s.go:5 +0x2\n"
            )
    return "\n".join(blocks)


def test_counts_by_label_and_creator_on_real_captures() -> None:
    tree = group_debug2_text(fixture_path("go1.27", "goroutine_debug2.txt").read_text()).groups
    labels = label_counts(tree)
    assert labels == {f"{LABEL_PREFIX}req=a-b c": 3, f"{LABEL_PREFIX}worker=cache": 3}
    creators = creator_counts(tree)
    assert creators[f"{CREATOR_PREFIX}main.(*Dispatcher).fanOut"] == 250
    # Go 1.19: no labels in debug=2, but in the proto
    old = group_debug2_text(fixture_path("go1.19", "goroutine_debug2.txt").read_text()).groups
    assert label_counts(old) == {}
    counts = group_stack_counts(decode_goroutine_profile(fixture_path("go1.19", "goroutine.pb.gz").read_bytes()))
    assert label_counts(counts)[f"{LABEL_PREFIX}worker=cache"] == 3 and creator_counts(counts) == {}


def test_a_growing_tenant_and_its_creator_are_findings() -> None:
    angles = AngleSeries()
    for poll in range(10):  # every 10 s: acme +40 (240/min), beta steady
        tree = group_debug2_text(handlers_dump(20 + 40 * poll, 15)).groups
        observe_tree(angles, 10.0 * poll, tree, has_creators=True)
    verdicts = {v.label: v for v in angles.verdicts()}
    assert set(verdicts) == {"tenant=acme", "created by main.serve"}
    acme = verdicts["tenant=acme"]
    assert acme.kind == GROWING and acme.unit == "goroutines" and 200 <= acme.rate_per_min <= 280
    assert acme.current == 20 + 40 * 9


def test_steady_tenants_are_no_finding() -> None:
    angles = AngleSeries()
    tree = group_debug2_text(handlers_dump(50, 15)).groups
    for poll in range(10):
        observe_tree(angles, 10.0 * poll, tree, has_creators=True)
    assert angles.verdicts() == ()


def test_a_tree_without_labels_does_not_zero_the_label_series() -> None:
    """Go 1.19's debug=2 (or a go.mod < 1.27) prints no labels: such a tree says nothing about them."""
    angles = AngleSeries()
    for poll in range(14):  # 7 labelled trees: enough points for a verdict only if the others are skipped
        labelled = poll % 2 == 0
        tree = group_debug2_text(handlers_dump(20 + 40 * poll, 15, labelled=labelled)).groups
        observe_tree(angles, 10.0 * poll, tree, has_creators=True)
    assert "tenant=acme" in {v.label for v in angles.verdicts()}


def test_observations_are_bounded() -> None:
    angles = AngleSeries()
    counts = {f"{LABEL_PREFIX}req={i}": i + 1 for i in range(3 * MAX_PER_OBSERVATION)}
    angles.observe(0.0, counts, LABEL_PREFIX)
    assert len(angles._series) == MAX_PER_OBSERVATION
    assert f"{LABEL_PREFIX}req={3 * MAX_PER_OBSERVATION - 1}" in angles._series  # the biggest


def test_tracker_reports_angles_and_the_leak_report_shows_them() -> None:
    tracker = LeakTracker()
    for poll in range(10):
        tree = group_debug2_text(handlers_dump(20 + 40 * poll, 15)).groups
        tracker.observe_angles(10.0 * poll, tree, has_creators=True)
    report = tracker.report(90.0)
    assert {v.label for v in report.angles} == {"tenant=acme", "created by main.serve"}
    assert all(v.key not in {w.key for w in report.verdicts} for v in report.angles)
    text = report_text(report, 90.0).plain
    assert "growing by label value or creator" in text
    assert "tenant=acme  +240/min" in text and "20 → 380 over 1.5 min" in text
    tracker.restart()
    assert tracker.report(100.0).angles == ()
