"""The one definition of "got a reply" and of a conversation (bot/storage/conversations.py), read from the
raw message metadata the real app wrote: Discord-style replies and threads, Slack-style threads, forum
posts, self-replies, late replies, a root from the previous week, answered questions and old periods."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.model import Message, MessageRef
from bot.storage.conversations import ConversationCounts, conversation_counts
from tests.harness import START, Harness, running

WEEK = timedelta(days=7)
END = START + WEEK


async def post(
    h: Harness,
    who: str,
    message_id: str,
    *,
    channel: str = "general",
    thread: str | None = None,
    reply_to: str | None = None,
) -> MessageRef:
    """A member posts a message with a chosen id (as the platforms give them) at the clock's time."""
    ref = MessageRef(h.platform.channel(channel, thread), message_id)
    target = MessageRef(h.platform.channel(channel), reply_to) if reply_to is not None else None
    await h.app.dispatcher.handle(
        Message(h.platform.community, h.clock.now(), ref, h.platform.user(who), "some words", reply_to=target)
    )
    return ref


async def counts(
    h: Harness,
    start: datetime = START,
    end: datetime = END,
    answered: set[tuple[str, str]] | None = None,
    retention_days: int = 180,
) -> ConversationCounts | None:
    await h.flush()
    return await conversation_counts(
        h.app.db,
        h.platform.community.key,
        start,
        end,
        answered or set(),
        now=h.clock.now(),
        retention_days=retention_days,
    )


def figures(found: ConversationCounts | None) -> tuple[int, int, int, int]:
    assert found is not None
    return found.messages, found.got_reply, found.conversations, found.conversations_two_plus


async def test_discord_replies_and_a_thread_started_from_a_message(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "100")  # answered by a reply
        await post(h, "bob", "101", reply_to="100")
        await post(h, "carol", "102")  # a thread is started from it (Discord: the thread's id is 102)
        await post(h, "dave", "103", thread="102")
        await post(h, "carol", "104", thread="102")
        await post(h, "erin", "105")  # nobody answers
        await post(h, "frank", "106", thread="102", reply_to="103")  # in the thread, replying to dave
        found = await counts(h)
        # 7 messages; 100, 102 and 103 got a reply; roots 100 and 102 are conversations with two people.
        assert figures(found) == (7, 3, 2, 2)
        assert found is not None and found.got_reply_share == 3 / 7 and found.two_plus_share == 1.0


async def test_slack_threads_count_once_whatever_their_length(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        # Slack: a thread message names the root's ts both as its thread and as the message it replies to.
        await post(h, "alice", "1700000000.000100", channel="help")
        for i, who in enumerate(("bob", "carol", "bob", "alice")):
            await post(
                h, who, f"1700000001.00010{i}", channel="help", thread="1700000000.000100", reply_to="1700000000.000100"
            )
        await post(h, "dave", "1700000002.000100", channel="random")
        found = await counts(h)
        assert figures(found) == (6, 1, 1, 1)
        assert found is not None
        by_channel = {c.channel_id: c for c in found.channels}
        assert (by_channel["help"].messages, by_channel["help"].conversations) == (5, 1)
        assert (by_channel["random"].messages, by_channel["random"].got_reply) == (1, 0)


async def test_a_discord_forum_post_is_a_root(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        # A forum post's first message lives inside the post, under the post's own id.
        await post(h, "alice", "500", channel="forum", thread="500")
        await post(h, "bob", "501", channel="forum", thread="500")
        assert figures(await counts(h)) == (2, 1, 1, 1)


async def test_answering_yourself_is_not_a_reply(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        await post(h, "alice", "2", reply_to="1")
        await post(h, "alice", "3", thread="1")
        found = await counts(h)
        # A conversation (the root has a follow-up) but one participant, and nobody else replied.
        assert figures(found) == (3, 0, 1, 0)
        assert found is not None and found.got_reply_share == 0 and found.two_plus_share == 0


async def test_a_reply_after_the_period_counts_for_the_period_of_its_message(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        await h.advance(days=9)
        await post(h, "bob", "2", reply_to="1")
        # The week of the question: one message, which got its reply (late), one conversation.
        assert figures(await counts(h)) == (1, 1, 1, 1)
        # The week of the reply: the reply is a message; its root is last week's, not a conversation here.
        assert figures(await counts(h, START + WEEK, START + 2 * WEEK)) == (1, 0, 0, 0)


async def test_a_root_before_the_period_with_replies_inside_it_does_not_count_there(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        await post(h, "bob", "2", thread="1")
        await h.advance(days=8)
        await post(h, "carol", "3", thread="1")
        await post(h, "dave", "4", reply_to="1")
        week2 = await counts(h, START + WEEK, START + 2 * WEEK)
        assert figures(week2) == (2, 0, 0, 0)
        assert figures(await counts(h)) == (2, 1, 1, 1)


async def test_an_answered_question_got_a_reply_even_without_a_linked_reply(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")  # answered by a plain message, recorded by the questions feature
        await post(h, "bob", "2")
        await post(h, "carol", "3", reply_to="2")
        answered = {("general", "1"), ("general", "2")}  # 2 also has a reply: counted once
        assert figures(await counts(h, answered=answered)) == (3, 2, 1, 1)
        # A question asked with /ask is posted by the bot, so it is not among the stored messages: it still
        # counts as a message of the period that got a reply, so the share stays at most 100 %.
        found = await counts(h, answered=answered | {("help", "bot-9")})
        assert figures(found) == (4, 3, 1, 1)
        assert found is not None and {c.channel_id: c.got_reply for c in found.channels} == {"general": 2, "help": 1}


async def test_thousands_of_answered_questions_are_read_in_chunks(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        answered = {("general", "1")} | {("ask", f"q{i}") for i in range(12_000)}
        assert figures(await counts(h, answered=answered)) == (12_001, 12_001, 0, 0)


async def test_other_communities_do_not_count(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        await post(h, "bob", "2", reply_to="1")
        await h.flush()
        assert figures(await conversation_counts(h.app.db, "other:T9", START, END, now=START, retention_days=180)) == (
            0,
            0,
            0,
            0,
        )


async def test_bots_messages_are_not_stored_so_a_bot_reply_is_not_a_reply(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        root = await h.say("alice", "anyone?")
        await h.say("helperbot", "I am a bot", reply_to=root, bot=True)
        assert figures(await counts(h)) == (1, 0, 0, 0)


async def test_a_period_older_than_the_retention_has_no_data_not_zero(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await post(h, "alice", "1")
        await h.advance(days=30)
        assert await counts(h, retention_days=29) is None
        # The period starting exactly at the cutoff is still whole.
        assert figures(await counts(h, retention_days=30)) == (1, 0, 0, 0)
        empty = await counts(h, START + 2 * WEEK, START + 3 * WEEK)
        assert figures(empty) == (0, 0, 0, 0)
        assert empty is not None and empty.got_reply_share is None and empty.two_plus_share is None
