"""Every SQL statement of the calendar: series, their occurrences (entries) and the charter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.plugin import Sql, SqlDatabase
from bot.storage.times import from_db as from_db
from bot.storage.times import to_db as to_db
from plugins.calendar.adherence import Outcome
from plugins.calendar.series_plan import FIELDS, Occurrence, Plan

__all__ = ["CalendarRepo", "Entry", "NewEntry", "NewSeries", "Series", "Slot", "from_db", "to_db"]


def _opt(text: str | None) -> datetime | None:
    return from_db(text) if text else None


@dataclass(frozen=True, slots=True)
class Series:
    """A planned slot, one-off (`rule` None) or recurring."""

    id: int
    community: str
    title: str
    channel_id: str
    owner_id: str | None
    rule: str | None
    start_local: datetime
    timezone: str
    remind: str
    materialised_until: datetime
    cancelled: bool
    disabled: bool = False
    revision: int = 0
    """Grows on every change a calendar app shows: the export's SEQUENCE."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One occurrence of a series: what reminders, detection and the agenda work on."""

    id: int
    community: str
    series_id: int
    title: str
    channel_id: str
    owner_id: str | None
    due_at: datetime
    remind: str
    status: str
    revision: int
    published_at: datetime | None
    link: str | None
    reason: str | None
    rule: str | None


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence as the .ics export writes it: its slot in the series' rule and its due time."""

    id: int
    series_id: int
    slot_at: datetime
    due_at: datetime
    title: str
    channel_id: str
    owner_id: str | None


