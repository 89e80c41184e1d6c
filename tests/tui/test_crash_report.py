"""If the app ever crashes, its traceback shows no local variables (they may hold secrets)."""

from __future__ import annotations

from tests.tui.canned import CannedSource, make_snapshot
from tui.app import build_app

TOKEN = "tok-3f9a1c77e2b54d0e"


def send_with_auth() -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}  # noqa: F841 - a local the traceback must not show
    raise RuntimeError("boom")


async def test_crash_traceback_has_no_locals():
    app = build_app(CannedSource(make_snapshot(1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        try:
            send_with_auth()
        except RuntimeError:
            app._fatal_error()  # what Textual calls on an unhandled exception
        rendered = "".join(seg.text for r in app._exit_renderables for seg in r.segments)
    assert "RuntimeError" in rendered and "boom" in rendered and "send_with_auth" in rendered
    assert TOKEN not in rendered
