"""The calendar in the local console: a CSV sent with `/attach`, then the agenda and the .ics file."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import App
from bot.clock import FrozenClock
from tests.calendar_plugin.helpers import PLUGINS
from tests.harness import START, console_for, make_config


async def test_console_import_with_attach_and_export(tmp_path: Path) -> None:
    clock = FrozenClock(START)
    app = App(make_config(tmp_path, PLUGINS, permissions={"moderators": ["console:mod"]}), clock=clock, realtime=False)
    await app.build()
    out = io.StringIO()
    console = console_for(app, clock, out)
    await app.start()
    sheet = tmp_path / "plan.csv"
    sheet.write_text("title,channel,due,owner,repeat\nRevue,#general,mardi 9h,,weekly\n", encoding="utf-8")
    try:
        await console.play(["/as mod", f"/attach {sheet}", "/calendar import", "/calendar list", "/calendar export"])
    finally:
        await app.stop()
    printed = out.getvalue()
    assert "Imported 1 entry." in printed
    assert "**Revue** in #general" in printed or "Revue in #general" in printed
    assert "calendar.ics" in printed
