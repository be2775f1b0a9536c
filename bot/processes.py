"""Several bot processes on one database: who is who, and who may run what.

Owns three things:
- `claimant_id()`: the identity a process (strictly: one scheduler or one command sync) writes into the
  claims it takes (`due_actions.claimed_by`, `job_runs.claimed_by`, `leases.holder`): host, pid and a
  random part, so a restarted process with a recycled pid is still someone else, and a process only
  ever completes or renews its own claims.
- `ProcessLock`: the exclusive OS lock on `<database file>.lock` that a process on SQLite holds for its
  whole life. SQLite is one machine, one process: a second process on the same file is refused at start
  with one line pointing to PostgreSQL, instead of two processes racing on one file. The refusal is a
  `StorageError`, so `affinity-bot` exits 1 (the database cannot be used), not 2: the configuration is
  right, it is the file that is busy (the same command works once the other process stops).
- `acquire_lease` / `release_lease`: a named lease row (table `leases`) for a one-time task several
  processes may start at once (the Discord command sync): one holds it, the others skip the task.

All SQL here is in the subset both engines accept (docs/architecture.md, storage).
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.storage.database import Database, StorageError
from bot.storage.engines import sqlite_path
from bot.storage.times import to_db

__all__ = ["DEPLOYMENT_DOC", "ProcessLock", "ProcessLockError", "acquire_lease", "claimant_id", "release_lease"]

DEPLOYMENT_DOC = "docs/deploy.md"
"""Where several processes on PostgreSQL are explained (named in the refusal message)."""


def claimant_id() -> str:
    """A new claimant identity: `host:pid:random` (unique even when two claimants share a process)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class ProcessLockError(StorageError):
    """Another process already serves this SQLite database."""


class ProcessLock:
    """The exclusive lock of one SQLite database file, held by the one process that serves it.

    `fcntl.flock` on `<database>.lock`: the kernel releases it when the process ends, however it ends
    (even `kill -9`), so a crash never leaves a stale lock behind; the file only carries the holder's
    pid for the refusal message. (No-op where `fcntl` does not exist: Windows.)"""

    def __init__(self, database: Path | None) -> None:
        self.database = database
        self._fd: int | None = None

    @classmethod
    def for_url(cls, url: str | None) -> ProcessLock:
        """The lock of the SQLite file a `database.url` names; a lock that does nothing on PostgreSQL
        (several processes are its point) or for None."""
        return cls(sqlite_path(url) if url is not None and urlsplit(url).scheme == "sqlite" else None)

    @property
    def path(self) -> Path | None:
        """The lock file, `<database>.lock` beside the real file (None when there is nothing to lock):
        two processes naming one file by different paths (relative, absolute, a symlink) share it."""
        if self.database is None or str(self.database) == ":memory:":
            return None
        real = self.database.resolve()
        return real.with_name(real.name + ".lock")

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise ProcessLockError naming the database and PostgreSQL."""
        path = self.path
        if self._fd is not None or path is None or sys.platform == "win32":
            return
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise ProcessLockError(self._refusal(holder), str(self.database)) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (closing the descriptor releases it; the file stays, harmlessly)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def _refusal(self, holder: str) -> str:
        who = f" (pid {holder})" if holder.isdigit() else ""
        return (
            f"the database {self.database} is already served by another affinity-bot process{who}: SQLite "
            "runs one process per database; to run several processes (Discord shards, a Slack process) "
            f"on one database, use PostgreSQL (database.url: postgresql://user@host/db, see {DEPLOYMENT_DOC})"
        )


async def acquire_lease(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lease `name` for `ttl` unless someone else holds it unexpired; True when ours now.

    One statement (insert, or take over an expired lease): two processes racing get one winner, on
    SQLite (writers are serialised) and on PostgreSQL (the conflicting insert waits for the first)."""
    changed = await db.execute(
        "INSERT INTO leases (name, holder, lease_until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "holder = excluded.holder, lease_until = excluded.lease_until "
        "WHERE leases.lease_until < ? OR leases.holder = excluded.holder",
        (name, holder, to_db(now + ttl), to_db(now)),
    )
    return changed == 1


async def release_lease(db: Database, name: str, holder: str) -> None:
    """Give the lease back (only our own: an expired one taken over by another stays theirs)."""
    await db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
