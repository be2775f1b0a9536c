"""`/privacy forget` end to end: the forgotten member's questions (open, answered and waiting for their
confirmation, sent back with "Not yet") leave /unanswered, the in-memory index, the ladder, the asker's
confirmation and every figure (digest section, "got a reply", /helpers), and are never reported as
answered; the other members' questions keep theirs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.model import UserRef
from tests.harness import START, Harness, running
from tests.questions.conftest import PLUGINS, plugin, questions, shown

WEEK = (START, START + timedelta(days=7))


async def forget(h: Harness, who: str) -> None:
    """The member runs /privacy forget and confirms it with the code the bot gave."""
    start = await h.command(who, "/privacy forget")
    token = start.buttons[0].args[0][1]
    done = await h.command(who, f"/privacy forget confirm:{token}")
    assert "⚠️" not in shown(done)


async def test_a_forgotten_members_questions_leave_every_list_and_figure(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        waiting = await h.say("alice", "Who has the key to the room?")
        answered = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=answered)
        sent_back = await h.say("alice", "Where are the slides of the talk?")
        await h.say("bob", "In the drive", reply_to=sent_back)
        theirs = await h.say("bob", "When is the next meetup?")
        await h.say("alice", "Thursday", reply_to=theirs)
        await h.advance(minutes=15)  # the askers are asked about their answers
        numbers = {q["excerpt"]: q["id"] for q in await questions(h)}
        await h.command("alice", f"/notsolved {numbers['Where are the slides of the talk?']}")
        listed = shown(await h.command("dave", "/unanswered"))
        assert "Who has the key" in listed and "Where are the slides" in listed
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "UTC")
        assert section is not None and (section.values()["asked"], section.values()["answered"]) == (4, 3)
        before = len(h.sent)

        await forget(h, "alice")

        # /unanswered, the index and the stored rows: only bob's question is left.
        assert "Thank you all" in shown(await h.command("dave", "/unanswered"))
        tracker = plugin(h).tracker
        assert {t.author_id for t in tracker.index.by_id.values()} == {"bob"}
        assert not tracker.index.has_asker(h.platform.community.key, "alice")
        stored = await questions(h)
        assert [(q["author_id"], q["status"], q["answered_by"]) for q in stored] == [("bob", "answered", None)]
        # Nothing follows them any more: an answer in their thread is not an answer, no nudge, no private
        # question, no closing as unconfirmed, no notice to the helpers.
        await h.say("carol", "Try the admin panel", reply_to=waiting)
        await h.say("carol", "Or the wiki", thread=answered.message_id)
        await h.advance(days=8)
        assert [q["author_id"] for q in await questions(h)] == ["bob"]
        assert not any(
            excerpt in s.text for s in h.sent[before:] for excerpt in ("Who has the key", "reset my password", "slides")
        )
        assert not [s for s in h.sent[before:] if isinstance(s.target, UserRef)]  # no new private message
        # The figures: asked 1 (bob's), answered 1 (his answer came from alice: the answer happened, her
        # name is gone), none of alice's counted as answered, waiting or unconfirmed.
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "UTC")
        assert section is not None
        figures = section.values()
        assert (figures["asked"], figures["answered"], figures["solved"], figures["still_waiting"]) == (1, 1, 0, 0)
        assert figures["unconfirmed"] == 0  # bob's own closes next week
        later = await plugin(h).digest_section(h.platform.community, WEEK[1], WEEK[1] + timedelta(days=7), "UTC")
        assert later is not None and later.values()["unconfirmed"] == 1  # bob's, never confirmed; none of alice's
        answered_ids = await plugin(h).answered_messages(h.platform.community, *WEEK)
        assert answered_ids == {(theirs.channel.channel_id, theirs.message_id)}
        board = shown(await h.command("dave", "/helpers"))
        assert "alice" not in board
        exported = await h.command("alice", "/privacy export")
        assert b"reset my password" not in exported.attachments[0].content


async def test_forgetting_the_helper_keeps_the_askers_loop(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=question)
        await forget(h, "bob")
        await h.advance(minutes=15)
        asked = [s for s in h.sent if isinstance(s.target, UserRef)]
        assert len(asked) == 1 and asked[0].target == h.platform.user("alice") and "Settings" not in asked[0].text
        await h.say("carol", "Or ask an admin", reply_to=question)  # a new answer: not a second question asked
        await h.advance(days=1)
        assert len([s for s in h.sent if isinstance(s.target, UserRef)]) == 1
        stored = (await questions(h))[0]
        assert (stored["status"], stored["answered_by"]) == ("answered", None)
