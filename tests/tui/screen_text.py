"""The screen as the terminal shows it, in plain text: for tests that check layout (what is cut,
what wraps where), beside the SVG snapshots."""

from __future__ import annotations

import io

from rich.console import Console


def screen_text(app) -> list[str]:
    """The screen as plain text lines (what the terminal shows, styles dropped)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False).splitlines()
