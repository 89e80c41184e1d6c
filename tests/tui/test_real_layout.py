"""Readable at 80×24 and at 200 columns, on a real service with long module paths (Prometheus under
load, tests/fixtures/real/prometheus-load): whole function names where they fit, names told apart
where they do not, every cut marked with "…", wrapped lines under their label, rows in line."""

from __future__ import annotations

import re

import pytest

from tests.tui.real_capture import real_source, show_real_report
from tests.tui.screen_text import screen_text
from tests.tui.waiting import settle
from tui.app import build_app
from tui.screens.heap_drill import HeapDrillScreen
from tui.screens.leak_screen import LeakScreen
from tui.widgets.heap_table import HeapTable
from tui.widgets.info_line import InfoLine

SIZES = [(80, 24), (120, 40), (200, 60)]
MARKS = ("p ", "↑ ")  # a heap row's mark goes before its name


def _name(cell: str) -> str:
    for mark in MARKS:
        if cell.startswith(mark):
            return cell[len(mark) :]
    return cell


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40", "200x60"])
async def test_function_names_whole_where_they_fit_told_apart_where_not(size):
    app = build_app(real_source())
    async with app.run_test(size=size) as pilot:
        await show_real_report(pilot)
        table = app.screen.query_one(HeapTable)
        width = table.name_width
        keys = table.keys_in_order
        shown = [str(table.get_row(k)[-1]) for k in keys]
        assert len(keys) > 50 and any(k.startswith("github.com/prometheus/") for k in keys)
        assert len(set(shown)) == len(shown)  # distinct rows stay distinct
        for key, cell in zip(keys, shown):
            name = _name(cell)
            assert len(cell) <= width
            room = width - (len(cell) - len(name))
            if len(key) <= room:
                assert name == key  # whole where it fits: no "…"
            else:
                assert "…" in name  # cut, and marked
                tail = re.split(r"[./]", key.rstrip(")"))[-1][-16:]
                assert name.endswith(tail), (key, name)  # the end of the function's own name is kept
        if size[0] >= 200:
            assert width >= max(len(k) for k in keys) + 2  # every name of this service whole
            assert not any("…" in s for s in shown)
        if size[0] == 80:
            assert width >= 40
            assert sum(_name(s).startswith("…/") for s in shown) >= 10  # long paths shortened from the left


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_one_line_bars_mark_what_they_cut(size):
    app = build_app(real_source())
    async with app.run_test(size=size) as pilot:
        await show_real_report(pilot)
        lines = screen_text(app)
        width = size[0]
        for widget in [app.screen.query_one("#status"), *app.screen.query(InfoLine)]:
            text = widget.render()
            plain = getattr(text, "plain", str(text))
            line = lines[widget.region.y].rstrip()
            if len(plain.strip()) > widget.content_region.width:
                assert line.endswith("…"), line
            else:
                assert plain.strip() in line
        assert all(len(line) <= width for line in lines)


SECTION = re.compile(
    r"^ (verdicts|memory|context|goroutine groups|heap since|leak report|stack|callers|callees|heaviest)"
)


async def test_leak_report_rows_in_line_and_wrapped_lines_under_their_label():
    app = build_app(real_source())
    async with app.run_test(size=(80, 24)) as pilot:
        await show_real_report(pilot)
        await pilot.press("L")
        await settle(pilot, app)
        assert isinstance(app.screen, LeakScreen)
        doc = app.screen.body()
        from tui.widgets.hanging import lines_of

        width = app.screen.query_one("#drill-text").content_region.width
        wrapped = list(lines_of(doc, width))
        assert len(wrapped) > len(doc.lines)  # some lines are too long for 80 columns …
        for line in wrapped:
            assert len(line) <= width
            # … and none goes back to column 1: only section titles start there
            assert not line or line.startswith(" ") or SECTION.match(" " + line), line
        # the memory rows: values, rates and sparklines in columns, whatever the label's length
        # (a row has its sparkline: the memory sentence above them may quote a rate too)
        rows = [
            line for line in wrapped if "/min" in line and re.match(r"  [A-Za-z]", line) and re.search("[▁-█]", line)
        ]
        assert len(rows) >= 8
        assert len({line.index("/min") for line in rows}) == 1
        assert len({re.match(r"  \S.*?\s{2,}(\S+)", line).end(1) for line in rows}) == 1  # values end in line
        assert len({re.search("[▁▂▃▄▅▆▇█]", line).start() for line in rows}) == 1  # the sparklines start in line
        # what the screen shows is those lines (after the padding)
        screen = [line[1:].rstrip() for line in screen_text(app)]
        assert wrapped[2].rstrip() in screen


async def test_heap_drill_of_a_long_name_wraps_under_its_labels_at_80():
    app = build_app(real_source())
    async with app.run_test(size=(80, 24)) as pilot:
        await show_real_report(pilot)
        await pilot.press("slash", *"scrapeAndReport.func1", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, HeapDrillScreen)
        name = "github.com/prometheus/prometheus/scrape.(*scrapeLoop).scrapeAndReport.func1"
        assert app.screen.row.name == name
        lines = screen_text(app)
        title = app.screen.query_one("#drill-title")
        head = lines[: title.size.height]
        assert name in "".join(line.strip() for line in head)  # the whole name, wrapped …
        assert all(line.startswith(" ") for line in head)  # … under its first letter
        body = [line for line in lines[title.size.height : -1] if line.strip()]
        for line in body:
            text = line[1:]  # the padding
            assert not re.fullmatch(r":?\d+\s*", text.strip()), line  # no line number alone
            assert text.startswith(" ") or re.match(r"(function|flat|callers|callees|heaviest|#\d)", text), line
        # the function's continuation is under the value column, after "function  "
        assert lines[title.size.height + 1].startswith(" " * 11)
