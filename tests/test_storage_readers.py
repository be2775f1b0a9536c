"""Reads beside the writer (bot/storage/readers.py through bot/storage/database.py), on real SQLite files.

No timing: a write is held in progress by an event the writer's thread waits on, and a read must
complete while it is; the guard `asyncio.wait_for(..., 30)` only turns a regression (the read queued
behind the write) into a failure instead of a hung test.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.formatting import LocalReply
from bot.model import Level
from bot.storage.database import Database
from bot.storage.readers import SqliteReaders
from tests.groups.fakes import FakeSpaces
from tests.harness import running

GUARD = 30.0  # seconds; never reached when the code is right


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    await database.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    yield database
    await database.close()


@asynccontextmanager
async def writer_held(db: Database, *rows: str) -> AsyncIterator[asyncio.Future[None]]:
    """A write transaction that inserted `rows` and is blocked, uncommitted, inside the writer's thread
    until the block ends (then it commits; the future is that write)."""
    inside = threading.Event()
    release = threading.Event()

    def work(conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO items (name) VALUES (?)", [(name,) for name in rows])
        inside.set()
        release.wait(GUARD)

    write = asyncio.ensure_future(db.run_transaction(work))
    try:
        await asyncio.wait_for(asyncio.to_thread(inside.wait, GUARD), GUARD)
        assert inside.is_set() and not write.done()
        yield write
    finally:
        release.set()
        await write


def shown(reply: LocalReply) -> str:
    """Everything a member reads in a reply: text, card title, description and fields."""
    parts = [reply.text]
    if reply.card:
        parts += [reply.card.title, reply.card.description or ""]
        parts += [f"{f.name}: {f.value}" for f in reply.card.fields]
    return "\n".join(parts)


def reader_threads() -> Iterator[threading.Thread]:
    return (t for t in threading.enumerate() if t.name.startswith("sqlite-reader"))


# ---------------------------------------------------------------- reads do not queue behind writes


async def test_a_read_completes_while_a_write_transaction_is_in_progress(db: Database) -> None:
    await db.execute("INSERT INTO items (name) VALUES ('committed')")
    async with writer_held(db, "uncommitted-1", "uncommitted-2") as write:
        names = await asyncio.wait_for(db.fetchall("SELECT name FROM items ORDER BY id"), GUARD)
        count = await asyncio.wait_for(db.fetchval("SELECT count(*) FROM items"), GUARD)
        row = await asyncio.wait_for(db.fetchone("SELECT name FROM items WHERE name LIKE 'un%'"), GUARD)
        assert not write.done()  # the write really was still in progress
    # The last committed state, never the rows of the transaction in progress.
    assert [r["name"] for r in names] == ["committed"]
    assert count == 1
    assert row is None
    assert await db.fetchval("SELECT count(*) FROM items") == 3  # and once it commits, they are there


async def test_a_read_completes_while_another_task_holds_a_transaction(db: Database) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", ("a",))
            inside.set()
            await release.wait()

    writing = asyncio.create_task(writer())
    await inside.wait()
    try:
        assert await asyncio.wait_for(db.fetchval("SELECT count(*) FROM items"), GUARD) == 0
        assert not writing.done()
    finally:
        release.set()
        await writing
    assert await db.fetchval("SELECT count(*) FROM items") == 1


async def test_with_no_read_connections_a_read_waits_for_the_writer(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "shared.db", read_connections=0)
    try:
        assert db.read_connections == 0
        await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        async with writer_held(db, "a"):
            reader = asyncio.ensure_future(db.fetchval("SELECT count(*) FROM items"))
            for _ in range(20):
                await asyncio.sleep(0)
            assert not reader.done()  # queued on the writer's lock
        assert await reader == 1
    finally:
        await db.close()


async def test_read_commands_answer_while_a_write_is_stuck_in_the_writer(tmp_path: Path) -> None:
    plugins = {"core": {}, "groups": {"creation": "direct"}, "calendar": {}}
    async with running(tmp_path, plugins=plugins, platform=FakeSpaces()) as h:
        assert h.app.db.read_connections == 2
        created = await h.command("alice", '/group create "Rust Lille" affinity "Rustaceans"')
        assert "created" in created.text, created.text
        await h.command("admin", '/calendar add "Weekly news" #general "2026-11-20 10:00"', level=Level.ADMIN)
        await h.app.db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
        async with writer_held(h.app.db, "a") as write:
            groups = await asyncio.wait_for(h.command("mod", "/group list", level=Level.MODERATOR), GUARD)
            agenda = await asyncio.wait_for(h.command("mod", "/calendar list", level=Level.MODERATOR), GUARD)
            assert not write.done()
        assert "Rust Lille" in shown(groups)
        assert "Weekly news" in shown(agenda)


# ---------------------------------------------------------------- reads see what was written before them


async def test_a_read_after_an_awaited_write_sees_it(db: Database) -> None:
    for n in range(100):
        await db.execute("INSERT INTO items (name) VALUES (?)", (f"e{n}",))
        assert await db.fetchval("SELECT count(*) FROM items WHERE name = ?", (f"e{n}",)) == 1
        await db.executemany("INSERT INTO items (name) VALUES (?)", [(f"m{n}",)])
        assert await db.fetchone("SELECT id FROM items WHERE name = ?", (f"m{n}",)) is not None
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", (f"t{n}",))
        assert len(await db.fetchall("SELECT id FROM items WHERE name = ?", (f"t{n}",))) == 1
        await db.run_transaction(lambda conn, n=n: conn.execute("INSERT INTO items (name) VALUES (?)", (f"r{n}",)))
        assert await db.fetchval("SELECT count(*) FROM items WHERE name = ?", (f"r{n}",)) == 1
        await db.execute("DELETE FROM items WHERE name = ?", (f"e{n}",))
        assert await db.fetchval("SELECT count(*) FROM items WHERE name = ?", (f"e{n}",)) == 0


async def test_a_new_table_is_readable_at_once(db: Database) -> None:
    await db.execute("CREATE TABLE later (x INTEGER)")  # a migration, on the writer
    await db.execute("INSERT INTO later VALUES (7)")
    assert await db.fetchval("SELECT x FROM later") == 7


async def test_reads_inside_a_transaction_see_its_own_rows_and_the_database_refuses_them(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES ('mine')")
        assert await tx.fetchval("SELECT count(*) FROM items") == 1
        # Through the Database it would read another connection and miss 'mine': refused, not wrong.
        with pytest.raises(RuntimeError, match="Transaction object"):
            await db.fetchval("SELECT count(*) FROM items")
        with pytest.raises(RuntimeError, match="Transaction object"):
            await db.fetchall("SELECT name FROM items")


async def test_many_concurrent_reads_and_writes(db: Database) -> None:
    async def write(n: int) -> None:
        await db.execute("INSERT INTO items (name) VALUES (?)", (f"n{n}",))
        assert await db.fetchval("SELECT name FROM items WHERE name = ?", (f"n{n}",)) == f"n{n}"

    await asyncio.gather(*(write(n) for n in range(200)))
    counts = await asyncio.gather(*(db.fetchval("SELECT count(*) FROM items") for _ in range(50)))
    assert counts == [200] * 50


# ---------------------------------------------------------------- what readers may not do


async def test_read_connections_are_query_only(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    await db.close()
    readers = await SqliteReaders.open(tmp_path / "bot.db", 2, busy_timeout_ms=1000)
    try:
        for sql in (
            "INSERT INTO items (name) VALUES ('x')",
            "DELETE FROM items",
            "CREATE TABLE t (x INTEGER)",
            "WITH v AS (SELECT 'y') INSERT INTO items (name) SELECT * FROM v RETURNING id",
        ):
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                await readers.fetchall(sql, ())
        assert tuple(await readers.fetchone("SELECT count(*) FROM items", ())) == (0,)
    finally:
        await readers.close()


async def test_statements_that_write_go_to_the_writer(db: Database) -> None:
    # RETURNING through fetchval: the pattern repos use to get an id from the database.
    first = await db.fetchval("INSERT INTO items (name) VALUES ('a') RETURNING id")
    # A WITH that writes looks like a read: the query-only reader refuses it untouched, the writer runs it.
    second = await db.fetchval("WITH v AS (SELECT 'b') INSERT INTO items (name) SELECT * FROM v RETURNING id")
    row = await db.fetchone(
        "  -- a comment first\n/* and another */ UPDATE items SET name = 'c' WHERE id = ? RETURNING name", (first,)
    )
    assert (first, second) == (1, 2)
    assert row is not None and row["name"] == "c"
    assert [r["name"] for r in await db.fetchall("SELECT name FROM items ORDER BY id")] == ["c", "b"]
    # PRAGMA answers are about the writer (its foreign keys, its timeout), not a reader.
    assert await db.fetchval("PRAGMA foreign_keys") == 1


async def test_a_failing_read_is_raised_and_the_pool_stays_usable(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.fetchall("SELECT * FROM nowhere")
    for _ in range(4):  # every connection of the pool
        assert await db.fetchval("SELECT count(*) FROM items") == 0


async def test_cancelled_reads_leave_the_pool_usable(db: Database) -> None:
    await db.executemany("INSERT INTO items (name) VALUES (?)", [(f"n{i}",) for i in range(50)])
    for _ in range(20):  # cancel at every early await point we can reach
        task = asyncio.ensure_future(db.fetchall("SELECT * FROM items"))
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    results = await asyncio.gather(*(db.fetchval("SELECT count(*) FROM items") for _ in range(10)))
    assert results == [50] * 10


# ---------------------------------------------------------------- opening and closing


async def test_in_memory_databases_share_one_connection() -> None:
    db = await Database.open(":memory:")
    try:
        assert db.read_connections == 0  # another connection would open another, empty, database
        await db.execute("CREATE TABLE t (x INTEGER)")
        await db.execute("INSERT INTO t VALUES (1)")
        assert await db.fetchval("SELECT x FROM t") == 1
    finally:
        await db.close()


async def test_close_closes_the_readers_too(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    before = set(reader_threads())
    db = await Database.open(path, read_connections=3)
    assert db.read_connections == 3
    await db.execute("CREATE TABLE t (x INTEGER)")
    await db.execute("INSERT INTO t VALUES (1)")
    assert await db.fetchval("SELECT x FROM t") == 1
    assert len(set(reader_threads()) - before) == 3
    await db.close()
    await db.close()  # idempotent
    # The last connection to close checkpoints and removes the write-ahead log: a reader left open
    # would keep it (and its thread would keep running).
    assert not path.with_name("bot.db-wal").exists()
    for thread in set(reader_threads()) - before:
        thread.join(GUARD)
        assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetchall("SELECT x FROM t")
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetchval("PRAGMA user_version")


async def test_a_read_in_flight_finishes_before_close(db: Database) -> None:
    await db.executemany("INSERT INTO items (name) VALUES (?)", [(f"n{i}",) for i in range(1000)])
    reads = [asyncio.ensure_future(db.fetchall("SELECT * FROM items")) for _ in range(2)]
    await asyncio.sleep(0)  # both reads are on their connections' threads
    await db.close()
    assert [len(await read) for read in reads] == [1000, 1000]
