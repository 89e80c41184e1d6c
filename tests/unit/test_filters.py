"""tui.core.filters: literal by default, a regex after re:."""

from __future__ import annotations

import re

import pytest

from tui.core.filters import filter_pattern
from tui.goroutines.filtering import stack_matcher
from tui.goroutines.grouping import StackGroup
from tui.screens.presenters import HeapView, heap_row_filter


def test_literal_by_default():
    assert filter_pattern("appendTo[").search("main.appendTo[go.shape.int]")
    assert filter_pattern("(*Mutex).Lock").search("sync.(*Mutex).Lock")
    assert not filter_pattern("a.c").search("abc")  # "." is a dot
    assert filter_pattern("").search("anything")


def test_re_prefix_is_a_regex():
    assert filter_pattern("re:a.c").search("abc")
    assert filter_pattern(r"re:^main\.(f|g)$").search("main.g")
    assert not filter_pattern(r"re:^main\.(f|g)$").search("main.h")
    with pytest.raises(re.error):
        filter_pattern("re:appendTo[")


def test_heap_row_filter_and_stack_matcher_use_it():
    from tui.heap.top import TopRow

    fields = dict.fromkeys(TopRow.__dataclass_fields__, 0)  # type: ignore[attr-defined]
    row = TopRow(**{**fields, "key": "k", "name": "main.appendTo[go.shape.int]", "file": "a.go", "line": 3})
    keep = heap_row_filter(HeapView(filter="appendTo["))
    assert keep is not None and keep(row)
    keep = heap_row_filter(HeapView(filter="re:^main\\.appendTo\\["))
    assert keep is not None and keep(row)
    group = StackGroup(
        key="k",
        reason="chan send",
        count=1,
        frames=(),
        created_by=None,
        labels_seen=(("w", "[x]"),),
        sample_ids=(),
        min_minutes=None,
        max_minutes=None,
        leaked=False,
        signature="main.f[...] a.go:1",
    )
    assert stack_matcher(filter_pattern("f[...]"))(group)
    assert stack_matcher(filter_pattern("w=[x]"))(group)
    assert not stack_matcher(filter_pattern("re:^chan receive$"))(group)
