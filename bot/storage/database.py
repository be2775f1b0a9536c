"""The database handle every repo receives, whatever the engine: its statements, transactions, batch writes
and ids, and the errors a person must act on.

Two engines fill it: SQLite (`bot.storage.sqlite`, the embedded default: one file, one process) and
PostgreSQL (`bot.storage.postgres`, for communities that outgrow one machine or run several processes).
`bot.storage.engines.connect(url)` opens either. Repos write one SQL dialect, the subset both engines
accept (docs/architecture.md, "SQL both engines accept"): `?` or `:name` placeholders, no engine-only
function, integers (not booleans) for flags, ISO text for times.

The semantics are the same on both engines:
- statements of one process that may write are serialised (one writer connection behind a lock), so a
  statement never slips into another task's transaction; plain reads (SELECT, WITH, VALUES) go to read
  connections that see the last committed state, without queueing behind writes;
- `transaction()` is all or nothing; nesting is refused (`RuntimeError`) rather than deadlocking;
- `run_transaction(work)` runs a synchronous batch function off the event loop between BEGIN and
  COMMIT, for the hot paths; `work` receives a `BulkSql`, whose `insert_rows` writes many rows in one
  statement;
- ids come from the database (`insert_id`, `allocate_ids`), never from memory or `MAX(id)`.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["BulkSql", "Database", "Params", "Statements", "StorageError", "Transaction", "single_row_insert"]

Params = Sequence[Any] | Mapping[str, Any]
"""Bound parameters of one statement: positional (`?`) or named (`:name`)."""

T = TypeVar("T")


class StorageError(Exception):
    """The database cannot be used; the message names the file or server and says what to do."""

    def __init__(self, message: str, path: Path | str) -> None:
        super().__init__(message)
        self.path = path


class BulkSql(ABC):
    """What a `run_transaction` work function receives: synchronous statements inside one transaction."""

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows changed."""

    @abstractmethod
    def executemany(self, sql: str, seq: Sequence[Params]) -> None:
        """Run one statement for each parameter set (PostgreSQL: pipelined, one round trip for all)."""

    @abstractmethod
    def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        """Every row of a query (sees this transaction's own writes)."""

    @abstractmethod
    def insert_rows(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run a single-row `INSERT ... VALUES (?, ...) [ON CONFLICT ...]` for every row, as one statement;
        returns the rows inserted or updated."""

    @abstractmethod
    def insert_rows_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """`insert_rows` of an INSERT ending in `RETURNING ...`: the returned rows."""


class Statements(ABC):
    """The statements a database and a transaction both offer (the `Sql` protocol of bot/protocols.py)."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the rows changed."""

    @abstractmethod
    async def executemany(self, sql: str, seq: Iterable[Params]) -> int:
        """Run one statement for each parameter set; returns the rows changed."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        """All rows of a query."""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        """The first row of a query, or None."""

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a query, or None."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def insert_id(self, sql: str, params: Params = ()) -> int:
        """Run an `INSERT ... RETURNING id` and return the id the database gave the row."""
        row = await self.fetchone(sql, params)
        if row is None:
            raise RuntimeError(f"the insert returned no row (is there a RETURNING clause?): {sql.splitlines()[0]}")
        return int(row[0])


class Transaction(Statements):
    """The handle given by `Database.transaction()`: the same statements, committed only at the end (its
    reads see its own changes)."""


class Database(Statements):
    """One open database of either engine (see the module docstring for the shared semantics).

    Both engines serialise this process's writes through one writer: `_locked` holds it for one
    statement, `_owned` for a transaction (a call back into the Database from the owning task is refused
    rather than deadlocking), `_close_once` closes after the work in progress."""

    engine: str
    """"sqlite" or "postgresql"."""
    label: str
    """Where the data is, for messages: the file path, or `host:port/database`."""
    path: Path | None
    """The SQLite file (None on PostgreSQL)."""

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_ms: int = 5000, read_connections: int = 2) -> Database:
        """Open (creating it if needed) the SQLite database file at `path`; see `bot.storage.engines.connect`
        for any engine."""
        from bot.storage.sqlite import SqliteDatabase  # the engine module imports this one

        return await SqliteDatabase.open(path, busy_timeout_ms=busy_timeout_ms, read_connections=read_connections)

    @property
    @abstractmethod
    def read_connections(self) -> int:
        """How many read connections serve plain reads (0: they share the writer)."""

    @abstractmethod
    async def close(self) -> None:
        """Wait for running work, then close every connection (idempotent)."""

    @abstractmethod
    async def allocate_ids(self, table: str, count: int) -> list[int]:
        """`count` ids reserved from `table`'s own id sequence (its `id` column), for a writer that must
        know an id before its batched insert lands. Unique across processes; never reused."""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction() as tx:` BEGIN, COMMIT on success, ROLLBACK on error."""

    async def run_transaction(self, work: Callable[[BulkSql], T]) -> T:
        """Run `work(bulk)` off the event loop between BEGIN and COMMIT; a failure rolls back and is raised.

        For batch writers on the hot path (the activity writer, the questions plugin's queue). `work`
        must be a few statements around quick Python: it runs on another thread, so it must not touch
        asyncio objects or anything the loop mutates."""
        return await self.run_prepared(lambda: work)

    @abstractmethod
    async def run_prepared(self, prepare: Callable[[], Callable[[BulkSql], T]]) -> T:
        """`run_transaction(prepare())`, with `prepare` called on the event loop once the writer is held:
        rows taken from a queue there are exactly what this transaction writes."""

    async def backup_to(self, dest: Path) -> None:
        """Copy the whole database to the file `dest` (SQLite's online backup; PostgreSQL: use pg_dump)."""
        raise StorageError(f"{self.label}: back up a PostgreSQL database with pg_dump (docs/deploy.md)", self.label)

    @abstractmethod
    async def tables(self) -> set[str]:
        """The names of the tables that exist (the engine's own catalogue excluded)."""

    # ------------------------------------------------------------ the writer gate, shared by the engines

    def _open_gate(self, label: str) -> None:
        """Set up the writer's lock; called once by the engine's constructor."""
        self.label = label
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._closed = False

    def _refuse_reentry(self, what: str) -> None:
        """Fail fast instead of deadlocking when the transaction holder calls back into the Database."""
        if self._closed:
            raise RuntimeError(f"the database {self.label} is closed")
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError(
                f"{what} called on the Database from inside this task's own transaction: "
                f"use the Transaction object (nested transactions are not supported)"
            )

    @asynccontextmanager
    async def _locked(self, what: str) -> AsyncIterator[None]:
        """Hold the writer for one plain operation."""
        self._refuse_reentry(what)
        async with self._lock:
            if self._closed:
                raise RuntimeError(f"the database {self.label} is closed")
            yield

    @asynccontextmanager
    async def _owned(self, what: str) -> AsyncIterator[None]:
        """Hold the writer for a transaction of the current task."""
        async with self._locked(what):
            self._owner = asyncio.current_task()
            try:
                yield
            finally:
                self._owner = None

    async def _close_once(self, closing: Callable[[], Awaitable[None]]) -> None:
        """Wait for the work holding the writer, then run `closing` once (later calls do nothing)."""
        if self._closed:
            return
        self._refuse_reentry("close()")
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            await closing()


# A single-row insert: everything up to VALUES, the tuple of placeholders, and the rest (ON CONFLICT ...).
_SINGLE_ROW = re.compile(r"^(?P<head>\s*INSERT\s.*?\bVALUES\s*)\((?P<marks>[\s?,]*)\)(?P<tail>.*)$", re.I | re.S)


def single_row_insert(sql: str) -> tuple[str, int, str]:
    """Split `INSERT INTO t (a, b) VALUES (?, ?) <tail>` into (head without VALUES, column count, tail).

    The shape `BulkSql.insert_rows` accepts: positional `?` placeholders only, one row."""
    match = _SINGLE_ROW.match(sql)
    if match is None:
        raise ValueError(f"insert_rows needs `INSERT ... VALUES (?, ...) ...`, not: {sql.strip().splitlines()[0]}")
    marks = [m.strip() for m in match["marks"].split(",")]
    if not marks or any(m != "?" for m in marks):
        raise ValueError("insert_rows needs one `?` per column in VALUES (...)")
    head = re.sub(r"\bVALUES\s*$", "", match["head"].rstrip(), flags=re.I).rstrip()
    return head, len(marks), match["tail"]
