"""Storage: the shared SQLite database, schema migrations, time conversion and activity tables.

The only package allowed to import aiosqlite. `Database` is the handle every repo receives;
`apply_migrations` runs at start; `bot.storage.activity` holds the batched activity writer.
"""

from bot.storage.database import Database, Params, StorageError, Transaction
from bot.storage.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations, pending_migrations
from bot.storage.times import from_db, local_day, to_db

__all__ = [
    "MIGRATIONS_DIR",
    "Database",
    "MigrationError",
    "Params",
    "StorageError",
    "Transaction",
    "apply_migrations",
    "from_db",
    "local_day",
    "pending_migrations",
    "to_db",
]
