"""Every SQL statement of personal watch lists: keywords, mutes, preferences, readable channels and pending
matches (tables `watch_*` of migrations/filters/0001_tables.sql)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.plugin import Sql
from plugins.filters.repo import PendingMatch, WatchMember, WatchWord, from_db, to_db

_MATCH_COLUMNS = "id, user_id, keyword, channel_id, thread_id, message_id, author_id, excerpt, at"


def _match(r: Any) -> PendingMatch:
    return PendingMatch(
        r["id"],
        r["user_id"],
        r["keyword"],
        r["channel_id"],
        r["thread_id"],
        r["message_id"],
        r["author_id"],
        r["excerpt"],
        from_db(r["at"]),
    )


class WatchRepo:
    """Reads and writes the watch tables."""

    def __init__(self, db: Sql) -> None:
        self.db = db

    # ------------------------------------------------------------ members

    async def members(self, community: str) -> list[WatchMember]:
        """Every member with watch preferences in a community."""
        rows = await self.db.fetchall(
            "SELECT user_id, frequency, optout, last_period FROM watch_members WHERE community = ? ORDER BY user_id",
            (community,),
        )
        return [WatchMember(r["user_id"], r["frequency"], bool(r["optout"]), r["last_period"]) for r in rows]

    async def member(self, community: str, user_id: str) -> WatchMember:
        """One member's preferences (defaults when none)."""
        rows = await self.db.fetchall(
            "SELECT user_id, frequency, optout, last_period FROM watch_members WHERE community = ? AND user_id = ?",
            (community, user_id),
        )
        if not rows:
            return WatchMember(user_id, "daily", False, None)
        r = rows[0]
        return WatchMember(r["user_id"], r["frequency"], bool(r["optout"]), r["last_period"])

    async def set_preference(self, community: str, user_id: str, column: str, value: object) -> None:
        """Set `frequency`, `optout` or `last_period` for a member."""
        if column not in ("frequency", "optout", "last_period"):
            raise ValueError(column)
        # `column` is one of the three names checked above, never input.
        await self.db.execute(
            f"INSERT INTO watch_members (community, user_id, {column}) VALUES (?, ?, ?) "
            f"ON CONFLICT (community, user_id) DO UPDATE SET {column} = excluded.{column}",
            (community, user_id, value),
        )

    async def communities(self) -> list[str]:
        """Communities with pending matches."""
        rows = await self.db.fetchall("SELECT DISTINCT community FROM watch_matches ORDER BY community")
        return [r["community"] for r in rows]

    # ------------------------------------------------------------ keywords and mutes

    async def words(self, community: str, user_id: str | None = None) -> list[WatchWord]:
        """Keywords and muted words of a community (or of one member), in alphabetical order."""
        sql = "SELECT user_id, kind, normal, keyword FROM watch_keywords WHERE community = ?"
        params: tuple[str, ...] = (community,)
        if user_id is not None:
            sql += " AND user_id = ?"
            params += (user_id,)
        rows = await self.db.fetchall(sql + " ORDER BY normal, user_id, kind", params)
        return [WatchWord(r["user_id"], r["kind"], r["normal"], r["keyword"]) for r in rows]

    async def add_words(
        self, community: str, user_id: str, kind: str, words: Sequence[tuple[str, str]], now: datetime
    ) -> int:
        """Add (normal, as typed) words of a kind; duplicates are skipped; returns rows added."""
        return await self.db.executemany(
            "INSERT INTO watch_keywords (community, user_id, kind, normal, keyword, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(community, user_id, kind, normal, typed, to_db(now)) for normal, typed in words],
        )

    async def remove_words(self, community: str, user_id: str, kind: str, normals: Iterable[str]) -> int:
        """Remove words of a kind by normal form; returns rows removed."""
        return await self.db.executemany(
            "DELETE FROM watch_keywords WHERE community = ? AND user_id = ? AND kind = ? AND normal = ?",
            [(community, user_id, kind, n) for n in normals],
        )

    async def muted_authors(self, community: str, user_id: str | None = None) -> list[tuple[str, str]]:
        """(member, muted author) pairs of a community or a member."""
        sql = "SELECT user_id, author_id FROM watch_muted_authors WHERE community = ?"
        params: tuple[str, ...] = (community,)
        if user_id is not None:
            sql += " AND user_id = ?"
            params += (user_id,)
        rows = await self.db.fetchall(sql + " ORDER BY author_id, user_id", params)
        return [(r["user_id"], r["author_id"]) for r in rows]

    async def set_muted_author(self, community: str, user_id: str, author_id: str, muted: bool) -> bool:
        """Mute or unmute an author for a member; True when something changed."""
        if muted:
            sql = (
                "INSERT INTO watch_muted_authors (community, user_id, author_id) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING"
            )
        else:
            sql = "DELETE FROM watch_muted_authors WHERE community = ? AND user_id = ? AND author_id = ?"
        return await self.db.execute(sql, (community, user_id, author_id)) > 0

    # ------------------------------------------------------------ readable channels

    async def note_channel(self, community: str, user_id: str, channel_id: str, at: datetime) -> None:
        """Remember that a watching member posted in a channel."""
        await self.db.execute(
            "INSERT INTO watch_channels (community, user_id, channel_id, last_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (community, user_id, channel_id) DO UPDATE SET last_at = excluded.last_at",
            (community, user_id, channel_id, to_db(at)),
        )

    async def channels(self, community: str, user_id: str) -> set[str]:
        """Channels the member posted in."""
        rows = await self.db.fetchall(
            "SELECT channel_id FROM watch_channels WHERE community = ? AND user_id = ?", (community, user_id)
        )
        return {r["channel_id"] for r in rows}

    # ------------------------------------------------------------ pending matches

    async def add_matches(
        self, community: str, rows: Sequence[tuple[str, str, str, str | None, str, str, str]], at: datetime
    ) -> None:
        """Store (member, keyword, channel, thread, message, author, excerpt) matches of one message."""
        await self.db.executemany(
            "INSERT INTO watch_matches (community, user_id, keyword, channel_id, thread_id, message_id, author_id, "
            "excerpt, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(community, *row, to_db(at)) for row in rows],
        )

    async def drop_message(self, community: str, author_id: str, channel_id: str, message_id: str) -> int:
        """Delete the pending matches of one message (edited into noise, or deleted); returns rows removed."""
        return await self.db.execute(
            "DELETE FROM watch_matches WHERE community = ? AND author_id = ? AND channel_id = ? AND message_id = ?",
            (community, author_id, channel_id, message_id),
        )

    async def drop_deleted(self, community: str, channel_id: str, message_id: str) -> int:
        """Delete the pending matches of a deleted message (the event does not say who wrote it)."""
        return await self.db.execute(
            "DELETE FROM watch_matches WHERE community = ? AND channel_id = ? AND message_id = ?",
            (community, channel_id, message_id),
        )

    async def pending(
        self, community: str, user_id: str | None = None, before: datetime | None = None, author_id: str | None = None
    ) -> list[PendingMatch]:
        """Pending matches for a member (or about an author), newest first, optionally before a moment."""
        sql = f"SELECT {_MATCH_COLUMNS} FROM watch_matches WHERE community = ?"
        params: list[str] = [community]
        for column, value in (("user_id", user_id), ("author_id", author_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if before is not None:
            sql += " AND at < ?"
            params.append(to_db(before))
        rows = await self.db.fetchall(sql + " ORDER BY at DESC, id DESC", tuple(params))
        return [_match(r) for r in rows]

    async def pending_members(self, community: str) -> list[str]:
        """Members with pending matches."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT user_id FROM watch_matches WHERE community = ? ORDER BY user_id", (community,)
        )
        return [r["user_id"] for r in rows]

    async def delete_matches(self, ids: Iterable[int]) -> int:
        """Delete delivered (or dropped) matches."""
        return await self.db.executemany("DELETE FROM watch_matches WHERE id = ?", [(i,) for i in ids])

    async def delete_member_matches(self, community: str, user_id: str) -> int:
        """Drop every pending match of a member (watch turned off)."""
        return await self.db.execute(
            "DELETE FROM watch_matches WHERE community = ? AND user_id = ?", (community, user_id)
        )

    async def delete_author_matches(self, community: str, author_id: str) -> int:
        """Drop every pending match of messages by an author (the author opted out)."""
        return await self.db.execute(
            "DELETE FROM watch_matches WHERE community = ? AND author_id = ?", (community, author_id)
        )

    async def forget(self, community: str, user_id: str) -> int:
        """Delete everything about a member: as watcher, as muted author and as author of pending excerpts."""
        removed = 0
        for sql in (
            "DELETE FROM watch_keywords WHERE community = ? AND user_id = ?",
            "DELETE FROM watch_muted_authors WHERE community = ? AND (user_id = ? OR author_id = ?)",
            "DELETE FROM watch_members WHERE community = ? AND user_id = ?",
            "DELETE FROM watch_channels WHERE community = ? AND user_id = ?",
            "DELETE FROM watch_matches WHERE community = ? AND (user_id = ? OR author_id = ?)",
        ):
            params = (community, user_id, user_id) if sql.count("?") == 3 else (community, user_id)
            removed += await self.db.execute(sql, params)
        return removed
