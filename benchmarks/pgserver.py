"""The PostgreSQL server the `pg` benchmark suite measures: `AFFINITY_BENCH_PG_URL` when given, else a
throwaway cluster started for the run (initdb in a temporary folder, UTF-8, C.UTF-8 collation, trust
authentication, a free 127.0.0.1 port) and removed afterwards; and fresh databases on it.

Durability is kept as a production server has it (`fsync=on`, `synchronous_commit=on`, the defaults),
so the figures are honest; only sizes a production server would also raise are changed (shared
buffers, the WAL size between checkpoints), and the suite prints them. As root, the cluster runs as
the `postgres` user (PostgreSQL refuses root).

The cluster itself is the test suite's (tests/pgserver.py `PgServer.start`), started durable here.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from tests.pgserver import PgServer as Cluster
from tests.pgserver import PgUnavailable as ClusterUnavailable

__all__ = ["SETTINGS", "PgServer", "server"]

SETTINGS = {
    "shared_buffers": "512MB",  # the 5M-row table and its indexes mostly fit, as on a real server
    "max_wal_size": "4GB",  # no forced checkpoint in the middle of the 5M-row COPY
    "max_connections": "100",
}
"""Server settings changed from PostgreSQL's defaults (fsync and synchronous_commit stay on)."""


class PgUnavailable(RuntimeError):
    """No server given and none could be started; the message says why in one line."""


@dataclass
class PgServer:
    """A server reachable at `admin_url` (its `postgres` database) where the suite creates databases."""

    admin_url: str
    started: bool

    def url(self, database: str) -> str:
        """The URL of `database` on this server."""
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))

    @contextlib.contextmanager
    def database(self, prefix: str) -> Iterator[str]:
        """A new empty database (its URL), dropped afterwards."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import asyncio

        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        # A fresh loop on a worker thread: callers may be inside a running loop.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()


@contextlib.contextmanager
def server() -> Iterator[PgServer]:
    """`AFFINITY_BENCH_PG_URL`'s server, or a throwaway one for the block (raises `PgUnavailable`)."""
    given = os.environ.get("AFFINITY_BENCH_PG_URL")
    if given:
        yield PgServer(given, started=False)
        return
    try:
        cluster = Cluster.start(durable=True, settings=SETTINGS)
    except ClusterUnavailable as exc:
        raise PgUnavailable(f"no AFFINITY_BENCH_PG_URL, and {exc}") from exc
    try:
        yield PgServer(cluster.admin_url, started=True)
    finally:
        cluster.stop()
