"""Commands of the questions plugin: /ask, /solved, /unanswered, /question close, /helpers,
/questions notes, with bad input, unicode, huge values and missing permissions."""

from __future__ import annotations

from pathlib import Path

from bot.formatting import LocalReply
from bot.model import ChannelRef, DeliveryError, Level, MessageRef, Target
from tests.harness import FakePlatform, running
from tests.questions.conftest import PLUGINS, join, questions, shown


async def test_ask_posts_a_ticket_that_is_tracked_and_answered_in_its_thread(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("alice", "/ask Comment rejoindre le groupe de Lille ? group:Lille")
        assert reply.ephemeral and "#1" in reply.text
        posted = h.sent[-1]
        assert posted.target == ChannelRef("fake", "T1", "general")
        assert "Comment rejoindre le groupe de Lille ?" in posted.text and "Lille" in posted.text
        stored = (await questions(h))[0]
        assert (stored["explicit"], stored["group_name"], stored["language"]) == (1, "Lille", "fr")
        await h.say("bob", "Avec /group join Lille", thread=stored["message_id"])
        assert (await questions(h))[0]["answered_by"] == "bob"


async def test_ask_in_the_configured_channel_and_without_a_question_mark(tmp_path: Path) -> None:
    plugins = {"core": {}, "questions": {"ask_channel": "advice"}}
    async with running(tmp_path, plugins=plugins) as h:
        await h.command("alice", "/ask I need advice on my first talk")  # not a question form: still tracked
        assert h.sent[-1].target == ChannelRef("fake", "T1", "advice")
        assert [q["channel_id"] for q in await questions(h)] == ["advice"]


async def test_ask_refuses_empty_and_overlong_questions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        empty = await h.command("alice", "/ask")
        assert empty.ephemeral and "empty" in empty.text
        huge = await h.command("alice", "/ask " + "é" * 2000)
        assert huge.ephemeral and "⚠️" in huge.text
        unicode = await h.command("alice", '/ask Как дела? 🙂 group:"Ünïcødé"')
        assert "#1" in unicode.text
        assert [q["group_name"] for q in await questions(h)] == ["Ünïcødé"]


async def test_solved_by_the_asker_by_number_or_latest_and_refused_to_others(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.say("alice", "How do I reset my password?")
        await h.say("bob", "Settings > Security", reply_to=first)
        await h.say("alice", "And where do I change my avatar?")
        refused = await h.command("carol", "/solved 1")
        assert refused.ephemeral and "Only the person who asked #1" in refused.text
        done = await h.command("alice", "/solved")  # the latest one
        assert "#2 is solved" in done.text
        again = await h.command("alice", "/solved 2")
        assert again.ephemeral and "already solved" in again.text
        by_mod = await h.command("mod", "/solved 1", level=Level.MODERATOR)
        assert "#1 is solved" in by_mod.text
        stored = await questions(h)
        assert [(q["status"], q["solved_by"]) for q in stored] == [("solved", "bob"), ("solved", None)]
        nothing = await h.command("alice", "/solved")
        assert nothing.ephemeral and "no open question" in nothing.text


async def test_solved_with_bad_numbers(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I reset my password?")
        for line in ("/solved abc", "/solved 0", "/solved -3", "/solved 99999999999999999999999"):
            reply = await h.command("alice", line)
            assert reply.ephemeral and "⚠️" in reply.text, line
        unknown = await h.command("alice", "/solved 11")
        assert "There is no question #11" in unknown.text and "Did you mean #1?" in unknown.text


async def test_solved_inside_the_question_thread(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.say("alice", "How do I reset my password?")
        await h.say("alice", "How do I change my avatar?")
        event_channel = h.platform.channel("general", first.message_id)
        assert event_channel.thread_id == first.message_id
        await h.say("bob", "Settings > Security", thread=first.message_id)
        await h.say("alice", "thanks!", thread=first.message_id)
        assert [q["status"] for q in await questions(h)] == ["solved", "open"]


async def test_unanswered_lists_oldest_first_and_filters(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        h.platform.channel("help")
        await h.say("alice", "How do I reset my password?")
        await h.advance(hours=1)
        await h.say("bob", "Wo finde ich die Folien vom Vortrag", channel="help")
        await h.command("carol", "/ask Quel livre pour débuter en Rust ? group:Rust")
        listed = shown(await h.command("dave", "/unanswered"))
        assert listed.index("reset my password") < listed.index("Folien") < listed.index("Rust")
        assert "60 minutes ago" in listed and "just now" in listed and "(German)" in listed and "#help" in listed
        in_help = shown(await h.command("dave", "/unanswered #help"))
        assert "Folien" in in_help and "password" not in in_help
        rust = shown(await h.command("dave", "/unanswered group:rust"))
        assert "Rust" in rust and "password" not in rust
        typo = await h.command("dave", "/unanswered group:Rsut")
        assert typo.ephemeral and "Did you mean Rust?" in typo.text
        unknown_channel = await h.command("dave", "/unanswered #nowhere")
        assert unknown_channel.ephemeral and "⚠️" in unknown_channel.text
        await h.command("mod", "/question close 1 duplicate", level=Level.MODERATOR)
        await h.command("mod", "/question close 2 off-topic", level=Level.MODERATOR)
        await h.command("mod", "/question close 3 answered elsewhere", level=Level.MODERATOR)
        assert "Thank you all" in shown(await h.command("dave", "/unanswered"))


async def test_question_close_is_for_moderators_and_checks_its_input(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I reset my password?")
        refused = await h.command("alice", "/question close 1 duplicate")
        assert refused.ephemeral and "moderators only" in refused.text
        missing = await h.command("mod", "/question close 1", level=Level.MODERATOR)
        assert missing.ephemeral and "⚠️" in missing.text
        wrong = await h.command("mod", "/question close one duplicate", level=Level.MODERATOR)
        assert wrong.ephemeral and "⚠️" in wrong.text
        unknown = await h.command("mod", "/question close 7 duplicate", level=Level.MODERATOR)
        assert "There is no question #7" in unknown.text
        huge = await h.command("mod", "/question close 1 " + "x" * 500, level=Level.MODERATOR)
        assert huge.ephemeral and "⚠️" in huge.text
        closed = await h.command("mod", "/question close 1 doublon de #3 — désolé", level=Level.MODERATOR)
        assert "#1 is closed: doublon de #3 — désolé" in closed.text
        again = await h.command("mod", "/question close 1 duplicate", level=Level.MODERATOR)
        assert again.ephemeral and "already closed" in again.text
        await h.advance(days=4)
        assert h.sent == []  # a closed question is never nudged


async def test_helpers_leaderboard_weights_newcomers_waits_and_solves(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await join(h, "newbie")
        quick = await h.say("alice", "What's the wifi password?")
        await h.say("fast", "guest1234", reply_to=quick)
        slow = await h.say("newbie", "How do I set up the dev environment?")
        await h.advance(days=1)
        await h.say("patient", "Here is the guide, step by step", reply_to=slow)
        await h.react("newbie", slow, "✅")
        board = await h.command("anyone", "/helpers")
        assert board.card is not None
        names = [f.name for f in board.card.fields]
        assert names == ["1. patient", "2. fast"]
        # 1 x 1.5 (waited a day) x 1.5 (newcomer) x 1.5 (solved) = 3.375, against 1 for a quick answer.
        assert board.card.fields[0].value == "3.4 points · 1 first answer · 1 solved"
        assert board.card.fields[1].value == "1 point · 1 first answer · 0 solved"
        await h.advance(weeks=5)
        assert "No answers counted in the last 4 weeks" in (await h.command("anyone", "/helpers")).text
        assert (await h.command("anyone", "/helpers 6")).card is not None
        for line in ("/helpers 0", "/helpers 53", "/helpers many", "/helpers 1e9"):
            bad = await h.command("anyone", line)
            assert bad.ephemeral and "⚠️" in bad.text, line


async def test_questions_notes_checks_its_choice(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        bad = await h.command("alice", "/questions notes maybe")
        assert bad.ephemeral and "⚠️" in bad.text
        empty = await h.command("alice", "/questions notes")
        assert empty.ephemeral and "⚠️" in empty.text
        assert (await h.command("alice", "/questions notes OFF")).ephemeral
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM question_note_optouts") == 1


class _RefusingPlatform(FakePlatform):
    """A platform where the bot may not post in channels."""

    async def send(self, target: Target, reply: LocalReply) -> MessageRef | None:
        if isinstance(target, ChannelRef):
            raise DeliveryError("missing_permission", "cannot post", permission="send_messages")
        return await super().send(target, reply)


async def test_ask_where_the_bot_cannot_post_explains_and_tracks_nothing(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, platform=_RefusingPlatform()) as h:
        reply = await h.command("alice", "/ask How do I join?")
        assert reply.ephemeral and "could not be posted in #general" in reply.text
        assert await questions(h) == []


async def test_ask_takes_every_unnamed_word_as_the_question_and_group_only_by_name(tmp_path: Path) -> None:
    forms = [
        ("/ask Où trouver le planning ?", "Où trouver le planning ?", None),
        ('/ask "How do I join?"', "How do I join?", None),
        ("/ask How do I join?", "How do I join?", None),
        ("/ask group:rust-lille How do I join?", "How do I join?", "rust-lille"),
        ("/ask How do I join? group:rust-lille", "How do I join?", "rust-lille"),
        ('/ask group:"Rust Lille" How do I join?', "How do I join?", "Rust Lille"),
    ]
    async with running(tmp_path, plugins=PLUGINS) as h:
        for number, (line, question, group) in enumerate(forms, start=1):
            reply = await h.command("alice", line)
            assert f"#{number}" in reply.text, line
            card = h.sent[-1].text
            assert question in card and (group is None or group in card), line
            stored = (await questions(h))[-1]
            assert (stored["excerpt"], stored["group_name"]) == (question, group), line


async def test_ask_checks_the_group_by_name_and_in_typed_options(tmp_path: Path) -> None:
    long_question = "How do I join the Lille group when I live far from Lille, near the Belgian border?"
    assert len(long_question) > 60
    async with running(tmp_path, plugins=PLUGINS) as h:
        quoted = await h.command("alice", f'/ask "{long_question}"')  # not mistaken for a long group
        assert "#1" in quoted.text
        too_long = await h.command("alice", "/ask How? group:" + "g" * 61)
        assert too_long.ephemeral and "group is too long" in too_long.text
        only_group = await h.command("alice", "/ask group:rust-lille")
        assert only_group.ephemeral and "empty" in only_group.text
        typed = await h.command("alice", "/ask", options={"question": "How do I join?", "group": "rust-lille"})
        assert "#2" in typed.text
        typed_long = await h.command("alice", "/ask", options={"question": "How?", "group": "g" * 61})
        assert typed_long.ephemeral and "group is too long" in typed_long.text
        assert [(q["excerpt"], q["group_name"]) for q in await questions(h)] == [
            (long_question, None),
            ("How do I join?", "rust-lille"),
        ]


async def test_open_questions_autocomplete_by_number_or_words(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "Comment exporter le calendrier en ics ?")
        await h.say("bob", "How do I join the Lille group?")
        complete = h.app.registry.autocomplete["open_questions"]
        found = await complete(h.platform.community, h.platform.user("carol"), "lille")
        assert [str(c.label) for c in found] == ["#2 How do I join the Lille group?"]
        assert [c.value for c in await complete(h.platform.community, h.platform.user("carol"), "")] == ["1", "2"]
