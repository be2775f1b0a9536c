"""Tests of bot/storage/activity.py: the batched writer, rollups, retention, export and forget."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.model import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    Message,
    MessageRef,
    ReactionAdded,
    UserRef,
)
from bot.plugin import MessageNotes
from bot.storage import activity
from bot.storage.activity import (
    ActivityWriter,
    export_member_activity,
    forget_member_activity,
    purge_raw_before,
)
from bot.storage.database import Database, StorageError
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations

PARIS = CommunityRef("discord", "1")
NEW_YORK = CommunityRef("slack", "T1")
ZONES = {PARIS.key: "Europe/Paris", NEW_YORK.key: "America/New_York"}
FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def zone_of(community: str) -> str:
    return ZONES[community]


def msg(
    community: CommunityRef,
    message_id: str,
    author: str,
    *,
    channel: str = "c1",
    thread: str | None = None,
    at: datetime = FRIDAY,
    reply_to: str | None = None,
    text: str = "hello",
) -> Message:
    where = ChannelRef(community.platform, community.workspace_id, channel, thread)
    return Message(
        community=community,
        at=at,
        ref=MessageRef(where, message_id),
        author=UserRef(community.platform, community.workspace_id, author),
        text=text,
        reply_to=MessageRef(where, reply_to) if reply_to else None,
    )


def reaction(message: Message, user: str, *, author_known: bool = True, at: datetime = FRIDAY) -> ReactionAdded:
    community = message.community
    return ReactionAdded(
        community=community,
        at=at,
        message=message.ref,
        user=UserRef(community.platform, community.workspace_id, user),
        emoji="👍",
        message_author=message.author if author_known else None,
    )


def joined(community: CommunityRef, user: str, at: datetime = FRIDAY) -> MemberJoined:
    return MemberJoined(community=community, at=at, user=UserRef(community.platform, community.workspace_id, user))


def left(community: CommunityRef, user: str, at: datetime = FRIDAY) -> MemberLeft:
    return MemberLeft(community=community, at=at, user=UserRef(community.platform, community.workspace_id, user))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    await apply_migrations(database, MIGRATIONS_DIR, now=FRIDAY)
    yield database
    await database.close()


async def rows(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await db.fetchall(sql, params)]


async def channel_daily(db: Database) -> list[tuple[Any, ...]]:
    return await rows(
        db,
        "SELECT community, day, channel_id, messages, replies, thread_messages, reactions, "
        "questions FROM activity_channel_daily ORDER BY community, day, channel_id",
    )


async def member_daily(db: Database) -> list[tuple[Any, ...]]:
    return await rows(
        db,
        "SELECT community, day, user_id, messages, replies, reactions_given, "
        "reactions_received FROM activity_member_daily ORDER BY community, day, user_id",
    )


async def community_daily(db: Database) -> list[tuple[Any, ...]]:
    return await rows(
        db, "SELECT community, day, messages, joins, leaves FROM activity_community_daily ORDER BY community, day"
    )


async def language_daily(db: Database) -> list[tuple[Any, ...]]:
    return await rows(
        db, "SELECT community, day, language, messages FROM activity_language_daily ORDER BY community, day, language"
    )


async def test_exact_rollups_across_two_communities(db: Database) -> None:
    writer = ActivityWriter(db, zone_of)
    m1 = msg(PARIS, "m1", "u1", text="Bonjour ?")
    m2 = msg(PARIS, "m2", "u2", reply_to="m1")
    m3 = msg(PARIS, "m3", "u1", thread="t1")
    m4 = msg(PARIS, "m4", "u2", channel="c2", thread="t9", reply_to="m0")
    writer.add_message(m1, MessageNotes(language="fr", is_question=True, tags={"onboarding"}))
    writer.add_message(m2, MessageNotes(language="en", is_question=False))
    writer.add_message(m3, MessageNotes(language="unknown"))
    writer.add_message(m4, MessageNotes(is_question=True))
    writer.add_reaction(reaction(m1, "u2"))
    writer.add_reaction(reaction(m3, "u3", author_known=False))
    writer.add_member_joined(joined(PARIS, "u3"))
    writer.add_member_left(left(PARIS, "u9"))
    # New York: 03:00 UTC on Friday is still Thursday there. Same user and channel ids, other community.
    early = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    n1 = msg(NEW_YORK, "1700000000.0001", "u1", at=early)
    n2 = msg(NEW_YORK, "1700000000.0002", "u5", at=early, reply_to="1700000000.0001")
    writer.add_message(n1, MessageNotes(language="en", is_question=True))
    writer.add_message(n2, MessageNotes(language="en"))
    writer.add_reaction(reaction(n1, "u5", at=early))
    writer.add_member_joined(joined(NEW_YORK, "u5", early))
    writer.add_member_joined(joined(NEW_YORK, "u6", early))
    assert writer.pending == 13

    assert await writer.flush() == 13
    assert writer.pending == 0

    p, n = PARIS.key, NEW_YORK.key
    assert await channel_daily(db) == [
        (p, "2026-11-20", "c1", 3, 1, 1, 2, 1),
        (p, "2026-11-20", "c2", 1, 1, 1, 0, 1),
        (n, "2026-11-19", "c1", 2, 1, 0, 1, 1),
    ]
    assert await member_daily(db) == [
        (p, "2026-11-20", "u1", 2, 0, 0, 1),
        (p, "2026-11-20", "u2", 2, 2, 1, 0),
        (p, "2026-11-20", "u3", 0, 0, 1, 0),
        (n, "2026-11-19", "u1", 1, 0, 0, 1),
        (n, "2026-11-19", "u5", 1, 1, 1, 0),
    ]
    assert await community_daily(db) == [(p, "2026-11-20", 4, 1, 1), (n, "2026-11-19", 2, 2, 0)]
    assert await language_daily(db) == [
        (p, "2026-11-20", "en", 1),
        (p, "2026-11-20", "fr", 1),
        (n, "2026-11-19", "en", 2),
    ]
    assert await rows(
        db,
        "SELECT community, channel_id, thread_id, message_id, author_id, at, length, "
        "reply_to, is_question, language, tagged FROM messages "
        "WHERE message_id IN ('m1', 'm4') ORDER BY message_id",
    ) == [
        (p, "c1", None, "m1", "u1", "2026-11-20T10:00:00.000000Z", 9, None, 1, "fr", 1),
        (p, "c2", "t9", "m4", "u2", "2026-11-20T10:00:00.000000Z", 5, "m0", 1, None, 0),
    ]
    # No message text is stored anywhere.
    columns = {row["name"] for row in await db.fetchall("PRAGMA table_info(messages)")}
    assert "text" not in columns


async def test_rollups_add_up_over_several_flushes(db: Database) -> None:
    writer = ActivityWriter(db, zone_of)
    writer.add_message(msg(PARIS, "a", "u1"), MessageNotes(language="fr"))
    await writer.flush()
    writer.add_message(msg(PARIS, "b", "u1", reply_to="a"), MessageNotes(language="fr"))
    writer.add_member_joined(joined(PARIS, "u2"))
    await writer.flush()
    assert await channel_daily(db) == [(PARIS.key, "2026-11-20", "c1", 2, 1, 0, 0, 0)]
    assert await member_daily(db) == [(PARIS.key, "2026-11-20", "u1", 2, 1, 0, 0)]
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 2, 1, 0)]
    assert await language_daily(db) == [(PARIS.key, "2026-11-20", "fr", 2)]


async def test_sunday_late_evening_utc_is_monday_in_paris(db: Database) -> None:
    writer = ActivityWriter(db, zone_of)
    sunday_late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert sunday_late.strftime("%A") == "Sunday"
    message = msg(PARIS, "late", "u1", at=sunday_late)
    writer.add_message(message, MessageNotes())
    writer.add_reaction(reaction(message, "u2", at=sunday_late))
    writer.add_member_joined(joined(PARIS, "u2", sunday_late))
    await writer.flush()
    assert await community_daily(db) == [(PARIS.key, "2026-11-23", 1, 1, 0)]
    assert {row[1] for row in await channel_daily(db)} == {"2026-11-23"}
    assert {row[1] for row in await member_daily(db)} == {"2026-11-23"}


async def test_unknown_time_zone_counts_in_utc_instead_of_blocking(db: Database) -> None:
    writer = ActivityWriter(db, lambda community: "Not/AZone")
    writer.add_message(msg(PARIS, "m", "u1", at=datetime(2026, 11, 22, 23, 30, tzinfo=UTC)), MessageNotes())
    assert await writer.flush() == 1
    assert await community_daily(db) == [(PARIS.key, "2026-11-22", 1, 0, 0)]


async def test_redelivered_messages_are_not_double_counted(db: Database) -> None:
    writer = ActivityWriter(db, zone_of)
    first = msg(PARIS, "m1", "u1", reply_to="m0")
    writer.add_message(first, MessageNotes(language="fr", is_question=True))
    writer.add_message(first, MessageNotes(language="fr", is_question=True))  # same batch
    await writer.flush()
    writer.add_message(first, MessageNotes(language="fr", is_question=True))  # later batch, alone
    await writer.flush()
    writer.add_message(msg(PARIS, "m2", "u2"), MessageNotes(language="fr"))  # mixed batch
    writer.add_message(first, MessageNotes(language="fr", is_question=True))
    writer.add_message(msg(PARIS, "m3", "u1"), MessageNotes())
    await writer.flush()

    assert await db.fetchval("SELECT count(*) FROM messages") == 3
    assert await channel_daily(db) == [(PARIS.key, "2026-11-20", "c1", 3, 1, 0, 0, 1)]
    assert await member_daily(db) == [
        (PARIS.key, "2026-11-20", "u1", 2, 1, 0, 0),
        (PARIS.key, "2026-11-20", "u2", 1, 0, 0, 0),
    ]
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 3, 0, 0)]
    assert await language_daily(db) == [(PARIS.key, "2026-11-20", "fr", 2)]


async def test_odd_ids_are_stored_exactly(db: Database) -> None:
    # Rows travel to SQLite as one JSON parameter: quotes, backslashes, emoji and RTL marks must survive.
    odd = ['m"1\\', "m’2 🎉", "m\u202e3", "1700000100.000100"]
    writer = ActivityWriter(db, zone_of)
    for i, message_id in enumerate(odd):
        writer.add_message(
            msg(
                PARIS,
                message_id,
                f"u’{i}",
                channel="c#🎉",
                thread='t"1' if i else None,
                reply_to="r\n" if i == 2 else None,
                text="x" * (i * 1000),
            ),
            MessageNotes(language="fr", is_question=bool(i % 2)),
        )
    await writer.flush()
    stored = await rows(
        db,
        "SELECT message_id, author_id, channel_id, thread_id, reply_to, length, is_question, "
        "language, at FROM messages ORDER BY id",
    )
    assert stored == [
        (
            message_id,
            f"u’{i}",
            "c#🎉",
            't"1' if i else None,
            "r\n" if i == 2 else None,
            i * 1000,
            i % 2,
            "fr",
            "2026-11-20T10:00:00.000000Z",
        )
        for i, message_id in enumerate(odd)
    ]
    assert await member_daily(db) == [(PARIS.key, "2026-11-20", f"u’{i}", 1, int(i == 2), 0, 0) for i in range(4)]


async def test_stop_flushes_everything(db: Database) -> None:
    writer = ActivityWriter(db, zone_of, flush_interval=3600)
    await writer.start()
    for i in range(7):
        writer.add_message(msg(PARIS, f"m{i}", "u1"), MessageNotes())
    writer.add_member_left(left(PARIS, "u1"))
    await writer.stop()
    assert writer.pending == 0
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 7, 0, 1)]


async def test_batch_size_triggers_a_flush_without_blocking(db: Database) -> None:
    writer = ActivityWriter(db, zone_of, batch_size=3, flush_interval=3600)
    writer.add_message(msg(PARIS, "a", "u1"), MessageNotes())
    writer.add_message(msg(PARIS, "b", "u1"), MessageNotes())
    await writer.wait_flushed()
    assert writer.pending == 2  # below the batch size: nothing scheduled
    writer.add_member_joined(joined(PARIS, "u2"))  # the third event fills the batch
    assert writer.pending == 3  # add_* only buffers; the write happens in a task
    await writer.wait_flushed()
    assert writer.pending == 0
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 2, 1, 0)]


async def test_a_failed_flush_keeps_every_row_for_the_next_try(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path, busy_timeout_ms=0)
    other = await Database.open(path)
    try:
        await apply_migrations(db, MIGRATIONS_DIR, now=FRIDAY)
        writer = ActivityWriter(db, zone_of, batch_size=2, flush_interval=3600)
        writer.add_message(msg(PARIS, "early", "u1"), MessageNotes())
        async with other.transaction():  # another process holds the write lock
            with pytest.raises(StorageError, match="locked"):
                await writer.flush()
            assert writer.pending == 1
            # After a failure, size-triggered retries wait for one more batch to arrive (no retry storm)...
            writer.add_message(msg(PARIS, "a", "u1"), MessageNotes())
            await writer.wait_flushed()
            assert writer.pending == 2
            # ...then retry in the background; that try fails too, is logged, and keeps the rows.
            writer.add_member_joined(joined(PARIS, "u2"))
            await writer.wait_flushed()
            assert writer.pending == 3
        assert await writer.flush() == 3
        assert await community_daily(db) == [(PARIS.key, "2026-11-20", 2, 1, 0)]
        assert await db.fetchval("SELECT count(*) FROM messages") == 2
    finally:
        await other.close()
        await db.close()


@pytest.mark.parametrize("yields", range(12))
async def test_cancelling_a_flush_neither_loses_nor_double_counts(db: Database, yields: int) -> None:
    writer = ActivityWriter(db, zone_of)
    for i in range(20):
        writer.add_message(msg(PARIS, f"m{i}", "u1"), MessageNotes())
    flushing = asyncio.create_task(writer.flush())
    for _ in range(yields):
        await asyncio.sleep(0)
    flushing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    writer.add_message(msg(PARIS, "after", "u1"), MessageNotes())
    await writer.flush()
    assert writer.pending == 0
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 21, 0, 0)]
    assert await member_daily(db) == [(PARIS.key, "2026-11-20", "u1", 21, 0, 0, 0)]


async def test_purge_deletes_old_raw_rows_and_keeps_rollups(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "_PURGE_CHUNK", 3)  # exercise several chunks
    writer = ActivityWriter(db, zone_of)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for day in range(10):
        writer.add_message(msg(PARIS, f"m{day}", "u1", at=start + timedelta(days=day)), MessageNotes())
    await writer.flush()
    before = await community_daily(db)

    assert await purge_raw_before(db, start + timedelta(days=7)) == 7
    assert await rows(db, "SELECT message_id FROM messages ORDER BY at") == [("m7",), ("m8",), ("m9",)]
    assert await community_daily(db) == before
    assert sum(row[2] for row in before) == 10
    assert await purge_raw_before(db, start) == 0


async def test_export_and_forget_a_member(db: Database) -> None:
    writer = ActivityWriter(db, zone_of)
    mine = msg(PARIS, "m1", "u1", thread="t1", reply_to="m0", text="Une question ?")
    writer.add_message(mine, MessageNotes(language="fr", is_question=True, tags={"x"}))
    writer.add_message(msg(PARIS, "m2", "u2"), MessageNotes())
    writer.add_message(msg(NEW_YORK, "m3", "u1"), MessageNotes())  # same id, other community
    writer.add_reaction(reaction(mine, "u2"))
    await writer.flush()

    exported = await export_member_activity(db, PARIS.key, "u1")
    assert json.loads(json.dumps(exported)) == exported
    assert exported == {
        "community": PARIS.key,
        "user_id": "u1",
        "messages": [
            {
                "channel_id": "c1",
                "thread_id": "t1",
                "message_id": "m1",
                "at": "2026-11-20T10:00:00.000000Z",
                "length": 14,
                "reply_to": "m0",
                "is_question": True,
                "language": "fr",
                "tagged": True,
            }
        ],
        "daily": [{"day": "2026-11-20", "messages": 1, "replies": 1, "reactions_given": 0, "reactions_received": 1}],
    }
    channels_before = await channel_daily(db)
    communities_before = await community_daily(db)

    async with db.transaction() as tx:
        assert await forget_member_activity(tx, PARIS.key, "u1") == 2  # one raw row, one member-daily row
    assert await export_member_activity(db, PARIS.key, "u1") == {
        "community": PARIS.key,
        "user_id": "u1",
        "messages": [],
        "daily": [],
    }
    assert await rows(db, "SELECT community, author_id FROM messages ORDER BY community") == [
        (PARIS.key, "u2"),
        (NEW_YORK.key, "u1"),
    ]
    assert [row[2] for row in await member_daily(db)] == ["u2", "u1"]
    assert await channel_daily(db) == channels_before
    assert await community_daily(db) == communities_before
    async with db.transaction() as tx:
        assert await forget_member_activity(tx, PARIS.key, "u1") == 0


@pytest.mark.parametrize(
    "tz",
    [
        "Europe/Paris",
        "America/Santiago",
        "America/Havana",
        "Asia/Beirut",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Pacific/Apia",
        "UTC",
    ],
)
def test_the_local_day_shortcut_agrees_with_a_conversion_for_every_instant(tz: str) -> None:
    # The writer remembers the UTC span of the last local day per community instead of converting every
    # row; zones whose clocks jump at midnight, by half hours or across the date line must not fool it.
    from zoneinfo import ZoneInfo

    days = activity._Days(lambda community: tz, set())
    zone_info = ZoneInfo(tz)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=7 * i) for i in range(0, 2 * 365 * 24 * 60 // 7, 3)]
    moments += [m - timedelta(microseconds=1) for m in moments[::50]]  # just before round instants
    import random

    random.Random(5).shuffle(moments[: len(moments) // 3])  # out of order too
    wrong = [m for m in moments if days("c", m) != m.astimezone(zone_info).date().isoformat()]
    assert wrong == []


async def test_a_batch_is_prepared_off_the_event_loop_and_its_zones_looked_up_on_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Preparing a full batch (rows, rollups, JSON) takes milliseconds: on the loop it was the benchmarks'
    # worst stall (issue 14). The zones come from the loop's settings cache, which no thread may read.
    import threading

    zone_threads: list[threading.Thread] = []
    prepare_threads: list[threading.Thread] = []
    real_batch_work = activity._batch_work

    def looked_up(community: str) -> str:
        zone_threads.append(threading.current_thread())
        return zone_of(community)

    def batch_work(batch: Any, days: Any) -> Any:
        prepare_threads.append(threading.current_thread())
        return real_batch_work(batch, days)

    monkeypatch.setattr(activity, "_batch_work", batch_work)
    writer = ActivityWriter(db, looked_up)
    first = msg(PARIS, "m1", "u1")
    writer.add_message(first, MessageNotes())
    writer.add_reaction(reaction(msg(NEW_YORK, "m2", "u2"), "u3"))
    assert await writer.flush() == 2
    loop_thread = threading.current_thread()
    assert zone_threads and set(zone_threads) == {loop_thread}
    assert len(prepare_threads) == 1 and prepare_threads[0] is not loop_thread
    assert await community_daily(db) == [(PARIS.key, "2026-11-20", 1, 0, 0)]
    assert [row[:3] for row in await member_daily(db)] == [
        (PARIS.key, "2026-11-20", "u1"),
        (NEW_YORK.key, "2026-11-20", "u2"),
        (NEW_YORK.key, "2026-11-20", "u3"),
    ]
