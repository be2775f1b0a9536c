"""Per-community settings (time zone, locale, channel and role purposes) and per-member
preferences (language, time zone) and membership dates, cached in memory because every event reads them.

Owns the tables `communities`, `community_channels`, `community_roles` and `members`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.i18n import normalize_locale
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.protocols import Sql
from bot.storage.database import Database
from bot.storage.times import from_db, to_db

CHANNEL_PURPOSES: tuple[str, ...] = ("digest", "helpers", "moderation", "calendar")
ROLE_PURPOSES: tuple[str, ...] = ("moderators", "helpers", "managers")
# Member ids bound per `IN (...)` query by `joined_dates`.
_IDS_PER_QUERY = 500


@dataclass(frozen=True)
class CommunitySettings:
    """What a community chose; unset values fall back to the configuration."""

    community: str
    timezone: str
    locale: str
    channels: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)

    def channel(self, purpose: str) -> ChannelRef | None:
        """The channel set for a purpose (digest, helpers, moderation, calendar), if any."""
        channel_id = self.channels.get(purpose)
        if channel_id is None:
            return None
        ref = CommunityRef.from_key(self.community)
        return ChannelRef(ref.platform, ref.workspace_id, channel_id)


class CommunityStore:
    """Reads and writes community settings and member preferences, with a write-through cache."""

    def __init__(
        self, db: Database, default_timezone: str, default_locale: str, *, max_age: float | None = None
    ) -> None:
        """`max_age` (seconds): with several processes on one database (PostgreSQL), another process may
        change a community's settings; a cached entry older than this is read again. None: the cache is
        the only writer's, always current (SQLite: one process)."""
        self._db = db
        self.default_timezone = default_timezone
        self.default_locale = default_locale
        self._max_age = max_age
        self._read_at: dict[str, float] = {}  # time.monotonic() of each cached entry's read
        self._cache: dict[str, CommunitySettings] = {}
        self._generation = 0  # bumped by every settings write
        self._member_locale: dict[tuple[str, str], str | None] = {}
        self._member_timezone: dict[tuple[str, str], str | None] = {}

    async def get(self, community: CommunityRef | str) -> CommunitySettings:
        """Settings of a community (defaults when it never changed anything)."""
        key = community if isinstance(community, str) else community.key
        cached = self._cache.get(key)
        if cached is not None and (
            self._max_age is None or time.monotonic() - self._read_at.get(key, 0.0) < self._max_age
        ):
            return cached
        generation = self._generation
        read_at = time.monotonic()
        row = await self._db.fetchone("SELECT timezone, locale FROM communities WHERE community = ?", (key,))
        channels = {
            r["purpose"]: r["channel_id"]
            for r in await self._db.fetchall(
                "SELECT purpose, channel_id FROM community_channels WHERE community = ?", (key,)
            )
        }
        roles = {
            r["purpose"]: r["role_id"]
            for r in await self._db.fetchall("SELECT purpose, role_id FROM community_roles WHERE community = ?", (key,))
        }
        settings = CommunitySettings(
            community=key,
            timezone=(row["timezone"] if row and row["timezone"] else self.default_timezone),
            locale=(row["locale"] if row and row["locale"] else self.default_locale),
            channels=channels,
            roles=roles,
        )
        # A write that happened during our reads may have been read half: cache only a clean read.
        if generation == self._generation:
            self._cache[key] = settings
            self._read_at[key] = read_at
        return settings

    async def known(self) -> list[CommunitySettings]:
        """Every community the database has heard of (chosen settings, members or activity), by key, each
        with its settings (`affinity-bot communities`; the command line lists them after a wrong key)."""
        rows = await self._db.fetchall(
            "SELECT community FROM communities UNION SELECT community FROM members "
            "UNION SELECT community FROM activity_community_daily ORDER BY community"
        )
        return [await self.get(row["community"]) for row in rows]

    def timezone_of(self, community_key: str) -> str:
        """The time zone of a community from the cache (the activity writer calls this per row)."""
        cached = self._cache.get(community_key)
        return cached.timezone if cached else self.default_timezone

    async def _ensure(self, key: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO communities (community, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (key, to_db(now)),
        )

    async def set_timezone(self, community: CommunityRef, tz: str, now: datetime) -> None:
        """Change the community's time zone."""
        await self._ensure(community.key, now)
        await self._db.execute("UPDATE communities SET timezone = ? WHERE community = ?", (tz, community.key))
        self._invalidate(community.key)
        await self.get(community)  # refill at once: the activity writer reads zones from the cache

    async def set_locale(self, community: CommunityRef, locale: str, now: datetime) -> None:
        """Change the community's language."""
        await self._ensure(community.key, now)
        await self._db.execute("UPDATE communities SET locale = ? WHERE community = ?", (locale, community.key))
        self._invalidate(community.key)

    async def set_channel(self, community: CommunityRef, purpose: str, channel_id: str | None) -> None:
        """Set (or clear, with None) the channel used for a purpose."""
        await self._set_purpose("community_channels", "channel_id", community, purpose, channel_id)

    async def set_role(self, community: CommunityRef, purpose: str, role_id: str | None) -> None:
        """Set (or clear, with None) the role used for a purpose."""
        await self._set_purpose("community_roles", "role_id", community, purpose, role_id)

    async def _set_purpose(
        self, table: str, column: str, community: CommunityRef, purpose: str, value: str | None
    ) -> None:
        # `table` and `column` come from the two callers above, never from input.
        if value is None:
            await self._db.execute(f"DELETE FROM {table} WHERE community = ? AND purpose = ?", (community.key, purpose))
        else:
            await self._db.execute(
                f"INSERT INTO {table} (community, purpose, {column}) VALUES (?, ?, ?) "
                f"ON CONFLICT (community, purpose) DO UPDATE SET {column} = excluded.{column}",
                (community.key, purpose, value),
            )
        self._invalidate(community.key)

    def _invalidate(self, key: str) -> None:
        self._generation += 1
        self._cache.pop(key, None)

    # ------------------------------------------------------------ members

    async def member_locale(self, user: UserRef) -> str | None:
        """The member's own language choice, if any."""
        key = (user.community.key, user.user_id)
        if key not in self._member_locale:
            value = await self._db.fetchval("SELECT locale FROM members WHERE community = ? AND user_id = ?", key)
            self._member_locale[key] = value
        return self._member_locale[key]

    async def set_member_locale(self, user: UserRef, locale: str | None, now: datetime) -> None:
        """Set (or clear) the member's language."""
        await self._db.execute(
            "INSERT INTO members (community, user_id, locale, first_seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community, user_id) DO UPDATE SET locale = excluded.locale",
            (user.community.key, user.user_id, locale, to_db(now)),
        )
        self._member_locale[(user.community.key, user.user_id)] = locale

    async def locale_for(self, user: UserRef | None, community: CommunityRef, hint: str | None = None) -> str:
        """The language to use: member's choice > platform hint > community setting > default."""
        if user is not None:
            chosen = await self.member_locale(user)
            if chosen:
                return chosen
        hinted = normalize_locale(hint)
        if hinted:
            return hinted
        return (await self.get(community)).locale

    async def member_timezone(self, user: UserRef) -> str | None:
        """The member's own time zone choice (`/timezone`), if any."""
        key = (user.community.key, user.user_id)
        if key not in self._member_timezone:
            value = await self._db.fetchval("SELECT timezone FROM members WHERE community = ? AND user_id = ?", key)
            self._member_timezone[key] = value
        return self._member_timezone[key]

    async def set_member_timezone(self, user: UserRef, tz: str | None, now: datetime) -> None:
        """Set (or clear, to follow the community's) the member's IANA time zone."""
        await self._db.execute(
            "INSERT INTO members (community, user_id, timezone, first_seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community, user_id) DO UPDATE SET timezone = excluded.timezone",
            (user.community.key, user.user_id, tz, to_db(now)),
        )
        self._member_timezone[(user.community.key, user.user_id)] = tz

    async def timezone_for(self, user: UserRef, community: CommunityRef) -> str:
        """The time zone a member reads times in: their own choice, else the community's."""
        return await self.member_timezone(user) or (await self.get(community)).timezone

    async def record_membership(self, user: UserRef, now: datetime, *, joined: bool) -> None:
        """Remember when a member joined or left (the questions plugin weights newcomers)."""
        column = "joined_at" if joined else "left_at"
        await self._db.execute(
            f"INSERT INTO members (community, user_id, first_seen_at, {column}) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT (community, user_id) DO UPDATE SET {column} = excluded.{column}",
            (user.community.key, user.user_id, to_db(now), to_db(now)),
        )

    async def joined_at(self, user: UserRef) -> datetime | None:
        """When the member joined, when the platform told us."""
        value = await self._db.fetchval(
            "SELECT joined_at FROM members WHERE community = ? AND user_id = ?", (user.community.key, user.user_id)
        )
        return from_db(value) if value else None

    async def joined_dates(self, community: CommunityRef, user_ids: Iterable[str]) -> dict[str, datetime | None]:
        """When each of the members joined (None where the platform never told us), in one query: the
        questions leaderboard asks for hundreds of askers at once."""
        wanted = sorted(set(user_ids))
        found: dict[str, datetime | None] = dict.fromkeys(wanted)
        if not wanted:
            return found
        # A `?` per member, in chunks far below both engines' parameter limits (SQLite 32,766, PostgreSQL
        # 32,767): `json_each` would be SQLite's only, and a chunk is still one query for a leaderboard.
        for first in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = wanted[first : first + _IDS_PER_QUERY]
            rows = await self._db.fetchall(
                "SELECT user_id, joined_at FROM members WHERE community = ? AND joined_at IS NOT NULL "
                f"AND user_id IN ({', '.join('?' * len(chunk))})",
                (community.key, *chunk),
            )
            for row in rows:
                found[row["user_id"]] = from_db(row["joined_at"])
        return found

    async def export_member(self, user: UserRef) -> dict[str, Any]:
        """The member's preferences and membership dates."""
        row = await self._db.fetchone(
            "SELECT locale, timezone, first_seen_at, joined_at, left_at FROM members "
            "WHERE community = ? AND user_id = ?",
            (user.community.key, user.user_id),
        )
        return dict(row) if row else {}

    async def forget_member(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's preferences and membership dates inside `tx`."""
        self._member_locale.pop((user.community.key, user.user_id), None)
        self._member_timezone.pop((user.community.key, user.user_id), None)
        return await tx.execute(
            "DELETE FROM members WHERE community = ? AND user_id = ?", (user.community.key, user.user_id)
        )
