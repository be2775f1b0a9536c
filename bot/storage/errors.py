"""The driver errors a batch writer must tell apart, for both engines, so no plugin imports a driver.

`REFUSED_WRITES`: the database refused a write for its content (a constraint, a value it cannot store);
the same rows would be refused again, unlike a locked, busy, closed or unreachable database (a
`StorageError`, or the driver's operational errors) worth retrying.
"""

from __future__ import annotations

import sqlite3

__all__ = ["REFUSED_WRITES"]


def _postgres_refusals() -> tuple[type[Exception], ...]:
    try:
        import asyncpg
    except ImportError:  # asyncpg is a dependency, but a SQLite-only install works without it
        return ()
    errors = asyncpg.exceptions
    return (
        errors.IntegrityConstraintViolationError,
        errors.DataError,
        errors.SyntaxOrAccessError,
    )


REFUSED_WRITES: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    *_postgres_refusals(),
)