@dataclass(frozen=True, slots=True)
class NewSeries:
    """What `add` and `import` create."""

    community: str
    title: str
    channel_id: str
    owner_id: str | None
    rule: str | None
    start_local: datetime
    timezone: str
    remind: str
    created_by: str


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One occurrence to materialise."""

    slot_at: datetime
    title: str
    channel_id: str
    owner_id: str | None
    remind: str


_ENTRY = (
    "SELECT e.id, e.community, e.series_id, e.title, e.channel_id, e.owner_id, e.due_at, e.remind, "
    "e.status, e.revision, e.published_at, e.link, e.reason, s.rule FROM calendar_entries e "
    "JOIN calendar_series s ON s.id = e.series_id "
)
_SERIES = (
    "SELECT id, community, title, channel_id, owner_id, rule, start_local, timezone, remind, "
    "materialised_until, cancelled_at, disabled_at, revision FROM calendar_series "
)


def _entry(row: Any) -> Entry:
    return Entry(
        row["id"],
        row["community"],
        row["series_id"],
        row["title"],
        row["channel_id"],
        row["owner_id"],
        from_db(row["due_at"]),
        row["remind"],
        row["status"],
        row["revision"],
        _opt(row["published_at"]),
        row["link"],
        row["reason"],
        row["rule"],
    )


def _series(row: Any) -> Series:
    return Series(
        row["id"],
        row["community"],
        row["title"],
        row["channel_id"],
        row["owner_id"],
        row["rule"],
        datetime.fromisoformat(row["start_local"]),
        row["timezone"],
        row["remind"],
        from_db(row["materialised_until"]),
        row["cancelled_at"] is not None,
        row["disabled_at"] is not None,
        row["revision"],
    )


class CalendarRepo:
    """Reads and writes the calendar tables; `sql` is the database or a transaction."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        # (community, channel, owner) of planned entries, kept as a superset in memory so that publish
        # detection costs a set lookup, not a query, for the vast majority of messages.
        self._authors: set[tuple[str, str, str]] | None = None

    async def may_publish(self, community: str, channel_id: str, owner_id: str) -> bool:
        """False when the member has no planned entry in that channel (checked without a query)."""
        if self._authors is None:
            rows = await self.db.fetchall(
                "SELECT DISTINCT community, channel_id, owner_id FROM calendar_entries "
                "WHERE status = 'planned' AND owner_id IS NOT NULL"
            )
            self._authors = {(r[0], r[1], r[2]) for r in rows}
        return (community, channel_id, owner_id) in self._authors

    # ------------------------------------------------------------ series

    async def insert_series(self, sql: Sql, new: NewSeries, now: datetime) -> int:
        """Store a series; returns its id."""
        value = await sql.fetchval(
            "INSERT INTO calendar_series (community, title, channel_id, owner_id, rule, start_local, timezone, "
            "remind, materialised_until, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (
                new.community,
                new.title,
                new.channel_id,
                new.owner_id,
                new.rule,
                new.start_local.isoformat(),
                new.timezone,
                new.remind,
                to_db(now),
                new.created_by,
                to_db(now),
            ),
        )
        return int(value)

    async def series(self, series_id: int, sql: Sql | None = None) -> Series | None:
        """One series by id (read through `sql`, a transaction, when given)."""
        row = await (sql or self.db).fetchone(_SERIES + "WHERE id = ?", (series_id,))
        return _series(row) if row else None

    @staticmethod
    async def occurrences_ahead(sql: Sql, series_id: int, now: datetime) -> list[Occurrence]:
        """A series' occurrences whose slot or due time is after `now` (any status), by slot."""
        rows = await sql.fetchall(
            "SELECT id, slot_at, due_at, status, revision, title, channel_id, owner_id, remind "
            "FROM calendar_entries WHERE series_id = ? AND (slot_at > ? OR due_at > ?) ORDER BY slot_at, id",
            (series_id, to_db(now), to_db(now)),
        )
        return [
            Occurrence(
                r["id"],
                from_db(r["slot_at"]),
                from_db(r["due_at"]),
                r["status"],
                r["revision"],
                r["title"],
                r["channel_id"],
                r["owner_id"],
                r["remind"],
            )
            for r in rows
        ]

    async def change_series(self, sql: Sql, series: Series, plan: Plan, now: datetime) -> list[int]:
        """Write a series edit: the definition, then each occurrence still planned at the revision the plan
        read (two steps for new slots, so that swapping slots never meets the unique index). Returns the
        occurrences changed or cancelled, whose reminders are to be redone."""
        columns = [c for c in (*FIELDS, "rule", "start_local") if c in plan.series]  # names from this list only
        if columns or plan.materialised_until is not None:
            sets = [f"{c} = ?" for c in columns]
            values: list[Any] = [plan.series[c] for c in columns]
            if plan.materialised_until is not None:
                sets.append("materialised_until = ?")
                values.append(to_db(plan.materialised_until))
            await sql.execute(
                f"UPDATE calendar_series SET {', '.join(sets)} WHERE id = ? AND cancelled_at IS NULL",
                (*values, series.id),
            )
        if "channel_id" in plan.series or "owner_id" in plan.series:
            self._authors = None  # reloaded on the next message
        moving = [i for i, u in plan.updates.items() if "slot_at" in u]
        for entry_id in moving:
            await sql.execute(
                "UPDATE calendar_entries SET slot_at = ? WHERE id = ? AND revision = ? AND status = 'planned'",
                (f"moving:{entry_id}", entry_id, plan.revisions[entry_id]),
            )
        changed: list[int] = []
        for entry_id, update in sorted(plan.updates.items()):
            names = [c for c in (*FIELDS, "slot_at", "due_at") if c in update]
            values = [to_db(v) if isinstance(v, datetime) else v for v in (update[c] for c in names)]
            if await sql.execute(
                f"UPDATE calendar_entries SET {', '.join(f'{c} = ?' for c in names)}, revision = revision + 1, "
                "armed = 0, updated_at = ? WHERE id = ? AND series_id = ? AND revision = ? AND status = 'planned'",
                (*values, to_db(now), entry_id, series.id, plan.revisions[entry_id]),
            ):
                changed.append(entry_id)
        for entry_id in plan.cancelled:
            if await sql.execute(
                "UPDATE calendar_entries SET status = 'cancelled', revision = revision + 1, updated_at = ? "
                "WHERE id = ? AND series_id = ? AND revision = ? AND status = 'planned'",
                (to_db(now), entry_id, series.id, plan.revisions[entry_id]),
            ):
                changed.append(entry_id)
        if columns or changed:
            await _bump(sql, series.id)
        return changed

    async def series_to_extend(self, until: datetime) -> list[Series]:
        """Active recurring series (every community) materialised short of `until`."""
        rows = await self.db.fetchall(
            _SERIES + "WHERE cancelled_at IS NULL AND disabled_at IS NULL AND rule IS NOT NULL "
            "AND materialised_until < ? ORDER BY id",
            (to_db(until),),
        )
        return [_series(r) for r in rows]

    async def disable_series(self, series_id: int, reason: str, now: datetime) -> bool:
        """Stop materialising a series whose stored rule no longer expands; False when already disabled."""
        changed = await self.db.execute(
            "UPDATE calendar_series SET disabled_at = ?, disabled_reason = ?, revision = revision + 1 "
            "WHERE id = ? AND disabled_at IS NULL",
            (to_db(now), reason, series_id),
        )
        return changed > 0

    async def add_entries(
        self,
        sql: Sql,
        series: Series | int,
        community: str,
        entries: Iterable[NewEntry],
        until: datetime,
        now: datetime,
    ) -> int:
        """Materialise occurrences (a slot already there is kept) and move the series' horizon."""
        series_id = series if isinstance(series, int) else series.id
        added = 0
        for item in entries:
            if self._authors is not None and item.owner_id:
                self._authors.add((community, item.channel_id, item.owner_id))
            added += await sql.execute(
                "INSERT INTO calendar_entries (community, series_id, slot_at, title, channel_id, owner_id, due_at, "
                "remind, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, slot_at) DO NOTHING",
                (
                    community,
                    series_id,
                    to_db(item.slot_at),
                    item.title,
                    item.channel_id,
                    item.owner_id,
                    to_db(item.slot_at),
                    item.remind,
                    to_db(now),
                ),
            )
        await sql.execute(
            "UPDATE calendar_series SET materialised_until = ? WHERE id = ? AND materialised_until < ?",
            (to_db(until), series_id, to_db(until)),
        )
        if added:
            await _bump(sql, series_id)  # each new occurrence's number shows in the export
        return added

    @staticmethod
    async def first_entry(sql: Sql, series_id: int) -> int:
        """The id of a series' first occurrence (0 when it has none)."""
        value = await sql.fetchval("SELECT MIN(id) FROM calendar_entries WHERE series_id = ?", (series_id,))
        return int(value or 0)

    async def cancel_series(self, community: str, series_id: int, now: datetime) -> list[int]:
        """Cancel a series and its planned occurrences; returns the occurrences cancelled."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE calendar_series SET cancelled_at = ?, revision = revision + 1 "
                "WHERE community = ? AND id = ? AND cancelled_at IS NULL",
                (to_db(now), community, series_id),
            )
            if not changed:
                return []
            rows = await tx.fetchall(
                "SELECT id FROM calendar_entries WHERE community = ? AND series_id = ? AND status = 'planned' "
                "ORDER BY id",
                (community, series_id),
            )
            await tx.execute(
                "UPDATE calendar_entries SET status = 'cancelled', updated_at = ? "
                "WHERE community = ? AND series_id = ? AND status = 'planned'",
                (to_db(now), community, series_id),
            )
        return [int(r["id"]) for r in rows]

    # ------------------------------------------------------------ entries

    async def entry(self, community: str, entry_id: int) -> Entry | None:
        """One occurrence of this community."""
        row = await self.db.fetchone(_ENTRY + "WHERE e.community = ? AND e.id = ?", (community, entry_id))
        return _entry(row) if row else None

    async def entries(
        self, community: str, start: datetime, end: datetime | None, owner_id: str | None, limit: int
    ) -> list[Entry]:
        """Occurrences due in [start, end), by due time, optionally one owner's."""
        sql = _ENTRY + "WHERE e.community = ? AND e.due_at >= ? AND e.status != 'cancelled'"
        params: list[Any] = [community, to_db(start)]
        if end is not None:
            sql += " AND e.due_at < ?"
            params.append(to_db(end))
        if owner_id is not None:
            sql += " AND e.owner_id = ?"
            params.append(owner_id)
        rows = await self.db.fetchall(sql + " ORDER BY e.due_at, e.id LIMIT ?", (*params, limit))
        return [_entry(r) for r in rows]

    async def unarmed(self, limit: int = 500) -> list[Entry]:
        """Planned occurrences (every community) whose reminders are not scheduled yet."""
        rows = await self.db.fetchall(
            _ENTRY + "WHERE e.armed = 0 AND e.status = 'planned' ORDER BY e.id LIMIT ?", (limit,)
        )
        return [_entry(r) for r in rows]

    async def mark_armed(self, entry_id: int, revision: int) -> None:
        """Remember that this revision's reminders are scheduled."""
        await self.db.execute(
            "UPDATE calendar_entries SET armed = 1 WHERE id = ? AND revision = ?", (entry_id, revision)
        )

    async def publishable(
        self, community: str, channel_id: str, owner_id: str, earliest: datetime, latest: datetime
    ) -> list[Entry]:
        """The owner's planned occurrences in a channel due within [earliest, latest]."""
        rows = await self.db.fetchall(
            _ENTRY + "WHERE e.community = ? AND e.channel_id = ? AND e.owner_id = ? AND e.status = 'planned' "
            "AND e.due_at >= ? AND e.due_at <= ? ORDER BY e.due_at, e.id",
            (community, channel_id, owner_id, to_db(earliest), to_db(latest)),
        )
        return [_entry(r) for r in rows]

    async def resolve(
        self,
        community: str,
        entry_id: int,
        status: str,
        now: datetime,
        *,
        published_at: datetime | None = None,
        link: str | None = None,
        message_id: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """Move a planned occurrence to its final status; False when it was no longer planned. A
        cancelled one leaves calendars: its series' revision grows."""
        statement = (
            "UPDATE calendar_entries SET status = ?, published_at = ?, link = ?, message_id = ?, reason = ?, "
            "updated_at = ? WHERE community = ? AND id = ? AND status = 'planned'"
        )
        values = (
            status,
            to_db(published_at) if published_at else None,
            link,
            message_id,
            reason,
            to_db(now),
            community,
            entry_id,
        )
        if status != "cancelled":  # publish detection stays one statement
            return await self.db.execute(statement, values) > 0
        async with self.db.transaction() as tx:
            changed = await tx.execute(statement, values)
            if changed:
                await _bump_entry(tx, entry_id)
        return changed > 0

    async def published_by(self, community: str, channel_id: str, message_id: str) -> Entry | None:
        """The occurrence a detected post published."""
        row = await self.db.fetchone(
            _ENTRY + "WHERE e.community = ? AND e.channel_id = ? AND e.message_id = ? AND e.status = 'published'",
            (community, channel_id, message_id),
        )
        return _entry(row) if row else None

    async def reopen(self, community: str, entry_id: int, now: datetime) -> bool:
        """Make a published occurrence planned again, with fresh due actions to schedule."""
        self._authors = None  # it may have been loaded while this occurrence was published
        changed = await self.db.execute(
            "UPDATE calendar_entries SET status = 'planned', published_at = NULL, link = NULL, message_id = NULL, "
            "revision = revision + 1, armed = 0, updated_at = ? "
            "WHERE community = ? AND id = ? AND status = 'published'",
            (to_db(now), community, entry_id),
        )
        return changed > 0

    async def edit(self, community: str, entry_id: int, changes: dict[str, str | None], now: datetime) -> bool:
        """Change a planned occurrence (title, channel_id, owner_id, due_at, remind); its reminders are redone."""
        allowed = ("title", "channel_id", "owner_id", "due_at", "remind")
        sets = [f"{column} = ?" for column in allowed if column in changes]  # column names from this list only
        values = [changes[column] for column in allowed if column in changes]
        if "channel_id" in changes or "owner_id" in changes:
            self._authors = None  # reloaded on the next message
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                f"UPDATE calendar_entries SET {', '.join(sets)}, revision = revision + 1, armed = 0, updated_at = ? "
                "WHERE community = ? AND id = ? AND status = 'planned'",
                (*values, to_db(now), community, entry_id),
            )
            if changed:
                await _bump_entry(tx, entry_id)
        return changed > 0

    async def owner_has_entries(self, community: str, owner_id: str) -> bool:
        """True when the member already owns an occurrence."""
        value = await self.db.fetchval(
            "SELECT 1 FROM calendar_entries WHERE community = ? AND owner_id = ? LIMIT 1", (community, owner_id)
        )
        return value is not None

    async def outcomes(self, community: str, start: datetime, end: datetime) -> list[Outcome]:
        """Occurrences due in [start, end) as adherence sees them."""
        rows = await self.db.fetchall(
            "SELECT series_id, owner_id, channel_id, due_at, status, published_at FROM calendar_entries "
            "WHERE community = ? AND due_at >= ? AND due_at < ? ORDER BY due_at, id",
            (community, to_db(start), to_db(end)),
        )
        return [
            Outcome(
                r["series_id"],
                r["owner_id"],
                r["channel_id"],
                from_db(r["due_at"]),
                r["status"],
                _opt(r["published_at"]),
            )
            for r in rows
        ]

    async def titles(self, community: str, series_ids: Iterable[int]) -> dict[int, str]:
        """Series titles by id."""
        ids = sorted(set(series_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetchall(
            f"SELECT id, title FROM calendar_series WHERE community = ? AND id IN ({marks})", (community, *ids)
        )
        return {int(r["id"]): str(r["title"]) for r in rows}

    # ------------------------------------------------------------ the .ics export

    async def export_slots(self, community: str, since: datetime, limit: int) -> list[Slot]:
        """Occurrences shown in the agenda (not cancelled) due from `since` on, by due time."""
        rows = await self.db.fetchall(
            "SELECT id, series_id, slot_at, due_at, title, channel_id, owner_id FROM calendar_entries "
            "WHERE community = ? AND due_at >= ? AND status != 'cancelled' ORDER BY due_at, id LIMIT ?",
            (community, to_db(since), limit),
        )
        return [
            Slot(
                r["id"],
                r["series_id"],
                from_db(r["slot_at"]),
                from_db(r["due_at"]),
                r["title"],
                r["channel_id"],
                r["owner_id"],
            )
            for r in rows
        ]

    async def series_of(self, community: str, series_ids: Iterable[int]) -> dict[int, Series]:
        """Series by id."""
        ids = sorted(set(series_ids))
        found: dict[int, Series] = {}
        for start in range(0, len(ids), 500):  # bounded parameter lists on both engines
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(_SERIES + f"WHERE community = ? AND id IN ({marks})", (community, *chunk))
            found.update((int(r["id"]), _series(r)) for r in rows)
        return found

    async def cancelled_slots(
        self, community: str, series_ids: Iterable[int], before: datetime
    ) -> list[tuple[int, datetime]]:
        """(series, slot) of the cancelled occurrences of these series with a slot before `before`."""
        ids = sorted(set(series_ids))
        found: list[tuple[int, datetime]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT series_id, slot_at FROM calendar_entries WHERE community = ? AND status = 'cancelled' "
                f"AND slot_at < ? AND series_id IN ({marks}) ORDER BY slot_at LIMIT 10000",
                (community, to_db(before), *chunk),
            )
            found.extend((int(r["series_id"]), from_db(r["slot_at"])) for r in rows)
        return found

    # ------------------------------------------------------------ charter

    async def charter(self, community: str) -> str | None:
        """The community's editorial charter."""
        value = await self.db.fetchval("SELECT body FROM calendar_charters WHERE community = ?", (community,))
        return str(value) if value is not None else None

    async def set_charter(self, community: str, body: str, user_id: str, now: datetime) -> None:
        """Replace the charter."""
        await self.db.execute(
            "INSERT INTO calendar_charters (community, body, updated_by, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (community, body, user_id, to_db(now)),
        )

    # ------------------------------------------------------------ privacy

    async def export_user(self, community: str, user_id: str) -> dict[str, Any]:
        """The member's occurrences (as owner), the series they own and the series they created."""
        owned = await self.db.fetchall(
            "SELECT id, title, channel_id, due_at, status, published_at, link, reason FROM calendar_entries "
            "WHERE community = ? AND owner_id = ? ORDER BY due_at, id",
            (community, user_id),
        )
        created = await self.db.fetchall(
            "SELECT id, title, channel_id, rule, created_at, cancelled_at FROM calendar_series "
            "WHERE community = ? AND created_by = ? ORDER BY id",
            (community, user_id),
        )
        series_owned = await self.db.fetchall(
            "SELECT id, title, channel_id, rule, start_local, timezone, cancelled_at FROM calendar_series "
            "WHERE community = ? AND owner_id = ? ORDER BY id",
            (community, user_id),
        )
        charter = await self.db.fetchval(
            "SELECT updated_at FROM calendar_charters WHERE community = ? AND updated_by = ?", (community, user_id)
        )
        return {
            "owned_entries": [dict(r) for r in owned],
            "created_series": [dict(r) for r in created],
            "owned_series": [dict(r) for r in series_owned],
            "charter_updated_at": charter,
        }

    @staticmethod
    async def forget_user(tx: Sql, community: str, user_id: str) -> int:
        """Unlink the member from every slot (slots stay, unowned); returns the rows changed."""
        # The owner's name leaves the exported descriptions: those series' calendars change.
        await tx.execute(
            "UPDATE calendar_series SET revision = revision + 1 WHERE community = ? AND (owner_id = ? OR id IN "
            "(SELECT series_id FROM calendar_entries WHERE community = ? AND owner_id = ?))",
            (community, user_id, community, user_id),
        )
        changed = await tx.execute(
            "UPDATE calendar_entries SET owner_id = NULL WHERE community = ? AND owner_id = ?", (community, user_id)
        )
        changed += await tx.execute(
            "UPDATE calendar_series SET owner_id = NULL WHERE community = ? AND owner_id = ?", (community, user_id)
        )
        changed += await tx.execute(
            "UPDATE calendar_series SET created_by = NULL WHERE community = ? AND created_by = ?", (community, user_id)
        )
        changed += await tx.execute(
            "UPDATE calendar_charters SET updated_by = NULL WHERE community = ? AND updated_by = ?",
            (community, user_id),
        )
        return changed


async def _bump(sql: Sql, series_id: int) -> None:
    """The series' calendar changed: its export's SEQUENCE grows."""
    await sql.execute("UPDATE calendar_series SET revision = revision + 1 WHERE id = ?", (series_id,))


async def _bump_entry(sql: Sql, entry_id: int) -> None:
    """An occurrence changed: its series' export SEQUENCE grows."""
    await sql.execute(
        "UPDATE calendar_series SET revision = revision + 1 WHERE id = "
        "(SELECT series_id FROM calendar_entries WHERE id = ?)",
        (entry_id,),
    )
