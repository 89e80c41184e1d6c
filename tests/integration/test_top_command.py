import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.pprof_builder import Builder
from tui.commands.top_render import render_text
from tui.heap.decode import decode_profile
from tui.heap.top import top

ROOT = Path(__file__).resolve().parents[2]
HEAP = ROOT / "tests" / "fixtures" / "go1.27" / "heap.pb.gz"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", "top", *args], cwd=ROOT, capture_output=True, input=stdin, timeout=120
    )


@pytest.fixture()
def heap_file(tmp_path) -> Path:
    b = Builder()
    b.sample(["leak", "cache.Get", "main"], [10, 10 << 20, 10, 10 << 20])
    b.sample(["steady", "main"], [1, 1 << 20, 1, 1 << 20])
    path = tmp_path / "heap.pb.gz"
    path.write_bytes(b.bytes(gz=True))
    return path


def test_text_output_has_pprof_shape(heap_file):
    res = run(str(heap_file))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert lines[0] == "File: app"
    assert lines[1] == "Type: inuse_space"
    assert lines[2] == "Showing nodes accounting for 11MB, 100% of 11MB total"
    assert lines[3] == "      flat  flat%   sum%        cum   cum%"
    assert lines[4] == "      10MB 90.91% 90.91%       10MB 90.91%  leak"
    assert lines[5] == "       1MB  9.09%   100%        1MB  9.09%  steady"


def test_sample_index_nodecount_cum_and_lines(heap_file):
    res = run(str(heap_file), "--sample-index", "alloc_objects", "--cum", "--nodecount", "2", "--lines")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode().splitlines()
    assert "Type: alloc_objects" in out
    assert "Showing top 2 nodes out of 4" in out
    assert out[-2].endswith("main /src/main.go:10") and out[-2].split()[3] == "11"


def test_json_output(heap_file):
    res = run(str(heap_file), "--json", "--sample-index", "1")
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    assert obj["sample_type"] == "alloc_space" and obj["total"] == 11 << 20
    assert obj["rows"][0]["key"] == "leak" and obj["rows"][0]["cum"] == 10 << 20
    assert obj["rows"][0]["flat_pct"] == pytest.approx(90.9091, abs=1e-3)


def test_base_subtracts(heap_file, tmp_path):
    res = run(str(heap_file), "--base", str(heap_file), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["rows"] == []


@pytest.mark.parametrize(
    "content,message",
    [
        (None, b"no such file"),
        (b"\x1f\x8b\x08\x00garbage", b"gzip"),
        (b"not a profile at all \xff\xff", b"not a valid profile"),
    ],
)
def test_errors_are_one_line_exit_1(tmp_path, content, message):
    path = tmp_path / "p"
    if content is not None:
        path.write_bytes(content)
    res = run(str(path))
    assert res.returncode == 1
    assert res.stdout == b""
    err = res.stderr.strip()
    assert err.startswith(b"pprof-tui top:") and message in err and b"\n" not in err
    assert b"Traceback" not in res.stderr


def test_bad_sample_index_is_clear(heap_file):
    res = run(str(heap_file), "--sample-index", "cpu")
    assert res.returncode == 1 and b"sample type 'cpu' not in profile" in res.stderr


def test_control_characters_stripped_when_sanitizing():
    b = Builder((("inuse_space", "bytes"),))
    b.sample(["evil\x1b]52;c;AAAA\x07", "main"], [5])
    p = decode_profile(b.bytes())
    report = top(p)
    clean = render_text(p, report, source="x", sanitize=True)
    raw = render_text(p, report, source="x", sanitize=False)
    assert "\x1b" not in clean and "\x07" not in clean and "evil" in clean
    assert "\x1b" in raw  # plain output (pipes) keeps names as-is


def test_top_path_does_not_import_ui_or_network_stack(heap_file):
    code = (
        "import sys; from tui.cli import main; rc = main(['top', sys.argv[1]]); "
        "bad = [m for m in ('httpx', 'textual', 'rich') if m in sys.modules]; "
        "print('BAD', bad) if bad else None; sys.exit(rc or (3 if bad else 0))"
    )
    res = subprocess.run([sys.executable, "-c", code, str(heap_file)], cwd=ROOT, capture_output=True, timeout=120)
    assert res.returncode == 0, res.stdout[-300:] + res.stderr[-300:]


@pytest.mark.skipif(not HEAP.exists(), reason="go1.27 fixture not recorded")
def test_real_capture_runs():
    res = run(str(HEAP))
    assert res.returncode == 0 and b"main.(*LFUCache).increment" in res.stdout


def test_piped_output_carries_no_terminal_escapes(tmp_path):
    b = Builder()
    b.sample(["evil\x1b]52;c;cHduZWQ=\x07\x1b[2J", "main"], [1, 1 << 20, 1, 1 << 20])
    path = tmp_path / "evil.pb.gz"
    path.write_bytes(b.bytes(gz=True))
    proc = run(str(path))  # stdout is a pipe, as when saved with `> report.txt`
    assert proc.returncode == 0, proc.stderr
    assert b"\x1b" not in proc.stdout and b"\x07" not in proc.stdout
    assert "evil␛]52;c;cHduZWQ=␇␛[2J".encode() in proc.stdout
