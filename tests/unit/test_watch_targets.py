"""`pprof-tui watch` with several targets: all in this process, behind the fleet view; one target as before."""

from __future__ import annotations

import pytest

from tui.cli import main
from tui.sources.feeds import LiveSource
from tui.sources.fleet import FleetSource


@pytest.fixture
def built(monkeypatch):
    """What `watch` would run: the source handed to build_app (the app is not run)."""
    seen: dict[str, object] = {}

    class NotRun:
        def run(self) -> None:
            seen["ran"] = True

    def build_app(source, **_kwargs):
        seen["source"] = source
        return NotRun()

    monkeypatch.setattr("tui.app.build_app", build_app)
    monkeypatch.setattr("tui.commands.watch._freeze", lambda: None)
    return seen


def test_several_targets_watch_a_fleet_in_this_process(built, tmp_path):
    listing = tmp_path / "pods"
    listing.write_text("# more pods\npod-3=127.0.0.1:3\n")
    assert main(["watch", "pod-1=127.0.0.1:1", "127.0.0.1:2", "--targets-file", str(listing)]) == 0
    source = built["source"]
    assert isinstance(source, FleetSource) and built["ran"]
    assert source.labels == ("pod-1", "127.0.0.1:2", "pod-3") and source.focused == "pod-1"
    members = list(source.members.values())
    assert all(isinstance(m, LiveSource) for m in members)
    assert [m.config.target for m in members] == [f"http://127.0.0.1:{i}/debug/pprof/" for i in (1, 2, 3)]


def test_one_target_keeps_the_single_watch(built, monkeypatch):
    seen = []
    monkeypatch.setattr("tui.commands.watch.run_foreground", lambda args: seen.append(args.target) or 0)
    assert main(["watch", "--foreground", "127.0.0.1:1"]) == 0
    assert seen == ["127.0.0.1:1"] and "source" not in built


def test_watch_target_list_errors(built, capsys):
    assert main(["watch", "127.0.0.1:1", "127.0.0.1:2", "--record", "somewhere"]) == 2
    assert "--record takes one target" in capsys.readouterr().err
    assert main(["watch", "a=127.0.0.1:1", "a=127.0.0.1:2"]) == 2
    assert "given twice" in capsys.readouterr().err
    assert "source" not in built
