"""Every SQL statement about events and occurrences (RSVP statements live in `rsvp_repo`): reading them
as records, creating an event with its first occurrences, and the lookups the services share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.plugin import Sql, SqlDatabase
from bot.storage.times import from_db, to_db
from plugins.events.records import Event, Occurrence

EVENT_COLUMNS = (
    "id, community, group_id, group_name, title, description, start_local, timezone, duration_min, rule, "
    "place_id, place_name, country, lat, lon, address, online_url, capacity, reminders, status, series_id, "
    "previous_id, revision, channel_id, created_by, created_at, updated_at, cancelled_at"
)
OCCURRENCE_COLUMNS = (
    "id, community, event_id, starts_at, ends_at, status, card_channel_id, card_thread_id, card_message_id, "
    "native_id, recap_thread_id, created_at, cancelled_at"
)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # a naive wall-clock time, as stored in events.start_local


def local_to_db(moment: datetime) -> str:
    """A naive local time as stored."""
    return moment.strftime(LOCAL_FORMAT)


def local_from_db(text: str) -> datetime:
    """A stored naive local time."""
    return datetime.strptime(text, LOCAL_FORMAT)  # noqa: DTZ007 - naive wall-clock time on purpose


def _maybe_time(value: str | None) -> datetime | None:
    return None if value is None else from_db(value)


def event_from_row(row: Any) -> Event:
    """An `events` row as a record."""
    return Event(
        id=row["id"],
        community=row["community"],
        group_id=row["group_id"],
        group_name=row["group_name"],
        title=row["title"],
        description=row["description"],
        start_local=local_from_db(row["start_local"]),
        timezone=row["timezone"],
        duration_min=row["duration_min"],
        rule=row["rule"],
        place_id=row["place_id"],
        place_name=row["place_name"],
        country=row["country"],
        lat=row["lat"],
        lon=row["lon"],
        address=row["address"],
        online_url=row["online_url"],
        capacity=row["capacity"],
        reminders=row["reminders"],
        status=row["status"],
        series_id=row["series_id"],
        previous_id=row["previous_id"],
        revision=row["revision"],
        channel_id=row["channel_id"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        cancelled_at=_maybe_time(row["cancelled_at"]),
    )


def occurrence_from_row(row: Any) -> Occurrence:
    """An `event_occurrences` row as a record."""
    return Occurrence(
        id=row["id"],
        community=row["community"],
        event_id=row["event_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        status=row["status"],
        card_channel_id=row["card_channel_id"],
        card_thread_id=row["card_thread_id"],
        card_message_id=row["card_message_id"],
        native_id=row["native_id"],
        recap_thread_id=row["recap_thread_id"],
        created_at=from_db(row["created_at"]),
        cancelled_at=_maybe_time(row["cancelled_at"]),
    )


class EventsRepo:
    """Events and occurrences in the database."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def event(self, community: str, event_id: int, sql: Sql | None = None) -> Event | None:
        """One event of a community."""
        row = await (sql or self.db).fetchone(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE community = ? AND id = ?", (community, event_id)
        )
        return None if row is None else event_from_row(row)

    async def occurrence(self, community: str, occurrence_id: int, sql: Sql | None = None) -> Occurrence | None:
        """One occurrence of a community."""
        row = await (sql or self.db).fetchone(
            f"SELECT {OCCURRENCE_COLUMNS} FROM event_occurrences WHERE community = ? AND id = ?",
            (community, occurrence_id),
        )
        return None if row is None else occurrence_from_row(row)

    async def occurrences(self, community: str, event_id: int, sql: Sql | None = None) -> list[Occurrence]:
        """An event's occurrences, in time order."""
        rows = await (sql or self.db).fetchall(
            f"SELECT {OCCURRENCE_COLUMNS} FROM event_occurrences WHERE community = ? AND event_id = ? "
            "ORDER BY starts_at, id",
            (community, event_id),
        )
        return [occurrence_from_row(r) for r in rows]

    async def insert_occurrences(
        self, sql: Sql, community: str, event_id: int, spans: Sequence[tuple[datetime, datetime]], now: datetime
    ) -> list[int]:
        """Add occurrences (start, end in UTC) that do not exist yet; the ids of the new ones."""
        ids = []
        for start, end in spans:
            row = await sql.fetchone(
                "INSERT INTO event_occurrences (community, event_id, starts_at, ends_at, status, created_at) "
                "VALUES (?, ?, ?, ?, 'scheduled', ?) ON CONFLICT (event_id, starts_at) DO NOTHING RETURNING id",
                (community, event_id, to_db(start), to_db(end), to_db(now)),
            )
            if row is not None:
                ids.append(int(row["id"]))
        return ids
