"""Pure functions from discord.py objects to the neutral events of `bot.model`.

No I/O and no cache lookups here: what needs the cache (a thread's parent channel for a deleted
message or a reaction) is looked up by the platform and passed in. Identities are the snowflakes as
text; a guild is a community (`discord:<guild id>`), direct messages belong to `discord:@me`.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.model import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    Message,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    UserRef,
)

PLATFORM = "discord"
DM_WORKSPACE = "@me"
_CHAT_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def workspace(guild_id: int | None) -> str:
    """The workspace id of a guild, or of direct messages."""
    return str(guild_id) if guild_id else DM_WORKSPACE


def community(guild_id: int | None) -> CommunityRef:
    """The community of a guild (or of direct messages)."""
    return CommunityRef(PLATFORM, workspace(guild_id))


def user(guild_id: int | None, user_id: int) -> UserRef:
    """A member of a guild."""
    return UserRef(PLATFORM, workspace(guild_id), str(user_id))


def place(guild_id: int | None, channel_id: int, parent_id: int | None = None) -> ChannelRef:
    """A channel; with `parent_id`, `channel_id` is a thread (or a forum post) inside that parent."""
    if parent_id is not None:
        return ChannelRef(PLATFORM, workspace(guild_id), str(parent_id), str(channel_id))
    return ChannelRef(PLATFORM, workspace(guild_id), str(channel_id))


def channel_of(guild_id: int | None, channel: object) -> ChannelRef:
    """The neutral channel of a discord.py channel object; threads keep their parent."""
    if isinstance(channel, discord.Thread):
        return place(guild_id, channel.id, channel.parent_id)
    return place(guild_id, getattr(channel, "id", 0))


def _guild_id(message: discord.Message) -> int | None:
    return message.guild.id if message.guild is not None else None


def message(msg: discord.Message, at: datetime) -> Message | None:
    """A posted message (plain or reply, in a channel, a thread, a forum post or a DM); None for
    system messages (joins, pins, thread creation notices...)."""
    if msg.type not in _CHAT_TYPES:
        return None
    guild_id = _guild_id(msg)
    channel = channel_of(guild_id, msg.channel)
    reply_to = None
    reference = msg.reference
    if msg.type is discord.MessageType.reply and reference is not None and reference.message_id:
        same = reference.channel_id == msg.channel.id
        target = channel if same else place(guild_id, reference.channel_id)
        reply_to = MessageRef(target, str(reference.message_id))
    roles = frozenset(str(role.id) for role in getattr(msg.author, "roles", ()) if not role.is_default())
    return Message(
        community=community(guild_id),
        at=at,
        ref=MessageRef(channel, str(msg.id)),
        author=user(guild_id, msg.author.id),
        text=msg.content,
        author_is_bot=msg.author.bot,
        reply_to=reply_to,
        mentions=tuple(user(guild_id, m.id) for m in msg.mentions),
        is_direct=guild_id is None,
        author_roles=roles,
    )


def edited(payload: discord.RawMessageUpdateEvent, at: datetime) -> MessageEdited | None:
    """A message whose text changed; None when only embeds or flags changed."""
    msg = payload.message
    if "content" not in payload.data:
        return None
    if payload.cached_message is not None and payload.cached_message.content == msg.content:
        return None
    guild_id = payload.guild_id
    return MessageEdited(
        community(guild_id),
        at,
        MessageRef(channel_of(guild_id, msg.channel), str(msg.id)),
        user(guild_id, msg.author.id),
        msg.content,
    )


def deleted(payload: discord.RawMessageDeleteEvent, parent_id: int | None, at: datetime) -> MessageDeleted:
    """A deleted message; `parent_id` is the parent channel when it was in a thread."""
    channel = place(payload.guild_id, payload.channel_id, parent_id)
    return MessageDeleted(community(payload.guild_id), at, MessageRef(channel, str(payload.message_id)))


def reaction(payload: discord.RawReactionActionEvent, parent_id: int | None, at: datetime) -> ReactionAdded:
    """A reaction added to a message; custom emojis keep Discord's `<:name:id>` form."""
    guild_id = payload.guild_id
    channel = place(guild_id, payload.channel_id, parent_id)
    author = user(guild_id, payload.message_author_id) if payload.message_author_id else None
    return ReactionAdded(
        community(guild_id),
        at,
        MessageRef(channel, str(payload.message_id)),
        user(guild_id, payload.user_id),
        str(payload.emoji),
        author,
    )


def joined(member: discord.Member, at: datetime) -> MemberJoined:
    """A member joined a guild."""
    return MemberJoined(community(member.guild.id), at, user(member.guild.id, member.id), is_bot=member.bot)


def left(payload: discord.RawMemberRemoveEvent, at: datetime) -> MemberLeft:
    """A member left a guild."""
    return MemberLeft(community(payload.guild_id), at, user(payload.guild_id, payload.user.id))
