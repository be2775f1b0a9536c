"""Every SQL statement of the digest: read-only queries on the core activity rollups, and the
plugin's own tables (`digest_settings`, `digest_subscriptions`, `digests`, `digest_groups`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.plugin import Sql
from bot.storage.times import from_db as from_db
from bot.storage.times import to_db as to_db
from plugins.digest.figures import Counts, Ranked
from plugins.digest.periods import Period, Schedule


@dataclass(frozen=True, slots=True)
class StoredDigest:
    """One digest as stored."""

    id: int
    community: str
    period: Period
    figures: dict[str, Any]
    rendered: str  # in the community's language when it was built
    created_at: datetime
    sent_at: datetime | None
    renderings: dict[str, str] = field(default_factory=dict)  # {locale: text}; empty for older digests
    reached: int | None = None  # targets served; None until the delivery ended


@dataclass(frozen=True, slots=True)
class StoredGroupDigest:
    """One group's digest of a period, as stored when it was sent to the group's owners."""

    group_key: str
    group_name: str
    period_start: date
    sent_at: datetime | None
    reached: int | None
    figures: dict[str, Any]  # {metric key: {"value", "previous", "kind"}}, as `render.section_json` stores them


def _digest(row: Any) -> StoredDigest:
    return StoredDigest(
        row["id"],
        row["community"],
        Period(row["period"], date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"])),
        json.loads(row["figures"]),
        row["rendered"],
        from_db(row["created_at"]),
        from_db(row["sent_at"]) if row["sent_at"] else None,
        json.loads(row["renderings"]) if row["renderings"] else {},
        row["reached"],
    )


_DIGEST_COLUMNS = (
    "id, community, period, period_start, period_end, figures, rendered, created_at, sent_at, renderings, reached"
)


_GROUP_COLUMNS = "group_key, group_name, period_start, sent_at, reached, figures"


def _group(row: Any) -> StoredGroupDigest:
    return StoredGroupDigest(
        row["group_key"],
        row["group_name"],
        date.fromisoformat(row["period_start"]),
        from_db(row["sent_at"]) if row["sent_at"] else None,
        row["reached"],
        json.loads(row["figures"]),
    )


def _json(value: Any) -> str:
    # Not sorted: the order of the sections (and of their metrics) is the order the digest shows them in.
    return json.dumps(value, ensure_ascii=False)


class DigestRepo:
    """Reads the rollups (never raw messages) and owns the digest tables."""

    def __init__(self, db: Sql) -> None:
        self._db = db

    # ------------------------------------------------------------ rollups (read-only)

    async def counts(self, community: str, start: date, end: date) -> Counts:
        """Reach and engagement counts over local days `[start, end)`."""
        span = (community, start.isoformat(), end.isoformat())
        members = await self._db.fetchone(
            "SELECT COUNT(DISTINCT CASE WHEN messages > 0 OR reactions_given > 0 THEN user_id END) AS active, "
            "COUNT(DISTINCT CASE WHEN messages > 0 THEN user_id END) AS posting "
            "FROM activity_member_daily WHERE community = ? AND day >= ? AND day < ?",
            span,
        )
        totals = await self._db.fetchone(
            "SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(joins), 0) AS joins, "
            "COALESCE(SUM(leaves), 0) AS leaves "
            "FROM activity_community_daily WHERE community = ? AND day >= ? AND day < ?",
            span,
        )
        channels = await self._db.fetchone(
            "SELECT COUNT(DISTINCT CASE WHEN messages > 0 THEN channel_id END) AS active, "
            "COALESCE(SUM(replies), 0) AS replies, COALESCE(SUM(thread_messages), 0) AS threads, "
            "COALESCE(SUM(reactions), 0) AS reactions "
            "FROM activity_channel_daily WHERE community = ? AND day >= ? AND day < ?",
            span,
        )
        assert members is not None and totals is not None and channels is not None  # aggregates: one row
        return Counts(
            active_members=members["active"],
            posting_members=members["posting"],
            new_members=totals["joins"],
            left_members=totals["leaves"],
            messages=totals["messages"],
            active_channels=channels["active"],
            replies=channels["replies"],
            thread_messages=channels["threads"],
            reactions=channels["reactions"],
        )

    async def top_channels(self, community: str, start: date, end: date, limit: int) -> list[Ranked]:
        """Channels with the most messages (ties by id, so the order is stable)."""
        rows = await self._db.fetchall(
            "SELECT channel_id, SUM(messages) AS n FROM activity_channel_daily "
            "WHERE community = ? AND day >= ? AND day < ? GROUP BY channel_id HAVING SUM(messages) > 0 "
            "ORDER BY n DESC, channel_id LIMIT ?",
            (community, start.isoformat(), end.isoformat(), limit),
        )
        return [Ranked(r["channel_id"], r["n"]) for r in rows]

    async def top_members(self, community: str, start: date, end: date, limit: int) -> list[Ranked]:
        """Members who posted the most messages."""
        rows = await self._db.fetchall(
            "SELECT user_id, SUM(messages) AS n FROM activity_member_daily "
            "WHERE community = ? AND day >= ? AND day < ? GROUP BY user_id HAVING SUM(messages) > 0 "
            "ORDER BY n DESC, user_id LIMIT ?",
            (community, start.isoformat(), end.isoformat(), limit),
        )
        return [Ranked(r["user_id"], r["n"]) for r in rows]

    async def languages(self, community: str, start: date, end: date) -> list[Ranked]:
        """Messages per detected language."""
        rows = await self._db.fetchall(
            "SELECT language, SUM(messages) AS n FROM activity_language_daily "
            "WHERE community = ? AND day >= ? AND day < ? GROUP BY language HAVING SUM(messages) > 0 "
            "ORDER BY n DESC, language",
            (community, start.isoformat(), end.isoformat()),
        )
        return [Ranked(r["language"], r["n"]) for r in rows]

    async def trend(self, community: str, periods: Sequence[Period]) -> list[tuple[int, int]]:
        """(active members, messages) of each period."""
        points = []
        for period in periods:
            counts = await self.counts(community, period.start, period.end)
            points.append((counts.active_members, counts.messages))
        return points

    async def communities(self) -> list[str]:
        """Communities with activity or digest settings."""
        rows = await self._db.fetchall(
            "SELECT community FROM activity_community_daily UNION SELECT community FROM digest_settings "
            "ORDER BY community"
        )
        return [r["community"] for r in rows]

    async def known(self, community: str) -> bool:
        """True when the community has any activity or digest settings."""
        return bool(
            await self._db.fetchval(
                "SELECT 1 FROM activity_community_daily WHERE community = ? UNION "
                "SELECT 1 FROM digest_settings WHERE community = ?",
                (community, community),
            )
        )

    # ------------------------------------------------------------ settings

    async def schedule(self, community: str) -> Schedule | None:
        """The community's stored schedule, if it chose one."""
        row = await self._db.fetchone(
            "SELECT day, send_at, period FROM digest_settings WHERE community = ?", (community,)
        )
        return Schedule(row["day"], row["send_at"], row["period"]) if row else None

    async def save_schedule(self, community: str, schedule: Schedule, now: datetime) -> None:
        """Store the community's schedule."""
        await self._db.execute(
            "INSERT INTO digest_settings (community, day, send_at, period, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community) DO UPDATE SET day = excluded.day, "
            "send_at = excluded.send_at, period = excluded.period, updated_at = excluded.updated_at",
            (community, schedule.day, schedule.at, schedule.kind, to_db(now), to_db(now)),
        )

    # ------------------------------------------------------------ subscriptions

    async def subscribe(self, community: str, user_id: str, now: datetime) -> bool:
        """Opt a member in; False when already subscribed."""
        return (
            await self._db.execute(
                "INSERT INTO digest_subscriptions (community, user_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (community, user_id, to_db(now)),
            )
            > 0
        )

    async def unsubscribe(self, community: str, user_id: str) -> bool:
        """Opt a member out; False when not subscribed."""
        return (
            await self._db.execute(
                "DELETE FROM digest_subscriptions WHERE community = ? AND user_id = ?", (community, user_id)
            )
            > 0
        )

    async def subscribers(self, community: str) -> list[str]:
        """Ids of the members who get the digest by DM."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM digest_subscriptions WHERE community = ? ORDER BY user_id", (community,)
        )
        return [r["user_id"] for r in rows]

    async def subscription(self, community: str, user_id: str) -> datetime | None:
        """When the member subscribed, if they did."""
        value = await self._db.fetchval(
            "SELECT created_at FROM digest_subscriptions WHERE community = ? AND user_id = ?", (community, user_id)
        )
        return from_db(value) if value else None

    # ------------------------------------------------------------ digests

    async def insert(
        self,
        community: str,
        period: Period,
        figures: dict[str, Any],
        renderings: dict[str, str],
        locale: str,
        now: datetime,
    ) -> bool:
        """Store a digest (its text in every language, `rendered` in the community's) unless one exists for
        that period; True when this call stored it."""
        return (
            await self._db.execute(
                "INSERT INTO digests (community, period, period_start, period_end, figures, rendered, renderings, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community, period_start) DO NOTHING",
                (
                    community,
                    period.kind,
                    period.start.isoformat(),
                    period.end.isoformat(),
                    _json(figures),
                    renderings.get(locale) or next(iter(renderings.values()), ""),
                    _json(renderings),
                    to_db(now),
                ),
            )
            > 0
        )

    async def get(self, community: str, start: date) -> StoredDigest | None:
        """The digest of the period starting on `start`."""
        row = await self._db.fetchone(
            f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE community = ? AND period_start = ?",
            (community, start.isoformat()),
        )
        return _digest(row) if row else None

    async def history(self, community: str, limit: int) -> list[StoredDigest]:
        """The latest digests, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE community = ? ORDER BY period_start DESC LIMIT ?",
            (community, limit),
        )
        return [_digest(r) for r in rows]

    async def unsent(self) -> list[StoredDigest]:
        """Digests stored but not delivered yet (the bot stopped in between)."""
        rows = await self._db.fetchall(
            f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE sent_at IS NULL ORDER BY community, period_start"
        )
        return [_digest(r) for r in rows]

    async def mark_sent(self, digest_id: int, now: datetime, reached: int) -> None:
        """Record the end of the delivery and how many targets it reached."""
        await self._db.execute(
            "UPDATE digests SET sent_at = ?, reached = ? WHERE id = ?", (to_db(now), reached, digest_id)
        )

    async def raise_reached(self, digest_id: int, reached: int) -> None:
        """A resend served `reached` targets: the digest reached at least that many."""
        await self._db.execute(
            "UPDATE digests SET reached = ? WHERE id = ? AND (reached IS NULL OR reached < ?)",
            (reached, digest_id, reached),
        )

    async def insert_group(
        self,
        community: str,
        start: date,
        group_key: str,
        group_name: str,
        figures: dict[str, Any],
        renderings: dict[str, str],
        now: datetime,
    ) -> None:
        """Store one group's digest of a period (kept as first built when a retry meets it again)."""
        await self._db.execute(
            "INSERT INTO digest_groups (community, period_start, group_key, group_name, figures, renderings, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community, period_start, group_key) DO NOTHING",
            (community, start.isoformat(), group_key, group_name, _json(figures), _json(renderings), to_db(now)),
        )

    async def group_reached(
        self, community: str, start: date, group_key: str, reached: int, sent_at: datetime | None
    ) -> None:
        """Record how many owners a group digest reached, and when its delivery ended (None: to be retried)."""
        await self._db.execute(
            "UPDATE digest_groups SET reached = ?, sent_at = ? WHERE community = ? AND period_start = ? "
            "AND group_key = ?",
            (reached, to_db(sent_at) if sent_at else None, community, start.isoformat(), group_key),
        )

    async def end_groups(self, community: str, start: date, now: datetime) -> None:
        """The delivery of a period's group digests ended (given up): each keeps the owners it reached."""
        await self._db.execute(
            "UPDATE digest_groups SET sent_at = ?, reached = COALESCE(reached, 0) "
            "WHERE community = ? AND period_start = ? AND sent_at IS NULL",
            (to_db(now), community, start.isoformat()),
        )

    async def groups(self, community: str, starts: Sequence[date]) -> list[StoredGroupDigest]:
        """The stored group digests of the periods starting on `starts`, newest period first, by group name."""
        if not starts:
            return []
        marks = ", ".join("?" for _ in starts)
        rows = await self._db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM digest_groups WHERE community = ? AND period_start IN ({marks}) "
            "ORDER BY period_start DESC, group_name, group_key",
            (community, *[s.isoformat() for s in starts]),
        )
        return [_group(r) for r in rows]

    async def all_groups(self, community: str, since: date | None = None) -> list[StoredGroupDigest]:
        """Every stored group digest of the community (periods from `since`), oldest period first, by group
        name: what a per-group export reads."""
        rows = await self._db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM digest_groups WHERE community = ? AND period_start >= ? "
            "ORDER BY period_start, group_name, group_key",
            (community, (since or date.min).isoformat()),
        )
        return [_group(r) for r in rows]

    # ------------------------------------------------------------ privacy

    async def mentioning(self, community: str, user_id: str, tx: Sql | None = None) -> list[StoredDigest]:
        """Digests whose top contributors list the member (LIKE narrows, JSON decides); `tx` inside a forget."""
        rows = await (tx or self._db).fetchall(
            f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE community = ? AND figures LIKE ? ESCAPE '\\' "
            "ORDER BY period_start",
            (community, "%" + _like(json.dumps(user_id, ensure_ascii=False)) + "%"),
        )
        return [
            d for d in map(_digest, rows) if any(entry.get("id") == user_id for entry in contributors_of(d.figures))
        ]

    async def forget(
        self,
        tx: Sql,
        community: str,
        user_id: str,
        scrubbed: Sequence[tuple[int, dict[str, Any], str, dict[str, str]]],
    ) -> int:
        """Delete the member's subscription and rewrite the given digests inside `tx`; rows changed."""
        changed = await tx.execute(
            "DELETE FROM digest_subscriptions WHERE community = ? AND user_id = ?", (community, user_id)
        )
        for digest_id, figures, rendered, renderings in scrubbed:
            changed += await tx.execute(
                "UPDATE digests SET figures = ?, rendered = ?, renderings = ? WHERE id = ?",
                (_json(figures), rendered, _json(renderings) if renderings else None, digest_id),
            )
        return changed


def contributors_of(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The top contributors a stored digest names (its lists, or the older top-level key)."""
    lists = figures.get("lists")
    found = lists.get("top_contributors") if isinstance(lists, dict) else figures.get("top_contributors")
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
