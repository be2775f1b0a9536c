"""Odd code points on the questions' path, end to end: a lone surrogate (crafted JSON), NUL and other control
characters, bidirectional overrides. The question is tracked, stored, listed, escalated and edited like any
other; nothing fails to write, and the excerpt the bot repeats carries none of them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.harness import running
from tests.questions.conftest import PLUGINS, edit, plugin, questions, shown

ODD = "\ud800\udfff\x00\x07\x1b\u202e\u202d\u2066\u200f\u061c"
HOSTILE = "Comment \ud800faire\x00 une \u202esauvegarde\u202c du \u2066dossier\u2069 partagé ?"
SHOWN = "Comment \ufffdfaire une sauvegarde du dossier partagé ?"


def clean(text: str) -> bool:
    return not any(ch in ODD for ch in text)


async def test_a_question_with_odd_code_points_is_stored_listed_and_escalated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        with caplog.at_level(logging.WARNING):
            ref = await h.say("alice", HOSTILE)
            await h.say("bob", "Réponse \ud83d avec \x00 du \u202e bruit", channel="other")
            [stored] = await questions(h)
            assert stored["excerpt"] == SHOWN and stored["status"] == "open"
            listed = shown(await h.command("carol", "/unanswered"))
            assert SHOWN in listed and clean(listed)
            await h.advance(hours=30)  # the nudge (in the thread) and the 24 h reminder (with the excerpt)
        reminders = [s.text for s in h.sent if "Still no answer" in s.text]
        assert len(reminders) == 1 and SHOWN in reminders[0] and clean(reminders[0])
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert ref.message_id == stored["message_id"]


async def test_an_answer_and_an_edit_with_odd_code_points_are_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        with caplog.at_level(logging.WARNING):
            first = await h.say("alice", "How do I reset my \u202epassword\x00?")
            await h.say("bob", "Settings \ud800> \x00Security\u202e", thread=first.message_id)
            second = await h.say("carol", "Comment faire une sauvegarde ?")
            await edit(h, "carol", second, "Je fais une sauvegarde.")  # a statement now: withdrawn
            await plugin(h).tracker.flush()
            await edit(h, "carol", second, HOSTILE)  # a question again: re-opened with the new excerpt
            rows = await questions(h)
        assert [(r["status"], r["excerpt"]) for r in rows] == [
            ("answered", "How do I reset my password ?"),
            ("open", SHOWN),
        ]
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM question_answers") == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
