"""Every SQL statement of the filters plugin: rules, exemptions, hit counts, watch lists and pending matches.

Owns the tables of migrations/filters/0001_tables.sql. Rows come back as frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.plugin import Sql
from bot.storage.times import from_db as from_db
from bot.storage.times import to_db as to_db
from plugins.filters.matcher import RuleSpec

# `filter_hits` rows that count messages rather than one rule's hits: in place of a rule id (ids start at 1),
# the messages caught by the community's own rules (noise) or by a built-in bait rule, per action taken.
MESSAGES_NOISE = 0
MESSAGES_BAIT = -1


@dataclass(frozen=True, slots=True)
class Exemption:
    """A channel or role the filters skip."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class HitCount:
    """Messages caught by one rule with one action over a period."""

    rule_id: int
    phrase: str
    action: str
    hits: int


@dataclass(frozen=True, slots=True)
class WatchMember:
    """A member's watch preferences."""

    user_id: str
    frequency: str
    optout: bool
    last_period: str | None


@dataclass(frozen=True, slots=True)
class WatchWord:
    """A watched keyword or a muted word of a member."""

    user_id: str
    kind: str
    normal: str
    keyword: str


@dataclass(frozen=True, slots=True)
class PendingMatch:
    """A message waiting for a member's digest."""

    id: int
    user_id: str
    keyword: str
    channel_id: str
    thread_id: str | None
    message_id: str
    author_id: str
    excerpt: str
    at: datetime


class FiltersRepo:
    """Reads and writes the filters plugin's tables."""

    def __init__(self, db: Sql) -> None:
        self.db = db

    # ------------------------------------------------------------ rules

    async def rules(self, community: str) -> list[RuleSpec]:
        """Every rule of a community, oldest first."""
        rows = await self.db.fetchall(
            "SELECT id, phrase, normal, action, is_regex, builtin FROM filter_rules WHERE community = ? ORDER BY id",
            (community,),
        )
        return [
            RuleSpec(
                r["id"],
                r["phrase"] if r["is_regex"] else r["normal"],
                r["action"],
                bool(r["is_regex"]),
                bool(r["builtin"]),
                r["phrase"],
            )
            for r in rows
        ]

    async def add_rules(self, community: str, rules: Iterable[tuple[str, str, str, bool, bool]], now: datetime) -> int:
        """Add (phrase, normal, action, is_regex, builtin) rules; existing ones are kept; returns rows added."""
        return await self.db.executemany(
            "INSERT INTO filter_rules (community, phrase, normal, action, is_regex, builtin, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(community, p, n, a, int(rx), int(b), to_db(now)) for p, n, a, rx, b in rules],
        )

    async def find_rule(self, community: str, normal: str, is_regex: bool) -> int | None:
        """The id of a rule with this normal form, if any."""
        value = await self.db.fetchval(
            "SELECT id FROM filter_rules WHERE community = ? AND normal = ? AND is_regex = ?",
            (community, normal, int(is_regex)),
        )
        return int(value) if value is not None else None

    async def count_rules(self, community: str, *, regex: bool = False) -> int:
        """How many rules a community has (only its patterns with `regex`)."""
        sql = "SELECT COUNT(*) FROM filter_rules WHERE community = ?" + (" AND is_regex = 1" if regex else "")
        return int(await self.db.fetchval(sql, (community,)))

    async def remove_rule(self, community: str, rule_id: int) -> bool:
        """Delete one rule."""
        return (
            await self.db.execute("DELETE FROM filter_rules WHERE community = ? AND id = ?", (community, rule_id)) > 0
        )

    async def remove_builtin(self, community: str) -> int:
        """Delete the built-in rules (bait off)."""
        return await self.db.execute("DELETE FROM filter_rules WHERE community = ? AND builtin = 1", (community,))

    # ------------------------------------------------------------ exemptions

    async def exemptions(self, community: str) -> list[Exemption]:
        """Exempt channels and roles."""
        rows = await self.db.fetchall(
            "SELECT kind, value FROM filter_exemptions WHERE community = ? ORDER BY kind, value", (community,)
        )
        return [Exemption(r["kind"], r["value"]) for r in rows]

    async def set_exemption(self, community: str, kind: str, value: str, exempt: bool) -> bool:
        """Add or remove an exemption; True when something changed."""
        if exempt:
            sql = "INSERT INTO filter_exemptions (community, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        else:
            sql = "DELETE FROM filter_exemptions WHERE community = ? AND kind = ? AND value = ?"
        return await self.db.execute(sql, (community, kind, value)) > 0

    # ------------------------------------------------------------ hit counts

    async def messages_posted(self, community: str, first_day: str, last_day: str) -> int | None:
        """Messages posted between two local days (inclusive), from the core's daily rollup (read only);
        None when the rollup has no day of the period (the bot saw nothing: no data, not zero)."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS days, SUM(messages) AS n FROM activity_community_daily "
            "WHERE community = ? AND day >= ? AND day <= ?",
            (community, first_day, last_day),
        )
        return int(row["n"] or 0) if row and row["days"] else None

    async def has_rules(self, community: str) -> bool:
        """True when the community has any filter rule (the filters are in use)."""
        return (
            await self.db.fetchval("SELECT 1 FROM filter_rules WHERE community = ? LIMIT 1", (community,)) is not None
        )

    async def add_hits(self, counts: Mapping[tuple[str, str, int, str, str], int]) -> None:
        """Add buffered counts keyed by (community, hour, rule id, phrase, action)."""
        await self.db.executemany(
            "INSERT INTO filter_hits (community, hour, rule_id, phrase, action, hits) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (community, hour, rule_id, action) DO UPDATE SET hits = filter_hits.hits + excluded.hits",
            [(*key, n) for key, n in counts.items()],
        )

    async def hits(self, community: str, start: datetime, end: datetime) -> list[HitCount]:
        """Messages caught per rule and action in [start, end), most first (with the message counts,
        `MESSAGES_NOISE` and `MESSAGES_BAIT`, as rules of their own)."""
        rows = await self.db.fetchall(
            "SELECT rule_id, MAX(phrase) AS phrase, action, SUM(hits) AS hits FROM filter_hits "
            "WHERE community = ? AND hour >= ? AND hour < ? GROUP BY rule_id, action "
            "ORDER BY SUM(hits) DESC, rule_id, action",
            (community, to_db(start), to_db(end)),
        )
        return [HitCount(r["rule_id"], r["phrase"], r["action"], int(r["hits"])) for r in rows]
