"""Tests of bot/storage/migrations.py on real SQLite files and real migration folders."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations, pending_migrations

NOW = datetime(2026, 11, 22, 4, 44, 40, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 9, 30, 5, tzinfo=UTC)

FIRST = "CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
SECOND = """
-- members of groups; a ';' inside a comment and a string must not split statements
CREATE TABLE group_members (group_id INTEGER NOT NULL REFERENCES groups (id), user_id TEXT NOT NULL);
INSERT INTO groups (name) VALUES ('semi;colon');
CREATE TRIGGER groups_renamed AFTER UPDATE ON groups BEGIN
    UPDATE group_members SET user_id = user_id WHERE group_id = new.id;
END;
"""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "data" / "bot.db")
    yield database
    await database.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "migrations"
    path.mkdir()
    (path / "0001_core_groups.sql").write_text(FIRST)
    (path / "README.md").write_text("not a migration, ignored")
    return path


async def tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


def backups(db: Database) -> list[Path]:
    return sorted(db.path.parent.glob("*.bak"))


async def test_applies_in_order_and_records_checksums(db: Database, folder: Path) -> None:
    (folder / "0002_groups_members.sql").write_text(SECOND)
    assert await pending_migrations(db, folder) == ["0001_core_groups.sql", "0002_groups_members.sql"]
    assert await apply_migrations(db, folder, now=NOW) == ["0001_core_groups.sql", "0002_groups_members.sql"]
    assert {"groups", "group_members", "schema_migrations"} <= await tables(db)
    assert await db.fetchval("SELECT name FROM groups") == "semi;colon"
    rows = await db.fetchall("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["name"], r["applied_at"]) for r in rows] == [
        (1, "0001_core_groups.sql", "2026-11-22T04:44:40.000000Z"),
        (2, "0002_groups_members.sql", "2026-11-22T04:44:40.000000Z"),
    ]
    assert all(len(r["checksum"]) == 64 for r in rows)
    assert await pending_migrations(db, folder) == []
    assert backups(db) == []  # a brand-new database has nothing worth a backup


async def test_applying_twice_is_a_no_op(db: Database, folder: Path) -> None:
    assert await apply_migrations(db, folder, now=NOW) == ["0001_core_groups.sql"]
    assert await apply_migrations(db, folder, now=LATER) == []
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 1
    assert await db.fetchval("SELECT applied_at FROM schema_migrations") == "2026-11-22T04:44:40.000000Z"
    assert backups(db) == []


async def test_an_edited_applied_migration_is_refused(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    (folder / "0001_core_groups.sql").write_text(FIRST + "CREATE INDEX groups_name ON groups (name);\n")
    (folder / "0002_groups_members.sql").write_text(SECOND)
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder, now=LATER)
    assert str(info.value) == (
        "migration 0001_core_groups.sql was edited after it was applied on 2026-11-22; applied migrations "
        "must never change: restore it and put the change in a new file"
    )
    with pytest.raises(MigrationError, match=r"0001_core_groups\.sql was edited"):
        await pending_migrations(db, folder)
    assert "group_members" not in await tables(db)


async def test_line_endings_alone_are_not_an_edit(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    (folder / "0001_core_groups.sql").write_bytes(FIRST.replace("\n", "\r\n").encode())
    assert await apply_migrations(db, folder, now=LATER) == []


async def test_a_vanished_applied_migration_is_refused(db: Database, folder: Path) -> None:
    (folder / "0002_groups_members.sql").write_text(SECOND)
    await apply_migrations(db, folder, now=NOW)
    (folder / "0002_groups_members.sql").unlink()
    with pytest.raises(MigrationError, match=r"0002_groups_members\.sql applied but the file is missing"):
        await apply_migrations(db, folder, now=LATER)


async def test_backup_is_taken_before_applying_to_an_existing_database(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    await db.execute("INSERT INTO groups (name) VALUES (?)", ("before",))
    (folder / "0002_groups_members.sql").write_text(SECOND)
    (folder / "0003_groups_places.sql").write_text("ALTER TABLE groups ADD COLUMN place TEXT;\n")

    applied = await apply_migrations(db, folder, now=LATER)
    assert applied == ["0002_groups_members.sql", "0003_groups_places.sql"]

    expected = db.path.with_name("bot.db.20261201T093005.before-0002.bak")
    assert backups(db) == [expected]  # one backup per run, named after the first new file
    copy = await Database.open(expected)
    try:
        assert await copy.fetchval("PRAGMA integrity_check") == "ok"
        assert await tables(copy) == {"groups", "schema_migrations"}
        assert await copy.fetchval("SELECT name FROM groups") == "before"
        columns = {row["name"] for row in await copy.fetchall("PRAGMA table_info(groups)")}
        assert columns == {"id", "name"}
        assert await copy.fetchval("SELECT count(*) FROM schema_migrations") == 1
    finally:
        await copy.close()


async def test_a_database_with_tables_but_no_history_is_backed_up(db: Database, folder: Path) -> None:
    await db.execute("CREATE TABLE legacy (x INTEGER)")
    await apply_migrations(db, folder, now=NOW)
    assert [p.name for p in backups(db)] == ["bot.db.20261122T044440.before-0001.bak"]


async def test_a_failing_migration_leaves_no_trace(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    (folder / "0002_groups_broken.sql").write_text(
        "CREATE TABLE half (x INTEGER);\n"
        "INSERT INTO half VALUES (1);\n"
        "ALTER TABLE groups ADD COLUMN extra TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n"
    )
    with pytest.raises(MigrationError, match=r"0002_groups_broken\.sql failed at statement 4") as info:
        await apply_migrations(db, folder, now=LATER)
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert "half" not in await tables(db)
    columns = {row["name"] for row in await db.fetchall("PRAGMA table_info(groups)")}
    assert columns == {"id", "name"}
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 1
    assert await pending_migrations(db, folder) == ["0002_groups_broken.sql"]
    # Fixing the (never applied) file is allowed and then it applies.
    (folder / "0002_groups_broken.sql").write_text("CREATE TABLE half (x INTEGER);\n")
    assert await apply_migrations(db, folder, now=LATER) == ["0002_groups_broken.sql"]


async def test_a_file_managing_its_own_transaction_is_refused(db: Database, folder: Path) -> None:
    (folder / "0002_core_tx.sql").write_text("BEGIN;\nCREATE TABLE t (x INTEGER);\nCOMMIT;\n")
    with pytest.raises(MigrationError, match="must not manage transactions"):
        await apply_migrations(db, folder, now=NOW)
    assert "t" not in await tables(db)


@pytest.mark.parametrize(
    "name",
    [
        "1_core_groups.sql",
        "0002_groups.sql",
        "0002_Core_groups.sql",
        "0002-core-groups.sql",
        "00002_core_groups.sql",
        "0002_core_groups.sql.orig",
        "groups.sql",
    ],
)
async def test_badly_named_files_are_refused(db: Database, folder: Path, name: str) -> None:
    (folder / name).write_text(FIRST)
    with pytest.raises(MigrationError, match="badly named") as info:
        await apply_migrations(db, folder, now=NOW)
    assert name in str(info.value)
    with pytest.raises(MigrationError, match="badly named"):
        await pending_migrations(db, folder)
    assert "groups" not in await tables(db)


async def test_duplicate_versions_are_refused(db: Database, folder: Path) -> None:
    (folder / "0001_groups_other.sql").write_text("CREATE TABLE other (x INTEGER);\n")
    with pytest.raises(MigrationError, match="share the version number 0001") as info:
        await apply_migrations(db, folder, now=NOW)
    assert "0001_core_groups.sql" in str(info.value) and "0001_groups_other.sql" in str(info.value)


async def test_a_missing_final_semicolon_is_fine(db: Database, folder: Path) -> None:
    (folder / "0002_core_more.sql").write_text("CREATE TABLE t (x INTEGER);\nCREATE TABLE u (y INTEGER)\n")
    assert await apply_migrations(db, folder, now=NOW) == ["0001_core_groups.sql", "0002_core_more.sql"]
    assert {"t", "u"} <= await tables(db)


async def test_an_unterminated_trigger_is_refused(db: Database, folder: Path) -> None:
    (folder / "0002_core_broken.sql").write_text(
        "CREATE TABLE t (x INTEGER);\nCREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n    UPDATE t SET x = 1;\n"
    )
    with pytest.raises(MigrationError, match=r"0002_core_broken\.sql: .*incomplete statement"):
        await apply_migrations(db, folder, now=NOW)
    assert "t" not in await tables(db)


async def test_pending_migrations_on_a_new_database_does_not_write(db: Database, folder: Path) -> None:
    assert await pending_migrations(db, folder) == ["0001_core_groups.sql"]
    assert await tables(db) == set()


async def test_the_real_migrations_apply_to_a_new_database(db: Database) -> None:
    applied = await apply_migrations(db, MIGRATIONS_DIR, now=NOW)
    assert applied[0] == "0001_core_activity.sql"
    assert {
        "messages",
        "activity_channel_daily",
        "activity_member_daily",
        "activity_community_daily",
        "activity_language_daily",
    } <= await tables(db)
    assert await apply_migrations(db, MIGRATIONS_DIR, now=LATER) == []


async def test_raw_messages_keep_only_the_indexes_their_queries_use(db: Database) -> None:
    # Each index costs every ingested message a B-tree insert: dedupe (the UNIQUE key), the retention
    # purge (at), export and forget (community, author). 0012 dropped the unused (community, at).
    await apply_migrations(db, MIGRATIONS_DIR, now=NOW)
    indexes = {
        row["name"]
        for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'")
    }
    assert indexes == {"sqlite_autoindex_messages_1", "messages_at", "messages_community_author"}
    plan = " ".join(
        row["detail"]
        for row in await db.fetchall(
            "EXPLAIN QUERY PLAN DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE at < ? LIMIT ?)",
            ("2026-01-01", 10),
        )
    )
    assert "messages_at" in plan


def test_the_migrations_ship_inside_the_bot_package() -> None:
    # Package data: a wheel or `pip install .` carries them (pyproject's [tool.setuptools.package-data]).
    import bot

    package = Path(bot.__file__).resolve().parent
    assert MIGRATIONS_DIR.is_relative_to(package)
    assert MIGRATIONS_DIR.name == "migrations"
    names = sorted(path.name for path in MIGRATIONS_DIR.glob("*.sql"))
    assert names[0] == "0001_core_activity.sql"
    assert len(names) >= 11
    assert all(name[:4].isdigit() for name in names)


async def test_a_database_migrated_from_the_old_root_folder_still_starts(db: Database, tmp_path: Path) -> None:
    # Until the files moved into bot/migrations they were applied from <repo>/migrations. Only the name and
    # the checksum are recorded, so the same files from the new folder are the same history.
    import shutil

    old = tmp_path / "repo" / "migrations"
    shutil.copytree(MIGRATIONS_DIR, old)
    applied = await apply_migrations(db, old, now=NOW)
    assert applied == sorted(path.name for path in MIGRATIONS_DIR.glob("*.sql"))
    assert await pending_migrations(db, MIGRATIONS_DIR) == []
    assert await apply_migrations(db, MIGRATIONS_DIR, now=LATER) == []
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == len(applied)
    assert backups(db) == []
