"""One consistent backup of affinity-bot's database, whatever the engine, and the pruning of old copies.

Run daily by deploy/systemd/affinity-bot-backup.service, or by hand with the interpreter the bot is installed in:

    .venv/bin/python deploy/backup.py --config config.yaml --to backups [--keep-days 14]

The database is the one the bot's configuration names (read with `bot.config`, so the copy is always of
the database the bot uses):

- SQLite: SQLite's online backup API (Python's `sqlite3.Connection.backup`), which copies a consistent
  snapshot while the bot keeps writing (a plain `cp` can catch the file half-written and misses what is
  still in the `-wal` file); the copy is then checked with `PRAGMA quick_check`.
- PostgreSQL: `pg_dump --format=custom` (restore with `pg_restore`, docs/deploy.md), the password passed
  as PGPASSWORD from the variable `database.password_env` names, never on the command line.

Each copy is written as `<name>.partial` and renamed when complete, so a failed run never leaves a file
that looks like a backup; files are created mode 600 (they hold member data). Copies older than
`--keep-days` are deleted, the newest one always kept. Exit codes as the bot's: 0 done, 1 the backup
failed (one line says why), 2 the configuration or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import ConfigError, config_path, load_config
from bot.redaction import redact
from bot.storage.engines import sqlite_path

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2
PREFIX = "affinity-bot-"
STAMP = "%Y%m%dT%H%M%SZ"
# Only files this script wrote are ever pruned: the prefix, a UTC stamp and one of the two suffixes.
_OURS = re.compile(rf"^{re.escape(PREFIX)}(\d{{8}}T\d{{6}}Z)\.(db|dump)$")


class BackupError(Exception):
    """The backup could not be made; the message is one line for the operator."""


@dataclass(frozen=True)
class Target:
    """The database to copy: a SQLite file, or a PostgreSQL URL (without password) and its password."""

    engine: str
    sqlite_path: Path | None = None
    url: str | None = None
    password: str | None = None


def target_of(config_file: Path | None, env: Mapping[str, str]) -> Target:
    """What to copy, from the configuration (`database.url`, else `database.path`; AFFINITY_BOT_DATABASE
    overrides both, as for the bot)."""
    database = load_config(config_file, env).database
    if database.engine == "sqlite":
        return Target("sqlite", sqlite_path=sqlite_path(database.effective_url))
    password = env.get(database.password_env) if database.password_env else None
    return Target("postgresql", url=database.effective_url, password=password or None)


def backup_sqlite(source: Path, dest: Path) -> None:
    """Copy the live SQLite file `source` to `dest` with the online backup API, then check the copy."""
    if not source.is_file():
        raise BackupError(f"{source}: no database file there (check database.url or database.path)")
    partial = dest.with_name(dest.name + ".partial")
    # mode=rw: never create an empty database where the real one was expected.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            # One step (pages=-1): the copy is one read snapshot, consistent whatever the bot writes meanwhile.
            src.backup(out)
            check = out.execute("PRAGMA quick_check").fetchone()
        finally:
            out.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: backup failed: {exc}") from exc
    finally:
        src.close()
    if check is None or check[0] != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: the copy failed its integrity check ({check[0] if check else 'no answer'})")
    partial.replace(dest)


def backup_postgresql(url: str, password: str | None, dest: Path, env: Mapping[str, str]) -> None:
    """Dump the PostgreSQL database at `url` to `dest` with `pg_dump --format=custom`."""
    pg_dump = shutil.which("pg_dump", path=env.get("PATH"))
    if pg_dump is None:
        raise BackupError("pg_dump not found: install the PostgreSQL client (apt-get install postgresql-client)")
    partial = dest.with_name(dest.name + ".partial")
    child_env = dict(env)
    if password is not None:
        child_env["PGPASSWORD"] = password
    where = urlsplit(url)
    try:
        # The program is pg_dump found on PATH; the URL is the operator's own configuration.
        done = subprocess.run(  # noqa: S603
            [pg_dump, "--format=custom", "--no-password", f"--file={partial}", url],
            env=child_env,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"pg_dump could not run: {exc}") from exc
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        raise BackupError(redact(f"{where.hostname}{where.path}: pg_dump failed: {detail}"))
    partial.replace(dest)


def prune(directory: Path, keep: timedelta, now: datetime) -> list[Path]:
    """Delete this script's copies older than `keep` (by the stamp in their name), always keeping the newest."""
    ours = sorted(
        (datetime.strptime(found.group(1), STAMP).replace(tzinfo=UTC), path)
        for path in directory.iterdir()
        if (found := _OURS.match(path.name))
    )
    removed = []
    for stamp, path in ours[:-1]:
        if stamp < now - keep:
            path.unlink()
            removed.append(path)
    return removed


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None, now: datetime | None = None) -> int:
    """Make one backup into `--to`, then prune; returns the exit code."""
    env = os.environ if env is None else env
    now = datetime.now(UTC) if now is None else now
    parser = argparse.ArgumentParser(prog="backup.py", description="Back up affinity-bot's database.")
    parser.add_argument("--config", help="configuration file (default: $AFFINITY_BOT_CONFIG or ./config.yaml)")
    parser.add_argument("--to", required=True, help="folder receiving the copies (created mode 700)")
    parser.add_argument("--keep-days", type=int, default=14, help="delete copies older than this (default 14)")
    args = parser.parse_args(argv)
    if args.keep_days < 1:
        print("backup.py: --keep-days must be at least 1", file=sys.stderr)
        return EXIT_CONFIG
    try:
        target = target_of(config_path(args.config, env), env)
    except ConfigError as exc:
        print(redact(str(exc)), file=sys.stderr)
        return EXIT_CONFIG
    directory = Path(args.to)
    old_umask = os.umask(0o077)  # the copies hold member data: owner only
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = now.strftime(STAMP)
        if target.engine == "sqlite":
            assert target.sqlite_path is not None
            dest = directory / f"{PREFIX}{stamp}.db"
            backup_sqlite(target.sqlite_path, dest)
        else:
            assert target.url is not None
            dest = directory / f"{PREFIX}{stamp}.dump"
            backup_postgresql(target.url, target.password, dest, env)
        removed = prune(directory, timedelta(days=args.keep_days), now)
    except (BackupError, OSError) as exc:
        print(f"backup.py: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        os.umask(old_umask)
    print(
        f"{dest} ({dest.stat().st_size:,} bytes); {len(removed)} old cop{'y' if len(removed) == 1 else 'ies'} deleted"
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
