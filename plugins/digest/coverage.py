"""Since when the digest has data about a community: the first local day the bot saw it.

That day is the earliest of: the community's settings row (`communities.created_at`), the first member it
recorded (`members.first_seen_at`), the first day of activity (`activity_community_daily.day`), the day a
manager first set the digest up (`digest_settings.created_at`: the bot was there, listening) and the first
member count recorded by the growth feature (`digest_member_counts.day`).
Moments are UTC and become local days in the community's time zone; rollup days already are.

A period that ends on or before that day has no data: every figure is None ("—", an empty CSV cell, a gap
in a chart), never zero. A period that starts before it is only partly covered, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.plugin import Sql
from bot.storage.times import from_db
from plugins.digest.periods import Period, local_today

# Each query gives one candidate for a community: a UTC moment (made a local day) or a local day.
_MOMENTS: Sequence[str] = (
    "SELECT created_at FROM communities WHERE community = ?",
    "SELECT MIN(first_seen_at) FROM members WHERE community = ?",
    "SELECT created_at FROM digest_settings WHERE community = ?",
)
_DAYS: Sequence[str] = (
    "SELECT MIN(day) FROM activity_community_daily WHERE community = ?",
    "SELECT MIN(day) FROM digest_member_counts WHERE community = ?",
)


async def first_day(db: Sql, community: str, tz: str) -> date | None:
    """The first local day the bot saw `community` (None: it never did)."""
    found: list[date] = []
    for sql in _MOMENTS:
        value = await db.fetchval(sql, (community,))
        if value:
            found.append(local_today(from_db(value), tz))
    for sql in _DAYS:
        value = await db.fetchval(sql, (community,))
        if value:
            found.append(date.fromisoformat(str(value)[:10]))
    return min(found) if found else None


def covered(period: Period, since: date | None) -> bool:
    """True when at least one day of the period is on or after the first day the bot saw the community."""
    return since is not None and period.end > since


def partly_covered(period: Period, since: date | None) -> bool:
    """True when the period started before the bot saw the community and ends after."""
    return since is not None and period.start < since < period.end
