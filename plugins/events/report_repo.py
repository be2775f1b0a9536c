"""Every SQL statement of the events' reports: the digest's figures of a period (dates held and cancelled,
answers per group), a member's data for `/privacy export` and `/privacy forget`, and the dates a member
is going to for their own calendar file (deleting answers is `rsvp_repo.forget_member`'s).

A date counts as cancelled when its occurrence is, or when its whole event was cancelled before it
started (an event cancelled after some of its dates were held keeps those as held)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.plugin import Sql, SqlDatabase
from bot.storage.times import from_db, to_db
from plugins.events.records import GOING, Event, Occurrence
from plugins.events.repo import EVENT_COLUMNS, OCCURRENCE_COLUMNS, event_from_row, occurrence_from_row

# 1 when the date did not take place: its occurrence was cancelled, or its event before it started.
_CANCELLED = (
    "CASE WHEN o.status = 'cancelled' OR (e.status = 'cancelled' AND e.cancelled_at IS NOT NULL "
    "AND e.cancelled_at <= o.starts_at) THEN 1 ELSE 0 END"
)
_IN_PERIOD = "o.community = ? AND o.ends_at >= ? AND o.ends_at < ?"
_OCCURRENCE_PREFIXED = ", ".join(f"o.{column.strip()}" for column in OCCURRENCE_COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """One group's dates and answers over a period (answers are those of the dates held)."""

    group_id: int
    name: str
    held: int = 0
    cancelled: int = 0
    going: int = 0
    maybe: int = 0
    no: int = 0
    waitlist: int = 0


class ReportRepo:
    """The reports' reads and the forget's writes."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # ------------------------------------------------------------ digest

    async def in_use(self, community: str, end: datetime) -> bool:
        """Whether the community had created an event before `end` (else the feature is unused)."""
        found = await self.db.fetchval(
            "SELECT COUNT(*) FROM events WHERE community = ? AND created_at < ?", (community, to_db(end))
        )
        return int(found or 0) > 0

    async def group_figures(self, community: str, start: datetime, end: datetime) -> list[GroupFigures]:
        """Per group, the dates that ended in [start, end) (held, cancelled) and the answers of those held;
        each group once, in no particular order."""
        bounds = (community, to_db(start), to_db(end))
        dates = await self.db.fetchall(
            f"SELECT e.group_id AS group_id, {_CANCELLED} AS cancelled, COUNT(*) AS n "
            f"FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE {_IN_PERIOD} "
            f"GROUP BY e.group_id, {_CANCELLED}",
            bounds,
        )
        answers = await self.db.fetchall(
            "SELECT e.group_id AS group_id, r.answer AS answer, COUNT(*) AS n "
            "FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id JOIN events e ON e.id = o.event_id "
            f"WHERE {_IN_PERIOD} AND {_CANCELLED} = 0 GROUP BY e.group_id, r.answer",
            bounds,
        )
        # The group's name as its latest event in the period has it (a renamed group reads as it is now).
        names = await self.db.fetchall(
            "SELECT DISTINCT e.id AS id, e.group_id AS group_id, e.group_name AS group_name "
            f"FROM events e JOIN event_occurrences o ON o.event_id = e.id WHERE {_IN_PERIOD} ORDER BY e.id",
            bounds,
        )
        named = {int(r["group_id"]): str(r["group_name"]) for r in names}
        figures: dict[int, dict[str, Any]] = {}
        for row in dates:
            entry = figures.setdefault(int(row["group_id"]), {})
            entry["cancelled" if int(row["cancelled"]) else "held"] = int(row["n"])
        for row in answers:
            figures.setdefault(int(row["group_id"]), {})[str(row["answer"])] = int(row["n"])
        return [
            GroupFigures(
                group_id,
                named.get(group_id, str(group_id)),
                held=entry.get("held", 0),
                cancelled=entry.get("cancelled", 0),
                going=entry.get("going", 0),
                maybe=entry.get("maybe", 0),
                no=entry.get("no", 0),
                waitlist=entry.get("waitlist", 0),
            )
            for group_id, entry in figures.items()
        ]

    # ------------------------------------------------------------ a member's own calendar

    async def going_dates(
        self, community: str, user_id: str, since: datetime, limit: int
    ) -> tuple[list[tuple[Event, Occurrence]], int]:
        """The dates a member said going to that end at or after `since`, in time order, at most `limit` of
        them, with their events; and how many there are in all (so a cut is never silent)."""
        where = (
            "FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id "
            "WHERE r.community = ? AND r.user_id = ? AND r.answer = ? AND o.ends_at >= ?"
        )
        params = (community, user_id, GOING, to_db(since))
        total = int(await self.db.fetchval(f"SELECT COUNT(*) {where}", params) or 0)
        rows = await self.db.fetchall(
            f"SELECT {_OCCURRENCE_PREFIXED} {where} ORDER BY o.starts_at, o.id LIMIT ?", (*params, limit)
        )
        occurrences = [occurrence_from_row(r) for r in rows]
        wanted = sorted({o.event_id for o in occurrences})
        events: dict[int, Event] = {}
        for chunk in range(0, len(wanted), 100):
            ids = wanted[chunk : chunk + 100]
            marks = ", ".join("?" for _ in ids)
            for row in await self.db.fetchall(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE community = ? AND id IN ({marks})", (community, *ids)
            ):
                event = event_from_row(row)
                events[event.id] = event
        return [(events[o.event_id], o) for o in occurrences if o.event_id in events], total

    # ------------------------------------------------------------ privacy

    async def member_answers(self, community: str, user_id: str) -> list[dict[str, Any]]:
        """Every answer of a member, with its event and date, oldest date first."""
        rows = await self.db.fetchall(
            "SELECT e.id AS event_id, e.title AS title, e.group_name AS group_name, e.timezone AS timezone, "
            "o.starts_at AS starts_at, o.status AS date_status, r.answer AS answer, "
            "r.waitlist_position AS waitlist_position, r.answered_at AS answered_at, r.promoted_at AS promoted_at "
            "FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id JOIN events e ON e.id = o.event_id "
            "WHERE r.community = ? AND r.user_id = ? ORDER BY o.starts_at, e.id",
            (community, user_id),
        )
        return [
            {
                "event_id": int(r["event_id"]),
                "event": r["title"],
                "group": r["group_name"],
                "date": to_db(from_db(r["starts_at"])),
                "time_zone": r["timezone"],
                "date_status": r["date_status"],
                "answer": r["answer"],
                "waitlist_position": r["waitlist_position"],
                "answered_at": r["answered_at"],
                "promoted_at": r["promoted_at"],
            }
            for r in rows
        ]

    async def created_events(self, community: str, user_id: str) -> list[dict[str, Any]]:
        """The events a member created, in the order they were created."""
        rows = await self.db.fetchall(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE community = ? AND created_by = ? ORDER BY id",
            (community, user_id),
        )
        return [
            {
                "event_id": event.id,
                "title": event.title,
                "group": event.group_name,
                "start": event.start_local.strftime("%Y-%m-%d %H:%M"),
                "time_zone": event.timezone,
                "repeats": event.rule,
                "status": event.status,
                "created_at": to_db(event.created_at),
            }
            for event in map(event_from_row, rows)
        ]

    @staticmethod
    async def unname_creator(tx: Sql, community: str, user_id: str) -> int:
        """Clear a member's id from the events they created (the events stay: they belong to the group)."""
        return await tx.execute(
            "UPDATE events SET created_by = '' WHERE community = ? AND created_by = ?", (community, user_id)
        )
