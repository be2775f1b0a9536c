"""Helpers of the calendar, digest and privacy tests (events-cal): the real app with groups, events and the
digest, a real group, and events, dates and answers written straight into the database, so these tests set
exactly the dates, answers and revisions they need (dates in the past included); `test_ics_flow.py` goes
through the real commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.model import Level
from bot.storage.times import to_db
from bot.when.recurrence import occurrences
from tests.groups.fakes import FakeSpaces
from tests.harness import Harness, running

PLUGINS: dict[str, dict[str, Any]] = {"core": {}, "groups": {"creation": "direct"}, "events": {}, "digest": {}}
RUST = '/group create "Rust Lille" local "Rust near Lille" city:"Lille, FR"'
CHESS = '/group create "Chess Club" affinity "We play chess"'
PARIS = "Europe/Paris"


@asynccontextmanager
async def events_app(tmp_path: Path, plugins: dict[str, dict[str, Any]] | None = None) -> AsyncIterator[Harness]:
    """The real app with groups, events and the digest on a platform that opens group channels."""
    async with running(tmp_path, plugins=plugins or PLUGINS, platform=FakeSpaces()) as h:
        yield h


async def make_group(h: Harness, line: str = RUST, who: str = "alice") -> int:
    """A real group (its creator owns it); its id."""
    reply = await h.command(who, line, level=Level.MEMBER)
    assert "created" in reply.text, reply.text
    name = line.split('"')[1]
    return int(await h.app.db.fetchval("SELECT id FROM community_groups WHERE name = ?", (name,)))


async def add_event(
    h: Harness,
    group_id: int,
    title: str,
    start_local: datetime,
    *,
    group_name: str = "Rust Lille",
    tz: str = PARIS,
    duration_min: int = 120,
    rule: str | None = None,
    dates: int = 3,
    capacity: int | None = None,
    address: str | None = "Estaminet du Centre, 1 place du Général-de-Gaulle",
    place: tuple[str, str] | None = ("Wambrechies", "FR"),
    link: str | None = None,
    description: str = "",
    created_by: str = "alice",
    created_at: datetime | None = None,
) -> int:
    """An event and its first `dates` dates (one for a one-off), as events-core stores them; its id."""
    now = created_at or h.clock.now()
    event_id = await h.app.db.insert_id(
        "INSERT INTO events (community, group_id, group_name, title, description, start_local, timezone, "
        "duration_min, rule, place_name, country, address, online_url, capacity, reminders, status, revision, "
        "channel_id, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '1d,1h', 'scheduled', 0, 'general', ?, ?, ?) RETURNING id",
        (
            h.platform.community.key,
            group_id,
            group_name,
            title,
            description,
            start_local.strftime("%Y-%m-%dT%H:%M"),
            tz,
            duration_min,
            rule,
            place[0] if place else None,
            place[1] if place else None,
            address,
            link,
            capacity,
            created_by,
            to_db(now),
            to_db(now),
        ),
    )
    first = start_local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    starts = occurrences(
        rule, start_local, tz, after=first - timedelta(seconds=1), until=first + timedelta(days=3660), limit=dates
    )
    for start in starts:
        await h.app.db.execute(
            "INSERT INTO event_occurrences (community, event_id, starts_at, ends_at, status, created_at) "
            "VALUES (?, ?, ?, ?, 'scheduled', ?)",
            (
                h.platform.community.key,
                event_id,
                to_db(start),
                to_db(start + timedelta(minutes=duration_min)),
                to_db(now),
            ),
        )
    return event_id


async def dates_of(h: Harness, event_id: int) -> list[int]:
    """The ids of an event's dates, in time order."""
    rows = await h.app.db.fetchall(
        "SELECT id FROM event_occurrences WHERE event_id = ? ORDER BY starts_at", (event_id,)
    )
    return [int(r["id"]) for r in rows]


async def answer(
    h: Harness, occurrence_id: int, who: str, value: str, *, position: int | None = None, at: datetime | None = None
) -> None:
    """A member's answer to one date, as events-rsvp stores it."""
    await h.app.db.execute(
        "INSERT INTO event_rsvps (community, occurrence_id, user_id, answer, waitlist_position, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (h.platform.community.key, occurrence_id, who, value, position, to_db(at or h.clock.now())),
    )


async def cancel_date(h: Harness, occurrence_id: int) -> None:
    """One date cancelled (and the event's revision raised), as events-core does it."""
    now = to_db(h.clock.now())
    await h.app.db.execute(
        "UPDATE event_occurrences SET status = 'cancelled', cancelled_at = ? WHERE id = ?", (now, occurrence_id)
    )
    await h.app.db.execute(
        "UPDATE events SET revision = revision + 1 WHERE id = (SELECT event_id FROM event_occurrences WHERE id = ?)",
        (occurrence_id,),
    )


async def edit_event(h: Harness, event_id: int, **columns: Any) -> None:
    """An organiser's edit: columns changed, revision raised."""
    sets = "".join(f"{name} = ?, " for name in columns)
    await h.app.db.execute(
        f"UPDATE events SET {sets}revision = revision + 1, updated_at = ? WHERE id = ?",
        (*columns.values(), to_db(h.clock.now()), event_id),
    )


async def cancel_event(h: Harness, event_id: int) -> None:
    """The whole event cancelled, its dates to come too."""
    now = to_db(h.clock.now())
    await h.app.db.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = ?, revision = revision + 1 WHERE id = ?",
        (now, event_id),
    )
    await h.app.db.execute(
        "UPDATE event_occurrences SET status = 'cancelled', cancelled_at = ? WHERE event_id = ? AND starts_at > ?",
        (now, event_id, now),
    )
