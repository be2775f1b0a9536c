"""The SQLite engine of `bot.storage.database.Database`: one aiosqlite writer connection shared by every
task, its transaction helper, and the read connections beside it.

Owns the connection settings (WAL, foreign keys, busy timeout), the asyncio lock that serialises
every use of the writer, the routing of plain reads to the read pool (`bot.storage.readers`), the
translation of SQLite failures a person must act on (locked, corrupted, unreadable, read-only, disk
full) into `StorageError`s naming the file, and online backups.

Concurrency: SQLite has one transaction per connection, so a statement issued by task B while task A
is inside `transaction()` would silently join A's transaction (and vanish if A rolls back). Every
statement that may write therefore takes the same lock as `transaction()`. Plain reads
(`fetchall`/`fetchone`/`fetchval` of a SELECT, WITH or VALUES) do not: they go to a query-only read
connection, which in WAL mode works beside the writer and sees the last committed state, so a command
never queues behind a batch of chat activity. A write awaited before a read is committed, so the read
sees it; a transaction still open is invisible to other tasks until it commits. Reads that must see a
transaction's own rows go through its `Transaction` (the writer). Without WAL (a file system that
refuses it), for `:memory:`, or with `read_connections=0`, every read shares the writer as before.

Nesting is refused rather than supported: `transaction()` or a plain `Database` method called by the
task that already holds a transaction raises `RuntimeError` at once instead of deadlocking (or, for a
read, instead of silently missing the transaction's own rows); use the `Transaction` object you were
given. (Work spawned as *another* task from inside a transaction and awaited there would still deadlock:
do not do that.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.bulk import as_json, rows_from_json
from bot.storage.database import BulkSql, Database, Params, StorageError, Transaction, single_row_insert
from bot.storage.readers import ReadPool, SqliteReaders
from bot.storage.sqltext import reads_only

__all__ = ["SqliteDatabase", "SqliteTransaction"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def _describe(path: Path | str, exc: sqlite3.Error, busy_timeout_ms: int) -> str | None:
    """A human explanation of an SQLite failure a person must fix, or None for programming errors."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"the database {path} is locked: another program or another bot instance kept it busy "
            f"for more than {busy_timeout_ms} ms; stop it or give this bot its own database file"
        )
    if "not a database" in text or "malformed" in text:
        return (
            f"{path} is not a SQLite database or is corrupted ({exc}); restore it from a backup "
            f"(the .bak files next to it) or point the bot at another file"
        )
    if "unable to open" in text:
        return (
            f"cannot open the database {path} ({exc}): check that its directory exists, that the path "
            f"is not a directory and that the bot may read and write there"
        )
    if "readonly" in text or "read-only" in text:
        return f"the database {path} is read-only ({exc}): check the permissions of the file and its folder"
    if "disk i/o" in text or "disk is full" in text:
        return f"the database {path} cannot be written ({exc}): check free disk space and the storage device"
    return None


def _refused_by_query_only(exc: sqlite3.Error) -> bool:
    """The error a query-only connection gives a statement that would write (nothing was written)."""
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY


