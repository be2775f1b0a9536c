"""Read connections: a small pool of query-only connections, each on its own thread, so that a command
reading the database does not queue behind the writer (a batch of chat activity, a transaction).

SQLite in WAL mode lets any number of readers work beside the one writer. Each read here is one
statement in autocommit mode, so it sees everything committed when it starts and never a transaction
still in progress: a read issued after an awaited write sees that write (the writer commits before the
awaited call returns). The connections are `PRAGMA query_only`: a statement that would write is refused
by SQLite, never half done, and `Database` sends it to the writer instead.

`ReadPool` is what `Database` needs from any engine; `SqliteReaders` fills it for SQLite, and a
PostgreSQL backend can fill it with a connection pool. Every method runs the whole statement (execute,
fetch, close the cursor) in one hand-over to the connection's thread: while chat keeps the event loop
busy, each extra round trip through the loop would cost a read more than the query itself.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

__all__ = ["ReadPool", "SqliteReaders"]

Params = Sequence[Any] | Mapping[str, Any]
T = TypeVar("T")


class ReadPool(Protocol):
    """Read-only connections beside the writer: each call sees the last committed state."""

    @property
    def size(self) -> int:
        """How many connections serve reads at once."""
        ...

    async def fetchall(self, sql: str, params: Params) -> list[Any]:
        """Every row of a query."""
        ...

    async def fetchone(self, sql: str, params: Params) -> Any:
        """The first row of a query, or None."""
        ...

    async def close(self) -> None:
        """Wait for the reads in flight, then close every connection (idempotent)."""
        ...


class _Reader:
    """One query-only connection and the single thread that uses it."""

    def __init__(self, conn: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self.conn = conn
        self.thread = thread


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A query-only connection to `path` (on the reader's thread: opening touches the file)."""
    # check_same_thread=False: created and used on the reader's one thread, closed there too, but the
    # sqlite3 module checks against the creating thread only when asked to.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        # WAL readers seldom wait, but a checkpoint restarting the log or a recovery can make them.
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _fetchall(conn: sqlite3.Connection, sql: str, params: Params) -> list[Any]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _fetchone(conn: sqlite3.Connection, sql: str, params: Params) -> Any:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        # Closing ends the statement, and with it the read snapshot, before the thread is handed back.
        cursor.close()


class SqliteReaders:
    """`count` query-only SQLite connections, each with its own thread; a read takes whichever is idle."""

    def __init__(self, path: Path, readers: list[_Reader]) -> None:
        """Use `SqliteReaders.open`."""
        self.path = path
        self._readers = readers
        self._idle: asyncio.Queue[_Reader] = asyncio.Queue()
        for reader in readers:
            self._idle.put_nowait(reader)
        self._closed = False

    @classmethod
    async def open(cls, path: Path, count: int, *, busy_timeout_ms: int) -> SqliteReaders:
        """Open `count` (at least 1) connections to the WAL database at `path`, already created by the writer."""
        if count < 1:
            raise ValueError("a read pool needs at least one connection")
        loop = asyncio.get_running_loop()
        readers: list[_Reader] = []
        try:
            for index in range(count):
                thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sqlite-reader-{index}")
                try:
                    conn = await loop.run_in_executor(thread, _connect, path, busy_timeout_ms)
                except BaseException:
                    thread.shutdown(wait=False)
                    raise
                readers.append(_Reader(conn, thread))
        except BaseException:
            for reader in readers:
                await _close_reader(reader)
            raise
        return cls(path, readers)

    @property
    def size(self) -> int:
        """How many connections the pool has."""
        return len(self._readers)

    async def fetchall(self, sql: str, params: Params) -> list[Any]:
        """Every row of a query."""
        return await self._run(_fetchall, sql, params)

    async def fetchone(self, sql: str, params: Params) -> Any:
        """The first row of a query, or None."""
        return await self._run(_fetchone, sql, params)

    async def _run(self, work: Callable[[sqlite3.Connection, str, Params], T], sql: str, params: Params) -> T:
        if self._closed:
            raise RuntimeError(f"the database {self.path} is closed")
        reader = await self._idle.get()
        try:
            if self._closed:  # woken by close(), which hands the closed connections back to wake waiters
                raise RuntimeError(f"the database {self.path} is closed")
            loop = asyncio.get_running_loop()
            # Materialise here: an iterator would be consumed on the reader's thread otherwise.
            bound = params if isinstance(params, Mapping) else tuple(params)
            return await loop.run_in_executor(reader.thread, work, reader.conn, sql, bound)
        finally:
            # Even when the caller was cancelled while the thread still runs the query: the thread runs one
            # task at a time, so the next read on this connection simply starts after it.
            self._idle.put_nowait(reader)

    async def close(self) -> None:
        """Wait for the reads in flight, then close every connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        # Reads in flight finish first (their connections come back); reads still waiting for one are
        # refused, as the writer refuses statements queued behind its lock when it closes.
        taken = [await self._idle.get() for _ in self._readers]
        try:
            for reader in taken:
                await _close_reader(reader)
        finally:
            for reader in taken:
                self._idle.put_nowait(reader)


async def _close_reader(reader: _Reader) -> None:
    """Close the connection on its own thread (after anything still queued there), then let the thread end."""
    try:
        await asyncio.get_running_loop().run_in_executor(reader.thread, reader.conn.close)
    finally:
        reader.thread.shutdown(wait=False)
