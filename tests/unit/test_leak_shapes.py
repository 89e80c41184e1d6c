"""Known leak shapes (tui/leaks/shapes.py) on real captures of services shaped like production code
(tests/fixtures/shapes: recorded by record_shapes.py from tests/benchmarks/go/services), and the hint
carried by a tracker's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.goroutines.fastgroup import group_debug2_text
from tui.goroutines.match_keys import GroupObservation, from_reason_groups
from tui.heap.decode import decode_profile
from tui.leaks import shapes
from tui.leaks.alloc_site import allocation_site
from tui.leaks.growth import GROWING
from tui.leaks.heap_baseline import function_values
from tui.leaks.tracker import LeakTracker

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
CAPTURES = sorted(p for p in SHAPES.glob("go*/*") if p.is_dir())


def _biggest_group(capture: Path) -> GroupObservation:
    dump = group_debug2_text((capture / "goroutine_debug2.txt").read_text(errors="replace"))
    return max(from_reason_groups(dump.groups), key=lambda o: o.count)


def _capture(version_prefix: str, service: str) -> Path:
    found = [p for p in CAPTURES if p.parent.name.startswith(version_prefix) and p.name == service]
    if not found:
        pytest.fail(f"no capture {version_prefix}*/{service} in {SHAPES} (record_shapes.py)")
    return found[0]


@pytest.mark.parametrize(
    ("service", "shape", "own"),
    [
        ("inventory-client", shapes.UNCLOSED_BODIES, None),  # resp.Body.Close() forgotten on 503s
        ("search-fanout", shapes.RECEIVER_GONE, "main.(*SearchService).queryShard"),
        ("token-convoy", shapes.LOCK_CONVOY, "main.(*TokenSource).Token"),
        ("stream-watch", shapes.WAITERS, "main.(*StreamServer).watchClient"),  # <-ctx.Done(), never cancelled
        ("upload-progress", shapes.WAITERS, "main.(*upload).reportProgress"),  # a ticker loop with no way out
    ],
)
@pytest.mark.parametrize("version", ["go1.27", "go1.19"])
def test_the_leaking_group_of_a_real_capture_has_its_shape(version, service, shape, own):
    group = _biggest_group(_capture(version, service))
    assert shapes.match_group(group.reason, group.functions, group.max_minutes) == shape
    assert shapes.own_frame(group.functions) == own


def test_unclosed_bodies_in_the_heap_and_the_first_frame_of_the_services_code():
    prof = decode_profile((_capture("go1.27", "inventory-client") / "heap.pb.gz").read_bytes())
    values = function_values(prof, "inuse_space", limit=400)
    found = {}
    for key in values:
        site = allocation_site(prof, key, "inuse_space")
        found[key] = shapes.match_heap((key, site.caller, *site.path))
    assert found["net/http.(*persistConn).readLoop"] == shapes.UNCLOSED_BODIES
    assert shapes.describe(None, ("net/http.NewRequest", "main.(*InventoryClient).StockLevel")).endswith(
        "main.(*InventoryClient).StockLevel"
    )


def test_healthy_waits_and_the_services_own_code():
    assert shapes.match_group("IO wait", ("net.(*netFD).Read", "net/http.(*conn).serve")) is None
    assert shapes.match_group("chan receive", ("main.worker",), max_minutes=12) == shapes.CHANNEL_NEVER_CLOSED
    assert shapes.is_own_code("github.com/acme/shop/cart.(*Cart).Add")
    assert not shapes.is_own_code("golang.org/x/net/http2.(*serverConn).serve")
    assert not shapes.is_own_code("net/http.(*persistConn).readLoop")
    assert shapes.is_own_code("main.main")


def test_a_tracker_verdict_carries_the_hint():
    tr = LeakTracker()
    functions = ("net/http.(*persistConn).readLoop",)
    for i in range(12):
        obs = GroupObservation(
            "rl", "select", 10 + 30 * i, label="net/http.(*persistConn).readLoop", functions=functions
        )
        tr.observe_groups(10.0 * i, [obs])
    v = next(v for v in tr.report().verdicts if v.key == "rl")
    assert v.kind == GROWING and v.hint == shapes.UNCLOSED_BODIES.hint
    assert "looks like net/http connections piling up" in v.evidence


def test_generic_methods_keep_their_method_in_verdict_names():
    from tui.core.names import collapse_generics

    assert (
        collapse_generics("main.(*Cache[go.shape.int,go.shape.string]).Get[go.shape.int]")
        == "main.(*Cache[...]).Get[...]"
    )
    assert collapse_generics("main.appendTo[go.shape.struct { a int }]") == "main.appendTo[...]"
    assert collapse_generics("main.plain") == "main.plain"
