import io

import pytest

from tui.core.errors import LimitExceeded, SourceError
from tui.sources.inputs import is_url, read_input


def test_reads_file_bytes_unchanged(tmp_path):
    p = tmp_path / "heap.pb.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00rest")
    assert read_input(str(p)) == b"\x1f\x8b\x08\x00rest"


def test_file_over_limit_is_refused_before_reading(tmp_path):
    p = tmp_path / "big"
    p.write_bytes(b"x" * 101)
    with pytest.raises(LimitExceeded, match="limit"):
        read_input(str(p), max_bytes=100)
    assert read_input(str(p), max_bytes=101) == b"x" * 101


def test_missing_file_and_directory_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        read_input(str(tmp_path / "nope"))
    with pytest.raises(SourceError, match="directory"):
        read_input(str(tmp_path))


def test_stdin_is_bounded(monkeypatch):
    class FakeStdin:
        buffer = io.BytesIO(b"y" * 50)

    monkeypatch.setattr("sys.stdin", FakeStdin())
    with pytest.raises(LimitExceeded):
        read_input("-", max_bytes=10)


def test_url_detection():
    assert is_url("http://127.0.0.1:6060/debug/pprof/heap")
    assert is_url("https://h/app/debug/pprof/")
    assert not is_url("heap.pb.gz")
    assert not is_url("127.0.0.1:6060")
