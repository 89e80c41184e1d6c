"""`q` on a UI attached to a background session (`watch` on a terminal) asks whether to stop the
session; an answer given up front (--keep / --no-keep) or no session at all quits at once."""

from __future__ import annotations

import pytest

from tests.tui.canned import CannedSource, make_snapshot
from tui.app import build_app
from tui.screens.confirm import ConfirmScreen
from tui.sources.protocol import SessionControls


class SessionSource(CannedSource):
    def __init__(self, keep: bool | None) -> None:
        super().__init__(make_snapshot(1))
        self.keep = keep

    @property
    def session_name(self) -> str:
        return "20261201-091500-target"


@pytest.mark.parametrize(("key", "keep"), [("y", False), ("n", True), ("escape", True)])
async def test_q_asks_and_the_answer_is_the_sources(key, keep):
    source = SessionSource(None)
    assert isinstance(source, SessionControls)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Stop session 20261201-091500-target?" in app.screen.question
        assert app.is_running
        await pilot.press(key)
        await pilot.pause()
        assert app._exit, "the answer quits"
    assert source.keep is keep
    assert app.exit_signal == ""


@pytest.mark.parametrize("keep", [True, False])
async def test_an_answer_given_up_front_quits_at_once(keep):
    source = SessionSource(keep)
    app = build_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app._exit and not isinstance(app.screen, ConfirmScreen)
    assert source.keep is keep
