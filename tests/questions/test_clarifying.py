"""A helper's question in reply to someone else's question is a request to clarify, not a new question: it
answers the question (takes it off the ladder) and is never tracked, listed or nudged itself. The asker's own
follow-up question in their thread, and a question posted on its own, are still tracked."""

from __future__ import annotations

from pathlib import Path

from tests.harness import running
from tests.questions.conftest import PLUGINS, questions, shown


async def test_a_helpers_clarifying_question_answers_and_is_not_tracked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        asked = await h.say("alice", "How do I export the calendar to my phone?")
        await h.say("bob", "Did you try the iCal link in /calendar feed?", thread=asked.message_id)
        await h.say("carol", "Which phone do you have?", reply_to=asked)
        stored = await questions(h)
        assert [q["excerpt"] for q in stored] == ["How do I export the calendar to my phone?"]
        assert (stored[0]["status"], stored[0]["answered_by"]) == ("answered", "bob")
        await h.advance(days=4)
        listed = shown(await h.command("dave", "/unanswered"))
        assert "Which phone" not in listed and "Did you try" not in listed
        # Still tracked: the asker's own new question in the thread, and a question of its own.
        await h.say("alice", "And how do I add it to Outlook?", thread=asked.message_id)
        await h.say("bob", "Does anyone know when the Lille meetup starts?")
        excerpts = {q["excerpt"] for q in await questions(h)}
        assert {"And how do I add it to Outlook?", "Does anyone know when the Lille meetup starts?"} <= excerpts
