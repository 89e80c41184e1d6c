"""Logical lines that wrap under their label (tui/widgets/hanging.py): the drill-downs' and the
leak report's text at any width, never back at column 1, file:line kept whole."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from tui.widgets.hanging import MIN_ROOM, Doc, lines_of, wrap_hanging

NAME = "github.com/prometheus/prometheus/scrape.(*scrapeLoop).scrapeAndReport.func1"
FRAME = "    github.com/prometheus/prometheus/tsdb/chunks.(*ChunkDiskMapper).cut  " + (
    "github.com/prometheus/prometheus/tsdb/chunks/head_chunks.go:583"
)


def _words(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("width", [30, 40, 60, 76, 80, 120])
def test_lines_fit_continue_under_their_label_and_lose_nothing(width):
    for line, hang in ((f"function  {NAME}", 10), (FRAME, 8), ("  pprof's own: " + "word " * 40, 2)):
        out = [t.plain for t in wrap_hanging(Text(line), width, hang)]
        assert all(len(piece) <= width for piece in out)
        assert _words("".join(out)) == _words(line)  # nothing cut, nothing added
        for piece in out[1:]:
            assert piece.startswith(" " * min(hang, max(width - MIN_ROOM, 0)))


def test_breaks_between_fields_then_after_a_slash_so_file_line_stays_whole():
    out = [t.plain for t in wrap_hanging(Text(FRAME), 76, 8)]
    assert out[0].rstrip().endswith("(*ChunkDiskMapper).cut")  # at the two spaces between name and file
    assert out[1] == "        github.com/prometheus/prometheus/tsdb/chunks/head_chunks.go:583"
    narrow = [t.plain for t in wrap_hanging(Text(f"function  {NAME}"), 54, 10)]
    assert narrow == [
        "function  github.com/prometheus/prometheus/",
        "          scrape.(*scrapeLoop).scrapeAndReport.func1",
    ]
    assert not any(piece.plain.strip().startswith(":") for piece in wrap_hanging(Text(FRAME), 60, 8))


def test_field_phrases_are_not_split_when_a_field_gap_can_take_the_break():
    line = "          1      +0/min → ▁▁██ 0–1  github.com/prometheus/prometheus/scrape.(*Manager).Run  [select]  oldest 10 min"
    for width in (90, 100, 110):
        out = [t.plain for t in wrap_hanging(Text(line), width, 26)]
        assert any("oldest 10 min" in piece for piece in out), out


def test_styles_survive_the_wrap():
    line = Text.assemble(("function  ", "dim"), (NAME, "bold"))
    out = wrap_hanging(line, 50, 10)
    assert out[0].spans and out[1].spans
    assert any(str(span.style) == "bold" for span in out[1].spans)


def test_doc_renders_to_the_width_it_is_given_and_keeps_its_plain_text():
    doc = Doc()
    doc.add("verdicts", style="bold")
    doc.add(f"  {NAME}  [select]")
    doc.add_text(Text("a\n  b"))
    assert doc.plain == f"verdicts\n  {NAME}  [select]\na\n  b"
    console = Console(width=40, record=True, file=io.StringIO(), color_system=None)
    console.print(doc)
    shown = console.export_text().splitlines()
    assert shown == lines_of(doc, 40) and len(shown) > 4
    assert all(len(line) <= 40 for line in shown)
    assert shown[2].startswith("    ")  # the default hang: the line's indent + 2
