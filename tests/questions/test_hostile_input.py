"""Bad input on the questions' path, end to end through the real dispatcher: emoji-only messages, code, quotes
of someone else's question, 50 KB pastes and text in a language the bot does not follow are never tracked as
their poster's question: `/unanswered` stays empty, and no nudge comes later. The suite's loop-stall guard
(tests/conftest.py) fails any of these tests that blocks the event loop.

A quote followed by the poster's own question is their question, and so is a question after a code block."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FrozenClock
from plugins.questions import reading
from plugins.questions.plugin import QuestionsPlugin
from tests.discord import payloads as discord_payloads
from tests.discord.conftest import running_bot as discord_bot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.probe import Probe as DiscordProbe
from tests.discord.probe import probe as discord_probe
from tests.harness import START, Harness, make_config, on_console, running
from tests.questions.conftest import PLUGINS, edit, questions, shown
from tests.slack.fake_slack import _texts as slack_texts
from tests.slack.rig import running as slack_rig

EMPTY = "Every question here has had an answer"

EMOJI_ONLY = [
    "🤔🤔🤔?",
    "❓❓❓",
    "🙃 ?",
    "<:thonk:123456789012345678> ?",
    "<a:party_parrot:123456789012345678><a:party_parrot:123456789012345678>?",
    ":thinking: :thinking: ?",
    "👀" * 1_500 + "?",
]
CODE = [
    "```\nwhy does this fail?\n```",
    "```py\nname = input('What is your name?')\nprint(f'Hello {name}?')\n```",
    "`what?`",
    "`git status --help?`",
    "```sql\nSELECT * FROM questions WHERE status = ?\n```",
]
QUOTES = [
    "> How do I join the Lille group?\nI wondered the same.",
    "> How do I join?\n> Does anyone know?\nsame here, following this",
    ">>> How do I join the Lille group?\nDoes anyone know?\nThat was asked yesterday in #help.",
    "&gt; how do I reset my password?\nGood one.",
    "> Quelqu'un sait comment rejoindre le groupe ?\nMerci pour la question.",
]
LOG_LINE = "2026-11-16 09:00:01 ERROR worker-3 ConnectionResetError: [Errno 104] peer reset, retrying in 5s?\n"
PASTES = [
    LOG_LINE * 540 + "any idea why?",  # a 50 KB log that ends with a question
    "how do I " * 6_000 + "?",
    "?" * 50_000,
    ". " * 25_000 + "comment faire ?",
    "<@" * 25_000 + "?",
    "`" * 50_000 + "?",
    "> " * 25_000 + "\nhow?",
]
UNSUPPORTED = [
    "Как настроить календарь для команды?",
    "Hoe kan ik de agenda instellen voor ons team?",
    "Czy ktoś wie, jak skonfigurować kalendarz?",
    "カレンダーの設定方法を教えてください？",
    "Hej, vet någon hur man ställer in kalendern?",
]


async def nothing_tracked_nor_nudged(h: Harness) -> None:
    """What members see: no question listed, and nothing sent by the bot a day and a half later."""
    assert await questions(h) == []
    assert EMPTY in shown(await h.command("carol", "/unanswered"))
    await h.advance(hours=36)  # past the 4 h nudge and the 24 h escalation
    assert h.sent == []


async def test_emoji_only_messages_are_not_questions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in EMOJI_ONLY:
            await h.say("alice", text)
        await nothing_tracked_nor_nudged(h)


async def test_code_is_not_a_question_but_a_question_after_a_code_block_is(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in CODE:
            await h.say("alice", text)
        await nothing_tracked_nor_nudged(h)
        asked = "```\nTraceback (most recent call last):\nKeyError: 'id'\n```\nWhy does the import crash like this?"
        await h.say("bob", asked)
        [stored] = await questions(h)
        assert stored["author_id"] == "bob" and stored["excerpt"].endswith("Why does the import crash like this?")


async def test_a_quote_of_someone_elses_question_is_not_the_posters_question(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in QUOTES:
            await h.say("alice", text)
        await nothing_tracked_nor_nudged(h)


async def test_a_quote_followed_by_the_posters_own_question_is_their_question(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "> The wiki says to ask in #help.\nHow do I join the Lille group?")
        await h.say("bob", "Does anyone have the slides from Tuesday?\n>>> I missed the talk, sorry")
        listed = shown(await h.command("carol", "/unanswered"))
        assert "How do I join the Lille group?" in listed and "The wiki says" not in listed
        assert "Does anyone have the slides from Tuesday?" in listed and "I missed the talk" not in listed
        assert [q["author_id"] for q in await questions(h)] == ["alice", "bob"]


async def test_50_kb_pastes_are_never_questions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in PASTES:
            assert len(text) > reading.MAX_CHARS
            await h.say("alice", text)
        await nothing_tracked_nor_nudged(h)
        # The stored activity still counts them, as messages that are not questions.
        await h.flush()
        rows = await h.app.db.fetchall("SELECT is_question FROM messages")
        assert len(rows) == len(PASTES) and not any(r["is_question"] for r in rows)


async def test_a_question_edited_into_a_paste_is_withdrawn_and_a_paste_edited_stays_untracked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        ref = await h.say("alice", "How do I reset my password?")
        assert len(await questions(h)) == 1
        await edit(h, "alice", ref, PASTES[0])
        assert EMPTY in shown(await h.command("carol", "/unanswered"))
        paste = await h.say("bob", PASTES[1])
        await edit(h, "bob", paste, PASTES[2])
        await edit(h, "alice", ref, "> How do I reset my password?\nfound it, thanks")
        assert [q["status"] for q in await questions(h)] == ["withdrawn"]
        await h.advance(hours=36)
        assert h.sent == []


async def test_a_language_the_bot_does_not_follow_is_not_tracked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in UNSUPPORTED:
            await h.say("alice", text)
        await nothing_tracked_nor_nudged(h)


async def test_a_language_left_out_of_the_configuration_is_not_tracked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, languages=["fr", "en"]) as h:
        await h.say("alice", "Hola a todos, ¿alguien sabe cómo configurar el calendario del equipo?")
        await h.say("alice", "Hallo zusammen, weiß jemand, wie man den Kalender für das Team einrichtet?")
        await nothing_tracked_nor_nudged(h)
        await h.say("bob", "Bonjour, quelqu'un sait comment configurer le calendrier ?")
        assert [q["language"] for q in await questions(h)] == ["fr"]


# ---------------------------------------------------------------- the console and Slack


async def test_bad_input_on_the_console(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path, PLUGINS)) as (console, out, app):
        await console.play(
            [
                "/as alice",
                "🤔🤔🤔?",
                "<:thonk:123456789012345678> ?",
                ":thinking: :thinking: ?",
                "`what?`",
                "> How do I join the Lille group?",
                "&gt; how do I reset my password?",
                "Как настроить календарь для команды?",
                "how do I " * 6_000 + "?",
                LOG_LINE.strip() * 500 + " any idea why?",
                "/unanswered",
                "/advance 36h",
            ]
        )
        text = out.getvalue()
        assert EMPTY in text
        assert "waiting" not in text and "[DM → alice]" not in text  # no nudge, no private note
        assert await app.db.fetchval("SELECT COUNT(*) FROM questions") == 0
        await console.play(["/as bob", "How do I join the Lille group?", "/unanswered"])
        assert "How do I join the Lille group?" in out.getvalue().rsplit("/unanswered", 1)[1]


async def test_bad_input_on_slack(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, features=PLUGINS) as rig:
        # Slack sends text escaped: `&gt;` for a quote's `>`, `&lt;` and `&amp;` likewise.
        sent = [
            "🤔🤔 ?",
            ":thinking_face: :thinking_face: ?",
            "```why does this fail?```",
            "`what?`",
            "&gt; How do I join the Lille group?\nsame question here",
            "Как настроить календарь для команды?",
            LOG_LINE.replace(">", "&gt;") * 540 + "any idea why?",
            "&gt; The wiki says to ask here.\nHow do I join the Lille group?",  # the poster's own question
        ]
        for number, text in enumerate(sent, start=1):
            event = {
                "type": "message",
                "channel": "C1",
                "channel_type": "channel",
                "user": "U1",
                "text": text,
                "ts": f"{int(START.timestamp()) + number}.000100",
            }
            assert (await rig.event(event))[0] == 200
            await rig.probe.wait_for(number)
        await rig.command("/unanswered", user="U2", response="listed")
        listed = "\n".join(slack_texts(await rig.response("listed")))
        assert "How do I join the Lille group?" in listed and "The wiki says" not in listed
        assert "Questions waiting for an answer (1)" in listed
        clock = rig.app.clock
        assert isinstance(clock, FrozenClock)
        clock.advance(timedelta(hours=36))
        await rig.app.scheduler.catch_up()
        posted = rig.fake.called("chat.postMessage")
        # The nudge and the 24 h reminder go to the one real question's thread, its asker gets one private note;
        # nothing else was chased.
        control = f"{int(START.timestamp()) + len(sent)}.000100"
        assert {c.args.get("thread_ts") for c in posted if c.args.get("channel") == "C1"} == {control}
        notes = [c.args["text"] for c in posted if c.args.get("channel") != "C1"]
        assert len(notes) == 1 and "How do I join the Lille group?" in notes[0]


async def test_bad_input_on_discord(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    try:
        guild = fake.add_guild()
        general = guild.channels["general"]
        async with discord_bot(tmp_path, fake, extra=[discord_probe], plugins=PLUGINS) as bot:
            seen = next(p for p in bot.app.registry.plugins if isinstance(p, DiscordProbe))
            sent = [
                "<:thonk:123456789012345678> <a:party:123456789012345678> ?",
                "🤔🤔🤔?",
                "```py\nname = input('What is your name?')\n```",
                ">>> How do I join the Lille group?\nDoes anyone know?\nasked in #help yesterday",
                "> How do I reset my password?\nsame here",
                "Как настроить календарь для команды?",
                LOG_LINE * 60,  # 5 KB: more than Discord lets a member post, sent by a crafted client
                "> The wiki says to ask here.\nHow do I join the Lille group?",  # the poster's own question
            ]
            for text in sent:
                raw = discord_payloads.message(
                    discord_payloads.snowflake(),
                    general,
                    guild.users["alice"],
                    text,
                    guild_id=guild.id,
                    author_member=guild.member("alice"),
                )
                await fake.dispatch("MESSAGE_CREATE", raw, guild.id)
            await seen.seen(lambda: len(seen.events) == len(sent))
            tracker = next(p for p in bot.app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker
            await tracker.flush()
            rows = await bot.app.db.fetchall("SELECT message_id, excerpt FROM questions")
            assert [(r["message_id"], r["excerpt"]) for r in rows] == [(raw["id"], "How do I join the Lille group?")]
            bot.clock.advance(timedelta(hours=36))
            await bot.app.scheduler.catch_up()
            posted = [c.body.get("content", "") for c in fake.calls_to("POST", r"/channels/\d+/messages")]
            # The nudge, the 24 h reminder and the asker's private note: all about the one real question.
            assert posted and all("How do I reset" not in p and "What is your name" not in p for p in posted)
            assert sum("How do I join the Lille group?" in p for p in posted) >= 1
    finally:
        await fake.stop()
