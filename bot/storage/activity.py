"""Activity storage: the batched writer of message metadata and daily rollups, retention and privacy.

Owns the tables of migrations/core/0001_activity.sql: `messages` (raw metadata, never the text) and
the `activity_*_daily` rollups, whose `day` is the local day in the community's time zone at write time.

How a flush stays fast and exact:
1. on the event loop, the buffer is swapped for an empty one and the batch's time zones are looked up
   (the community settings belong to the loop); nothing else, so a flush never holds the loop for the
   milliseconds a 2,000-row batch takes to prepare (the benchmarks' worst loop stall, issue 14);
2. off the loop, in the same hand-over as the transaction (`Database.run_transaction`): duplicates
   inside the batch are dropped (first delivery wins), each row gets its local day, and the rollups are
   summed as if every row were new. On SQLite this is the database thread (rows travel as one JSON
   parameter, `bot/storage/bulk.py`: one SQLite step per statement, not one per row); handing a batch
   prepared elsewhere back would need the event loop, which a burst of chat keeps busy (ingest lost 8%
   that way, measured). On PostgreSQL each statement takes one array per column (unnest);
3. then BEGIN, one `INSERT ... ON CONFLICT DO NOTHING RETURNING` of the raw rows, one upsert per rollup
   table, COMMIT. The event loop reads the next batch meanwhile;
4. when RETURNING lists fewer rows than the batch (a redelivery, seen by this process or another one),
   the sums are redone from the rows really inserted, so no message is counted twice.
Reactions, joins and leaves have no raw table, so a redelivered reaction is counted again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from bot.declarations import MessageNotes
from bot.model import MemberJoined, MemberLeft, Message, ReactionAdded
from bot.protocols import Sql
from bot.storage.database import BulkSql, Database
from bot.storage.times import to_db, zone

__all__ = ["ActivityWriter", "export_member_activity", "forget_member_activity", "purge_raw_before"]

log = logging.getLogger(__name__)

# Single-row statements that `BulkSql.insert_rows` runs once for a whole batch (SQLite: one JSON parameter,
# see bot/storage/bulk.py for why; PostgreSQL: unnest of one array per column).
_INSERT_MESSAGE = """
INSERT INTO messages (community, channel_id, thread_id, message_id, author_id, at, length, reply_to,
                      is_question, language, tagged)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (community, channel_id, message_id) DO NOTHING
RETURNING community, channel_id, message_id
"""

_UPSERT_CHANNEL = """
INSERT INTO activity_channel_daily (community, day, channel_id, messages, replies, thread_messages,
                                    reactions, questions)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (community, day, channel_id) DO UPDATE SET
    messages = activity_channel_daily.messages + excluded.messages,
    replies = activity_channel_daily.replies + excluded.replies,
    thread_messages = activity_channel_daily.thread_messages + excluded.thread_messages,
    reactions = activity_channel_daily.reactions + excluded.reactions,
    questions = activity_channel_daily.questions + excluded.questions
"""

_UPSERT_MEMBER = """
INSERT INTO activity_member_daily (community, day, user_id, messages, replies, reactions_given,
                                   reactions_received)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (community, day, user_id) DO UPDATE SET
    messages = activity_member_daily.messages + excluded.messages,
    replies = activity_member_daily.replies + excluded.replies,
    reactions_given = activity_member_daily.reactions_given + excluded.reactions_given,
    reactions_received = activity_member_daily.reactions_received + excluded.reactions_received
"""

_UPSERT_COMMUNITY = """
INSERT INTO activity_community_daily (community, day, messages, joins, leaves)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (community, day) DO UPDATE SET
    messages = activity_community_daily.messages + excluded.messages,
    joins = activity_community_daily.joins + excluded.joins,
    leaves = activity_community_daily.leaves + excluded.leaves
"""

_UPSERT_LANGUAGE = """
INSERT INTO activity_language_daily (community, day, language, messages)
VALUES (?, ?, ?, ?)
ON CONFLICT (community, day, language) DO UPDATE SET
    messages = activity_language_daily.messages + excluded.messages
