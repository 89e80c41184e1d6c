"""Flame graph files: hostile names escaped, cleaned, masked and bounded; the `flame` subcommand on
every kind of SOURCE file, with a base, and its errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from argparse import Namespace
from pathlib import Path

import pytest

from tui.commands.flame import _run
from tui.core.errors import ParseError
from tui.core.masking import secret_forms
from tui.heap.flame import flame_tree
from tui.heap.flame_export import MAX_FRAMES, MAX_NAME, FlameTitle, flame_html, flame_svg, folded_text
from tui.heap.flame_stacks import named_stacks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVIL = "main.</text><script>alert(1)</script>\x1b]52;c;Zm9v\x07[red]x;y\u202egnp.exe"
TOKEN = "s3cr3t-t0ken-value"
TITLE = FlameTitle("heap profile of <svc & co>", "2026-12-07 22:00:00 UTC", "inuse_space")


def _tree(base=None):
    stacks = [((EVIL, "main.main"), 60), ((f"leak.{TOKEN}", "main.main"), 40), (("x" * 10_000, "main.main"), 1)]
    bases = [named_stacks(base, unit="bytes")] if base else []
    return flame_tree(named_stacks(stacks, sample_type="inuse_space", unit="bytes"), bases)


def test_svg_is_well_formed_and_names_stay_text():
    svg = flame_svg(_tree(), TITLE, secret_forms([TOKEN]))
    root = ET.fromstring(svg)  # well-formed XML: nothing the target wrote closed a tag
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")
    texts = " ".join("".join(e.itertext()) for e in root.iter())
    assert "<script>" in texts  # shown as written, as text
    assert "\x1b" not in svg and "\u202e" not in svg and "␛" in texts
    assert TOKEN not in svg and "*" * len(TOKEN) in texts
    assert "heap profile of <svc & co>" in texts and "inuse_space" in texts and "2026-12-07 22:00:00 UTC" in texts
    longest = max(len(t) for t in re.findall(r"data-n=\"([^\"]*)\"", flame_svg(_tree(), TITLE, search=True)))
    assert longest <= MAX_NAME * 6  # escaped, bounded


def test_html_search_page_is_self_contained():
    page = flame_html(_tree(), TITLE, secret_forms([TOKEN]))
    assert page.count("<script>") == 1  # ours, and only ours
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    assert 'id="q"' in page and TOKEN not in page


def test_folded_lines_cannot_be_split_by_a_name():
    text = folded_text(_tree(), secret_forms([TOKEN]))
    lines = text.splitlines()
    assert len(lines) == 3
    assert sum(int(line.rsplit(" ", 1)[1]) for line in lines) == 101
    evil = next(line for line in lines if "script" in line)
    assert evil.count(";") == 1  # main.main;<the evil frame>, its own ';' written as U+FF1B
    assert "\x1b" not in text and TOKEN not in text


def test_differential_svg_has_legend_and_vanished_list():
    svg = flame_svg(_tree(base=[(("main.gone", "main.main"), 500)]), FlameTitle("x", "", "inuse_space", "against y"))
    assert "grew" in svg and "shrank" in svg and "vanished since the base" in svg and "main.gone" in svg


def test_svg_frames_are_bounded():
    stacks = [((f"f{i}", "main.main"), 1) for i in range(MAX_FRAMES * 2)]
    svg = flame_svg(flame_tree(named_stacks(stacks)), TITLE)
    assert svg.count("<rect") <= MAX_FRAMES + 2


@pytest.mark.parametrize("suffix", [".svg", ".html", ".folded"])
@pytest.mark.parametrize(
    "source", ["go1.19/heap.pb.gz", "go1.27/allocs.pb.gz", "profiles/go1.27/cpu.pb.gz", "profiles/go1.19/mutex.pb.gz"]
)
def test_flame_command_writes_each_format(tmp_path, source, suffix):
    out = tmp_path / f"x{suffix}"
    args = Namespace(source=str(FIXTURES / source), output=str(out), base=None, sample_index=None)
    assert _run(args, None) == 0  # type: ignore[arg-type]
    text = out.read_text()
    if suffix == ".svg":
        ET.fromstring(text)
    assert text.strip()


def test_flame_command_base_and_errors(tmp_path):
    out = tmp_path / "d.svg"
    args = Namespace(
        source=str(FIXTURES / "go1.27/heap.pb.gz"),
        output=str(out),
        base=str(FIXTURES / "go1.19/heap.pb.gz"),
        sample_index="alloc_space",
    )
    assert _run(args, None) == 0  # type: ignore[arg-type]
    assert "grew" in out.read_text()
    with pytest.raises(ParseError, match="unknown format"):
        _run(Namespace(source=args.source, output=str(tmp_path / "x.png"), base=None, sample_index=None), None)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="not a profile"):
        _run(
            Namespace(
                source=str(FIXTURES / "go1.27/goroutine_debug2.txt"), output=str(out), base=None, sample_index=None
            ),
            None,  # type: ignore[arg-type]
        )
