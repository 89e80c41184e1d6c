"""Every command takes the same SOURCE/TARGET forms: `top host:port` and `goroutines host:port`
(and `check`) work where `watch host:port` works; a base URL gives the command's endpoint, the
URL of one endpoint is fetched as it is; an existing file wins over a target of its spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fixture_path
from tests.unit.fake_pprof_server import FakeTarget, Reply
from tui.cli import main
from tui.core.errors import SourceError
from tui.sources.inputs import endpoint_urls, is_remote, is_target, read_input

GO = Path(fixture_path("go1.27", "heap.pb.gz")).parent


def capture_routes() -> dict[str, Reply]:
    def body(name: str) -> bytes:
        return (GO / name).read_bytes()

    return {
        "/debug/pprof/": Reply(body=body("index.html"), headers={"Content-Type": "text/html; charset=utf-8"}),
        "/debug/pprof/cmdline": Reply(body=b"/srv/app\x00-port=1"),
        "/debug/pprof/heap": Reply(body=body("heap.pb.gz"), headers={"Content-Type": "application/octet-stream"}),
        "/debug/pprof/heap?debug=1": Reply(body=body("heap_debug1.txt")),
        "/debug/pprof/goroutine?debug=1": Reply(body=body("goroutine_debug1.txt")),
        "/debug/pprof/goroutine?debug=2": Reply(body=body("goroutine_debug2.txt")),
    }


@pytest.fixture
def target():
    t = FakeTarget(capture_routes()).start()
    yield t
    t.stop()


def test_spellings_of_a_target_and_the_urls_they_give(tmp_path, monkeypatch):
    gor = ("goroutine?debug=2", "goroutine?debug=1")
    assert endpoint_urls("127.0.0.1:6060", ("heap",)) == ("http://127.0.0.1:6060/debug/pprof/heap",)
    assert endpoint_urls("localhost:6060/", gor) == (
        "http://localhost:6060/debug/pprof/goroutine?debug=2",
        "http://localhost:6060/debug/pprof/goroutine?debug=1",
    )
    assert endpoint_urls("https://h/app/debug/pprof/", ("heap",)) == ("https://h/app/debug/pprof/heap",)
    assert endpoint_urls("http://h:1/debug/pprof", ("heap",)) == ("http://h:1/debug/pprof/heap",)
    assert endpoint_urls("http://h:1", ("heap",)) == ("http://h:1/debug/pprof/heap",)
    assert endpoint_urls("[::1]:6060", ("heap",)) == ("http://[::1]:6060/debug/pprof/heap",)
    # one endpoint's URL is itself
    assert endpoint_urls("http://h:1/debug/pprof/allocs", ("heap",)) == ("http://h:1/debug/pprof/allocs",)
    assert endpoint_urls("http://h/debug/pprof/goroutine?debug=1", gor) == ("http://h/debug/pprof/goroutine?debug=1",)
    assert is_target("127.0.0.1:6060") and is_remote("127.0.0.1:6060") and is_remote("http://x")
    for not_a_target in ("heap.pb.gz", "-", "rec:goroutine?debug=1", "C:\\heap.pb.gz", "host:port"):
        assert not is_target(not_a_target)
    # an existing file of that spelling is the file
    monkeypatch.chdir(tmp_path)
    (tmp_path / "localhost:6060").write_bytes(b"a file")
    assert not is_target("localhost:6060")
    assert read_input("localhost:6060") == b"a file"


def test_top_takes_host_port_a_base_url_and_an_endpoint_url(target, capsys):
    addr = f"127.0.0.1:{target.port}"
    outs = []
    for spec in (addr, f"http://{addr}", f"http://{addr}/debug/pprof/", f"{target.url}/debug/pprof/heap"):
        assert main(["top", spec, "--nodecount", "3"]) == 0, capsys.readouterr().err
        outs.append(capsys.readouterr().out)
    assert all("LFUCache" in out for out in outs)
    assert len({out.split("\n", 1)[1] for out in outs}) == 1  # the same report (the first line names the source)
    assert target.hits["/debug/pprof/heap"] == 4
    # --base takes the same forms
    assert main(["top", addr, "--base", str(GO / "heap.pb.gz")]) == 0
    assert capsys.readouterr().out


def test_goroutines_takes_host_port_and_falls_back_to_debug1(target, capsys):
    addr = f"127.0.0.1:{target.port}"
    assert main(["goroutines", addr]) == 0
    out = capsys.readouterr().out
    assert "goroutines (debug=2" in out.splitlines()[0] and "\nchan send: 250" in out
    assert target.hits["/debug/pprof/goroutine?debug=2"] == 1 and not target.hits["/debug/pprof/goroutine?debug=1"]
    # a target that does not serve debug=2: the counts, and it says so
    del target.routes["/debug/pprof/goroutine?debug=2"]
    assert main(["goroutines", f"http://{addr}/debug/pprof/"]) == 0
    captured = capsys.readouterr()
    assert "(debug=1" in captured.out.splitlines()[0]
    assert "using http://" in captured.err and "goroutine?debug=1" in captured.err


def test_a_target_that_does_not_answer_is_one_clear_error(capsys):
    assert main(["top", "127.0.0.1:1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1:1" in err
    with pytest.raises(SourceError):
        read_input("127.0.0.1:1")


def test_check_takes_host_port(target, capsys):
    assert main(["check", f"127.0.0.1:{target.port}", "--for", "2s"]) == 0
    out = capsys.readouterr().out
    assert f"127.0.0.1:{target.port}" in out and "error" not in out
    assert target.hits["/debug/pprof/"] >= 1


def test_a_bare_target_is_watched_and_a_bare_file_opened(tmp_path, monkeypatch):
    from tui.cli import rewrite_argv

    assert rewrite_argv(["127.0.0.1:6060"]) == ["watch", "127.0.0.1:6060"]
    assert rewrite_argv(["https://h/app/debug/pprof/", "--interval", "5"])[0] == "watch"
    assert rewrite_argv(["heap.pb.gz"]) == ["open", "heap.pb.gz"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "h:1").write_bytes(b"x")
    assert rewrite_argv(["h:1"]) == ["open", "h:1"]
