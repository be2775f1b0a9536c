"""Schema migrations: the `schema_migrations` table and the runner that applies `NNNN_<owner>_<what>.sql`
(the files live in `bot/migrations/`).

Owns the file naming rule, the checksum of applied files (an applied file must never change), the
backup taken before new files are applied to a database that already holds data, and the atomic
application of each file together with its `schema_migrations` row.

Rules enforced at start, each failing with a `MigrationError` that names the file:
- every `*.sql` file (and any file starting with a digit) must be named `NNNN_<owner>_<what>.sql`
  in lower case, e.g. `0001_core_activity.sql`; version numbers are unique;
- an applied file must still exist and hash to the recorded checksum (sha256 of its bytes with CRLF
  read as LF, so a Windows checkout does not look like an edit);
- a file must not manage transactions itself (BEGIN/COMMIT/...): the runner wraps each file in one.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.database import Database, Transaction
from bot.storage.times import from_db, to_db

__all__ = ["MIGRATIONS_DIR", "MigrationError", "apply_migrations", "pending_migrations"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
"""The `bot/migrations` folder shipped inside the package (package data, so wheels carry it too); the
default the app passes to `apply_migrations` unless `database.migrations_dir` overrides it. Applied
files are recorded by name and checksum, never by path, so moving the folder keeps databases valid."""

_NAME = re.compile(r"^(?P<version>\d{4})_(?P<owner>[a-z][a-z0-9]*)_(?P<what>[a-z0-9][a-z0-9_]*)\.sql$")
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_TRANSACTION_WORDS = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


class MigrationError(Exception):
    """The migrations folder or the database's migration history is inconsistent; start is refused."""


@dataclass(frozen=True, slots=True)
class _File:
    version: int
    name: str
    path: Path
    checksum: str


@dataclass(frozen=True, slots=True)
class _Applied:
    version: int
    name: str
    checksum: str
    applied_at: str


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _read_directory(directory: Path) -> list[_File]:
    """The migration files sorted by version, after checking names and version numbers."""
    if not directory.is_dir():
        raise MigrationError(f"the migrations folder {directory} does not exist")
    files: dict[int, _File] = {}
    for path in sorted(directory.iterdir()):
        name = path.name
        if name.startswith(".") or not path.is_file():
            continue
        if not (name.endswith(".sql") or name[:1].isdigit()):
            continue  # README.md and the like
        match = _NAME.match(name)
        if match is None:
            raise MigrationError(
                f"migration file {name} in {directory} is badly named: expected NNNN_<owner>_<what>.sql "
                f"in lower case, e.g. 0001_core_activity.sql"
            )
        version = int(match["version"])
        if version in files:
            raise MigrationError(
                f"migrations {files[version].name} and {name} share the version number {version:04d}; "
                f"renumber the one that was not applied yet"
            )
        files[version] = _File(version, name, path, _checksum(path.read_bytes()))
    return [files[v] for v in sorted(files)]


async def _applied(db: Database) -> dict[int, _Applied]:
    """What the database says was applied (empty when schema_migrations does not exist yet)."""
    exists = await db.fetchval("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    if not exists:
        return {}
    rows = await db.fetchall("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
    return {row["version"]: _Applied(row["version"], row["name"], row["checksum"], row["applied_at"]) for row in rows}


def _check_history(files: list[_File], applied: dict[int, _Applied]) -> list[_File]:
    """Refuse edited or vanished applied files; return the files still to apply."""
    by_version = {f.version: f for f in files}
    for version, record in applied.items():
        file = by_version.get(version)
        if file is None:
            raise MigrationError(
                f"the database has migration {record.name} applied but the file is missing from the "
                f"migrations folder: is this an older version of the bot than the one that wrote the "
                f"database?"
            )
        if file.checksum != record.checksum or file.name != record.name:
            day = from_db(record.applied_at).date().isoformat()
            raise MigrationError(
                f"migration {file.name} was edited after it was applied on {day}; applied migrations must "
                f"never change: restore it and put the change in a new file"
            )
    return [f for f in files if f.version not in applied]


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (semicolons inside strings and triggers are respected)."""
    statements: list[str] = []
    buffer = ""
    for piece in script.split(";"):
        buffer = f"{buffer};{piece}" if buffer else piece
        if sqlite3.complete_statement(buffer + ";"):
            statement = buffer.strip()
            if _LEADING_COMMENTS.sub("", statement, count=1):
                statements.append(statement)
            buffer = ""
    if _LEADING_COMMENTS.sub("", buffer, count=1).strip():
        raise MigrationError("the script ends with an incomplete statement (missing ';'?)")
    return statements


def _first_word(statement: str) -> str:
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    return body.split(None, 1)[0].upper() if body else ""


async def _run_file(tx: Transaction, file: _File, now: datetime) -> None:
    """Apply one file and record it; the caller's transaction makes both atomic."""
    try:
        statements = _statements(file.path.read_text(encoding="utf-8"))
    except MigrationError as exc:
        raise MigrationError(f"migration {file.name}: {exc}") from exc
    for index, statement in enumerate(statements, start=1):
        if _first_word(statement) in _TRANSACTION_WORDS:
            raise MigrationError(
                f"migration {file.name} must not manage transactions (statement {index}: "
                f"{statement.splitlines()[0]}); the runner wraps each file in one"
            )
        try:
            await tx.execute(statement)
        except sqlite3.Error as exc:
            first_line = _LEADING_COMMENTS.sub("", statement, count=1).splitlines()[0]
            raise MigrationError(
                f"migration {file.name} failed at statement {index} ({first_line} ...): "
                f"{exc}; nothing of this file was applied"
            ) from exc
    await tx.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
        (file.version, file.name, file.checksum, to_db(now)),
    )


async def _has_data(db: Database, applied: dict[int, _Applied]) -> bool:
    """True unless the database is brand new (no migration applied, no table of any kind)."""
    if applied:
        return True
    tables = await db.fetchval(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' "
        "AND name NOT LIKE 'sqlite_%'"
    )
    return bool(tables)


def _backup_path(db: Database, now: datetime, version: int) -> Path:
    assert db.path is not None
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return db.path.with_name(f"{db.path.name}.{stamp}.before-{version:04d}.bak")


async def pending_migrations(db: Database, directory: Path) -> list[str]:
    """Names of the files not applied yet, in order; raises MigrationError on an inconsistent history."""
    return [f.name for f in _check_history(_read_directory(Path(directory)), await _applied(db))]


async def apply_migrations(db: Database, directory: Path, *, now: datetime) -> list[str]:
    """Apply the pending files in version order, each atomically; returns the names applied."""
    files = _read_directory(Path(directory))
    applied = await _applied(db)
    pending = _check_history(files, applied)
    if not pending:
        return []
    if await _has_data(db, applied) and db.path is not None and str(db.path) != ":memory:":
        await db.backup_to(_backup_path(db, now, pending[0].version))
    await db.execute(_CREATE_TABLE)
    done: list[str] = []
    for file in pending:
        async with db.transaction() as tx:
            # Re-checked under the write lock: another process may have applied it meanwhile.
            if await tx.fetchval("SELECT 1 FROM schema_migrations WHERE version = ?", (file.version,)):
                continue
            await _run_file(tx, file, now)
        done.append(file.name)
    return done
