"""A poll's new numbers repaint one-line widgets without a layout pass (issue #30: at rest the UI's
CPU went mostly into Textual re-laying out the whole screen on every poll, because `Static.update`
asks for a layout by default). A width: auto part asks for one only when its width changes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget

from tui.core.bytesize import format_bytes
from tui.widgets.findings import FindingsBar
from tui.widgets.info_line import InfoLine
from tui.widgets.sparklines import MetricSpark
from tui.widgets.status_bar import StatusBar, StatusInfo


class Parts(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield InfoLine()
        yield FindingsBar()
        yield MetricSpark("heap", "heap", format_bytes)


def spy_layouts(app: App[None]) -> list[str]:
    """Names of the widgets that ask for a layout from now on."""
    asked: list[str] = []

    def spy(widget: Widget) -> None:
        original, name = widget.refresh, type(widget).__name__

        def refresh(*regions, **kwargs):
            if kwargs.get("layout"):
                asked.append(name)
            return original(*regions, **kwargs)

        widget.refresh = refresh  # type: ignore[method-assign]

    for widget in app.screen.walk_children(Widget):
        spy(widget)
    return asked


async def test_new_text_of_one_line_widgets_is_a_repaint_not_a_layout():
    app = Parts()
    async with app.run_test(size=(80, 24)) as pilot:
        spark = app.query_one(MetricSpark)
        app.query_one(StatusBar).show(StatusInfo("host:6060", "live", ages=(("heap", "1s"),)))
        app.query_one(InfoLine).show("12 groups")
        spark.show([1000.0, 2000.0])
        await pilot.pause()
        asked = spy_layouts(app)
        app.query_one(StatusBar).show(StatusInfo("host:6060", "live", ages=(("heap", "3s"),)))
        app.query_one(InfoLine).show("13 groups")
        spark.show([1000.0, 2000.0, 3000.0])  # the same widths: "2.9 KiB" for "2.0 KiB", the same scale
        await pilot.pause()
        assert asked == []
        assert "2.9" in spark.current_text

        spark.show(
            [1000.0, 2000.0, 3000.0, 50_000_000.0]
        )  # a wider value ("47.7 MiB") and scale: their width: auto changes
        await pilot.pause()
        assert "Static" in asked
