"""`pprof-tui goroutines SOURCE`: text and JSON output, filters, errors."""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path

import pytest

from tests.conftest import fixture_path
from tests.oracles.reference import parse_debug2
from tui.commands import goroutines


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="pprof-tui")
    goroutines.register(parser.add_subparsers())
    args = parser.parse_args(["goroutines", *argv])
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_debug2_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = fixture_path("go1.27", "goroutine_debug2.txt")
    code, out, err = run([str(path)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"{len(parse_debug2(path.read_text()).goroutines)} goroutines (debug=2)")
    assert "1 serving this dump not shown" in lines[0]
    first_reason = next(line for line in lines[1:] if line and not line.startswith(" "))
    assert first_reason.startswith("chan send: 250")
    assert any(
        re.fullmatch(r"      main\.\(\*Dispatcher\)\.deliver  /\S+/tests/target/main\.go:\d+", line) for line in lines
    )
    assert any(line.startswith("      created by main.(*Dispatcher).fanOut") for line in lines)
    assert "      labels: req=a-b c, worker=cache" in lines
    assert "      …frames elided…" in lines


def test_leaked_goroutines_are_not_called_young(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #25: Go 1.27 prints no wait time on goroutines it proved leaked (one had waited 20
    minutes); `goroutines` said "<1 min". It says what the TUI says."""
    _, out, _ = run([str(fixture_path("go1.27", "goroutineleak_debug2.txt"))], capsys)
    lines = out.splitlines()
    start = lines.index("chan send (leaked): 250")
    leaked = lines[start : lines.index("", start)]
    assert "  250  wait time not shown for leaked goroutines" in leaked
    assert not any("min" in line for line in leaked if "×" in line or line.startswith("  <1m"))


def test_go119_semacquire_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(fixture_path("go1.19", "goroutine_debug2.txt"))], capsys)
    assert "\nsync.Mutex.Lock: 3" in out and "\nsemacquire" not in out


def test_match_and_min_count(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture_path("go1.27", "goroutine_debug2.txt"))
    _, out, _ = run([path, "--match", r"parkMutex"], capsys)
    lines = out.splitlines()
    assert "— 3 match the filters" in lines[0] or "; 3 match the filters" in lines[0]
    reasons = [line for line in lines[1:] if line and not line.startswith(" ")]
    assert reasons == ["sync.Mutex.Lock: 3  2 min"]
    _, out, _ = run([path, "--min-count", "100"], capsys)
    reasons = [line for line in out.splitlines()[1:] if line and not line.startswith(" ")]
    assert len(reasons) == 1 and reasons[0].startswith("chan send: ")
    stacks = [line for line in out.splitlines() if line.startswith("    ") and " × stack " in line]
    assert stacks and all(int(line.split()[0].replace(",", "")) >= 100 for line in stacks)


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(fixture_path("go1.27", "goroutine_debug2.txt")), "--json", "--buckets", "1,10"], capsys)
    data = json.loads(out)
    assert data["format"] == "debug=2" and data["serving_not_shown"] == 1
    top = data["groups"][0]
    assert top["key"] == "chan send" and top["count"] == 250
    assert {b["label"] for b in top["buckets"]} <= {"<1m", "1–10m", "≥10m"}
    assert top["buckets"][0]["stacks"][0]["frames"][0]["func"] == "main.(*Dispatcher).deliver"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("goroutine_debug1.txt", "debug=1"), ("goroutine.pb.gz", "proto"), ("goroutineleak_debug1.txt", "debug=1")],
)
def test_debug1_and_proto_sources(name: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(fixture_path("go1.27", name))], capsys)
    assert code == 0
    assert f"({fmt}" in out.splitlines()[0] and "reasons inferred from stacks" in out.splitlines()[0]
    assert "main.(*Dispatcher).deliver" in out


def test_control_characters_from_the_target_are_stripped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "evil.txt"
    evil.write_text(
        'goroutine 7 [chan send] {k: "\\x1b]52;c;ZXZpbA==\\x07"}:\nmain.f\x1b[2J(0x1)\n\t/src/\u202eevil.go:1 +0x1\n'
    )
    code, out, _ = run([str(evil)], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "␛]52;c;ZXZpbA==␇" in out


def test_errors_are_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(tmp_path / "missing.txt")], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1 and "no such file" in err
    heap = fixture_path("go1.27", "heap_debug1.txt")
    code, _, err = run([str(heap)], capsys)
    assert code == 1 and "heap-debug1" in err and err.count("\n") == 1
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"not a profile at all")[:-4])
    code, _, err = run([str(bad)], capsys)
    assert code == 1 and err.startswith("pprof-tui goroutines: ")


def test_bad_flags_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["x", "--buckets", "5,1"], capsys)
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        run(["x", "--match", "re:("], capsys)  # a regex only after re:


def test_match_is_literal_unless_re(capsys: pytest.CaptureFixture[str]) -> None:
    """--match TEXT finds TEXT literally ("(" and "[" are characters); re: makes it a regex."""
    path = str(fixture_path("go1.27", "goroutine_debug2.txt"))
    _, literal, _ = run([path, "--match", "(*Mutex)"], capsys)
    _, regex, _ = run([path, "--match", r"re:\(\*Mutex\)"], capsys)
    assert literal == regex and "Mutex" in literal
    _, none, _ = run([path, "--match", "re:^no such frame$"], capsys)
    assert "Mutex" not in none


def test_match_finds_the_raw_reason_go_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """`--match semacquire` on a Go 1.19 dump: the goroutines whose raw reason was `semacquire`,
    though they are grouped under the primitive their stack proves (and the report says both)."""
    path = str(fixture_path("go1.19", "goroutine_debug2.txt"))
    code, out, _ = run([path, "--match", "semacquire"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "9 match the filters" in lines[0]
    reasons = [line for line in lines[1:] if line and not line.startswith(" ")]
    assert reasons == [
        "sync.Mutex.Lock: 3  2 min  (Go printed: semacquire)",
        "sync.RWMutex.RLock: 3  2 min  (Go printed: semacquire)",
        "sync.WaitGroup.Wait: 3  2 min  (Go printed: semacquire)",
    ]
    _, out, _ = run([path, "--match", "sync.WaitGroup.Wait", "--json"], capsys)
    doc = json.loads(out)
    assert [(g["reason"], g["count"], g["raw_reasons"]) for g in doc["groups"]] == [
        ("sync.WaitGroup.Wait", 3, ["semacquire"])
    ]
