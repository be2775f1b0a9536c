"""The PostgreSQL engine of `bot.storage.database.Database` (asyncpg), for communities that outgrow one
machine or run several processes on one database.

Owns the connections (one writer behind an asyncio lock, as on SQLite, and a read pool whose sessions
are read-only), the translation of the shared SQL to what PostgreSQL takes, the batch writes of the hot
paths, ids from sequences, reconnection with backoff, and the errors a person must act on.

What the shared SQL needs here, and why:
- placeholders: `?`/`:name` become `$n` (`bot.storage.sqltext`);
- parameter types: PostgreSQL infers a type for each `$n` from the statement, and asyncpg refuses a
  Python value of another type (an int for a TEXT column). SQLite would store the value in the column's
  affinity; here each value is converted to the inferred type the same way (int -> text "5", "5" ->
  int), so repos bind what they have, as on SQLite. A parameter whose type PostgreSQL cannot infer
  (`? IS NULL` alone) is retried once with a cast from its Python type;
- NUMERIC results (`SUM` of a BIGINT, `AVG`) come back as int when integral and float otherwise, as
  SQLite gives them, never as Decimal;
- text: PostgreSQL refuses NUL characters and lone surrogates in text; NUL ends nothing here, it is
  dropped, and a lone surrogate becomes "?" (the same as the SQLite bulk path).

A lost connection: the statement that saw it fails with a `StorageError` ("may not have been applied"),
never silently: the batch writers keep their rows and write them again (their inserts are idempotent);
the next statement reconnects, with backoff, and says so in one line when the server stays away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from bot.storage.bulk import utf8_text
from bot.storage.database import BulkSql, Database, Params, StorageError, Transaction, single_row_insert
from bot.storage.sqltext import Numbered, reads_only, to_numbered

__all__ = ["PostgresDatabase", "describe_url"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name", "unknown", "char"})
_INT_TYPES = frozenset({"int2", "int4", "int8"})
_FLOAT_TYPES = frozenset({"float4", "float8"})
# The failures that mean the connection (not the statement) is gone.
_LOST = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    # asyncpg's state error ("cannot switch to state 12; another operation (2) is in progress") when it
    # learns the server ended the session while it starts a prepared statement (a restart mid-transaction).
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    ConnectionError,
    OSError,
)
_RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)  # seconds: about 16 s before giving up


def describe_url(url: str) -> str:
    """`host:port/database` of a postgresql:// URL (never its password), for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 5432
    database = parts.path.lstrip("/") or parts.username or "postgres"
    return f"{host}:{port}/{database}"


def _numeric(text: str) -> int | float:
    value = Decimal(text)
    if value == value.to_integral_value() and "." not in text and "e" not in text.lower():
        return int(value)
    return float(value)


async def _setup(conn: asyncpg.Connection) -> None:
    """Per connection: NUMERIC as int or float (as SQLite returns sums and averages)."""
    await conn.set_type_codec("numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text")


async def _keep_read_session(conn: asyncpg.Connection) -> None:
    """A read connection goes back to the pool as it is: its session has no state to undo (plain reads
    outside transactions: no SET, LISTEN or advisory lock), and asyncpg's default reset on release
    (`RESET ALL; UNLISTEN *; ...`) cost one more round trip for every read (benchmarks/README.md)."""


def _clean_text(value: str) -> str:
    # PostgreSQL text holds no NUL (SQLite's bulk path ends a string there; here it is dropped).
    return utf8_text(value.replace("\x00", "") if "\x00" in value else value)


def _coerce(value: Any, type_name: str) -> Any:
    """`value` converted to the parameter type PostgreSQL inferred, as SQLite's column affinity would."""
    if value is None:
        return None
    if type_name in _TEXT_TYPES:
        if isinstance(value, str):
            return _clean_text(value)
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, (bytes, bytearray)):
            return _clean_text(bytes(value).decode("utf-8", "replace"))
        return str(value)
    if type_name in _INT_TYPES:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (float, Decimal)):
            if value == value.to_integral_value() if isinstance(value, Decimal) else value.is_integer():
                return int(value)
            # asyncpg would cut it down to an int without a word; SQLite would have kept it as a REAL.
            raise ValueError(f"{value!r} is not a whole number: a PostgreSQL integer column cannot hold it")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        return value
    if type_name in _FLOAT_TYPES:
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            with contextlib.suppress(ValueError):
                return float(value)
        if isinstance(value, bool):
            return float(value)
        return value
    if type_name == "numeric":
        return str(value) if isinstance(value, (int, float, Decimal)) else value
    if type_name == "bool":
        return bool(value)
    return value