"""

_PURGE_CHUNK = 5000


class _Row(NamedTuple):
    """A buffered message: what the raw row and the rollups need, copied out of the mutable notes."""

    community: str
    channel_id: str
    thread_id: str | None
    message_id: str
    author_id: str
    at: datetime
    length: int
    reply_to: str | None
    is_question: int | None
    language: str | None
    tagged: int


class _Buffer:
    """Events waiting for the next flush, in arrival order."""

    __slots__ = ("joins", "leaves", "messages", "reactions")

    def __init__(self) -> None:
        self.messages: list[_Row] = []
        self.reactions: list[ReactionAdded] = []
        self.joins: list[MemberJoined] = []
        self.leaves: list[MemberLeft] = []

    def __len__(self) -> int:
        return len(self.messages) + len(self.reactions) + len(self.joins) + len(self.leaves)

    def put_back(self, older: _Buffer) -> None:
        """Re-insert a failed batch ahead of what arrived meanwhile."""
        self.messages[:0] = older.messages
        self.reactions[:0] = older.reactions
        self.joins[:0] = older.joins
        self.leaves[:0] = older.leaves


class _Days:
    """Local day of an instant per community, with the zone looked up once per community and flush."""

    def __init__(self, timezone_of: Callable[[str], str], warned: set[str]) -> None:
        self._timezone_of = timezone_of
        self._zones: dict[str, ZoneInfo] = {}
        self._warned = warned  # shared by the writer's flushes: warn once per community, not per flush
        # community -> (first instant, instant after the last, local day): a batch mostly falls on one day,
        # and two comparisons are much cheaper than a time zone conversion per row.
        self._last: dict[str, tuple[datetime, datetime, str]] = {}

    def resolve(self, communities: Iterable[str]) -> None:
        """Look the zones of these communities up now, on the event loop: `timezone_of` reads the loop's
        settings cache, which the database thread must not touch (see `_batch_work`)."""
        for community in communities:
            if community not in self._zones:
                self._zones[community] = self._zone(community)

    def __call__(self, community: str, at: datetime) -> str:
        last = self._last.get(community)
        if last is not None and last[0] <= at < last[1]:
            return last[2]
        tz = self._zones.get(community)
        if tz is None:
            tz = self._zones[community] = self._zone(community)
        local = at.astimezone(tz).date()
        span = _day_span(local, tz)
        if span is not None:
            self._last[community] = (*span, local.isoformat())
        return local.isoformat()

    def _zone(self, community: str) -> ZoneInfo:
        try:
            return zone(self._timezone_of(community))
        except Exception:
            # A broken setting must not block the writer forever (rows would pile up): count in UTC, say so.
            if community not in self._warned:
                self._warned.add(community)
                log.warning("activity: no usable time zone for %s; counting its days in UTC", community, exc_info=True)
            return ZoneInfo("UTC")


def _day_span(day: date, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The UTC instants where a local day starts and the next one starts; None when a time zone
    transition at midnight makes them uncertain (then every instant is converted)."""
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    before_end = end - timedelta(microseconds=1)
    if (
        start.astimezone(tz).date() != day
        or before_end.astimezone(tz).date() != day
        or end.astimezone(tz).date() == day
        or (start - timedelta(microseconds=1)).astimezone(tz).date() == day
    ):
        return None
    return start, end


