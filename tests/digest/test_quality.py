"""The digest's "Conversation quality" section (plugins/digest/quality.py) through the real app with the
questions plugin: "got a reply" never says less than the questions section's "answered" (the old digest
showed "0% got a reply" beside "1 answered"), conversations and their top channels, and a period older
than the raw retention is no data, not zero."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.model import MessageRef
from bot.plugin import DigestSection, Plugin
from plugins.digest import quality
from plugins.digest.periods import Period
from plugins.questions.plugin import QuestionsPlugin
from tests.harness import START, Harness, running

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "questions": {}, "digest": {}}
WEEK = Period("week", date(2026, 11, 16), date(2026, 11, 23))  # START is its Monday, 09:00 UTC
TZ = "Europe/Paris"


def plugin(h: Harness, name: str) -> Plugin[Any]:
    return next(p for p in h.app.registry.plugins if p.name == name)


async def quality_of(h: Harness, period: Period = WEEK) -> DigestSection:
    await h.flush()
    return await quality.section(plugin(h, "digest").ctx, h.platform.community.key, period, TZ)


async def questions_answered(h: Harness, period: Period = WEEK) -> Any:
    questions = plugin(h, "questions")
    assert isinstance(questions, QuestionsPlugin)
    start, end = period.bounds(TZ)
    section = await questions.digest_section(h.platform.community, start, end, TZ)
    assert section is not None
    return section.values()["answered"]


def text(h: Harness, section: DigestSection, locale: str = "en") -> list[str]:
    return [h.app.translator.render(line, locale) for line in section.lines]


async def test_a_question_answered_without_a_reply_still_got_a_reply(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I export the member list to a spreadsheet?", channel="help")
        await h.advance(minutes=20)
        # Bob answers with a plain message naming alice: no reply link, no thread; the questions feature
        # records it as the answer.
        await h.say(
            "bob", "@alice the export button is under Settings, then Members.", channel="help", mentions=["alice"]
        )
        assert await questions_answered(h) == 1
        section = await quality_of(h)
        assert section.key == "quality"
        figures = section.values()
        # Two messages: alice's question got a reply (the recorded answer), bob's did not.
        assert figures["got_reply"] == 1
        assert figures["got_reply_share"] == 0.5
        assert figures["got_reply"] >= await questions_answered(h)
        # No linked reply: no conversation, and that is said as zero (the period is covered).
        assert (figures["conversations"], figures["conversations_two_plus"], figures["two_plus_share"]) == (0, 0, None)
        assert text(h, section) == []


async def test_got_reply_is_never_below_answered_on_a_mixed_week(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        asked: list[MessageRef] = []
        for n in range(6):
            asked.append(await h.say(f"asker{n}", f"Where can I find the slides of talk number {n}?", channel="help"))
            await h.advance(minutes=5)
        await h.say("helen", "Here they are.", channel="help", reply_to=asked[0])  # a linked reply
        await h.say("hugo", "@asker1 in the shared drive.", channel="help", mentions=["asker1"])  # recorded only
        await h.react("asker2", asked[2], "✅")  # solved by its asker, nobody replied
        await h.say("asker3", "Found it myself.", channel="help", reply_to=asked[3])  # a self-reply
        await h.advance(days=9)
        await h.say("hana", "Late, but here.", channel="help", reply_to=asked[4])  # after the week: still counts
        answered = await questions_answered(h)
        figures = (await quality_of(h)).values()
        assert answered == 4  # asked[0], [1] and [4] have an answer; [2] was solved by its asker alone
        # Replied: 0 (helen), 4 (hana, late); recorded: 1 (mention), 2 (solved). Not 3 (itself) nor 5.
        assert figures["got_reply"] == 4
        assert figures["got_reply"] >= answered
        assert figures["got_reply_share"] == 4 / 9  # six questions and three more messages in the week
        assert (figures["conversations"], figures["conversations_two_plus"]) == (3, 2)
        assert figures["two_plus_share"] == 2 / 3


async def test_top_channels_by_conversations_name_each_channel_once_with_its_full_count(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for channel, count in (("help", 12), ("random", 5), ("quiet", 0)):
            for n in range(count):
                root = await h.say("alice", f"topic {n}", channel=channel)
                await h.say("bob", "yes", channel=channel, reply_to=root)
                await h.say("carol", "indeed", channel=channel, thread=root.message_id)
        await h.say("dave", "nobody answers me", channel="quiet")
        section = await quality_of(h)
        assert section.values()["conversations"] == 17
        assert text(h, section) == ["Top channels by conversations: #help (12), #random (5)"]
        assert text(h, section, "fr") == ["Salons avec le plus de conversations\u202f: #help (12), #random (5)"]
        per_channel = await quality.conversations_per_channel(
            plugin(h, "digest").ctx, h.platform.community.key, *WEEK.bounds(TZ)
        )
        assert per_channel is not None
        assert {c: (v.messages, v.conversations, v.got_reply) for c, v in per_channel.items()} == {
            "help": (36, 12, 12),
            "random": (15, 5, 5),
            "quiet": (1, 0, 0),
        }


async def test_a_period_older_than_the_raw_retention_is_no_data(tmp_path: Path) -> None:
    async with running(
        tmp_path, plugins=PLUGINS, database={"path": str(tmp_path / "bot.db"), "retention_days": 30}
    ) as h:
        root = await h.say("alice", "hello", channel="help")
        await h.say("bob", "hi", channel="help", reply_to=root)
        h.clock.set(START + timedelta(days=40))
        section = await quality_of(h)
        assert section.values() == {
            "got_reply_share": None,
            "got_reply": None,
            "conversations": None,
            "conversations_two_plus": None,
            "two_plus_share": None,
        }
        assert text(h, section) == [
            "Replies and conversations are counted from the messages of the last 30 days only: "
            "this period is older, so they are not known."
        ]
        assert text(h, section, "fr") == [
            "Les réponses et les conversations ne se comptent que sur les messages des 30 derniers jours\u202f: "
            "cette période est plus ancienne, elles ne sont donc pas connues."
        ]
        per_channel = await quality.conversations_per_channel(
            plugin(h, "digest").ctx, h.platform.community.key, *WEEK.bounds(TZ)
        )
        assert per_channel is None


async def test_metrics_are_typed_for_the_renderers(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        section = await quality_of(h)
        kinds = {m.key: m.kind for m in section.metrics}
        assert kinds == {
            "got_reply_share": "share",
            "got_reply": "count",
            "conversations": "count",
            "conversations_two_plus": "count",
            "two_plus_share": "share",
        }
        # A covered week without a message: counts are zero, shares have nothing to divide.
        assert section.values()["got_reply"] == 0 and section.values()["got_reply_share"] is None
        assert h.app.translator.render(section.title, "fr") == "Qualité des conversations"