def _cast_for(value: Any) -> str:
    """A cast for a parameter PostgreSQL could not type, from the Python value."""
    if isinstance(value, (bool, int)):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    return "text"


_PARAMETER_NUMBER = re.compile(r"parameter \$(\d+)")


def _cast_one(casts: tuple[str | None, ...], message: str, values: Sequence[Any]) -> tuple[str | None, ...]:
    """`casts` with a cast added for the parameter PostgreSQL's message names (from its Python value)."""
    match = _PARAMETER_NUMBER.search(message)
    if match is None or not 1 <= int(match[1]) <= len(casts) or casts[int(match[1]) - 1] is not None:
        raise RuntimeError(f"cannot type the parameters of a statement: {message}")
    index = int(match[1]) - 1
    return (*casts[:index], _cast_for(values[index]), *casts[index + 1 :])


def _rowcount(status: str | None) -> int:
    """The row count of a command status such as "UPDATE 3" or "INSERT 0 5" (0 when there is none)."""
    if not status:
        return 0
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _Statement:
    """A prepared statement of one connection with its parameter types."""

    def __init__(self, prepared: asyncpg.prepared_stmt.PreparedStatement, numbered: Numbered) -> None:
        self.prepared = prepared
        self.numbered = numbered
        self.text = prepared.get_query()  # with the casts it was prepared with
        self.types = [t.name for t in prepared.get_parameters()]

    def arguments(self, params: Params) -> list[Any]:
        values = self.numbered.arguments(params)
        return [_coerce(v, t) for v, t in zip(values, self.types, strict=True)]


class _Caches:
    """A session's prepared statements by SQL text, and the casts of those PostgreSQL cannot type alone."""

    def __init__(self) -> None:
        self.statements: dict[tuple[str, tuple[str | None, ...]], _Statement] = {}
        self.untyped: dict[str, tuple[str | None, ...]] = {}


class _Session:
    """Statements on one asyncpg connection, with its prepared statements cached by SQL text."""

    def __init__(
        self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, shared: _Caches | None = None
    ) -> None:
        """`shared`: the read pool's caches, which a session of a pooled connection uses (see `_read`)."""
        self.conn = conn
        caches = shared or _Caches()
        self._cache = caches.statements
        # Statements with a parameter PostgreSQL cannot type alone: the casts they need, by `$n`.
        self._untyped = caches.untyped
        self._pooled = shared is not None

    async def statement(self, sql: str, params: Params) -> tuple[_Statement, list[Any]]:
        numbered = to_numbered(sql)
        values = numbered.arguments(params)
        casts = self._untyped.get(sql, ())
        cached = self._cache.get((sql, casts))
        if cached is None:
            while True:
                try:
                    prepared = await self._prepare(numbered.with_casts(casts) if casts else numbered.text)
                    break
                except asyncpg.exceptions.IndeterminateDatatypeError as exc:
                    # `? IS NULL` and the like: type that parameter from its Python value and try again.
                    casts = _cast_one(casts or (None,) * numbered.count, str(exc), values)
                    self._untyped[sql] = casts
            cached = self._cache[(sql, casts)] = _Statement(prepared, numbered)
            if len(self._cache) > 2048:  # a statement text built per call must not grow this forever
                self._cache.pop(next(iter(self._cache)))
        return cached, [_coerce(v, t) for v, t in zip(values, cached.types, strict=True)]

    async def _prepare(self, text: str) -> asyncpg.prepared_stmt.PreparedStatement:
        if self.conn.is_in_transaction():
            # A savepoint: a statement PostgreSQL refuses to prepare (a parameter it cannot type, retried
            # with a cast) must not abort the caller's transaction.
            async with self.conn.transaction():
                return await self.conn.prepare(text)
        return await self.conn.prepare(text)

    async def execute(self, sql: str, params: Params) -> int:
        statement, args = await self.statement(sql, params)
        await statement.prepared.fetch(*args)
        return _rowcount(statement.prepared.get_statusmsg())

    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        total = 0
        for params in list(seq):
            total += await self.execute(sql, params)
        return total

    async def pipelined(self, sql: str, seq: Sequence[Params]) -> None:
        """One statement for each parameter set, sent together (asyncpg pipelines a prepared statement's
        `executemany`): one round trip for a batch, where `executemany` waits for each row's count."""
        statement, _ = await self.statement(sql, seq[0])
        # Converted on the loop: the queue's statements are small (a few hundred rows at most).
        await statement.prepared.executemany([statement.arguments(params) for params in seq])

    async def fetchall(self, sql: str, params: Params) -> list[Any]:
        statement, args = await self.statement(sql, params)
        if self._pooled:
            # The cached statement may come from another pool connection (asyncpg invalidates it on
            # release): its text and types serve, and asyncpg's own per-connection cache runs it.
            pooled: list[Any] = await self.conn.fetch(statement.text, *args)
            return pooled
        rows: list[Any] = await statement.prepared.fetch(*args)
        return rows

    async def fetchone(self, sql: str, params: Params) -> Any:
        statement, args = await self.statement(sql, params)
        if self._pooled:
            return await self.conn.fetchrow(statement.text, *args)
        return await statement.prepared.fetchrow(*args)

    async def column_types(self, sql: str) -> list[str]:
        """The types PostgreSQL gives the placeholders of a single-row insert (one per column)."""
        _head, columns, _tail = single_row_insert(sql)
        single, _ = await self.statement(sql, [None] * columns)
        return single.types

    async def run_arrays(self, text: str, arrays: list[list[Any]], *, returning: bool) -> Any:
        """Run a `$n`-numbered statement whose parameters are whole columns (already of their types)."""
        if returning:
            return await self.conn.fetch(text, *arrays)
        return _rowcount(await self.conn.execute(text, *arrays))


