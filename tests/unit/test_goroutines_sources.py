"""`pprof-tui goroutines SOURCE SOURCE...`: each dump grouped on its own, keyed by its source."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fixture_path
from tests.unit.test_goroutines_command import run

SMALL = b"goroutine 7 [chan send, 3 minutes]:\nmain.leak()\n\t/m.go:9 +0x2\ncreated by main.start in goroutine 1\n\t/m.go:3 +0x3\n"


def test_json_over_several_dumps_keys_each_group_by_source(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    big = fixture_path("go1.27", "goroutine_debug2.txt")
    small = tmp_path / "pod-2.txt"
    small.write_bytes(SMALL)
    code, out, err = run([str(big), str(small), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert [d["source"] for d in doc["sources"]] == [str(big), str(small)]
    first, second = doc["sources"]
    assert first["format"] == second["format"] == "debug=2"
    assert first["total"] > 250 and second["total"] == 1
    assert {g["source"] for g in first["groups"]} == {str(big)}
    assert [(g["source"], g["reason"], g["count"]) for g in second["groups"]] == [(str(small), "chan send", 1)]
    # each source's groups are those of that dump alone, as with one source
    code, alone, _ = run([str(small), "--json"], capsys)
    assert json.loads(alone)["groups"] == [{k: v for k, v in g.items() if k != "source"} for g in second["groups"]]


def test_text_over_several_dumps_has_one_section_per_source(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(SMALL)
    b.write_bytes(SMALL.replace(b"main.leak", b"main.other"))
    code, out, _ = run([str(a), str(b), "--match", "main.other"], capsys)
    assert code == 0
    section_a, section_b = out.split(f"== {b} ==\n")
    assert section_a.startswith(f"== {a} ==\n") and "main.other" not in section_a
    assert "main.other" in section_b


def test_stdin_can_be_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["-", "-"], capsys)
    assert code == 1 and "standard input" in err
