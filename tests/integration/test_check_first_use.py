"""Issue #25: `check` on a typo waited out `--for` in silence, then exited 2; `--for 30s` said
"nothing found", exit 0. A target that cannot be reached is given up on after a few polls with a clear
message (exit 2); a `--for` shorter than any verdict needs is said, on stderr and in the result."""

from __future__ import annotations

import json

from tests.unit.fake_pprof_server import FakeTarget, default_routes
from tui.cli import main
from tui.commands.check import FAIL_FAST_POLLS


def test_an_unreachable_target_fails_fast_with_a_clear_message(capsys):
    # nothing listens on port 1; --for 10m would wait 10 minutes
    assert main(["check", "127.0.0.1:1", "--for", "10m", "--json"]) == 2
    captured = capsys.readouterr()
    (doc,) = json.loads(captured.out)["targets"]
    assert doc["polls"] == FAIL_FAST_POLLS, "given up after a few polls, not --for"
    assert "unreachable" in doc["errors"][0] and "is the address right?" in doc["errors"][0]
    assert doc["memory"] == ""  # never "nothing growing" for a target never read
    assert "(retrying)" in captured.err  # not silent meanwhile


def test_a_for_shorter_than_any_verdict_needs_is_said(capsys):
    target = FakeTarget(default_routes()).start()
    try:
        assert main(["check", target.url, "--for", "2", "--interval", "0.5"]) == 0
    finally:
        target.stop()
    captured = capsys.readouterr()
    assert "shorter than any verdict needs (60 s of polls)" in captured.err
    found = next(line for line in captured.out.splitlines() if line.startswith("  nothing found"))
    assert found.endswith("s: verdicts need 60 s of polls)") and "(watched " in found