_CHUNK = 500  # rows per statement of a batch write (see `_PgBulk._all_rows`)


def _unnest(sql: str, types: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, list[list[Any]]]:
    """A single-row insert rewritten as `INSERT ... SELECT * FROM unnest($1::t1[], ...)` for all `rows`,
    with one array per column converted to its type. Pure Python: done off the event loop."""
    head, columns, tail = single_row_insert(sql)
    arrays = [[_coerce(row[i], types[i]) for row in rows] for i in range(columns)]
    unnest = ", ".join(f"${i + 1}::{types[i]}[]" for i in range(columns))
    return f"{head} SELECT * FROM unnest({unnest}){tail}", arrays


class _PgBulk(BulkSql):
    """`BulkSql` for a work function on a worker thread: each call runs on the event loop and waits."""

    def __init__(self, session: _Session, loop: asyncio.AbstractEventLoop) -> None:
        self._session = session
        self._loop = loop
        self.cancelled = False
        """Set on the loop when the task waiting for the work is cancelled: its next statement raises."""

    def _wait(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.cancelled:
            coro.close()
            raise RuntimeError("the batch was cancelled (the bot is stopping): its transaction is rolled back")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._wait(self._session.execute(sql, params))

    def executemany(self, sql: str, seq: Sequence[Params]) -> None:
        if seq:
            self._wait(self._session.pipelined(sql, seq))

    def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return self._wait(self._session.fetchall(sql, params))

    def _all_rows(self, sql: str, rows: Sequence[Sequence[Any]], *, returning: bool) -> Any:
        # Only the statement's types come from the loop; the arrays are built here, on the worker thread,
        # so a 2,000-row batch never holds the event loop while its values are converted. asyncpg still
        # encodes the arrays on the loop: chunks of `_CHUNK` rows let chat in between (a 2,000-row batch
        # in one statement held the loop up to 400 ms, measured).
        types = self._wait(self._session.column_types(sql))
        found: list[Any] = []
        count = 0
        for start in range(0, len(rows), _CHUNK):
            text, arrays = _unnest(sql, types, rows[start : start + _CHUNK])
            result = self._wait(self._session.run_arrays(text, arrays, returning=returning))
            if returning:
                found.extend(result)
            else:
                count += result
        return found if returning else count

    def insert_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        if not rows:
            return 0
        count: int = self._all_rows(sql, rows, returning=False)
        return count

    def insert_rows_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        if not rows:
            return []
        found: list[Any] = self._all_rows(sql, rows, returning=True)
        return found


class PostgresDatabase(Database):
    """One writer connection behind an asyncio lock, a read-only pool for plain reads."""

    engine = "postgresql"

    def __init__(self, url: str, password: str | None, timeout: float, read_connections: int) -> None:
        """Use `PostgresDatabase.open`."""
        self.url = url
        self._open_gate(describe_url(url))
        self.path = None
        self._password = password
        self._timeout = timeout
        self._read_size = read_connections
        self._writer: _Session | None = None
        self._pool: asyncpg.Pool | None = None
        # The read pool's statement texts and parameter types, learnt once for all its connections, so
        # a read is one round trip: it was a prepare, the query and the pool's reset, and the weekly
        # digest on the pool took 1.3-3.1 times what the same reads took on the writer; 1.0-1.7 since
        # (benchmarks/README.md, PostgreSQL).
        self._read_caches = _Caches()

    @classmethod
    async def connect(
        cls, url: str, *, password_env: str | None = None, connect_timeout: float = 10.0, read_connections: int = 2
    ) -> PostgresDatabase:
        """Connect (the password, if any, from the environment variable `password_env`)."""
        password = os.environ.get(password_env) if password_env else None
        db = cls(url, password, connect_timeout, read_connections)
        db._writer = _Session(await db._connect())
        collation = await db._writer.conn.fetchval(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        )
        if str(collation).split(".")[0] not in ("C", "POSIX"):
            # Text order (names in lists, keywords, ISO times compared as text still work) then follows the
            # locale's rules, not SQLite's byte order: lists may come out in another order than on SQLite.
            log.warning(
                "PostgreSQL database %s sorts text by %s: create it with LC_COLLATE 'C.UTF-8' (TEMPLATE template0) "
                "for the same order as SQLite (docs/deploy.md)",
                db.label,
                collation,
            )
        if read_connections > 0:
            try:
                db._pool = await asyncpg.create_pool(
                    url,
                    password=password,
                    min_size=0,
                    max_size=read_connections,
                    timeout=connect_timeout,
                    init=_setup,
                    reset=_keep_read_session,
                    server_settings={"default_transaction_read_only": "on", "application_name": "affinity-bot"},
                )
            except BaseException:
                await db._writer.conn.close()
                raise
        return db

    async def _connect(self) -> asyncpg.Connection:
        try:
            conn = await asyncpg.connect(
                self.url,
                password=self._password,
                timeout=self._timeout,
                server_settings={"application_name": "affinity-bot"},
            )
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.exceptions.InterfaceError) as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {self.label}: {_reason(exc)}", self.label) from exc
        await _setup(conn)
        return conn

    @property
    def read_connections(self) -> int:
        """The size of the read pool (0: reads share the writer)."""
        return self._read_size if self._pool is not None else 0

    async def close(self) -> None:
        """Wait for running work, then close the pool and the writer (idempotent)."""
        await self._close_once(self._close_connections)

    async def _close_connections(self) -> None:
        try:
            if self._pool is not None:
                await self._pool.close()
        finally:
            if self._writer is not None:
                await self._writer.conn.close()

    # ------------------------------------------------------------ statements

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement (auto-committed); returns the rows changed."""
        async with self._session("execute()") as session:
            return await _guarded(self.label, session.execute(sql, params))

    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        """Run one statement for each parameter set, all in one transaction; returns the rows changed."""
        async with self.transaction() as tx:
            return await tx.executemany(sql, seq)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        """All rows of a query (plain reads on the read pool)."""
        if self._pool is not None and reads_only(sql):
            rows: list[Any] = await self._read(sql, params, many=True)
            return rows
        async with self._session("fetchall()") as session:
            return await _guarded(self.label, session.fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        """The first row of a query, or None."""
        if self._pool is not None and reads_only(sql):
            return await self._read(sql, params, many=False)
        async with self._session("fetchone()") as session:
            return await _guarded(self.label, session.fetchone(sql, params))

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        """`count` values of the identity sequence of `table.id`."""
        if not table.isidentifier() or not table.isascii():
            raise ValueError(f"not a table name: {table!r}")
        if count < 1:
            return []
        rows = await self.fetchall(
            "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", (table, count)
        )
        return [int(row[0]) for row in rows]

    async def copy_records(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> int:
        """Append rows to `table` with one binary COPY (auto-committed); returns the rows written.

        The bulk load of `affinity-bot db copy` (bot/storage/copy.py). No conversion here, unlike the
        other statements: each value must already be of its column's Python type (int for BIGINT, str
        for TEXT, float for DOUBLE PRECISION)."""
        async with self._session("copy_records()") as session:
            status = await _guarded(
                self.label, session.conn.copy_records_to_table(table, records=records, columns=list(columns))
            )
        return _rowcount(status)

    async def tables(self) -> set[str]:
        """The tables of the current schema."""
        rows = await self.fetchall("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in rows}

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction() as tx:` BEGIN, COMMIT on success, ROLLBACK on error."""
        return self._transaction()

    async def run_prepared(self, prepare: Callable[[], Callable[[BulkSql], T]]) -> T:
        """`prepare()` on the loop once the writer is held, then the work on a worker thread inside one
        transaction (each of its statements is relayed to the loop: asyncpg lives there)."""
        async with self._transaction() as tx:
            work = prepare()
            assert isinstance(tx, _PgTransaction)
            bulk = _PgBulk(tx.session, asyncio.get_running_loop())
            job = asyncio.ensure_future(asyncio.to_thread(work, bulk))
            try:
                return await asyncio.shield(job)
            except asyncio.CancelledError:
                # The thread cannot be stopped: until it is done the transaction and the writer stay held,
                # or the statements it still sends would run on the writer outside any transaction (each
                # committed on its own) while another task uses it. Its next statement raises instead.
                bulk.cancelled = True
                while not job.done():
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait([job])
                if not job.cancelled():
                    job.exception()  # retrieved: the cancellation is what the caller is told
                raise

    # ------------------------------------------------------------ locking and connections

    async def _writer_session(self) -> _Session:
        """The writer, reconnected (with backoff) when the server closed it."""
        writer = self._writer
        if writer is not None and not writer.conn.is_closed():
            return writer
        last: StorageError | None = None
        for delay in (0.0, *_RECONNECT_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            try:
                self._writer = _Session(await self._connect())
            except StorageError as exc:
                last = exc
                continue
            log.warning("reconnected to PostgreSQL at %s", self.label)
            return self._writer
        assert last is not None
        raise last

    @asynccontextmanager
    async def _session(self, what: str) -> AsyncIterator[_Session]:
        async with self._locked(what):
            yield await self._writer_session()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction]:
        async with self._owned("transaction()"):
            session = await self._writer_session()
            tx = _PgTransaction(self.label, session)
            transaction = session.conn.transaction()
            try:
                try:
                    await _guarded(self.label, transaction.start())
                    yield tx
                    tx.open = False
                    await _guarded(self.label, transaction.commit())
                except BaseException:
                    tx.open = False
                    with contextlib.suppress(Exception):
                        if not session.conn.is_closed():
                            await transaction.rollback()
                    raise
            finally:
                tx.open = False

    async def _read(self, sql: str, params: Params, *, many: bool) -> Any:
        self._refuse_reentry("a read")
        pool = self._pool
        assert pool is not None
        # A read changed nothing (its session is read-only): one that met a session the server ended (a
        # restart ends every pooled one) is run again on a new session before it is reported.
        for attempt in (1, 2):
            try:
                async with pool.acquire() as conn:
                    session = _Session(conn, self._read_caches)
                    if many:
                        return await session.fetchall(sql, params)
                    return await session.fetchone(sql, params)
            except asyncpg.exceptions.ReadOnlySQLTransactionError:
                break  # a WITH ... INSERT and the like: refused before it changed anything
            except _LOST as exc:
                if attempt == 2:
                    raise StorageError(
                        f"lost the connection to PostgreSQL at {self.label}: {_reason(exc)}", self.label
                    ) from exc
        async with self._session("a read") as writer:
            if many:
                return await _guarded(self.label, writer.fetchall(sql, params))
            return await _guarded(self.label, writer.fetchone(sql, params))