class _Rollups:
    """Daily counters summed in memory, then written as one upsert per table."""

    def __init__(self, days: _Days) -> None:
        self._day = days
        self.channel: defaultdict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        self.member: defaultdict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.community: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.language: defaultdict[tuple[str, str, str], int] = defaultdict(int)

    def add_messages(self, rows: list[_Row]) -> None:
        for row in rows:
            day = self._day(row.community, row.at)
            reply = row.reply_to is not None
            channel = self.channel[(row.community, day, row.channel_id)]
            channel[0] += 1
            channel[1] += reply
            channel[2] += row.thread_id is not None
            channel[4] += bool(row.is_question)
            member = self.member[(row.community, day, row.author_id)]
            member[0] += 1
            member[1] += reply
            self.community[(row.community, day)][0] += 1
            if row.language and row.language != "unknown":
                self.language[(row.community, day, row.language)] += 1

    def add_reactions(self, reactions: list[ReactionAdded]) -> None:
        for reaction in reactions:
            community = reaction.community.key
            day = self._day(community, reaction.at)
            # A reaction in a thread counts for the thread's parent channel, like its messages.
            self.channel[(community, day, reaction.message.channel.channel_id)][3] += 1
            self.member[(community, day, reaction.user.user_id)][2] += 1
            if reaction.message_author is not None:
                self.member[(community, day, reaction.message_author.user_id)][3] += 1

    def add_members(self, joins: list[MemberJoined], leaves: list[MemberLeft]) -> None:
        for joined in joins:
            community = joined.community.key
            self.community[(community, self._day(community, joined.at))][1] += 1
        for left in leaves:
            community = left.community.key
            self.community[(community, self._day(community, left.at))][2] += 1

    def statements(self) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """One upsert per rollup table that has rows: (single-row SQL, its rows)."""
        tables = (
            (_UPSERT_CHANNEL, [(*key, *counts) for key, counts in self.channel.items()]),
            (_UPSERT_MEMBER, [(*key, *counts) for key, counts in self.member.items()]),
            (_UPSERT_COMMUNITY, [(*key, *counts) for key, counts in self.community.items()]),
            (_UPSERT_LANGUAGE, [(*key, count) for key, count in self.language.items()]),
        )
        return [(sql, rows) for sql, rows in tables if rows]


def _batch_work(batch: _Buffer, days: _Days) -> Callable[[BulkSql], None]:
    """Prepare a batch (rows, rollups) and return the database thread's part.

    Called on the database thread (`ActivityWriter._write`), with `days` already holding the batch's
    zones: it reads only the batch, which nothing else touches once taken off the buffer.

    Duplicates inside the batch are dropped here (first delivery wins). The rollups are summed as if
    every row were new, the usual case; when the insert skips some (redelivered messages), the thread
    sums them again from the rows really inserted (the time zones are cached by then)."""
    unique: dict[tuple[str, str, str], _Row] = {}
    for row in batch.messages:
        unique.setdefault((row.community, row.channel_id, row.message_id), row)

    def rollups(rows: list[_Row]) -> list[tuple[str, list[tuple[Any, ...]]]]:
        sums = _Rollups(days)
        sums.add_reactions(batch.reactions)
        sums.add_members(batch.joins, batch.leaves)
        sums.add_messages(rows)
        return sums.statements()

    planned = rollups(list(unique.values()))
    rows = [
        (
            r.community,
            r.channel_id,
            r.thread_id,
            r.message_id,
            r.author_id,
            to_db(r.at),
            r.length,
            r.reply_to,
            r.is_question,
            r.language,
            r.tagged,
        )
        for r in unique.values()
    ]

    def work(bulk: BulkSql) -> None:
        statements = planned
        if rows:
            # RETURNING lists the rows really inserted: a redelivered message (already stored, by this
            # process or another one) is skipped and its counts are not added twice.
            new = bulk.insert_rows_returning(_INSERT_MESSAGE, rows)
            if len(new) != len(unique):
                statements = rollups([unique[key] for key in (tuple(r) for r in new) if key in unique])
        for sql, values in statements:
            bulk.insert_rows(sql, values)

    return work


