"""Slack payloads to neutral events, table-driven (pure functions, no server)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.model import ChannelRef, MemberJoined, Message, MessageDeleted, MessageEdited, MessageRef, UserRef
from bot.platforms.slack.translate import (
    command_text,
    emoji,
    message_event,
    reaction_event,
    team_join_event,
)

AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
C1 = ChannelRef("slack", "T1", "C1")


def msg(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "C1",
        "channel_type": "channel",
        "user": "U1",
        "text": "hi",
        "ts": "1700000100.000100",
        **fields,
    }


def test_a_channel_message() -> None:
    event = message_event(msg(text="ask <@U2> &amp; <@W3|carol> &lt;3"), "T1", AT)
    assert isinstance(event, Message)
    assert event.ref == MessageRef(C1, "1700000100.000100") and event.at == AT
    assert event.text == "ask <@U2> & <@W3|carol> <3"
    assert event.mentions == (UserRef("slack", "T1", "U2"), UserRef("slack", "T1", "W3"))
    assert not event.author_is_bot and not event.is_direct and event.reply_to is None


@pytest.mark.parametrize(
    ("thread_ts", "thread_id"),
    [
        (None, None),
        ("1700000100.000100", None),  # the thread's parent itself
        ("1700000000.000001", "1700000000.000001"),
    ],
)
def test_thread_replies_are_in_their_thread(thread_ts: str | None, thread_id: str | None) -> None:
    event = message_event(msg(thread_ts=thread_ts), "T1", AT)
    assert isinstance(event, Message) and event.channel.thread_id == thread_id
    assert event.reply_to == (MessageRef(C1, thread_ts) if thread_id else None)


@pytest.mark.parametrize(
    ("fields", "is_bot", "is_direct"),
    [
        ({"bot_id": "B1"}, True, False),
        ({"subtype": "bot_message", "bot_id": "B1", "user": None}, True, False),
        ({"channel_type": "im", "channel": "D1"}, False, True),
        ({"subtype": "thread_broadcast"}, False, False),
        ({"subtype": "file_share"}, False, False),
    ],
)
def test_bots_and_direct_messages_are_flagged(fields: dict[str, Any], is_bot: bool, is_direct: bool) -> None:
    event = message_event(msg(**fields), "T1", AT)
    assert isinstance(event, Message)
    assert (event.author_is_bot, event.is_direct) == (is_bot, is_direct)


@pytest.mark.parametrize("subtype", ["channel_join", "channel_topic", "pinned_item", "channel_archive"])
def test_slack_notices_are_not_messages(subtype: str) -> None:
    assert message_event(msg(subtype=subtype), "T1", AT) is None


def test_edits_and_deletions() -> None:
    edited = message_event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "hidden": True,
            "message": {"user": "U1", "text": "new &amp; better", "ts": "5.5", "thread_ts": "1.1"},
            "previous_message": {"user": "U1", "text": "old", "ts": "5.5"},
        },
        "T1",
        AT,
    )
    assert edited == MessageEdited(
        C1.community, AT, MessageRef(C1.in_thread("1.1"), "5.5"), UserRef("slack", "T1", "U1"), "new & better"
    )
    unfurled = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {"user": "U1", "text": "same", "ts": "5.5"},
        "previous_message": {"text": "same"},
    }
    assert message_event(unfurled, "T1", AT) is None
    bot_edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": {"bot_id": "B1", "text": "x", "ts": "5.5"},
    }
    assert message_event(bot_edit, "T1", AT) is None
    deleted = message_event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "deleted_ts": "5.5",
            "previous_message": {"ts": "5.5"},
        },
        "T1",
        AT,
    )
    assert deleted == MessageDeleted(C1.community, AT, MessageRef(C1, "5.5"))


def test_reactions() -> None:
    event = reaction_event(
        {
            "type": "reaction_added",
            "user": "U2",
            "reaction": "thumbsup::skin-tone-3",
            "item_user": "U1",
            "item": {"type": "message", "channel": "C1", "ts": "5.5"},
        },
        "T1",
        AT,
    )
    assert event is not None
    assert (event.message, event.user, event.emoji) == (MessageRef(C1, "5.5"), UserRef("slack", "T1", "U2"), "👍")
    assert event.message_author == UserRef("slack", "T1", "U1")
    on_file = {"type": "reaction_added", "user": "U2", "reaction": "eyes", "item": {"type": "file", "file": "F1"}}
    assert reaction_event(on_file, "T1", AT) is None


@pytest.mark.parametrize(
    ("name", "shown"), [("+1", "👍"), ("white_check_mark", "✅"), ("party-parrot", ":party-parrot:")]
)
def test_emoji(name: str, shown: str) -> None:
    assert emoji(name) == shown


def test_team_join() -> None:
    joined = team_join_event({"type": "team_join", "user": {"id": "U9", "is_bot": False}}, "T1", AT)
    assert joined == MemberJoined(C1.community, AT, UserRef("slack", "T1", "U9"))
    bot = team_join_event({"type": "team_join", "user": {"id": "U8", "is_bot": True}}, "T1", AT)
    assert bot is not None and bot.is_bot


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("join rust-lille", "join rust-lille"),
        ("nearby city:Lille &amp; Roubaix", "nearby city:Lille & Roubaix"),
        ("add url:<https://example.org/a?b=1&amp;c=2|example.org/a>", "add url:https://example.org/a?b=1&c=2"),
        ("assign who:<@U2|bob> where:<#C1|general>", "assign who:<@U2|bob> where:<#C1|general>"),
    ],
)
def test_command_text(raw: str, text: str) -> None:
    assert command_text(raw) == text
