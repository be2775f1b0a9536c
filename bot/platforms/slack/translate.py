"""Pure translation of Slack payloads into the neutral model: Events API events (messages, edits,
deletions, reactions, members joining) and the text of slash commands.

No I/O and no SDK import: every function takes the decoded JSON Slack sent and returns a neutral
event or None when the payload is not something the bot acts on (a channel topic change, an
unfurl that left the text unchanged, an edit of a bot's message...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.model import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    Message,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    UserRef,
)

PLATFORM = "slack"

# Subtypes that carry something a member wrote; every other subtype (joins, topic changes,
# pins, reminders...) is Slack talking about itself and is not a message for the plugins.
_WRITTEN = frozenset({None, "bot_message", "thread_broadcast", "file_share", "me_message"})
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|[^>]*)?>")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")

# Slack names reactions by short code; the other platforms deliver the character itself. The
# reactions features look for are mapped, the rest keep their `:name:` form.
EMOJI: dict[str, str] = {
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "ballot_box_with_check": "☑️",
    "x": "❌",
    "heart": "❤️",
    "tada": "🎉",
    "eyes": "👀",
    "raised_hands": "🙌",
    "pray": "🙏",
    "clap": "👏",
    "fire": "🔥",
    "rocket": "🚀",
    "100": "💯",
    "question": "❓",
    "grey_question": "❔",
    "exclamation": "❗",
    "warning": "⚠️",
    "star": "⭐",
    "smile": "😄",
    "slightly_smiling_face": "🙂",
    "joy": "😂",
    "ok_hand": "👌",
    "muscle": "💪",
    "bulb": "💡",
    "thinking_face": "🤔",
    "wave": "👋",
    "sparkles": "✨",
    "heart_eyes": "😍",
    "laughing": "😆",
    "sob": "😭",
    "rotating_light": "🚨",
    "memo": "📝",
    "pushpin": "📌",
    "link": "🔗",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
}


def emoji(name: str) -> str:
    """A reaction's character (`+1` -> 👍), or `:name:` for the ones without a mapping."""
    bare = _SKIN_TONE.sub("", name.strip(":"))
    return EMOJI.get(bare, f":{bare}:")


def unescape(text: str) -> str:
    """Slack's three HTML entities back to characters; mentions and links stay in Slack's form."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_text(text: str) -> str:
    """The argument text of a slash command as the member typed it.

    Slack wraps links (`<https://x.org|x.org>`) and escapes `& < >`; mentions of members and
    channels (`<@U1|alice>`, `<#C1|general>`) are kept, the parameter resolvers read them."""
    return unescape(_LINK.sub(lambda m: m.group(1), text)).strip()


def mentions(text: str, team_id: str) -> tuple[UserRef, ...]:
    """Members mentioned in a message (`<@U123>`), once each, in order."""
    seen: dict[str, None] = dict.fromkeys(_MENTION.findall(text))
    return tuple(UserRef(PLATFORM, team_id, user_id) for user_id in seen)


def _channel(team_id: str, channel_id: str, ts: str, thread_ts: str | None) -> ChannelRef:
    """The channel, narrowed to the thread when the message is a reply (thread_ts != ts)."""
    channel = ChannelRef(PLATFORM, team_id, channel_id)
    return channel.in_thread(thread_ts) if thread_ts and thread_ts != ts else channel


def message_event(
    event: Mapping[str, Any], team_id: str, at: datetime
) -> Message | MessageEdited | MessageDeleted | None:
    """A `message` event as a new message, an edit, a deletion, or None when it is none of them."""
    subtype = event.get("subtype")
    channel_id = event.get("channel")
    if not isinstance(channel_id, str):
        return None
    if subtype == "message_changed":
        return _edited(event, team_id, channel_id, at)
    if subtype == "message_deleted":
        return _deleted(event, team_id, channel_id, at)
    if subtype not in _WRITTEN or event.get("hidden"):
        return None
    ts = str(event.get("ts", ""))
    author_id = event.get("user") or event.get("bot_id")
    if not ts or not isinstance(author_id, str):
        return None
    thread_ts = event.get("thread_ts")
    channel = _channel(team_id, channel_id, ts, thread_ts)
    reply_to = MessageRef(channel.parent(), str(thread_ts)) if channel.thread_id is not None else None
    raw = str(event.get("text") or "")
    return Message(
        community=channel.community,
        at=at,
        ref=MessageRef(channel, ts),
        author=UserRef(PLATFORM, team_id, author_id),
        text=unescape(raw),
        author_is_bot=bool(event.get("bot_id")) or subtype == "bot_message",
        reply_to=reply_to,
        mentions=mentions(raw, team_id),
        is_direct=event.get("channel_type") in ("im", "mpim"),
    )


def _edited(event: Mapping[str, Any], team_id: str, channel_id: str, at: datetime) -> MessageEdited | None:
    message = event.get("message") or {}
    previous = event.get("previous_message") or {}
    user_id, ts = message.get("user"), message.get("ts")
    if message.get("bot_id") or message.get("subtype") == "bot_message":
        return None
    if not isinstance(user_id, str) or not isinstance(ts, str):
        return None
    if previous and previous.get("text") == message.get("text"):
        return None  # an unfurl or a reply count changed, not the text
    channel = _channel(team_id, channel_id, ts, message.get("thread_ts"))
    return MessageEdited(
        channel.community,
        at,
        MessageRef(channel, ts),
        UserRef(PLATFORM, team_id, user_id),
        unescape(str(message.get("text") or "")),
    )


def _deleted(event: Mapping[str, Any], team_id: str, channel_id: str, at: datetime) -> MessageDeleted | None:
    ts = event.get("deleted_ts")
    if not isinstance(ts, str):
        return None
    previous = event.get("previous_message") or {}
    channel = _channel(team_id, channel_id, ts, previous.get("thread_ts"))
    return MessageDeleted(channel.community, at, MessageRef(channel, ts))


def reaction_event(event: Mapping[str, Any], team_id: str, at: datetime) -> ReactionAdded | None:
    """A `reaction_added` event on a message (reactions to files are ignored)."""
    item = event.get("item") or {}
    user_id, name = event.get("user"), event.get("reaction")
    channel_id, ts = item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not all(isinstance(v, str) for v in (user_id, name, channel_id, ts)):
        return None
    author = event.get("item_user")
    channel = ChannelRef(PLATFORM, team_id, str(channel_id))
    return ReactionAdded(
        channel.community,
        at,
        MessageRef(channel, str(ts)),
        UserRef(PLATFORM, team_id, str(user_id)),
        emoji(str(name)),
        UserRef(PLATFORM, team_id, author) if isinstance(author, str) else None,
    )


def team_join_event(event: Mapping[str, Any], team_id: str, at: datetime) -> MemberJoined | None:
    """A `team_join` event: someone joined the workspace."""
    user = event.get("user") or {}
    user_id = user.get("id") if isinstance(user, Mapping) else None
    if not isinstance(user_id, str):
        return None
    is_bot = bool(user.get("is_bot")) or user_id == "USLACKBOT"
    return MemberJoined(CommunityRef(PLATFORM, team_id), at, UserRef(PLATFORM, team_id, user_id), is_bot=is_bot)