class ActivityWriter:
    """Buffers activity events and writes them in batches (raw rows + daily rollups, one transaction each)."""

    def __init__(
        self, db: Database, timezone_of: Callable[[str], str], *, batch_size: int = 500, flush_interval: float = 0.2
    ) -> None:
        """`timezone_of(community_key)` returns the community's IANA zone, e.g. 'Europe/Paris'."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._db = db
        self._timezone_of = timezone_of
        self._batch_size = batch_size
        self._interval = flush_interval
        self._buffer = _Buffer()
        self._lock = asyncio.Lock()  # one flush at a time, so batches are written in arrival order
        self._stopping = asyncio.Event()
        self._timer: asyncio.Task[None] | None = None
        self._auto: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Task[int]] = set()
        self._retry_at = 0  # after a failure, size-triggered retries wait for another batch to arrive
        self._failures = 0
        self._zone_warnings: set[str] = set()

    @property
    def pending(self) -> int:
        """Events buffered and not yet written."""
        return len(self._buffer)

    @property
    def flush_interval(self) -> float:
        """Seconds at most between an event being buffered and its flush (`activity.flush_ms`): the bound
        on what a crash may lose, which other buffered writers (the questions plugin's) share."""
        return self._interval

    # ------------------------------------------------------------ buffering (never blocks)

    def add_message(self, message: Message, notes: MessageNotes) -> None:
        """Buffer a message's metadata (not its text)."""
        channel = message.ref.channel
        self._buffer.messages.append(
            _Row(
                message.community.key,
                channel.channel_id,
                channel.thread_id,
                message.ref.message_id,
                message.author.user_id,
                message.at,
                len(message.text),
                message.reply_to.message_id if message.reply_to is not None else None,
                None if notes.is_question is None else int(notes.is_question),
                notes.language,
                int(bool(notes.tags)),
            )
        )
        self._maybe_flush()

    def add_reaction(self, reaction: ReactionAdded) -> None:
        """Buffer a reaction (counted for the channel, the reacting member and the message's author)."""
        self._buffer.reactions.append(reaction)
        self._maybe_flush()

    def add_member_joined(self, event: MemberJoined) -> None:
        """Buffer a join."""
        self._buffer.joins.append(event)
        self._maybe_flush()

    def add_member_left(self, event: MemberLeft) -> None:
        """Buffer a leave."""
        self._buffer.leaves.append(event)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        """Schedule a flush when a batch is full, keeping at most one such flush in flight."""
        if len(self._buffer) < max(self._batch_size, self._retry_at):
            return
        if self._auto is not None and not self._auto.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (synchronous caller): the next flush() or stop() writes the rows
        self._auto = loop.create_task(self._flush_full_batches(), name="activity-writer-batch")

    async def throttle(self) -> None:
        """Backpressure that still lets writing overlap with work: while one batch is being written
        the next fills; once that one is full too, wait for the write in flight.

        Producers that never really suspend (a console script, a burst from a platform) would
        otherwise outrun the writer and grow the buffer without bound, so that a crash could lose far
        more than the batch being filled and the batch being committed."""
        if len(self._buffer) < self._batch_size:
            return
        if self._lock.locked():
            in_flight = list(self._writes)
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            return
        # Yield so the flush that adding the row scheduled can start and take this batch off the buffer.
        await asyncio.sleep(0)

    async def _flush_full_batches(self) -> None:
        while len(self._buffer) >= max(self._batch_size, self._retry_at):
            if not await self._flush_logged():
                return

    # ------------------------------------------------------------ flushing

    async def start(self) -> None:
        """Start flushing every `flush_interval` seconds in the background."""
        if self._timer is not None and not self._timer.done():
            return
        self._stopping.clear()
        self._timer = asyncio.create_task(self._tick(), name="activity-writer-timer")

    async def _tick(self) -> None:
        while not self._stopping.is_set():
            try:
                # Waiting on the stop event (not sleeping) lets stop() end the loop between flushes,
                # so a flush is never cut short by a cancellation.
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                if self._buffer:
                    await self._flush_logged()

    async def stop(self) -> None:
        """Stop the timer and write everything buffered (raises if that last write fails)."""
        self._stopping.set()
        timer, self._timer = self._timer, None
        if timer is not None:
            await asyncio.gather(timer, return_exceptions=True)
        await self.wait_flushed()
        await self.flush()

    async def wait_flushed(self) -> None:
        """Wait for the background flushes already scheduled or running (their failures are logged)."""
        tasks = [t for t in (self._auto, *self._writes) if t is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def flush(self) -> int:
        """Write everything buffered in one transaction; returns the events taken from the buffer.

        On failure the events go back to the buffer (nothing lost) and the error is raised. The write
        runs in its own task, shielded: cancelling the caller cannot leave us unsure whether the
        batch was committed (which could lose it or count it twice)."""
        write = asyncio.ensure_future(self._flush_once())
        self._writes.add(write)
        write.add_done_callback(self._forget_write)
        return await asyncio.shield(write)

    def _forget_write(self, task: asyncio.Task[int]) -> None:
        self._writes.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: when the caller was cancelled nobody else will look at it

    async def _flush_logged(self) -> bool:
        """flush() for background callers: log failures instead of raising them."""
        try:
            await self.flush()
        except Exception:
            self._failures += 1
            if self._failures == 1:
                log.exception("activity: flush failed; %d events kept for the next try", len(self._buffer))
            else:
                log.debug("activity: flush failed again (%d in a row)", self._failures, exc_info=True)
            return False
        return True

    async def _flush_once(self) -> int:
        async with self._lock:
            batch, self._buffer = self._buffer, _Buffer()
            if not batch:
                return 0
            try:
                await self._write(batch)
            except BaseException:
                self._buffer.put_back(batch)
                self._retry_at = len(self._buffer) + self._batch_size
                raise
            if self._failures:
                log.info("activity: flush succeeded again after %d failed attempts", self._failures)
            self._failures = 0
            self._retry_at = 0
            return len(batch)

    async def _write(self, batch: _Buffer) -> None:
        days = _Days(self._timezone_of, self._zone_warnings)
        days.resolve(_communities(batch))

        def prepare_and_write(bulk: BulkSql) -> None:
            # Inside the transaction, so the database lock and SQLite's write lock are held a few
            # milliseconds longer: other writes of this process (the questions plugin's batches, a
            # command's write) may wait that much more; reads (WAL, read connections) do not. The Python
            # work shares the GIL with the loop, which gets it back every 0.5 ms (`App.start`).
            _batch_work(batch, days)(bulk)

        # One hand-over to the database thread for the preparation and the whole transaction (see
        # Database.run_transaction): the next batch is read while this one is written.
        await self._db.run_transaction(prepare_and_write)


def _communities(batch: _Buffer) -> set[str]:
    """The communities a batch is about (about 40 us for 2,000 rows, on the loop)."""
    found = {row.community for row in batch.messages}
    found.update(event.community.key for event in (*batch.reactions, *batch.joins, *batch.leaves))
    return found


# ---------------------------------------------------------------- retention and privacy


async def purge_raw_before(db: Database, cutoff: datetime) -> int:
    """Delete raw message rows older than `cutoff` (rollups are kept); returns the rows deleted."""
    limit = to_db(cutoff)
    total = 0
    while True:
        # Small chunks, each its own transaction, so a first purge of years of rows never holds
        # the write lock long enough to stall the live writer.
        deleted = await db.execute(
            "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE at < ? LIMIT ?)", (limit, _PURGE_CHUNK)
        )
        total += deleted
        if deleted < _PURGE_CHUNK:
            return total


async def export_member_activity(db: Sql, community: str, user_id: str) -> dict[str, Any]:
    """Everything stored about a member's activity, as JSON-ready data."""
    messages = await db.fetchall(
        "SELECT channel_id, thread_id, message_id, at, length, reply_to, is_question, language, tagged "
        "FROM messages WHERE community = ? AND author_id = ? ORDER BY at, id",
        (community, user_id),
    )
    daily = await db.fetchall(
        "SELECT day, messages, replies, reactions_given, reactions_received FROM activity_member_daily "
        "WHERE community = ? AND user_id = ? ORDER BY day",
        (community, user_id),
    )
    return {
        "community": community,
        "user_id": user_id,
        "messages": [
            {
                **dict(row),
                "is_question": None if row["is_question"] is None else bool(row["is_question"]),
                "tagged": bool(row["tagged"]),
            }
            for row in messages
        ],
        "daily": [dict(row) for row in daily],
    }


async def forget_member_activity(tx: Sql, community: str, user_id: str) -> int:
    """Delete a member's raw rows and member-daily rows inside the caller's transaction (so a
    privacy request spanning plugins is all or nothing); anonymous channel/community counts stay."""
    deleted = await tx.execute("DELETE FROM messages WHERE community = ? AND author_id = ?", (community, user_id))
    deleted += await tx.execute(
        "DELETE FROM activity_member_daily WHERE community = ? AND user_id = ?", (community, user_id)
    )
    return deleted
