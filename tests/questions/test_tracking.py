"""Questions through the real app: detection recorded with the message, answers on Slack-style
threads, Discord-style replies and mentions, solves by ✅, thanks and /solved, edits and deletes."""

from __future__ import annotations

from pathlib import Path

from bot.model import ChannelRef, Level
from tests.harness import running
from tests.questions.conftest import PLUGINS, delete, edit, join, leave, questions, shown


async def test_a_question_is_recorded_with_its_language_and_a_statement_is_not(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "Bonjour, comment on installe le plugin sur Windows")
        await h.say("bob", "je regarde ça ce soir")
        await h.say("carol", "ok?")
        await h.flush()
        rows = [
            dict(r)
            for r in await h.app.db.fetchall("SELECT author_id, is_question, language FROM messages ORDER BY id")
        ]
        assert rows == [
            {"author_id": "alice", "is_question": 1, "language": "fr"},
            {"author_id": "bob", "is_question": 0, "language": None},
            {"author_id": "carol", "is_question": 0, "language": "en"},
        ]
        stored = await questions(h)
        assert [(q["author_id"], q["status"], q["language"]) for q in stored] == [("alice", "open", "fr")]


async def test_short_questions_fall_back_to_the_community_language(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        await h.say("alice", "tu viens ?")
        assert [q["language"] for q in await questions(h)] == ["fr"]


async def test_bots_commands_quotes_and_excluded_channels_are_not_questions(tmp_path: Path) -> None:
    plugins = {"core": {}, "questions": {"excluded_channels": ["#random"]}}
    async with running(tmp_path, plugins=plugins) as h:
        await h.say("robot", "How do I reset my password?", bot=True)
        await h.say("alice", "/ask how?")
        await h.say("alice", "> How do I reset my password?")
        await h.say("alice", "How do I reset my password?", channel="random")
        statement = await h.say("alice", "I made soup", channel="random")
        await edit(h, "alice", statement, "Who wants soup?")
        assert await questions(h) == []


async def test_slack_style_thread_answer_then_thanks_credit_the_helper(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "Where can I find the meeting notes?")
        await h.say("alice", "I looked in the wiki already", thread=question.message_id)  # the asker alone
        assert (await questions(h))[0]["status"] == "open"
        await h.say("bob", "In the shared drive, folder 2026", thread=question.message_id)
        stored = (await questions(h))[0]
        assert (stored["status"], stored["answered_by"]) == ("answered", "bob")
        await h.say("alice", "Found them, thanks!", thread=question.message_id)
        stored = (await questions(h))[0]
        assert (stored["status"], stored["solved_by"]) == ("solved", "bob")


async def test_a_thread_by_the_asker_alone_is_not_answered(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "Does anyone know a good tutorial for asyncio")
        for text in ("anyone?", "I found one about threads but not asyncio", "still looking"):
            await h.say("alice", text, thread=question.message_id)
        assert [(q["status"], q["answered_by"]) for q in await questions(h)] == [("open", None)]


async def test_discord_style_reply_answers_and_checkmark_solves(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "Wie kann ich mein Passwort ändern")
        answer = await h.say("bob", "Go to your profile, then Security.", reply_to=question)  # another language
        await h.react("carol", answer, "✅", author="bob")  # not the asker: nothing happens
        assert (await questions(h))[0]["status"] == "answered"
        await h.react("alice", answer, "✅", author="bob")
        stored = (await questions(h))[0]
        assert (stored["status"], stored["answered_by"], stored["solved_by"]) == ("solved", "bob", "bob")


async def test_thanks_replying_to_a_later_answer_credits_its_author(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "Quel éditeur utilisez-vous pour Python ?")
        await h.say("bob", "vim", reply_to=question)
        second = await h.say("carol", "VS Code avec l'extension Python", reply_to=question)
        await h.say("alice", "merci, je prends ça", reply_to=second)
        stored = (await questions(h))[0]
        assert (stored["answered_by"], stored["solved_by"]) == ("bob", "carol")


async def test_a_mention_of_the_asker_answers_within_the_window_only(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "Is there a parking near the venue?")
        await h.say("bob", "@alice yes, behind the station", mentions=["alice"])
        assert [(q["status"], q["answered_by"]) for q in await questions(h)] == [("answered", "bob")]
        await h.say("alice", "Can I bring a friend?", channel="events")
        await h.advance(hours=7)  # past the 6 h window
        await h.say("carol", "@alice sure", channel="events", mentions=["alice"])
        await h.say("dave", "@alice sure", channel="general", mentions=["alice"])  # another channel
        assert [q["status"] for q in await questions(h)] == ["answered", "open"]


async def test_thanks_mentioning_someone_solves_and_credits_them(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "¿Alguien sabe cómo configurar el servidor de correo?")
        await h.say("alice", "gracias @bob, ya funciona", mentions=["bob"])
        stored = (await questions(h))[0]
        assert (stored["status"], stored["answered_by"], stored["solved_by"]) == ("solved", "bob", "bob")


async def test_same_member_asking_twice_makes_two_questions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.say("alice", "How do I reset my password?")
        await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=first)
        assert [q["status"] for q in await questions(h)] == ["answered", "open"]


