"""Which engine a `database.url` names, and opening it: `sqlite:///path` (the embedded default) or
`postgresql://user@host:port/database` (several processes, one server)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.storage.database import Database

__all__ = ["SCHEMES", "connect", "sqlite_path"]

SCHEMES = ("sqlite", "postgresql", "postgres")


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///relative/path` or `sqlite:////absolute/path` URL."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise ValueError(f"not a sqlite:// URL: {url}")
    if parts.netloc:
        raise ValueError(f"a sqlite URL has no host: write sqlite:///{parts.netloc}{parts.path}")
    path = unquote(parts.path)
    # sqlite:///data/x.db is relative (three slashes), sqlite:////srv/x.db absolute (four), as in SQLAlchemy.
    path = path[1:] if path.startswith("/") else path
    if not path:
        raise ValueError("the sqlite URL names no file: write sqlite:///data/affinity-bot.db")
    return Path(path)


async def connect(
    url: str,
    *,
    password_env: str | None = None,
    busy_timeout_ms: int = 5000,
    read_connections: int = 2,
    connect_timeout: float = 10.0,
) -> Database:
    """Open the database a URL names (raises `StorageError` naming the file or host when it cannot)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return await Database.open(sqlite_path(url), busy_timeout_ms=busy_timeout_ms, read_connections=read_connections)
    if scheme in ("postgresql", "postgres"):
        from bot.storage.postgres import PostgresDatabase  # asyncpg is imported only when used

        return await PostgresDatabase.connect(
            url, password_env=password_env, connect_timeout=connect_timeout, read_connections=read_connections
        )
    raise ValueError(f"unknown database URL scheme {scheme!r}: use sqlite:/// or postgresql://")
