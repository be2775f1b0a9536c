"""Every SQL statement of the groups feature; rows come back as the frozen dataclasses of
`plugins.groups.records`. Every statement is keyed by `community`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.geo import Box
from bot.plugin import Sql
from plugins.groups.records import (
    ACTIVE,
    Group,
    Location,
    Member,
    NewGroup,
    Topic,
    from_db,
    to_db,
)

_GROUP_COLUMNS = (
    "id, community, name, kind, description, tags, private, status, city_id, city_name, country, "
    "lat, lon, radius_km, channel_id, role_id, ownerless, created_by, created_at"
)


def _group(row: Any) -> Group:
    return Group(
        row["id"],
        row["community"],
        row["name"],
        row["kind"],
        row["description"],
        tuple(t for t in row["tags"].split(" ") if t),
        bool(row["private"]),
        row["status"],
        row["city_id"],
        row["city_name"],
        row["country"],
        row["lat"],
        row["lon"],
        row["radius_km"],
        row["channel_id"],
        row["role_id"],
        bool(row["ownerless"]),
        row["created_by"],
        from_db(row["created_at"]),
    )


def _member(row: Any) -> Member:
    return Member(row["user_id"], bool(row["is_owner"]), bool(row["notify"]), from_db(row["joined_at"]))


class GroupsRepo:
    """Reads and writes the groups tables through `ctx.db` (or a transaction when given)."""

    def __init__(self, db: Sql) -> None:
        self.db = db

    # ------------------------------------------------------------ groups

    async def insert_group(
        self,
        tx: Sql,
        community: str,
        new: NewGroup,
        now: datetime,
        channel_id: str | None = None,
        role_id: str | None = None,
    ) -> int:
        """Insert a group and its creator as owner (inside `tx`); returns the group id."""
        city = new.city
        value = await tx.fetchval(
            "INSERT INTO community_groups (community, name, name_key, kind, description, tags, private, status, "
            "city_id, city_name, country, lat, lon, radius_km, channel_id, role_id, created_by, created_at, "
            "activated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                community,
                new.name,
                new.name_key,
                new.kind,
                new.description,
                " ".join(new.tags),
                int(new.private),
                new.status,
                city.city_id if city else None,
                city.city_name if city else None,
                city.country if city else None,
                city.lat if city else None,
                city.lon if city else None,
                new.radius_km,
                channel_id,
                role_id,
                new.created_by,
                to_db(now),
                to_db(now) if new.status == ACTIVE else None,
            ),
        )
        group_id = int(value)
        await tx.execute(
            "INSERT INTO group_members (community, group_id, user_id, is_owner, joined_at) VALUES (?, ?, ?, 1, ?)",
            (community, group_id, new.created_by, to_db(now)),
        )
        return group_id

    async def by_key(self, community: str, name_key: str) -> Group | None:
        """The group with this folded name."""
        row = await self.db.fetchone(
            f"SELECT {_GROUP_COLUMNS} FROM community_groups WHERE community = ? AND name_key = ?", (community, name_key)
        )
        return _group(row) if row else None

    async def by_id(self, community: str, group_id: int) -> Group | None:
        """The group with this id in this community."""
        row = await self.db.fetchone(
            f"SELECT {_GROUP_COLUMNS} FROM community_groups WHERE community = ? AND id = ?", (community, group_id)
        )
        return _group(row) if row else None

    async def names(self, community: str, statuses: Iterable[str] = (ACTIVE,)) -> list[str]:
        """Names of the groups with these statuses, alphabetically."""
        wanted = list(statuses)
        if not wanted:
            return []  # `IN ()` is SQLite's only; PostgreSQL refuses an empty list
        marks = ",".join("?" * len(wanted))
        rows = await self.db.fetchall(
            f"SELECT name FROM community_groups WHERE community = ? AND status IN ({marks}) ORDER BY name_key",
            (community, *wanted),
        )
        return [r["name"] for r in rows]

    async def groups(self, community: str, status: str = ACTIVE) -> list[Group]:
        """Every group with this status, alphabetically."""
        rows = await self.db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM community_groups WHERE community = ? AND status = ? ORDER BY name_key",
            (community, status),
        )
        return [_group(r) for r in rows]

    async def in_box(self, community: str, box: Box) -> list[Group]:
        """Active local groups whose centre lies in a box (the indexed prefilter of a radius query)."""
        rows = await self.db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM community_groups WHERE community = ? AND status = ? "
            "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? ORDER BY name_key",
            (community, ACTIVE, box.min_lat, box.max_lat, box.min_lon, box.max_lon),
        )
        return [_group(r) for r in rows]

    async def max_radius(self, community: str) -> int:
        """The largest radius of any active local group (how far the prefilter must reach)."""
        value = await self.db.fetchval(
            "SELECT MAX(radius_km) FROM community_groups WHERE community = ? AND status = ?", (community, ACTIVE)
        )
        return int(value or 0)

    async def update(self, community: str, group_id: int, fields: Mapping[str, object]) -> None:
        """Change some columns of a group (column names come from code, never from input)."""
        allowed = {
            "name",
            "name_key",
            "description",
            "tags",
            "private",
            "status",
            "city_id",
            "city_name",
            "country",
            "lat",
            "lon",
            "radius_km",
            "channel_id",
            "role_id",
            "ownerless",
            "activated_at",
            "archived_at",
        }
        assert set(fields) <= allowed, set(fields) - allowed
        sets = ", ".join(f"{column} = ?" for column in fields)
        # Flags are INTEGER columns (BIGINT on PostgreSQL): stored as 0/1, never as a boolean.
        values = [int(v) if isinstance(v, bool) else v for v in fields.values()]
        await self.db.execute(
            f"UPDATE community_groups SET {sets} WHERE community = ? AND id = ?", (*values, community, group_id)
        )

    async def delete_group(self, community: str, group_id: int) -> None:
        """Remove a group (a rejected proposal) with its members."""
        await self.db.execute("DELETE FROM group_members WHERE community = ? AND group_id = ?", (community, group_id))
        await self.db.execute("DELETE FROM community_groups WHERE community = ? AND id = ?", (community, group_id))

    # ------------------------------------------------------------ members

    async def members(self, community: str, group_id: int) -> list[Member]:
        """Members of a group, longest-standing first."""
        rows = await self.db.fetchall(
            "SELECT user_id, is_owner, notify, joined_at FROM group_members "
            "WHERE community = ? AND group_id = ? ORDER BY joined_at, user_id",
            (community, group_id),
        )
        return [_member(r) for r in rows]

    async def member(self, community: str, group_id: int, user_id: str) -> Member | None:
        """One member of a group, or None."""
        row = await self.db.fetchone(
            "SELECT user_id, is_owner, notify, joined_at FROM group_members "
            "WHERE community = ? AND group_id = ? AND user_id = ?",
            (community, group_id, user_id),
        )
        return _member(row) if row else None

    async def add_member(self, community: str, group_id: int, user_id: str, now: datetime, owner: bool = False) -> None:
        """Add a member (and drop a pending request)."""
        await self.db.execute(
            "INSERT INTO group_members (community, group_id, user_id, is_owner, joined_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (community, group_id, user_id, int(owner), to_db(now)),
        )
        await self.drop_request(community, group_id, user_id)

    async def remove_member(self, community: str, group_id: int, user_id: str, now: datetime) -> None:
        """Remove a member, and count the departure (anonymously) for the group's digest."""
        if await self.db.execute(
            "DELETE FROM group_members WHERE community = ? AND group_id = ? AND user_id = ?",
            (community, group_id, user_id),
        ):
            await self.db.execute(
                "INSERT INTO group_departures (community, group_id, left_at) VALUES (?, ?, ?)",
                (community, group_id, to_db(now)),
            )

    async def set_owner(self, community: str, group_id: int, user_id: str, owner: bool) -> None:
        """Make a member an owner, or not."""
        await self.db.execute(
            "UPDATE group_members SET is_owner = ? WHERE community = ? AND group_id = ? AND user_id = ?",
            (int(owner), community, group_id, user_id),
        )

    async def set_notify(self, community: str, group_id: int, user_id: str, notify: bool) -> None:
        """Opt a member in or out of announcement DMs."""
        await self.db.execute(
            "UPDATE group_members SET notify = ? WHERE community = ? AND group_id = ? AND user_id = ?",
            (int(notify), community, group_id, user_id),
        )

    async def member_counts(self, community: str) -> dict[int, int]:
        """group id -> number of members."""
        rows = await self.db.fetchall(
            "SELECT group_id, COUNT(*) AS n FROM group_members WHERE community = ? GROUP BY group_id", (community,)
        )
        return {r["group_id"]: r["n"] for r in rows}

    async def groups_of(self, community: str, user_id: str) -> list[Group]:
        """The active groups a member belongs to."""
        rows = await self.db.fetchall(
            f"SELECT {', '.join('g.' + c.strip() for c in _GROUP_COLUMNS.split(','))} FROM community_groups g "
            "JOIN group_members m ON m.community = g.community AND m.group_id = g.id "
            "WHERE g.community = ? AND m.user_id = ? AND g.status = ? ORDER BY g.name_key",
            (community, user_id, ACTIVE),
        )
        return [_group(r) for r in rows]

    # ------------------------------------------------------------ requests and bans

    async def add_request(self, community: str, group_id: int, user_id: str, now: datetime) -> bool:
        """Record a join request; False when one was already pending."""
        return (
            await self.db.execute(
                "INSERT INTO group_join_requests (community, group_id, user_id, "
                "requested_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (community, group_id, user_id, to_db(now)),
            )
            > 0
        )

    async def requests(self, community: str, group_id: int) -> list[str]:
        """Ids of the members whose request to join a group is pending, oldest first."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM group_join_requests WHERE community = ? AND group_id = ? "
            "ORDER BY requested_at, user_id",
            (community, group_id),
        )
        return [r["user_id"] for r in rows]

    async def drop_request(self, community: str, group_id: int, user_id: str) -> bool:
        """Remove a pending request; True when there was one."""
        return (
            await self.db.execute(
                "DELETE FROM group_join_requests WHERE community = ? AND group_id = ? AND user_id = ?",
                (community, group_id, user_id),
            )
            > 0
        )

    async def is_banned(self, community: str, group_id: int, user_id: str) -> bool:
        """True when the member is banned from the group."""
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM group_bans WHERE community = ? AND group_id = ? AND user_id = ?",
                (community, group_id, user_id),
            )
        )

    async def ban(self, community: str, group_id: int, user_id: str, by: str, now: datetime) -> None:
        """Ban a member (and remove them and their request)."""
        await self.db.execute(
            "INSERT INTO group_bans (community, group_id, user_id, banned_by, banned_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (community, group_id, user_id, by, to_db(now)),
        )
        await self.remove_member(community, group_id, user_id, now)
        await self.drop_request(community, group_id, user_id)

    # ------------------------------------------------------------ topics and announcements

    async def add_topic(
        self,
        community: str,
        group_id: int,
        title: str,
        tags: Sequence[str],
        where: tuple[str | None, str | None, str | None],
        by: str,
        now: datetime,
    ) -> None:
        """Record a topic with where it lives (channel, thread, message ids)."""
        await self.db.execute(
            "INSERT INTO group_topics (community, group_id, title, tags, channel_id, thread_id, "
            "message_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (community, group_id, title, " ".join(tags), *where, by, to_db(now)),
        )

    async def topics(self, community: str, group_id: int, limit: int = 15) -> list[Topic]:
        """The most recent topics of a group."""
        rows = await self.db.fetchall(
            "SELECT id, title, tags, channel_id, thread_id, message_id, created_at "
            "FROM group_topics WHERE community = ? AND group_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (community, group_id, limit),
        )
        return [
            Topic(
                r["id"],
                r["title"],
                tuple(t for t in r["tags"].split(" ") if t),
                r["channel_id"],
                r["thread_id"],
                r["message_id"],
                from_db(r["created_at"]),
            )
            for r in rows
        ]

    async def add_announcement(self, community: str, group_id: int, author: str, body: str, now: datetime) -> int:
        """Record an announcement; returns its id (part of every dedupe key of its sends)."""
        # The id the database gave this row: `MAX(id)` read afterwards could be another process's announcement.
        value = await self.db.fetchval(
            "INSERT INTO group_announcements (community, group_id, author, body, created_at) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            (community, group_id, author, body, to_db(now)),
        )
        return int(value)

    async def announcement(self, community: str, announcement_id: int) -> tuple[int, str] | None:
        """(group id, body) of an announcement."""
        row = await self.db.fetchone(
            "SELECT group_id, body FROM group_announcements WHERE community = ? AND id = ?",
            (community, announcement_id),
        )
        return (row["group_id"], row["body"]) if row else None

    # ------------------------------------------------------------ locations and welcomes

    async def location(self, community: str, user_id: str) -> Location | None:
        """A member's city, when they chose to share it."""
        row = await self.db.fetchone(
            "SELECT city_id, city_name, country, lat, lon FROM group_member_locations "
            "WHERE community = ? AND user_id = ?",
            (community, user_id),
        )
        return Location(row["city_id"], row["city_name"], row["country"], row["lat"], row["lon"]) if row else None

    async def set_location(self, community: str, user_id: str, city: Location, now: datetime) -> None:
        """Store a member's city (its id and centre, nothing finer)."""
        await self.db.execute(
            "INSERT INTO group_member_locations (community, user_id, city_id, city_name, country, lat, lon, set_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (community, user_id) DO UPDATE SET "
            "city_id = excluded.city_id, city_name = excluded.city_name, country = excluded.country, "
            "lat = excluded.lat, lon = excluded.lon, set_at = excluded.set_at",
            (community, user_id, city.city_id, city.city_name, city.country, city.lat, city.lon, to_db(now)),
        )

    async def clear_location(self, community: str, user_id: str) -> bool:
        """Forget a member's city; True when there was one."""
        return (
            await self.db.execute(
                "DELETE FROM group_member_locations WHERE community = ? AND user_id = ?", (community, user_id)
            )
            > 0
        )

    async def was_welcomed(self, community: str, user_id: str) -> bool:
        """True when the newcomer suggestion was already sent to this member."""
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM group_welcomes WHERE community = ? AND user_id = ?", (community, user_id)
            )
        )

    async def mark_welcomed(self, community: str, user_id: str, now: datetime) -> bool:
        """Remember the join suggestion; False when it was already sent."""
        return (
            await self.db.execute(
                "INSERT INTO group_welcomes (community, user_id, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (community, user_id, to_db(now)),
            )
            > 0
        )

    # ------------------------------------------------------------ activity and digest

    async def channel_messages(self, community: str, first_day: str, last_day: str) -> dict[str, int]:
        """channel id -> messages between two local days (inclusive), from the core's daily rollup."""
        rows = await self.db.fetchall(
            "SELECT channel_id, SUM(messages) AS n FROM activity_channel_daily "
            "WHERE community = ? AND day >= ? AND day <= ? GROUP BY channel_id",
            (community, first_day, last_day),
        )
        return {r["channel_id"]: int(r["n"] or 0) for r in rows}

    async def created_between(self, community: str, start: datetime, end: datetime) -> list[str]:
        """Names of the groups that became active in [start, end)."""
        rows = await self.db.fetchall(
            "SELECT name FROM community_groups WHERE community = ? AND status = ? "
            "AND activated_at >= ? AND activated_at < ? ORDER BY name_key",
            (community, ACTIVE, to_db(start), to_db(end)),
        )
        return [r["name"] for r in rows]

    async def active_before(self, community: str, end: datetime) -> list[Group]:
        """The active groups that were active before `end` (activated, or created for older rows), by name."""
        rows = await self.db.fetchall(
            f"SELECT {_GROUP_COLUMNS} FROM community_groups WHERE community = ? AND status = ? "
            "AND COALESCE(activated_at, created_at) < ? ORDER BY name_key",
            (community, ACTIVE, to_db(end)),
        )
        return [_group(r) for r in rows]

    async def members_in_groups(self, community: str, end: datetime) -> int:
        """Distinct members, who joined before `end`, of the groups `active_before(end)` lists (each member
        once, however many groups they are in)."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(DISTINCT m.user_id) FROM group_members m JOIN community_groups g "
                "ON g.community = m.community AND g.id = m.group_id WHERE m.community = ? AND g.status = ? "
                "AND COALESCE(g.activated_at, g.created_at) < ? AND m.joined_at < ?",
                (community, ACTIVE, to_db(end), to_db(end)),
            )
            or 0
        )

    async def size_at(self, community: str, group_id: int, end: datetime) -> int:
        """Members of a group who joined before `end` (its size then, but for those who left since)."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM group_members WHERE community = ? AND group_id = ? AND joined_at < ?",
                (community, group_id, to_db(end)),
            )
            or 0
        )

    async def joins_between(self, community: str, start: datetime, end: datetime) -> int:
        """Memberships that started in [start, end) in active groups."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM group_members m JOIN community_groups g ON g.community = m.community "
                "AND g.id = m.group_id WHERE m.community = ? AND g.status = ? AND m.joined_at >= ? AND m.joined_at < ?",
                (community, ACTIVE, to_db(start), to_db(end)),
            )
            or 0
        )

    # ------------------------------------------------------------ per-group digests

    async def set_digest(self, community: str, group_id: int, user_id: str | None, now: datetime | None) -> bool:
        """Opt a group in (`now` given) or out of its owners' digest; False when nothing changed."""
        if now is None:
            return (
                await self.db.execute(
                    "DELETE FROM group_digest_optins WHERE community = ? AND group_id = ?", (community, group_id)
                )
                > 0
            )
        return (
            await self.db.execute(
                "INSERT INTO group_digest_optins (community, group_id, enabled_by, enabled_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (community, group_id, user_id, to_db(now)),
            )
            > 0
        )

    async def digest_groups(self, community: str) -> set[int]:
        """Ids of the groups opted in to their owners' digest."""
        rows = await self.db.fetchall("SELECT group_id FROM group_digest_optins WHERE community = ?", (community,))
        return {r["group_id"] for r in rows}

    async def group_period(self, community: str, group_id: int, start: datetime, end: datetime) -> tuple[int, int]:
        """(members who joined, members who left) a group in [start, end)."""
        bounds = (community, group_id, to_db(start), to_db(end))
        joined = await self.db.fetchval(
            "SELECT COUNT(*) FROM group_members WHERE community = ? AND group_id = ? "
            "AND joined_at >= ? AND joined_at < ?",
            bounds,
        )
        left = await self.db.fetchval(
            "SELECT COUNT(*) FROM group_departures WHERE community = ? AND group_id = ? "
            "AND left_at >= ? AND left_at < ?",
            bounds,
        )
        return int(joined or 0), int(left or 0)

    async def topics_between(self, community: str, group_id: int, start: datetime, end: datetime) -> list[str]:
        """Titles of the topics opened in a group in [start, end), oldest first."""
        rows = await self.db.fetchall(
            "SELECT title FROM group_topics WHERE community = ? AND group_id = ? "
            "AND created_at >= ? AND created_at < ? ORDER BY created_at, id",
            (community, group_id, to_db(start), to_db(end)),
        )
        return [r["title"] for r in rows]

    # ------------------------------------------------------------ privacy

    async def export_user(self, community: str, user_id: str) -> dict[str, Any]:
        """Everything stored about a member, JSON-ready."""
        rows = await self.db.fetchall(
            "SELECT g.name, m.is_owner, m.notify, m.joined_at FROM group_members m JOIN community_groups g "
            "ON g.community = m.community AND g.id = m.group_id WHERE m.community = ? AND m.user_id = ? "
            "ORDER BY g.name_key",
            (community, user_id),
        )
        memberships = [
            {"group": r["name"], "owner": bool(r["is_owner"]), "notify": bool(r["notify"]), "joined_at": r["joined_at"]}
            for r in rows
        ]
        out: dict[str, Any] = {"memberships": memberships}
        for key, table, column in (
            ("join_requests", "group_join_requests", "requested_at"),
            ("bans", "group_bans", "banned_at"),
        ):
            rows = await self.db.fetchall(
                f"SELECT g.name, t.{column} AS at FROM {table} t JOIN community_groups g ON g.community = "
                "t.community AND g.id = t.group_id WHERE t.community = ? AND t.user_id = ? ORDER BY g.name_key",
                (community, user_id),
            )
            out[key] = [{"group": r["name"], "at": r["at"]} for r in rows]
        rows = await self.db.fetchall(
            "SELECT name, created_at FROM community_groups WHERE community = ? AND created_by = ? ORDER BY name_key",
            (community, user_id),
        )
        out["groups_created"] = [{"group": r["name"], "created_at": r["created_at"]} for r in rows]
        location = await self.location(community, user_id)
        out["location"] = (
            {"city": location.city_name, "country": location.country, "geoname_id": location.city_id}
            if location
            else None
        )
        out["join_suggestion_sent_at"] = await self.db.fetchval(
            "SELECT sent_at FROM group_welcomes WHERE community = ? AND user_id = ?", (community, user_id)
        )
        rows = await self.db.fetchall(
            "SELECT g.name, o.enabled_at FROM group_digest_optins o JOIN community_groups g "
            "ON g.community = o.community AND g.id = o.group_id WHERE o.community = ? "
            "AND o.enabled_by = ? ORDER BY g.name_key",
            (community, user_id),
        )
        out["group_digests_enabled"] = [{"group": r["name"], "enabled_at": r["enabled_at"]} for r in rows]
        return out

    async def forget_user(self, tx: Sql, community: str, user_id: str, now: datetime) -> int:
        """Delete a member's data inside `tx`; a group losing its last owner passes to its
        longest-standing member, or stays ownerless and flagged for the moderators."""
        owned = await tx.fetchall(
            "SELECT group_id FROM group_members WHERE community = ? AND user_id = ? AND is_owner = 1 ORDER BY group_id",
            (community, user_id),
        )
        await tx.execute(
            "INSERT INTO group_departures (community, group_id, left_at) SELECT community, group_id, ? "
            "FROM group_members WHERE community = ? AND user_id = ?",
            (to_db(now), community, user_id),
        )
        removed = 0
        for table in ("group_members", "group_join_requests", "group_member_locations", "group_welcomes"):
            removed += await tx.execute(
                f"DELETE FROM {table} WHERE community = ? AND user_id = ?", (community, user_id)
            )
        for row in owned:
            await self._hand_over(tx, community, row["group_id"])
        for table, column in (
            ("community_groups", "created_by"),
            ("group_topics", "created_by"),
            ("group_digest_optins", "enabled_by"),
            ("group_announcements", "author"),
            ("group_bans", "banned_by"),
        ):
            await tx.execute(
                f"UPDATE {table} SET {column} = NULL WHERE community = ? AND {column} = ?", (community, user_id)
            )
        return removed

    async def _hand_over(self, tx: Sql, community: str, group_id: int) -> None:
        if await tx.fetchval(
            "SELECT 1 FROM group_members WHERE community = ? AND group_id = ? AND is_owner = 1", (community, group_id)
        ):
            return
        heir = await tx.fetchval(
            "SELECT user_id FROM group_members WHERE community = ? AND group_id = ? "
            "ORDER BY joined_at, user_id LIMIT 1",
            (community, group_id),
        )
        if heir is not None:
            await tx.execute(
                "UPDATE group_members SET is_owner = 1 WHERE community = ? AND group_id = ? AND user_id = ?",
                (community, group_id, heir),
            )
        else:
            await tx.execute(
                "UPDATE community_groups SET ownerless = 1 WHERE community = ? AND id = ?", (community, group_id)
            )
