"""Every SQL statement about events and occurrences (RSVP statements live in `rsvp_repo`; the two reads
of answers a card and `/event info` show are here): reading them as records, creating and changing an
event and its occurrences, and the lookups the services share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.geo import Box
from bot.model import MessageRef
from bot.plugin import Sql, SqlDatabase
from bot.storage.times import from_db, to_db
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, SCHEDULED, WAITLIST, Counts, Event, Occurrence

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

    # ------------------------------------------------------------ writing events

    async def insert_event(self, sql: Sql, fields: Mapping[str, Any], now: datetime) -> int:
        """A new event (`fields` names columns of `EDITABLE` plus the fixed ones); its id."""
        columns = [c for c in INSERTED if c in fields]
        values = [_stored(c, fields[c]) for c in columns]
        names = ", ".join([*columns, "status", "revision", "created_at", "updated_at"])
        marks = ", ".join(["?"] * (len(columns) + 4))
        return await sql.insert_id(
            f"INSERT INTO events ({names}) VALUES ({marks}) RETURNING id",
            (*values, SCHEDULED, 0, to_db(now), to_db(now)),
        )

    async def update_event(
        self, sql: Sql, community: str, event_id: int, fields: Mapping[str, Any], now: datetime
    ) -> None:
        """Change editable columns and bump the revision (the iCalendar SEQUENCE)."""
        columns = [c for c in EDITABLE if c in fields]
        sets = "".join(f"{c} = ?, " for c in columns)
        await sql.execute(
            f"UPDATE events SET {sets}revision = revision + 1, updated_at = ? WHERE community = ? AND id = ?",
            (*(_stored(c, fields[c]) for c in columns), to_db(now), community, event_id),
        )

    async def cancel_event(self, sql: Sql, community: str, event_id: int, now: datetime) -> None:
        """The whole event is cancelled (its revision bumped: calendars show it cancelled)."""
        await sql.execute(
            "UPDATE events SET status = ?, cancelled_at = ?, updated_at = ?, revision = revision + 1 "
            "WHERE community = ? AND id = ?",
            (CANCELLED, to_db(now), to_db(now), community, event_id),
        )

    async def touch_event(self, sql: Sql, community: str, event_id: int, now: datetime) -> None:
        """A date of the event changed (one cancelled): calendars must see a new revision."""
        await sql.execute(
            "UPDATE events SET revision = revision + 1, updated_at = ? WHERE community = ? AND id = ?",
            (to_db(now), community, event_id),
        )

    # ------------------------------------------------------------ writing occurrences

    async def cancel_occurrence(self, sql: Sql, community: str, occurrence_id: int, now: datetime) -> None:
        """One date cancelled."""
        await sql.execute(
            "UPDATE event_occurrences SET status = ?, cancelled_at = ? WHERE community = ? AND id = ? AND status = ?",
            (CANCELLED, to_db(now), community, occurrence_id, SCHEDULED),
        )

    async def move_occurrences(self, sql: Sql, community: str, moves: Sequence[tuple[int, datetime, datetime]]) -> None:
        """Give occurrences new (start, end): in two steps, so that two dates trading places never meet
        the unique (event, start) on the way (each row first takes a start no date can have)."""
        for occurrence_id, _start, _end in moves:
            await sql.execute(
                "UPDATE event_occurrences SET starts_at = ? WHERE community = ? AND id = ?",
                (f"moving-{occurrence_id}", community, occurrence_id),
            )
        for occurrence_id, start, end in moves:
            await sql.execute(
                "UPDATE event_occurrences SET starts_at = ?, ends_at = ? WHERE community = ? AND id = ?",
                (to_db(start), to_db(end), community, occurrence_id),
            )

    async def set_card(self, community: str, occurrence_id: int, ref: MessageRef) -> None:
        """Where an occurrence's card was posted."""
        await self.db.execute(
            "UPDATE event_occurrences SET card_channel_id = ?, card_thread_id = ?, card_message_id = ? "
            "WHERE community = ? AND id = ?",
            (ref.channel.channel_id, ref.channel.thread_id, ref.message_id, community, occurrence_id),
        )

    async def set_native(self, community: str, occurrence_id: int, native_id: str | None) -> None:
        """The platform's copy of an occurrence."""
        await self.db.execute(
            "UPDATE event_occurrences SET native_id = ? WHERE community = ? AND id = ?",
            (native_id, community, occurrence_id),
        )

    # ------------------------------------------------------------ lookups

    async def titles(self, community: str, limit: int = 2000) -> list[tuple[int, str, str]]:
        """(id, title, status) of the community's latest events, newest first (bounded)."""
        rows = await self.db.fetchall(
            "SELECT id, title, status FROM events WHERE community = ? ORDER BY id DESC LIMIT ?", (community, limit)
        )
        return [(int(r["id"]), r["title"], r["status"]) for r in rows]

    async def next_editions(self, community: str, event_id: int) -> list[tuple[int, str]]:
        """(id, title) of the editions that follow an event."""
        rows = await self.db.fetchall(
            "SELECT id, title FROM events WHERE community = ? AND previous_id = ? ORDER BY id",
            (community, event_id),
        )
        return [(int(r["id"]), r["title"]) for r in rows]

    async def upcoming(
        self, community: str, now: datetime, group_ids: Sequence[int] | None, limit: int, offset: int = 0
    ) -> tuple[list[tuple[Event, Occurrence]], int]:
        """Scheduled occurrences not over yet (of these groups), soonest first: one page and the total."""
        where = "o.community = ? AND o.status = ? AND e.status = ? AND o.ends_at > ?"
        params: list[Any] = [community, SCHEDULED, SCHEDULED, to_db(now)]
        if group_ids is not None:
            if not group_ids:
                return [], 0
            where += f" AND e.group_id IN ({', '.join('?' for _ in group_ids)})"
            params += list(group_ids)
        total = await self.db.fetchval(
            f"SELECT COUNT(*) FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE {where}",
            tuple(params),
        )
        rows = await self.db.fetchall(
            f"SELECT {_prefixed('e', EVENT_COLUMNS)}, {_prefixed('o', OCCURRENCE_COLUMNS, 'o_')} "
            f"FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE {where} "
            "ORDER BY o.starts_at, o.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [(event_from_row(r), occurrence_from_row(_unprefixed(r, "o_"))) for r in rows], int(total or 0)

    async def upcoming_in_box(
        self, community: str, now: datetime, box: Box, limit: int
    ) -> list[tuple[Event, Occurrence]]:
        """Scheduled occurrences not over yet of events placed in a latitude/longitude box, soonest first
        (at most `limit`: the caller says when that many were found)."""
        rows = await self.db.fetchall(
            f"SELECT {_prefixed('e', EVENT_COLUMNS)}, {_prefixed('o', OCCURRENCE_COLUMNS, 'o_')} "
            "FROM event_occurrences o JOIN events e ON e.id = o.event_id "
            "WHERE e.community = ? AND e.status = ? AND e.lat >= ? AND e.lat <= ? AND e.lon >= ? AND e.lon <= ? "
            "AND o.status = ? AND o.ends_at > ? ORDER BY o.starts_at, o.id LIMIT ?",
            (community, SCHEDULED, box.min_lat, box.max_lat, box.min_lon, box.max_lon, SCHEDULED, to_db(now), limit),
        )
        return [(event_from_row(r), occurrence_from_row(_unprefixed(r, "o_"))) for r in rows]

    async def upcoming_events(self, community: str, now: datetime, limit: int) -> list[tuple[int, str, datetime]]:
        """(event id, title, next start) of events with a date not over yet, soonest first (autocomplete)."""
        rows = await self.db.fetchall(
            "SELECT e.id AS id, e.title AS title, MIN(o.starts_at) AS first FROM events e "
            "JOIN event_occurrences o ON o.event_id = e.id "
            "WHERE e.community = ? AND e.status = ? AND o.status = ? AND o.ends_at > ? "
            "GROUP BY e.id, e.title ORDER BY MIN(o.starts_at), e.id LIMIT ?",
            (community, SCHEDULED, SCHEDULED, to_db(now), limit),
        )
        return [(int(r["id"]), r["title"], from_db(r["first"])) for r in rows]

    # ------------------------------------------------------------ answers, read for cards and info

    async def counts(self, community: str, occurrence_id: int, sql: Sql | None = None) -> Counts:
        """An occurrence's answers, counted."""
        rows = await (sql or self.db).fetchall(
            "SELECT answer, COUNT(*) AS n FROM event_rsvps WHERE community = ? AND occurrence_id = ? GROUP BY answer",
            (community, occurrence_id),
        )
        found = {r["answer"]: int(r["n"]) for r in rows}
        return Counts(found.get(GOING, 0), found.get(MAYBE, 0), found.get(NO, 0), found.get(WAITLIST, 0))

    async def answered(self, community: str, occurrence_id: int, answer: str, limit: int) -> list[str]:
        """User ids of those who gave `answer`, first answers first (bounded)."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND answer = ? "
            "ORDER BY answered_at, user_id LIMIT ?",
            (community, occurrence_id, answer, limit),
        )
        return [r["user_id"] for r in rows]


# Columns an organiser sets at creation, and those an edit may change.
EDITABLE = (
    "title",
    "description",
    "start_local",
    "duration_min",
    "rule",
    "place_id",
    "place_name",
    "country",
    "lat",
    "lon",
    "address",
    "online_url",
    "capacity",
    "reminders",
)
INSERTED = (
    "community",
    "group_id",
    "group_name",
    *EDITABLE,
    "timezone",
    "series_id",
    "previous_id",
    "channel_id",
    "created_by",
)


def _stored(column: str, value: Any) -> Any:
    """A field as stored: naive local times in their own format."""
    if column == "start_local" and isinstance(value, datetime):
        return local_to_db(value)
    return value


def _prefixed(alias: str, columns: str, prefix: str = "") -> str:
    return ", ".join(f"{alias}.{c.strip()} AS {prefix}{c.strip()}" for c in columns.split(","))


def _unprefixed(row: Any, prefix: str) -> dict[str, Any]:
    return {c.strip(): row[prefix + c.strip()] for c in OCCURRENCE_COLUMNS.split(",")}
