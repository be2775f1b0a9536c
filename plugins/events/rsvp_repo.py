"""Every SQL statement about RSVPs (`event_rsvps`): answering inside one transaction that first takes
the occurrence's row, the waitlist's order and its promotion, counts for cards and reminders, who
answered what, and a member's own answers for `/event mine`, exports and reports.

Seats and the waitlist: `going` rows hold the seats (at most the event's capacity), `waitlist` rows wait
in `waitlist_position` order (first come first served; positions only grow, so gaps left by members
who leave do not matter: a member's rank is counted). An event without a capacity has no waitlist.

Concurrency: every write that counts seats first runs `lock_occurrence` in its transaction. On
PostgreSQL `UPDATE event_occurrences SET status = status` takes the occurrence's row lock until commit,
so a second process answering for the same occurrence waits there, then counts what the first wrote
(READ COMMITTED reads anew at each statement). SQLite has one writer: its transactions never overlap.

Other services call (each documented below): `RsvpRepo(db).counts`, `.attendees`, `.waitlist`,
`.member_rsvps`, `.upcoming_for_member`, and inside a transaction they hold, `promote(sql, ...)` and
`forget_member(sql, ...)` (privacy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.plugin import Sql, SqlDatabase
from bot.storage.times import from_db, to_db
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, WAITLIST, Counts, Rsvp

ACTIVE = (GOING, MAYBE, WAITLIST)
"""The answers `/event mine` lists: the member may come."""

# Outcomes of `answer`.
CHANGED = "changed"  # the answer was written (a new answer, or a different one)
ALREADY = "already"  # the member gave that answer already: nothing written
CLOSED_CANCELLED = "cancelled"  # the occurrence (or its event) is cancelled: nothing written
CLOSED_OVER = "over"  # the occurrence is over: nothing written
GONE = "gone"  # the occurrence does not exist (any more)


@dataclass(frozen=True, slots=True)
class Answered:
    """What `answer` did. `answer` is what the member holds now (WAITLIST when `going` met a full event),
    `previous` what they held before (None: first answer); `rank` is their place in the waitlist (1 =
    next), `promoted` the members given a seat by this change (to be told by DM, after the commit)."""

    outcome: str
    answer: str | None = None
    previous: str | None = None
    rank: int | None = None
    promoted: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MemberRsvp:
    """One answer of a member, with what it is about (for `/event mine`, exports and reports).
    `rank` is the place in the waitlist (1 = next) for a WAITLIST answer, else None."""

    event_id: int
    title: str
    timezone: str
    capacity: int | None
    occurrence_id: int
    starts_at: datetime
    ends_at: datetime
    status: str  # the occurrence's (SCHEDULED or CANCELLED)
    answer: str
    rank: int | None
    answered_at: datetime
    promoted_at: datetime | None


def _rsvp(row: Any) -> Rsvp:
    return Rsvp(
        occurrence_id=row["occurrence_id"],
        user_id=row["user_id"],
        answer=row["answer"],
        waitlist_position=row["waitlist_position"],
        answered_at=from_db(row["answered_at"]),
        promoted_at=None if row["promoted_at"] is None else from_db(row["promoted_at"]),
    )


def _member_rsvp(row: Any) -> MemberRsvp:
    return MemberRsvp(
        event_id=row["event_id"],
        title=row["title"],
        timezone=row["timezone"],
        capacity=row["capacity"],
        occurrence_id=row["occurrence_id"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        status=row["status"],
        answer=row["answer"],
        rank=row["rank"] if row["answer"] == WAITLIST else None,
        answered_at=from_db(row["answered_at"]),
        promoted_at=None if row["promoted_at"] is None else from_db(row["promoted_at"]),
    )


RSVP_COLUMNS = "occurrence_id, user_id, answer, waitlist_position, answered_at, promoted_at"

# A member's answer with its event and occurrence; `rank` counts the waitlist up to the member.
_MEMBER_SELECT = (
    "SELECT e.id AS event_id, e.title, e.timezone, e.capacity, o.id AS occurrence_id, o.starts_at, o.ends_at, "
    "o.status, r.answer, r.answered_at, r.promoted_at, "
    "(SELECT COUNT(*) FROM event_rsvps w WHERE w.community = r.community AND w.occurrence_id = r.occurrence_id "
    "AND w.answer = 'waitlist' AND w.waitlist_position <= r.waitlist_position) AS rank "
    "FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id JOIN events e ON e.id = o.event_id "
    "WHERE r.community = ? AND r.user_id = ? "
)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def lock_occurrence(sql: Sql, community: str, occurrence_id: int) -> bool:
    """Take the occurrence's row for the rest of the transaction `sql` (PostgreSQL: its row lock; SQLite
    has one writer). False when it does not exist. Run it first in every transaction that counts seats."""
    changed = await sql.execute(
        "UPDATE event_occurrences SET status = status WHERE community = ? AND id = ?", (community, occurrence_id)
    )
    return changed > 0


async def count_answers(sql: Sql, community: str, occurrence_id: int) -> Counts:
    """The occurrence's answers counted, read through `sql` (a transaction sees its own writes)."""
    rows = await sql.fetchall(
        "SELECT answer, COUNT(*) AS n FROM event_rsvps WHERE community = ? AND occurrence_id = ? GROUP BY answer",
        (community, occurrence_id),
    )
    by_answer = {row["answer"]: int(row["n"]) for row in rows}
    return Counts(
        going=by_answer.get(GOING, 0),
        maybe=by_answer.get(MAYBE, 0),
        no=by_answer.get(NO, 0),
        waitlist=by_answer.get(WAITLIST, 0),
    )


