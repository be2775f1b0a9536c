"""Tests of bot/storage/times.py and bot/storage/database.py on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.storage.database import BulkSql, Database, StorageError
from bot.storage.times import from_db, local_day, to_db


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    await database.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    yield database
    await database.close()


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 22, 4, 44, 40, tzinfo=UTC), "2026-11-22T04:44:40.000000Z"),
        (datetime(2026, 11, 22, 5, 44, 40, 123, tzinfo=timezone(timedelta(hours=1))), "2026-11-22T04:44:40.000123Z"),
        (datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), "0999-01-02T03:04:05.000000Z"),
    ],
)
def test_to_db_is_fixed_width_utc_and_round_trips(moment: datetime, text: str) -> None:
    assert to_db(moment) == text
    back = from_db(text)
    assert back == moment
    assert back.utcoffset() == timedelta(0)


def test_text_order_is_time_order() -> None:
    base = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    moments = [base + timedelta(microseconds=step * 999_983) for step in range(-500, 500, 7)]
    moments += [base.astimezone(timezone(timedelta(hours=h))) + timedelta(hours=h) for h in (-11, 5, 13)]
    texts = [to_db(m) for m in moments]
    assert len({len(t) for t in texts}) == 1
    assert sorted(texts) == [to_db(m) for m in sorted(moments)]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        local_day(datetime(2026, 1, 1), "Europe/Paris")


def test_from_db_reads_sqlite_naive_utc_text() -> None:
    assert from_db("2026-01-01 10:00:00") == datetime(2026, 1, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "tz", "day"),
    [
        (datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Europe/Paris", "2026-11-23"),
        (datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "UTC", "2026-11-22"),
        (datetime(2026, 11, 23, 3, 0, tzinfo=UTC), "America/New_York", "2026-11-22"),
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), "Europe/Paris", "2026-07-01"),
    ],
)
def test_local_day(moment: datetime, tz: str, day: str) -> None:
    assert local_day(moment, tz) == day


def test_local_day_unknown_zone() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        local_day(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus")


# ---------------------------------------------------------------- opening


async def test_open_configures_the_connection(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.db"
    db = await Database.open(path, busy_timeout_ms=1234)
    try:
        assert db.path == path
        assert path.exists()
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") == 1234
        assert await db.fetchval("PRAGMA synchronous") == 1  # NORMAL
        row = await db.fetchone("SELECT 1 AS one, 'x' AS letter")
        assert row is not None and row["one"] == 1 and row["letter"] == "x"
    finally:
        await db.close()
    await db.close()  # idempotent


async def test_open_garbage_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is certainly not a database file\n" * 200)
    with pytest.raises(StorageError) as info:
        await Database.open(path)
    assert str(path) in str(info.value)
    assert "is not a SQLite database or is corrupted" in str(info.value)
    assert info.value.path == path


async def test_open_a_directory_names_it(tmp_path: Path) -> None:
    path = tmp_path / "adir.db"
    path.mkdir()
    with pytest.raises(StorageError, match="is a directory") as info:
        await Database.open(path)
    assert str(path) in str(info.value)


async def test_open_under_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(StorageError) as info:
        await Database.open(blocker / "bot.db")
    assert str(blocker / "bot.db") in str(info.value)


async def test_locked_database_is_a_storage_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first = await Database.open(path)
    second = await Database.open(path, busy_timeout_ms=0)
    try:
        await first.execute("CREATE TABLE t (x INTEGER)")
        async with first.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            with pytest.raises(StorageError, match="is locked") as info:
                await second.execute("INSERT INTO t VALUES (2)")
            assert str(path) in str(info.value)
        assert await second.fetchval("SELECT count(*) FROM t") == 1
    finally:
        await second.close()
        await first.close()


# ---------------------------------------------------------------- statements and transactions


async def test_plain_statements(db: Database) -> None:
    assert await db.execute("INSERT INTO items (name) VALUES (?)", ("a",)) == 1
    assert await db.executemany("INSERT INTO items (name) VALUES (?)", [("b",), ("c",)]) == 2
    assert await db.execute("UPDATE items SET name = name || '!' WHERE name <> :keep", {"keep": "a"}) == 2
    names = [row["name"] for row in await db.fetchall("SELECT name FROM items ORDER BY id")]
    assert names == ["a", "b!", "c!"]
    assert await db.fetchone("SELECT * FROM items WHERE name = ?", ("zzz",)) is None
    assert await db.fetchval("SELECT name FROM items WHERE name = ?", ("zzz",)) is None
    assert await db.fetchval("SELECT count(*) FROM items") == 3


async def test_executemany_is_one_transaction(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.executemany("INSERT INTO items (name) VALUES (?)", [("a",), ("b",), ("a",)])
    assert await db.fetchval("SELECT count(*) FROM items") == 0


async def test_transaction_commits(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES (?)", ("a",))
        await tx.executemany("INSERT INTO items (name) VALUES (?)", [("b",), ("c",)])
        assert await tx.fetchval("SELECT count(*) FROM items") == 3
        row = await tx.fetchone("SELECT name FROM items WHERE name = ?", ("b",))
        assert row is not None and row["name"] == "b"
        assert len(await tx.fetchall("SELECT * FROM items")) == 3
    assert await db.fetchval("SELECT count(*) FROM items") == 3


async def test_transaction_rollback_leaves_nothing(db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", ("a",))
            await tx.execute("INSERT INTO items (name) VALUES (?)", ("b",))
            raise Boom
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", ("c",))
            await tx.execute("INSERT INTO items (name) VALUES (?)", ("c",))
    assert await db.fetchval("SELECT count(*) FROM items") == 0
    # The connection is usable afterwards and the finished handle is refused.
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES (?)", ("d",))
    with pytest.raises(RuntimeError, match="finished"):
        await tx.execute("INSERT INTO items (name) VALUES (?)", ("e",))
    assert await db.fetchval("SELECT count(*) FROM items") == 1


async def test_nested_use_from_the_same_task_is_refused_not_deadlocked(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES (?)", ("a",))
        with pytest.raises(RuntimeError, match="nested"):
            async with db.transaction():
                pass
        with pytest.raises(RuntimeError, match="Transaction object"):
            await db.execute("INSERT INTO items (name) VALUES (?)", ("b",))
    assert await db.fetchval("SELECT count(*) FROM items") == 1


async def test_concurrent_transactions_and_plain_statements_do_not_interleave(db: Database) -> None:
    async def in_transaction(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", (f"t{n}-1",))
            await asyncio.sleep(0)  # give every other task a chance to slip in
            if n == 17:
                raise ValueError("task 17 fails half-way")
            await tx.execute("INSERT INTO items (name) VALUES (?)", (f"t{n}-2",))

    async def plain(n: int) -> None:
        await db.execute("INSERT INTO items (name) VALUES (?)", (f"p{n}",))

    tasks = [in_transaction(n) for n in range(50)] + [plain(n) for n in range(50)]
    # Interleave the two kinds so plain statements are queued while transactions are open.
    order = [task for pair in zip(tasks[:50], tasks[50:], strict=True) for task in pair]
    results = await asyncio.gather(*order, return_exceptions=True)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], ValueError)
    assert await db.fetchval("SELECT count(*) FROM items") == 49 * 2 + 50
    assert await db.fetchval("SELECT count(*) FROM items WHERE name LIKE 't17-%'") == 0
    assert await db.fetchval("SELECT count(*) FROM items WHERE name LIKE 'p%'") == 50


async def test_backup_to_copies_the_database(db: Database, tmp_path: Path) -> None:
    await db.executemany("INSERT INTO items (name) VALUES (?)", [(f"n{i}",) for i in range(100)])
    dest = tmp_path / "copies" / "bot.db.bak"
    dest.parent.mkdir()
    await db.backup_to(dest)
    assert not (tmp_path / "copies" / "bot.db.bak.partial").exists()
    copy = await Database.open(dest)
    try:
        assert await copy.fetchval("SELECT count(*) FROM items") == 100
    finally:
        await copy.close()


async def test_closed_database_refuses_work(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetchval("SELECT 1")


async def test_a_transaction_cancelled_at_begin_leaves_the_connection_usable(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "cancel.db")
    await db.execute("CREATE TABLE t (x INTEGER)")

    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")

    for _ in range(20):  # cancel at every early await point we can reach
        task = asyncio.ensure_future(write())
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await db.execute("INSERT INTO t VALUES (2)")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO t VALUES (3)")
    await db.close()
    reopened = await Database.open(tmp_path / "cancel.db")
    values = [row[0] for row in await reopened.fetchall("SELECT x FROM t ORDER BY x")]
    await reopened.close()
    assert values[-2:] == [2, 3]  # writes after the cancellations were committed


# ---------------------------------------------------------------- run_transaction (one hand-over)


async def test_run_transaction_commits_what_the_thread_wrote(db: Database) -> None:
    def work(bulk: BulkSql) -> int:
        bulk.execute("INSERT INTO items (name) VALUES ('a')")
        bulk.insert_rows("INSERT INTO items (name) VALUES (?)", [("b",), ("c",)])
        return int(bulk.fetchall("SELECT count(*) FROM items")[0][0])

    assert await db.run_transaction(work) == 3
    assert await db.fetchval("SELECT count(*) FROM items") == 3


async def test_run_transaction_rolls_back_on_any_failure_and_stays_usable(db: Database) -> None:
    def duplicate(conn: BulkSql) -> None:
        conn.execute("INSERT INTO items (name) VALUES ('a')")
        conn.execute("INSERT INTO items (name) VALUES ('a')")

    def python_error(conn: BulkSql) -> None:
        conn.execute("INSERT INTO items (name) VALUES ('b')")
        raise KeyError("boom")

    with pytest.raises(sqlite3.IntegrityError):
        await db.run_transaction(duplicate)
    with pytest.raises(KeyError):
        await db.run_transaction(python_error)
    assert await db.fetchval("SELECT count(*) FROM items") == 0
    async with db.transaction() as tx:  # no transaction was left open on the shared connection
        await tx.execute("INSERT INTO items (name) VALUES ('c')")
    assert await db.fetchval("SELECT name FROM items") == "c"


async def test_run_transaction_waits_for_an_open_transaction(db: Database) -> None:
    order: list[str] = []

    def work(conn: BulkSql) -> None:
        order.append("thread work")
        conn.execute("INSERT INTO items (name) VALUES ('second')")

    async with db.transaction() as tx:
        waiting = asyncio.ensure_future(db.run_transaction(work))
        await asyncio.sleep(0.01)
        order.append("first commits")
        await tx.execute("INSERT INTO items (name) VALUES ('first')")
    await waiting
    assert order == ["first commits", "thread work"]
    assert [r["name"] for r in await db.fetchall("SELECT name FROM items ORDER BY id")] == ["first", "second"]


async def test_run_transaction_on_a_locked_file_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first = await Database.open(path)
    second = await Database.open(path, busy_timeout_ms=0)
    try:
        await first.execute("CREATE TABLE t (x INTEGER)")
        async with first.transaction():
            with pytest.raises(StorageError, match="is locked"):
                await second.run_transaction(lambda conn: conn.execute("INSERT INTO t VALUES (2)"))
        assert await second.fetchval("SELECT count(*) FROM t") == 0
    finally:
        await second.close()
        await first.close()


async def test_run_prepared_prepares_only_once_the_lock_is_held(db: Database) -> None:
    order: list[str] = []

    def prepare() -> Callable[[sqlite3.Connection], None]:
        order.append("prepared")
        return lambda conn: order.append("written") or None

    async with db.transaction() as tx:
        waiting = asyncio.ensure_future(db.run_prepared(prepare))
        await asyncio.sleep(0.01)
        order.append("other transaction commits")
        await tx.execute("INSERT INTO items (name) VALUES ('first')")
    await waiting
    assert order == ["other transaction commits", "prepared", "written"]
