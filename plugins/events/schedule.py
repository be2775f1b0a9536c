"""Which dates of an event exist: the upcoming occurrences of a repeating event are kept topped up to
`occurrences_ahead` (bot.when.recurrence, bounded), a one-off has one. New ones are returned so their
reminders, cards and mirrors can follow.

Owned by events-core; events-life calls `top_up` after each occurrence ends."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.plugin import Sql
from bot.when.recurrence import HORIZON_YEARS, occurrences
from plugins.events.desk import Desk
from plugins.events.records import CANCELLED, Event, Occurrence

# How far ahead dates are looked for: a rule that gives nothing within its horizon was refused when given.
HORIZON = timedelta(days=366 * (HORIZON_YEARS + 1))


def next_starts(rule: str | None, start_local: datetime, tz: str, *, after: datetime, count: int) -> list[datetime]:
    """The next `count` UTC starts after `after` of a rule from a naive local start (the start itself for a
    one-off); bounded by `recurrence` (count, span, horizon). Pure and CPU-bound: call it off the loop."""
    if count <= 0:
        return []
    return occurrences(rule, start_local, tz, after=after, until=after + HORIZON, limit=count)


async def next_starts_off_loop(
    rule: str | None, start_local: datetime, tz: str, *, after: datetime, count: int
) -> list[datetime]:
    """`next_starts` on a worker thread (a rule's search may walk years of dates)."""
    return await asyncio.to_thread(next_starts, rule, start_local, tz, after=after, count=count)


def spans(starts: list[datetime], duration_min: int) -> list[tuple[datetime, datetime]]:
    """(start, end) of each start."""
    return [(s, s + timedelta(minutes=duration_min)) for s in starts]


async def top_up(desk: Desk, event: Event, sql: Sql | None = None) -> list[Occurrence]:
    """Create the missing upcoming occurrences of `event` (none for a cancelled one); the new ones."""
    if event.status == CANCELLED:
        return []
    now = desk.now()
    existing = await desk.repo.occurrences(event.community, event.id, sql)
    ahead = [o for o in existing if o.starts_at > now and o.status != CANCELLED]
    wanted = (desk.settings.occurrences_ahead if event.rule else 1) - len(ahead)
    if event.rule is None and existing:
        return []  # a one-off has its one date, past or not
    after = max([now, *(o.starts_at for o in existing)])
    starts = await next_starts_off_loop(event.rule, event.start_local, event.timezone, after=after, count=wanted)
    if not starts:
        return []
    if sql is not None:
        ids = await desk.repo.insert_occurrences(sql, event.community, event.id, spans(starts, event.duration_min), now)
    else:
        async with desk.ctx.db.transaction() as tx:
            ids = await desk.repo.insert_occurrences(
                tx, event.community, event.id, spans(starts, event.duration_min), now
            )
    made = await desk.repo.occurrences(event.community, event.id, sql)
    return [o for o in made if o.id in ids]