async def promote(sql: Sql, community: str, occurrence_id: int, capacity: int | None, now: datetime) -> list[str]:
    """Give the free seats of an occurrence to its waitlist, first come first served, inside the caller's
    transaction `sql`, without telling anyone: the user ids promoted, in order (the caller DMs them
    after the commit: `Answers.promote_waitlist` does both). `capacity` None (no limit any more) lets the
    whole waitlist in. Takes the occurrence's row first, so it is safe in any transaction."""
    if not await lock_occurrence(sql, community, occurrence_id):
        return []
    limit = ""
    params: tuple[object, ...] = (community, occurrence_id)
    if capacity is not None:
        going = await sql.fetchval(
            "SELECT COUNT(*) FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND answer = 'going'",
            (community, occurrence_id),
        )
        free = capacity - int(going or 0)
        if free <= 0:
            return []
        limit, params = " LIMIT ?", (community, occurrence_id, free)
    rows = await sql.fetchall(
        "SELECT user_id FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND answer = 'waitlist' "
        "ORDER BY waitlist_position, answered_at, user_id" + limit,
        params,
    )
    promoted = [str(row["user_id"]) for row in rows]
    for user_id in promoted:
        await sql.execute(
            "UPDATE event_rsvps SET answer = 'going', waitlist_position = NULL, promoted_at = ? "
            "WHERE community = ? AND occurrence_id = ? AND user_id = ?",
            (to_db(now), community, occurrence_id, user_id),
        )
    return promoted


async def _write(
    sql: Sql, community: str, occurrence_id: int, user_id: str, answer: str, position: int | None, now: datetime
) -> None:
    await sql.execute(
        "INSERT INTO event_rsvps (community, occurrence_id, user_id, answer, waitlist_position, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community, occurrence_id, user_id) DO UPDATE SET "
        "answer = excluded.answer, waitlist_position = excluded.waitlist_position, "
        "answered_at = excluded.answered_at, promoted_at = NULL",
        (community, occurrence_id, user_id, answer, position, to_db(now)),
    )


async def waitlist_rank(sql: Sql, community: str, occurrence_id: int, user_id: str) -> int | None:
    """A member's place in the occurrence's waitlist (1 = next), None when they are not on it."""
    value = await sql.fetchval(
        "SELECT COUNT(*) FROM event_rsvps w JOIN event_rsvps r ON r.community = w.community "
        "AND r.occurrence_id = w.occurrence_id AND r.user_id = ? AND r.answer = 'waitlist' "
        "WHERE w.community = ? AND w.occurrence_id = ? AND w.answer = 'waitlist' "
        "AND w.waitlist_position <= r.waitlist_position",
        (user_id, community, occurrence_id),
    )
    return int(value) if value else None


