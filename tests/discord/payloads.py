"""JSON payloads as Discord sends them (users, members, roles, channels, threads, guilds, messages,
interactions), reduced to the keys discord.py reads. Pure dict builders for the fake Discord."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

NOW = "2026-11-16T09:00:00.000000+00:00"
_ids = itertools.count(1)


def snowflake(shard_of: tuple[int, int] | None = None) -> int:
    """A fresh snowflake; with (shard, count) one whose guild lands on that shard."""
    while True:
        value = (1_300_000_000_000 + next(_ids)) << 22 | 1
        if shard_of is None or (value >> 22) % shard_of[1] == shard_of[0]:
            return value


def user(user_id: int, username: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(user_payload: Mapping[str, Any], roles: Iterable[int] = (), nick: str | None = None) -> dict[str, Any]:
    return {
        "user": dict(user_payload),
        "roles": [str(r) for r in roles],
        "nick": nick,
        "joined_at": NOW,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "avatar": None,
        "premium_since": None,
    }


def role(role_id: int, name: str, *, permissions: int = 0, position: int = 1) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    kind: int = 0,
    parent_id: int | None = None,
    position: int = 0,
    overwrites: Iterable[Mapping[str, Any]] = (),
    topic: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(channel_id),
        "guild_id": str(guild_id),
        "type": kind,
        "name": name,
        "position": position,
        "permission_overwrites": [dict(o) for o in overwrites],
        "parent_id": str(parent_id) if parent_id else None,
        "topic": topic,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }
    if kind == 15:
        payload.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
            default_thread_rate_limit_per_user=0,
        )
    return payload


def thread(thread_id: int, guild_id: int, parent_id: int, name: str, owner_id: int) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "type": 11,
        "name": name,
        "owner_id": str(owner_id),
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": NOW,
            "locked": False,
        },
    }


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: list[dict[str, Any]],
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    threads: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": roles,
        "channels": channels,
        "threads": threads,
        "members": members,
        "emojis": [],
        "stickers": [],
        "features": [],
        "member_count": len(members),
        "large": False,
        "unavailable": False,
        "joined_at": NOW,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message(
    message_id: int,
    channel_id: int,
    author: Mapping[str, Any],
    content: str,
    *,
    guild_id: int | None = None,
    author_member: Mapping[str, Any] | None = None,
    embeds: list[Any] | None = None,
    attachments: list[Any] | None = None,
    components: list[Any] | None = None,
    flags: int = 0,
    kind: int = 0,
    reference: tuple[int, int] | None = None,
    mentions: Iterable[Mapping[str, Any]] = (),
    webhook_id: int | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": dict(author),
        "content": content,
        "timestamp": NOW,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [dict(m) for m in mentions],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "pinned": False,
        "type": kind,
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    if author_member is not None:
        payload["member"] = {k: v for k, v in author_member.items() if k != "user"}
    if reference is not None:
        payload["message_reference"] = {
            "type": 0,
            "message_id": str(reference[1]),
            "channel_id": str(reference[0]),
            "guild_id": str(guild_id) if guild_id else None,
        }
    if webhook_id is not None:
        payload["webhook_id"] = str(webhook_id)
    return payload


def interaction(
    interaction_id: int,
    application_id: int,
    token: str,
    kind: int,
    data: Mapping[str, Any],
    *,
    guild_id: int,
    channel_payload: Mapping[str, Any],
    member_payload: Mapping[str, Any],
    permissions: int,
    locale: str,
    message_payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": dict(data),
        "guild_id": str(guild_id),
        "channel_id": channel_payload["id"],
        "channel": dict(channel_payload),
        "member": {**member_payload, "permissions": str(permissions)},
        "token": token,
        "version": 1,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str((1 << 50) - 1),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 8 << 20,
    }
    if message_payload is not None:
        payload["message"] = dict(message_payload)
    return payload


def dm_interaction(
    interaction_id: int,
    application_id: int,
    token: str,
    kind: int,
    data: Mapping[str, Any],
    *,
    channel_id: int,
    user_payload: Mapping[str, Any],
    locale: str,
    message_payload: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An interaction from the bot's DM with a user: no guild, a `user` instead of a `member`."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": dict(data),
        "channel_id": str(channel_id),
        "channel": {"id": str(channel_id), "type": 1, "flags": 0},
        "user": dict(user_payload),
        "token": token,
        "version": 1,
        "locale": locale,
        "app_permissions": str((1 << 50) - 1),
        "entitlements": [],
        "authorizing_integration_owners": {"0": "0"},
        "context": 1,
        "attachment_size_limit": 8 << 20,
    }
    if message_payload is not None:
        payload["message"] = dict(message_payload)
    return payload
