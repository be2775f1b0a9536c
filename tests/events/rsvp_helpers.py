"""Test setup of the RSVP tests: events and their occurrences written as `/event create` stores them (in a
community without the groups plugin, so many events and dates are quick to make), their counts, and the
DMs a member got. Everything they answer goes through the real `/event rsvp`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.storage.times import to_db, zone
from plugins.events.plugin import EventsPlugin
from plugins.events.records import SCHEDULED, Counts, Event, Occurrence
from plugins.events.repo import local_to_db
from plugins.events.rsvp_repo import RsvpRepo
from tests.harness import Harness

EVENTS_PLUGINS: dict[str, dict[str, Any] | None] = {"core": {}, "events": {}}


def events_plugin(h: Harness) -> EventsPlugin:
    """The running events plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, EventsPlugin))


async def make_event(
    h: Harness,
    *,
    title: str = "Apéro Rust",
    starts: list[datetime],
    capacity: int | None = None,
    timezone: str = "Europe/Paris",
    duration: timedelta = timedelta(hours=2),
    rule: str | None = None,
    created_by: str = "olivia",
) -> tuple[Event, list[Occurrence]]:
    """An event of the fake community with one occurrence per start (aware UTC), written as events-core's
    create will write it; the event and its occurrences."""
    plugin = events_plugin(h)
    community = h.platform.community.key
    now = h.clock.now()
    local = starts[0].astimezone(zone(timezone)).replace(tzinfo=None)
    async with h.app.db.transaction() as tx:
        event_id = await tx.insert_id(
            "INSERT INTO events (community, group_id, group_name, title, description, start_local, timezone, "
            "duration_min, rule, capacity, reminders, status, revision, channel_id, created_by, created_at, "
            "updated_at) VALUES (?, 1, 'Lille-Rust', ?, '', ?, ?, ?, ?, ?, '1d,1h', ?, 0, 'general', ?, ?, ?) "
            "RETURNING id",
            (
                community,
                title,
                local_to_db(local),
                timezone,
                int(duration.total_seconds() // 60),
                rule,
                capacity,
                SCHEDULED,
                created_by,
                to_db(now),
                to_db(now),
            ),
        )
        await plugin.repo.insert_occurrences(tx, community, event_id, [(s, s + duration) for s in starts], now)
    event = await plugin.repo.event(community, event_id)
    assert event is not None
    return event, await plugin.repo.occurrences(community, event_id)


async def counts(h: Harness, occurrence: Occurrence) -> Counts:
    """The occurrence's answers counted (what the card shows)."""
    return await RsvpRepo(h.app.db).counts(occurrence.community, occurrence.id)


def dms(h: Harness, who: str) -> list[str]:
    """The texts of the direct messages a member got."""
    user = h.platform.user(who)
    return [s.text for s in h.sent if s.target == user]
