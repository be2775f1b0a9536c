"""Helpers of the lifecycle tests (events-life): the app with groups and events, a group made by its
owner through `/group create`, events, occurrences and RSVPs written through SQL (so the lifecycle is
tested before `/event create` and `/event rsvp` exist), and what a member received."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.model import ChannelRef, Level, MessageRef, UserRef
from bot.storage.times import to_db
from bot.when.recurrence import occurrences as slots
from plugins.events.plugin import EventsPlugin
from plugins.events.records import Event, Occurrence
from plugins.events.repo import local_to_db
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


async def make_event(
    h: Harness,
    group_id: int,
    start_local: datetime,
    *,
    title: str = "Apéro",
    duration_min: int = 120,
    rule: str | None = None,
    capacity: int | None = None,
    reminders: str = "1d,1h",
    created_by: str = "alice",
    address: str | None = "Café du Coin, 3 rue Nationale",
    online_url: str | None = None,
    ahead: int = 3,
) -> tuple[Event, list[Occurrence]]:
    """An event (one-off, or repeating with `ahead` dates) and its occurrences, written as /event create
    stores them; the lifecycle is not told (call `planned`)."""
    key = h.platform.community.key
    now = h.clock.now()
    group_name = await h.app.db.fetchval("SELECT name FROM community_groups WHERE id = ?", (group_id,))
    channel_id = await h.app.db.fetchval("SELECT channel_id FROM community_groups WHERE id = ?", (group_id,))
    event_id = await h.app.db.insert_id(
        "INSERT INTO events (community, group_id, group_name, title, description, start_local, timezone, "
        "duration_min, rule, place_id, place_name, country, lat, lon, address, online_url, capacity, reminders, "
        "status, revision, channel_id, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, NULL, 'Lille', 'FR', 50.63, 3.06, ?, ?, ?, ?, 'scheduled', 0, ?, ?, ?, ?) "
        "RETURNING id",
        (
            key,
            group_id,
            group_name,
            title,
            local_to_db(start_local),
            TZ,
            duration_min,
            rule,
            address,
            online_url,
            capacity,
            reminders,
            channel_id,
            created_by,
            to_db(now),
            to_db(now),
        ),
    )
    starts = slots(rule, start_local, TZ, after=now, until=now + timedelta(days=800), limit=ahead if rule else 1)
    spans = [(s, s + timedelta(minutes=duration_min)) for s in starts]
    async with h.app.db.transaction() as tx:
        await events(h).repo.insert_occurrences(tx, key, event_id, spans, now)
    event = await events(h).repo.event(key, event_id)
    assert event is not None
    return event, await events(h).repo.occurrences(key, event_id)


async def answer(h: Harness, occ: Occurrence, who: str, what: str, position: int | None = None) -> None:
    """A member's RSVP, written as /event rsvp stores it."""
    await h.app.db.execute(
        "INSERT INTO event_rsvps (community, occurrence_id, user_id, answer, waitlist_position, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (occ.community, occ.id, h.platform.user(who).user_id, what, position, to_db(h.clock.now())),
    )


async def post_cards(h: Harness, event: Event, occs: list[Occurrence]) -> list[Occurrence]:
    """Each occurrence's card posted (by the plugin's `cards.post`); the occurrences as stored now."""
    plugin = events(h)
    for occ in occs:
        await plugin.cards.post(event, occ)
    return [o for o in await plugin.repo.occurrences(event.community, event.id) if o.id in {x.id for x in occs}]


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


def card_ref(h: Harness, occ: Occurrence) -> MessageRef:
    """Where an occurrence's card is."""
    assert occ.card_channel_id is not None and occ.card_message_id is not None
    return MessageRef(h.platform.channel(occ.card_channel_id), occ.card_message_id)