async def answer(sql: Sql, community: str, occurrence_id: int, user_id: str, given: str, now: datetime) -> Answered:
    """A member's answer (GOING, MAYBE or NO) for one occurrence, in the caller's transaction `sql`: takes the
    occurrence's row, refuses a cancelled or finished one, then counts and writes. `going` when every seat
    is taken puts the member on the waitlist; leaving a seat gives it to the waitlist (`promoted`). The
    same answer again changes nothing (ALREADY; `going` while waitlisted is ALREADY too)."""
    if not await lock_occurrence(sql, community, occurrence_id):
        return Answered(GONE)
    row = await sql.fetchone(
        "SELECT o.status, o.ends_at, e.status AS event_status, e.capacity FROM event_occurrences o "
        "JOIN events e ON e.id = o.event_id WHERE o.community = ? AND o.id = ?",
        (community, occurrence_id),
    )
    if row["status"] == CANCELLED or row["event_status"] == CANCELLED:
        return Answered(CLOSED_CANCELLED)
    if from_db(row["ends_at"]) <= now:
        return Answered(CLOSED_OVER)
    capacity: int | None = row["capacity"]
    mine = await sql.fetchone(
        f"SELECT {RSVP_COLUMNS} FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND user_id = ?",
        (community, occurrence_id, user_id),
    )
    previous = None if mine is None else str(mine["answer"])
    if previous == given or (given == GOING and previous == WAITLIST):
        rank = await waitlist_rank(sql, community, occurrence_id, user_id) if previous == WAITLIST else None
        return Answered(ALREADY, previous, previous, rank)
    if given != GOING:
        await _write(sql, community, occurrence_id, user_id, given, None, now)
        # A seat freed (or the capacity grew since the last promotion): the waitlist moves up.
        promoted = await promote(sql, community, occurrence_id, capacity, now)
        return Answered(CHANGED, given, previous, promoted=promoted)
    # Anyone already waiting goes first (a capacity raised since): then this member counts.
    promoted = await promote(sql, community, occurrence_id, capacity, now)
    counts = await count_answers(sql, community, occurrence_id)
    if capacity is None or counts.going < capacity:
        await _write(sql, community, occurrence_id, user_id, GOING, None, now)
        return Answered(CHANGED, GOING, previous, promoted=promoted)
    last = await sql.fetchval(
        "SELECT MAX(waitlist_position) FROM event_rsvps WHERE community = ? AND occurrence_id = ?",
        (community, occurrence_id),
    )
    await _write(sql, community, occurrence_id, user_id, WAITLIST, int(last or 0) + 1, now)
    rank = await waitlist_rank(sql, community, occurrence_id, user_id)
    return Answered(CHANGED, WAITLIST, previous, rank, promoted)


async def forget_member(sql: Sql, community: str, user_id: str, now: datetime) -> tuple[int, dict[int, list[str]]]:
    """Delete every answer of a member (`/privacy forget`) inside the caller's transaction `sql`; the seats
    they held on dates not over yet go to the waitlist (`promote`, no DM). Returns the rows deleted and,
    per occurrence where someone got a seat, the user ids promoted (the caller may DM them after the commit)."""
    seats = await sql.fetchall(
        "SELECT r.occurrence_id FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id "
        "WHERE r.community = ? AND r.user_id = ? AND r.answer = 'going' AND o.status = 'scheduled' AND o.ends_at > ? "
        "ORDER BY r.occurrence_id",
        (community, user_id, to_db(now)),
    )
    held = [int(row["occurrence_id"]) for row in seats]
    for occurrence_id in held:  # in id order: two transactions never wait for each other in a circle
        await lock_occurrence(sql, community, occurrence_id)
    deleted = await sql.execute("DELETE FROM event_rsvps WHERE community = ? AND user_id = ?", (community, user_id))
    promoted: dict[int, list[str]] = {}
    for occurrence_id in held:
        capacity = await sql.fetchval(
            "SELECT e.capacity FROM events e JOIN event_occurrences o ON o.event_id = e.id "
            "WHERE o.community = ? AND o.id = ?",
            (community, occurrence_id),
        )
        given = await promote(sql, community, occurrence_id, None if capacity is None else int(capacity), now)
        if given:
            promoted[occurrence_id] = given
    return deleted, promoted


