"""The calendar in the local console: a CSV sent with `/attach`, then the agenda and the .ics file."""

from __future__ import annotations

from pathlib import Path

from tests.calendar_plugin.helpers import PLUGINS
from tests.harness import make_config, on_console


async def test_console_import_with_attach_and_export(tmp_path: Path) -> None:
    sheet = tmp_path / "plan.csv"
    sheet.write_text("title,channel,due,owner,repeat\nRevue,#general,mardi 9h,,weekly\n", encoding="utf-8")
    config = make_config(tmp_path, PLUGINS, permissions={"moderators": ["console:mod"]})
    async with on_console(config) as (console, out, _app):
        await console.play(["/as mod", f"/attach {sheet}", "/calendar import", "/calendar list", "/calendar export"])
    printed = out.getvalue()
    assert "Imported 1 entry." in printed
    assert "**Revue** in #general" in printed or "Revue in #general" in printed
    assert "calendar.ics" in printed