async def test_a_very_long_question_keeps_only_a_short_excerpt(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        # 3,000 characters: long, yet under the 4,000 beyond which a message is a paste (reading.MAX_CHARS)
        long = "How do I configure the proxy " + "with a very long explanation " * 100 + "?"
        await h.say("alice", long)
        stored = (await questions(h))[0]
        assert len(stored["excerpt"]) <= 140 and stored["excerpt"].startswith("How do I configure the proxy")


async def test_edited_into_a_statement_and_back(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        ref = await h.say("alice", "How do I reset my password?")
        await edit(h, "alice", ref, "Never mind, I found the reset link.")
        assert [q["status"] for q in await questions(h)] == ["withdrawn"]
        await h.say("bob", "Settings > Security", reply_to=ref)  # no longer tracked
        assert (await questions(h))[0]["answered_by"] is None
        await edit(h, "alice", ref, "How do I reset my password? The link does not work")
        stored = (await questions(h))[0]
        assert (stored["status"], stored["revision"]) == ("open", 1)
        assert "The link does not work" in stored["excerpt"]
        statement = await h.say("carol", "I made soup")
        await edit(h, "carol", statement, "Who wants soup?")
        assert [q["author_id"] for q in await questions(h)] == ["alice", "carol"]


async def test_a_deleted_question_is_closed(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        ref = await h.say("alice", "How do I reset my password?")
        await delete(h, ref)
        stored = (await questions(h))[0]
        assert (stored["status"], stored["close_reason"]) == ("closed", "deleted")
        await h.say("bob", "Settings", reply_to=ref)
        assert (await questions(h))[0]["answered_by"] is None
        await delete(h, await h.say("bob", "just chatting"))  # deleting a non-question is harmless


async def test_a_member_who_left_keeps_their_question_but_gets_no_private_note(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await join(h, "newbie")
        await h.say("newbie", "Where is the welcome guide?")
        await h.say("oldtimer", "Where is the welcome guide?")
        await leave(h, "newbie")
        stored = await questions(h)
        assert [(q["author_id"], q["status"]) for q in stored] == [("newbie", "open"), ("oldtimer", "open")]
        await h.advance(hours=4)
        # Both nudges still go out, but no private note goes to someone who left.
        assert len([s for s in h.sent if "has been waiting" in s.text and isinstance(s.target, ChannelRef)]) == 2
        assert not any(getattr(s.target, "user_id", None) == "newbie" for s in h.sent)
        assert any(getattr(s.target, "user_id", None) == "oldtimer" for s in h.sent)
        listed = shown(await h.command("mod", "/unanswered"))
        assert listed.count("welcome guide") == 2


async def test_answered_questions_stop_waiting_for_thanks_after_the_tracking_window(tmp_path: Path) -> None:
    plugins = {"core": {}, "questions": {"track_days": 2}}
    async with running(tmp_path, plugins=plugins) as h:
        answered = await h.say("alice", "How do I reset my password?")
        reply = await h.say("bob", "Settings > Security", reply_to=answered)
        still_open = await h.say("carol", "Where are the slides?")
        await h.advance(days=3)
        await h.say("alice", "thanks!", reply_to=reply)  # too late to count
        await h.say("dave", "In the drive", reply_to=still_open)  # open questions stay followed
        assert [(q["status"], q["solved_by"], q["answered_by"]) for q in await questions(h)] == [
            ("answered", None, "bob"),
            ("answered", None, "dave"),
        ]