class SqliteDatabase(Database):
    """One shared aiosqlite writer with serialised access and a transaction helper, plus read connections."""

    engine = "sqlite"

    def __init__(
        self, conn: aiosqlite.Connection, path: Path, busy_timeout_ms: int, readers: ReadPool | None = None
    ) -> None:
        """Use `Database.open`; this only wires an already configured connection (and read pool)."""
        self._conn = conn
        self.path: Path = path
        self._open_gate(str(path))
        self._busy_timeout_ms = busy_timeout_ms
        self._readers = readers

    # ------------------------------------------------------------ lifecycle

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_ms: int = 5000, read_connections: int = 2) -> SqliteDatabase:
        """Open (creating it and its directory if needed) and configure the database file at `path`, with
        `read_connections` query-only connections for plain reads (0: reads share the writer)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the directory {path.parent} for the database {path}: {exc.strerror or exc}", path
            ) from exc
        if path.is_dir():
            raise StorageError(f"the database path {path} is a directory; give the path of a file", path)
        try:
            # isolation_level=None: the sqlite3 module must not open transactions behind our back;
            # every transaction here is an explicit BEGIN IMMEDIATE ... COMMIT.
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(_describe(path, exc, busy_timeout_ms) or f"cannot open {path}: {exc}", path) from exc
        conn.row_factory = sqlite3.Row
        db = cls(conn, path, busy_timeout_ms)
        try:
            wal = await db._configure()
            if read_connections > 0 and wal and str(path) != ":memory:":
                # After the writer: it created the file and switched it to WAL, which readers need.
                db._readers = await db._guarded(
                    SqliteReaders.open(path, read_connections, busy_timeout_ms=busy_timeout_ms)
                )
        except BaseException:
            await conn.close()
            raise
        return db

    @property
    def read_connections(self) -> int:
        """How many read connections serve plain reads (0: they share the writer)."""
        return 0 if self._readers is None else self._readers.size

    async def _configure(self) -> bool:
        """Set the pragmas and prove the file is a readable SQLite database; True in WAL mode."""
        # busy_timeout first, so that the WAL switch itself waits for a busy file instead of failing.
        # PRAGMA values cannot be bound; int() makes the formatted value safe.
        await self._do_execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}", ())
        mode = await self._do_fetchval("PRAGMA journal_mode = WAL", ())
        wal = str(mode).lower() == "wal"
        if not wal and str(self.path) != ":memory:":
            log.warning(
                "%s: journal mode is %s, not WAL (unsupported file system?); reads share the writer", self.path, mode
            )
        await self._do_execute("PRAGMA foreign_keys = ON", ())
        await self._do_execute("PRAGMA synchronous = NORMAL", ())
        # Reading the schema forces SQLite to parse the header: a garbage file fails here, not later.
        await self._do_fetchval("SELECT count(*) FROM sqlite_master", ())
        return wal

    async def close(self) -> None:
        """Wait for running work, then close the read connections and the writer (idempotent)."""
        await self._close_once(self._close_connections)

    async def _close_connections(self) -> None:
        try:
            if self._readers is not None:
                await self._readers.close()
        finally:
            with contextlib.suppress(sqlite3.Error):
                # Cheap, and keeps query plans good on long-lived files.
                await self._conn.execute("PRAGMA optimize")
            # Last: the last connection to close checkpoints the WAL into the file.
            await self._conn.close()

    # ------------------------------------------------------------ public statements

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own (auto-committed) transaction; returns the rows changed."""
        async with self._locked("execute()"):
            return await self._do_execute(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        """Run one statement for each parameter set, all in one transaction; returns the rows changed."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, seq)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query (a read connection: the last committed state, without waiting for writes)."""
        if self._readers is not None and reads_only(sql):
            rows: list[sqlite3.Row] = await self._read("fetchall()", sql, params, many=True)
            return rows
        async with self._locked("fetchall()"):
            return await self._do_fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None (read like `fetchall`; an INSERT ... RETURNING goes to the writer)."""
        if self._readers is not None and reads_only(sql):
            row: sqlite3.Row | None = await self._read("fetchone()", sql, params, many=False)
            return row
        async with self._locked("fetchone()"):
            return await self._do_fetchone(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a query, or None."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def run_prepared(self, prepare: Callable[[], Callable[[BulkSql], T]]) -> T:
        """`run_transaction(prepare())`, with `prepare` called on the event loop once the lock is held.

        The work runs on the database thread between BEGIN IMMEDIATE and COMMIT, in one hand-over: in
        `transaction()` every statement is a round trip through the event loop, and a loop busy with a
        burst of chat relays each one late, so the database thread would idle between statements instead
        of writing while the next batch is read."""
        async with self._locked("run_transaction()"):
            work = prepare()
            # aiosqlite has no public way to run a function on its thread; `_execute` is the one its own
            # methods use (pinned range in pyproject; tests/test_storage_database.py covers it).
            run: Callable[..., Awaitable[T]] = self._conn._execute  # untyped in aiosqlite
            return await self._guarded(run(_in_transaction, self._conn, work))

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        """`count` ids from `table`'s sequence row in `id_sequences`, seeded above the ids already stored.

        SQLite reuses the highest rowid after a delete; the sequence row never goes back, so an id handed
        out once (even for a row deleted since) is never handed out again."""
        _check_identifier(table)
        if count < 1:
            return []
        async with self.transaction() as tx:
            top = await tx.fetchval(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            last = await tx.fetchval(
                "INSERT INTO id_sequences (name, last) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last = max(id_sequences.last, ?) + ? RETURNING last",
                (table, int(top) + count, int(top), count),
            )
        first = int(last) - count + 1
        return list(range(first, int(last) + 1))

    async def tables(self) -> set[str]:
        """The tables of the file (SQLite's own `sqlite_*` ones excluded)."""
        rows = await self.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {row[0] for row in rows}

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction() as tx:` BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
        return self._transaction()

    async def backup_to(self, dest: Path) -> None:
        """Copy the whole database to `dest` with SQLite's online backup API (atomic replace of `dest`)."""
        dest = Path(dest)
        partial = dest.with_name(dest.name + ".partial")
        async with self._locked("backup_to()"):
            try:
                # check_same_thread=False: the copy runs on aiosqlite's worker thread, not on ours.
                target = sqlite3.connect(partial, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StorageError(
                    f"cannot back up the database {self.path}: cannot create {partial} ({exc})", self.path
                ) from exc
            try:
                await self._guarded(self._conn.backup(target))
            finally:
                target.close()
        # Rename only a complete copy, so a crash mid-backup never leaves a truncated .bak behind.
        os.replace(partial, dest)

    # ------------------------------------------------------------ locking

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[SqliteTransaction]:
        """The body of `transaction()`."""
        async with self._owned("transaction()"):
            tx = SqliteTransaction(self)
            try:
                try:
                    # IMMEDIATE takes the write lock now, so a busy file fails here (after busy_timeout)
                    # rather than half-way through the work. It is inside the rollback guard: a task
                    # cancelled while awaiting it must not leave the shared connection in a transaction
                    # (aiosqlite still runs the BEGIN, and the ROLLBACK queued after it undoes it).
                    await self._do_execute("BEGIN IMMEDIATE", ())
                    yield tx
                    tx._open = False
                    await self._do_execute("COMMIT", ())
                except BaseException:
                    tx._open = False
                    await self._rollback()
                    raise
            finally:
                tx._open = False

    async def _rollback(self) -> None:
        """Roll back if a transaction is still open; never masks the original error."""
        try:
            await self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            # "no transaction is active" after a failed COMMIT that already ended it: nothing to undo.
            log.debug("%s: rollback: %s", self.path, exc)

    # ------------------------------------------------------------ reads beside the writer

    async def _read(self, what: str, sql: str, params: Params, *, many: bool) -> Any:
        """A plain read on the read pool; a statement the query-only reader refuses is run on the writer."""
        self._refuse_reentry(what)
        readers = self._readers
        assert readers is not None
        try:
            if many:
                return await readers.fetchall(sql, params)
            return await readers.fetchone(sql, params)
        except sqlite3.Error as exc:
            if not _refused_by_query_only(exc):
                message = _describe(self.path, exc, self._busy_timeout_ms)
                if message is None:
                    raise
                raise StorageError(message, self.path) from exc
        # A WITH ... INSERT ... RETURNING and the like: refused before it changed anything.
        async with self._locked(what):
            if many:
                return await self._do_fetchall(sql, params)
            return await self._do_fetchone(sql, params)

    # ------------------------------------------------------------ raw operations (lock already held)

    async def _guarded(self, awaitable: Awaitable[T]) -> T:
        """Await an aiosqlite call, turning failures a person must fix into StorageError."""
        try:
            return await awaitable
        except sqlite3.Error as exc:
            message = _describe(self.path, exc, self._busy_timeout_ms)
            if message is None:
                raise
            raise StorageError(message, self.path) from exc

    async def _do_execute(self, sql: str, params: Params) -> int:
        cursor = await self._guarded(self._conn.execute(sql, params))
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def _do_executemany(self, sql: str, seq: Iterable[Params]) -> int:
        # Materialise here: the iterable is consumed on aiosqlite's worker thread otherwise.
        rows = list(seq)
        if not rows:
            return 0
        cursor = await self._guarded(self._conn.executemany(sql, rows))
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def _do_fetchall(self, sql: str, params: Params) -> list[sqlite3.Row]:
        rows = await self._guarded(self._conn.execute_fetchall(sql, params))
        return list(rows)

    async def _do_fetchone(self, sql: str, params: Params) -> sqlite3.Row | None:
        cursor = await self._guarded(self._conn.execute(sql, params))
        try:
            row: sqlite3.Row | None = await self._guarded(cursor.fetchone())
            return row
        finally:
            await cursor.close()

    async def _do_fetchval(self, sql: str, params: Params) -> Any:
        row = await self._do_fetchone(sql, params)
        return None if row is None else row[0]


def _check_identifier(name: str) -> None:
    if not name.isidentifier() or not name.isascii():
        raise ValueError(f"not a table name: {name!r}")


class _SqliteBulk(BulkSql):
    """`BulkSql` on the raw sqlite3 connection, used on the database thread only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    def executemany(self, sql: str, seq: Sequence[Params]) -> None:
        if seq:
            self._conn.executemany(sql, seq)

    def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return self._conn.execute(sql, params).fetchall()

    def insert_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        if not rows:
            return 0
        return self._conn.execute(_bulk_statement(sql), (as_json(rows),)).rowcount

    def insert_rows_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        if not rows:
            return []
        return self._conn.execute(_bulk_statement(sql), (as_json(rows),)).fetchall()


_BULK_CACHE: dict[str, str] = {}


def _bulk_statement(sql: str) -> str:
    """The single-row insert `sql` rewritten to read every row from one JSON parameter (bot/storage/bulk.py)."""
    statement = _BULK_CACHE.get(sql)
    if statement is None:
        head, columns, tail = single_row_insert(sql)
        statement = f"{head} {rows_from_json(columns)}{tail}"
        _BULK_CACHE[sql] = statement
    return statement


def _in_transaction(conn: aiosqlite.Connection, work: Callable[[BulkSql], T]) -> T:
    """`run_transaction`'s body, on the database thread (where `conn._conn` may be used)."""
    raw = conn._conn
    raw.execute("BEGIN IMMEDIATE")
    try:
        result = work(_SqliteBulk(raw))
        raw.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):  # a failed COMMIT may have ended it already
            raw.execute("ROLLBACK")
        raise
    return result


class SqliteTransaction(Transaction):
    """The handle given by `SqliteDatabase.transaction()`: same statements, committed only at the end."""

    def __init__(self, db: SqliteDatabase) -> None:
        """Created by `Database.transaction()` only."""
        self._db = db
        self._open = True

    def _check(self) -> SqliteDatabase:
        if not self._open:
            raise RuntimeError("this transaction is finished; open a new one with db.transaction()")
        return self._db

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows changed."""
        return await self._check()._do_execute(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        """Run one statement for each parameter set; returns the rows changed."""
        return await self._check()._do_executemany(sql, seq)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query (sees this transaction's own changes)."""
        return await self._check()._do_fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        return await self._check()._do_fetchone(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a query, or None."""
        return await self._check()._do_fetchval(sql, params)
