"""The questions plugin on the console platform: `/thread` answers, thanks, the ladder on `/advance`."""

from __future__ import annotations

from pathlib import Path

from tests.harness import make_config, on_console
from tests.questions.conftest import PLUGINS


async def test_console_thread_answer_thanks_and_nudge(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path, PLUGINS)) as (console, out, app):
        await console.play(
            [
                "/as alice",
                "Comment on exporte le calendrier ?",
                "/as bob",
                "/thread",
                "avec /calendar export",
                "/as alice",
                "merci @bob !",
                "/thread off",
                "Où sont les slides de la conf ?",
                "/advance 4h",
                "/unanswered",
            ]
        )
        text = out.getvalue()
        assert "Cette question attend depuis 4 heures" not in text  # English community: English nudge
        assert "This question has been waiting for 4 hours" in text
        assert "Où sont les slides de la conf ?" in text and "[DM → alice]" in text
        rows = [dict(r) for r in await app.db.fetchall("SELECT excerpt, status, solved_by FROM questions ORDER BY id")]
        assert rows == [
            {"excerpt": "Comment on exporte le calendrier ?", "status": "solved", "solved_by": "bob"},
            {"excerpt": "Où sont les slides de la conf ?", "status": "open", "solved_by": None},
        ]
