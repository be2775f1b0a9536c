"""One database shared by several simulated processes, on each engine: SQLite (a file) and PostgreSQL
(a fresh database on the suite's server; those tests are skipped when no PostgreSQL is installed).

`opener()` opens one more `Database` handle on it (one handle per process), the first one migrated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.engines import connect
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations

ENGINES = ("sqlite", "postgresql")
PG_URL_ENV = "AFFINITY_TEST_PG_URL"
_MIGRATED_AT = datetime(2026, 1, 1, tzinfo=UTC)

Opener = Callable[[], Awaitable[Database]]


async def _migrate(db: Database) -> None:
    await apply_migrations(db, MIGRATIONS_DIR, now=_MIGRATED_AT)


@asynccontextmanager
async def _fresh_postgres(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A new empty database on the suite's throwaway server (tests/conftest.py's `pg_url`)."""
    yield str(request.getfixturevalue("pg_url"))


@asynccontextmanager
async def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Yields `opener()` on a database of the engine `request.param` names; every handle it opened is
    closed at the end."""
    handles: list[Database] = []

    async def opener_for(url: str) -> Database:
        db = await connect(url)
        if not handles:
            await _migrate(db)
        handles.append(db)
        return db

    async def close_all() -> None:
        for db in handles:
            await db.close()
        handles.clear()

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        try:
            yield lambda: opener_for(url)
        finally:
            await close_all()
        return
    async with _fresh_postgres(request) as pg:
        try:
            yield lambda: opener_for(pg)
        finally:
            await close_all()
