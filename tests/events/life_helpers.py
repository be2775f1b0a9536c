"""Helpers of the lifecycle tests: the app with groups and events (Paris time), a group made by its owner
through `/group create`, events planned with `/event create` and answered with `/event rsvp`, and what a
member received."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.model import ChannelRef, Level, UserRef
from plugins.events.plugin import EventsPlugin
from plugins.events.records import Event, Occurrence
from tests.groups.fakes import FakeSpaces
from tests.harness import START, FakePlatform, Harness, Sent, running

TZ = "Europe/Paris"


@asynccontextmanager
async def events_app(
    tmp_path: Path,
    settings: Mapping[str, Any] | None = None,
    platform: FakePlatform | None = None,
    start: datetime = START,
) -> AsyncIterator[Harness]:
    """The real app with core, groups (direct creation) and events, on a fake platform with spaces; the same
    `tmp_path` again is the same database (a restart)."""
    plugins = {"core": {}, "groups": {"creation": "direct"}, "events": dict(settings or {})}
    async with running(tmp_path, plugins=plugins, platform=platform or FakeSpaces(), start=start) as h:
        await h.command("admin", f"/settings timezone {TZ}", level=Level.ADMIN)
        yield h


def events(h: Harness) -> EventsPlugin:
    """The running events plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, EventsPlugin))


async def make_group(h: Harness, owner: str = "alice", name: str = "Apéro Lille") -> int:
    """A local group created by `owner` (its owner); its id."""
    reply = await h.command(owner, f'/group create "{name}" local "Meet up around Lille" city:"Lille, FR"')
    assert "created" in reply.text, reply.text
    return int(
        await h.app.db.fetchval(
            "SELECT id FROM community_groups WHERE community = ? AND name = ?", (h.platform.community.key, name)
        )
    )


async def plan(
    h: Harness, options: str, who: str = "alice", level: Level = Level.MEMBER
) -> tuple[Event, list[Occurrence]]:
    """An event planned by `who` with `/event create "Apéro Lille" "Apéro" <options>` (its card posted, its
    reminders scheduled, as for any organiser); the event and its dates."""
    reply = await h.command(who, f'/event create "Apéro Lille" "Apéro" {options}', level=level)
    assert not reply.text.startswith("⚠️"), reply.text
    number = await h.app.db.fetchval("SELECT MAX(id) FROM events")
    event = await events(h).repo.event(h.platform.community.key, int(number))
    assert event is not None
    return event, await events(h).repo.occurrences(event.community, event.id)


async def rsvp(h: Harness, event: Event, who: str, what: str, date: str | None = None) -> None:
    """A member's answer with `/event rsvp` (going when full puts them on the waitlist)."""
    dated = f' date:"{date}"' if date else ""
    reply = await h.command(who, f"/event rsvp {event.id} {what}{dated}")
    assert not reply.text.startswith("⚠️"), reply.text


def dms(h: Harness, who: str) -> list[Sent]:
    """What the bot sent to a member's DMs, in order."""
    user = h.platform.user(who)
    return [s for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == user.user_id]


def in_channel(h: Harness, channel_id: str, thread: str | None = None) -> list[Sent]:
    """What the bot posted in a channel (or one thread of it)."""
    return [
        s
        for s in h.sent
        if isinstance(s.target, ChannelRef) and s.target.channel_id == channel_id and s.target.thread_id == thread
    ]