class _PgTransaction(Transaction):
    """The handle given by `PostgresDatabase.transaction()`."""

    def __init__(self, label: str, session: _Session) -> None:
        self.label = label
        self.session = session
        self.open = True

    def _check(self) -> _Session:
        if not self.open:
            raise RuntimeError("this transaction is finished; open a new one with db.transaction()")
        return self.session

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows changed."""
        return await _guarded(self.label, self._check().execute(sql, params))

    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        """Run one statement for each parameter set; returns the rows changed."""
        return await _guarded(self.label, self._check().executemany(sql, seq))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        """All rows of a query (sees this transaction's own changes)."""
        return await _guarded(self.label, self._check().fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        """The first row of a query, or None."""
        return await _guarded(self.label, self._check().fetchone(sql, params))


def _reason(exc: BaseException) -> str:
    """One line saying what failed, without a traceback."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running, and on this host and port?)"
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time (is the host reachable?)"
    if isinstance(exc, asyncpg.exceptions.InvalidPasswordError):
        return f"{exc} (check the password environment variable named by database.password_env)"
    if isinstance(exc, asyncpg.exceptions.InvalidCatalogNameError):
        return f"{exc} (create it, or fix the database name in database.url)"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text


async def _guarded(label: str, awaitable: Coroutine[Any, Any, T]) -> T:
    """Await a statement, turning a lost connection into a StorageError a person can read."""
    try:
        return await awaitable
    except _LOST as exc:
        raise StorageError(
            f"lost the connection to PostgreSQL at {label} ({_reason(exc)}); the statement may not have been "
            f"applied and will be retried by the writers that keep their rows",
            label,
        ) from exc
