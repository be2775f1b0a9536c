"""Shared helpers of the calendar tests: a community with members and channels, and readers of
what was sent and stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.formatting import LocalReply
from bot.model import Attachment, ChannelRef, CommandInvoked, Level, UserRef
from tests.harness import Harness

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "calendar": {}}


def populate(h: Harness) -> None:
    """Members and channels the tests talk about."""
    for name in ("alice", "bob", "mod", "carla"):
        h.platform.user(name)
    for channel in ("news", "events", "managers"):
        h.platform.channel(channel)


async def mod(h: Harness, line: str, **kwargs: Any) -> LocalReply:
    """A moderator runs a command."""
    return await h.command("mod", line, level=Level.MODERATOR, **kwargs)


async def with_file(
    h: Harness, who: str, line: str, files: Iterable[Attachment], *, level: Level = Level.MODERATOR
) -> LocalReply:
    """A command sent with attached files (as the console's `/attach` does)."""
    word, _sep, rest = line.strip().lstrip("/").partition(" ")
    event = CommandInvoked(
        h.platform.community,
        h.clock.now(),
        h.platform.user(who),
        h.platform.channel("general"),
        word,
        rest,
        platform_level=level,
        attachments=tuple(files),
    )
    return await h.app.dispatcher.invoke(event)


def dms(h: Harness, who: str) -> list[str]:
    """Texts sent to a member's DMs."""
    return [s.text for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == who]


def posts(h: Harness, channel: str) -> list[str]:
    """Texts posted in a channel."""
    return [s.text for s in h.sent if isinstance(s.target, ChannelRef) and s.target.channel_id == channel]


async def entries(h: Harness) -> list[dict[str, Any]]:
    """Every stored occurrence, oldest id first."""
    rows = await h.app.db.fetchall("SELECT * FROM calendar_entries ORDER BY id")
    return [dict(r) for r in rows]