class RsvpRepo:
    """Reads of RSVPs for the services (cards, reminders, reports, privacy). Each takes an optional `sql`
    (a transaction, to read its own writes); by default the database's reads."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def counts(self, community: str, occurrence_id: int, sql: Sql | None = None) -> Counts:
        """How many said going, maybe, can't go, and wait for a seat, for one occurrence (the card,
        the organisers' milestones, the recap)."""
        return await count_answers(sql or self.db, community, occurrence_id)

    async def attendees(
        self,
        community: str,
        occurrence_id: int,
        answers: Sequence[str] = (GOING, MAYBE),
        sql: Sql | None = None,
    ) -> list[str]:
        """The user ids of the members whose answer is one of `answers` (by default going and maybe: who
        reminders, changes and cancellations are told), in the order they answered."""
        if not answers:
            return []
        rows = await (sql or self.db).fetchall(
            "SELECT user_id FROM event_rsvps WHERE community = ? AND occurrence_id = ? "
            f"AND answer IN ({_placeholders(answers)}) ORDER BY answered_at, user_id",
            (community, occurrence_id, *answers),
        )
        return [str(row["user_id"]) for row in rows]

    async def waitlist(self, community: str, occurrence_id: int, sql: Sql | None = None) -> list[str]:
        """The user ids waiting for a seat, next first."""
        rows = await (sql or self.db).fetchall(
            "SELECT user_id FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND answer = 'waitlist' "
            "ORDER BY waitlist_position, answered_at, user_id",
            (community, occurrence_id),
        )
        return [str(row["user_id"]) for row in rows]

    async def rsvp(self, community: str, occurrence_id: int, user_id: str, sql: Sql | None = None) -> Rsvp | None:
        """One member's answer for one occurrence, None when they never answered."""
        row = await (sql or self.db).fetchone(
            f"SELECT {RSVP_COLUMNS} FROM event_rsvps WHERE community = ? AND occurrence_id = ? AND user_id = ?",
            (community, occurrence_id, user_id),
        )
        return None if row is None else _rsvp(row)

    async def member_rsvps(
        self, community: str, user_id: str, since: datetime | None = None, sql: Sql | None = None
    ) -> list[MemberRsvp]:
        """Every answer of a member (any answer, cancelled occurrences included) for occurrences starting at
        or after `since` (all of them when None), in time order: privacy exports, reports, a member's .ics
        (keep the GOING ones)."""
        where, params = "", [community, user_id]
        if since is not None:
            where, params = "AND o.starts_at >= ? ", [community, user_id, to_db(since)]
        rows = await (sql or self.db).fetchall(
            _MEMBER_SELECT + where + "ORDER BY o.starts_at, o.id",
            tuple(params),
        )
        return [_member_rsvp(row) for row in rows]

    async def upcoming_for_member(
        self, community: str, user_id: str, now: datetime, limit: int, offset: int = 0
    ) -> tuple[list[MemberRsvp], int]:
        """One page of a member's answers that may bring them somewhere (going, maybe, waitlist) for
        occurrences not over yet and not cancelled (nor their event), soonest first; and how many there
        are in all (for honest paging)."""
        where = (
            f"AND r.answer IN ({_placeholders(ACTIVE)}) AND o.ends_at > ? AND o.status = 'scheduled' "
            "AND e.status = 'scheduled' "
        )
        params = (community, user_id, *ACTIVE, to_db(now))
        total = await self.db.fetchval(
            "SELECT COUNT(*) FROM event_rsvps r JOIN event_occurrences o ON o.id = r.occurrence_id "
            "JOIN events e ON e.id = o.event_id WHERE r.community = ? AND r.user_id = ? " + where,
            params,
        )
        rows = await self.db.fetchall(
            _MEMBER_SELECT + where + "ORDER BY o.starts_at, o.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_member_rsvp(row) for row in rows], int(total or 0)
