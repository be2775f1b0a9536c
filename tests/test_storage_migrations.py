"""Tests of bot/storage/migrations.py on real SQLite files and real migration folders: the owner layout,
the order across owners, per-engine files, the old flat history upgraded in place (from a database made
by the release before the owner folders), and how a wheel carries the folder."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import migrations
from bot.storage.database import Database
from bot.storage.engines import connect
from bot.storage.migrations import (
    LEGACY_NAMES,
    MIGRATIONS_DIR,
    MigrationError,
    apply_migrations,
    pending_migrations,
    spell_for_postgresql,
    split_statements,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
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


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "migrations"
    write(path, "core/0001_groups.sql", FIRST)
    write(path, "README.md", "not a migration, ignored")
    write(path, "core/README.md", "not a migration either")
    return path


async def tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


async def history(db: Database) -> list[tuple[str, int, str, str]]:
    rows = await db.fetchall("SELECT owner, version, name, applied_at FROM schema_migrations ORDER BY owner, version")
    return [(r["owner"], r["version"], r["name"], r["applied_at"]) for r in rows]


def backups(db: Database) -> list[Path]:
    return sorted(db.path.parent.glob("*.bak"))


# ------------------------------------------------------------------ applying, checksums, refusals


async def test_applies_in_order_and_records_owner_version_and_checksum(db: Database, folder: Path) -> None:
    write(folder, "groups/0001_members.sql", SECOND)
    assert await pending_migrations(db, folder) == ["core/0001_groups.sql", "groups/0001_members.sql"]
    assert await apply_migrations(db, folder, now=NOW) == ["core/0001_groups.sql", "groups/0001_members.sql"]
    assert {"groups", "group_members", "schema_migrations"} <= await tables(db)
    assert await db.fetchval("SELECT name FROM groups") == "semi;colon"
    assert await history(db) == [
        ("core", 1, "0001_groups.sql", "2026-11-22T04:44:40.000000Z"),
        ("groups", 1, "0001_members.sql", "2026-11-22T04:44:40.000000Z"),
    ]
    assert all(len(r["checksum"]) == 64 for r in await db.fetchall("SELECT checksum FROM schema_migrations"))
    assert await pending_migrations(db, folder) == []
    assert backups(db) == []  # a brand-new database has nothing worth a backup


async def test_each_owner_numbers_its_own_files(db: Database, folder: Path) -> None:
    # The point of the owner folders: two features each add their 0001 and 0002 without a clash.
    write(folder, "groups/0001_members.sql", "CREATE TABLE group_members (group_id INTEGER);\n")
    write(folder, "groups/0002_places.sql", "ALTER TABLE group_members ADD COLUMN place TEXT;\n")
    write(folder, "polls/0001_polls.sql", "CREATE TABLE polls (id INTEGER PRIMARY KEY);\n")
    write(folder, "polls/0002_votes.sql", "CREATE TABLE votes (poll_id INTEGER);\n")
    assert await apply_migrations(db, folder, now=NOW) == [
        "core/0001_groups.sql",
        "groups/0001_members.sql",
        "groups/0002_places.sql",
        "polls/0001_polls.sql",
        "polls/0002_votes.sql",
    ]
    assert [(owner, version) for owner, version, _n, _a in await history(db)] == [
        ("core", 1),
        ("groups", 1),
        ("groups", 2),
        ("polls", 1),
        ("polls", 2),
    ]


async def test_core_comes_first_then_owners_alphabetically(db: Database, folder: Path) -> None:
    write(folder, "zebra/0001_z.sql", "CREATE TABLE z (x INTEGER);\n")
    write(folder, "alpha/0001_a.sql", "CREATE TABLE a (x INTEGER);\n")
    write(folder, "core/0002_more.sql", "CREATE TABLE more_core (x INTEGER);\n")
    write(folder, "discord/0001_d.sql", "CREATE TABLE d (x INTEGER);\n")
    assert await pending_migrations(db, folder) == [
        "core/0001_groups.sql",
        "core/0002_more.sql",
        "alpha/0001_a.sql",
        "discord/0001_d.sql",
        "zebra/0001_z.sql",
    ]


async def test_a_file_needing_another_owners_table_says_so_and_comes_after_it(db: Database, folder: Path) -> None:
    write(
        folder,
        "alpha/0001_links.sql",
        "-- Links from alpha rows to zebra rows.\n-- requires: zebra/0001\n"
        "CREATE TABLE alpha_links (zebra_id INTEGER NOT NULL REFERENCES zebras (id));\n"
        "CREATE INDEX alpha_links_zebra ON alpha_links (zebra_id);\n",
    )
    write(folder, "zebra/0001_zebras.sql", "CREATE TABLE zebras (id INTEGER PRIMARY KEY);\n")
    write(folder, "beta/0001_b.sql", "CREATE TABLE b (x INTEGER);\n")
    order = ["core/0001_groups.sql", "beta/0001_b.sql", "zebra/0001_zebras.sql", "alpha/0001_links.sql"]
    assert await pending_migrations(db, folder) == order
    assert await apply_migrations(db, folder, now=NOW) == order


async def test_a_requirement_that_does_not_exist_is_refused(db: Database, folder: Path) -> None:
    write(folder, "alpha/0001_links.sql", "-- requires: zebra/0002\nCREATE TABLE alpha_links (x INTEGER);\n")
    write(folder, "zebra/0001_zebras.sql", "CREATE TABLE zebras (id INTEGER PRIMARY KEY);\n")
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder, now=NOW)
    assert str(info.value) == (
        "migration alpha/0001_links.sql requires zebra/0002, which is not in the migrations folder"
    )
    assert await tables(db) == set()


async def test_requirements_in_a_cycle_are_refused(db: Database, folder: Path) -> None:
    write(folder, "alpha/0001_a.sql", "-- requires: zebra/0001\nCREATE TABLE a (x INTEGER);\n")
    write(folder, "zebra/0001_z.sql", "-- requires: alpha/0001\nCREATE TABLE z (x INTEGER);\n")
    with pytest.raises(MigrationError, match=r"form a cycle: alpha/0001_a\.sql, zebra/0001_z\.sql"):
        await pending_migrations(db, folder)


async def test_a_badly_written_requirement_is_refused(db: Database, folder: Path) -> None:
    write(folder, "alpha/0001_a.sql", "-- requires: zebra 1\nCREATE TABLE a (x INTEGER);\n")
    with pytest.raises(MigrationError, match=r"alpha/0001_a\.sql: cannot read the requirement 'zebra'"):
        await pending_migrations(db, folder)


async def test_applying_twice_is_a_no_op(db: Database, folder: Path) -> None:
    assert await apply_migrations(db, folder, now=NOW) == ["core/0001_groups.sql"]
    assert await apply_migrations(db, folder, now=LATER) == []
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 1
    assert await db.fetchval("SELECT applied_at FROM schema_migrations") == "2026-11-22T04:44:40.000000Z"
    assert backups(db) == []


async def test_an_edited_applied_migration_is_refused(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    write(folder, "core/0001_groups.sql", FIRST + "CREATE INDEX groups_name ON groups (name);\n")
    write(folder, "groups/0001_members.sql", SECOND)
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder, now=LATER)
    assert str(info.value) == (
        "migration core/0001_groups.sql was edited after it was applied on 2026-11-22; applied migrations "
        "must never change: restore it and put the change in a new file"
    )
    with pytest.raises(MigrationError, match=r"core/0001_groups\.sql was edited"):
        await pending_migrations(db, folder)
    assert "group_members" not in await tables(db)


async def test_line_endings_alone_are_not_an_edit(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    (folder / "core" / "0001_groups.sql").write_bytes(FIRST.replace("\n", "\r\n").encode())
    assert await apply_migrations(db, folder, now=LATER) == []


async def test_a_vanished_applied_migration_is_refused(db: Database, folder: Path) -> None:
    write(folder, "groups/0001_members.sql", SECOND)
    await apply_migrations(db, folder, now=NOW)
    (folder / "groups" / "0001_members.sql").unlink()
    with pytest.raises(MigrationError, match=r"groups/0001_members\.sql applied but the file is missing"):
        await apply_migrations(db, folder, now=LATER)


async def test_backup_is_taken_before_applying_to_an_existing_database(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    await db.execute("INSERT INTO groups (name) VALUES (?)", ("before",))
    write(folder, "groups/0001_members.sql", SECOND)
    write(folder, "groups/0002_places.sql", "ALTER TABLE groups ADD COLUMN place TEXT;\n")

    applied = await apply_migrations(db, folder, now=LATER)
    assert applied == ["groups/0001_members.sql", "groups/0002_places.sql"]

    expected = db.path.with_name("bot.db.20261201T093005.before-groups-0001.bak")
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
    assert [p.name for p in backups(db)] == ["bot.db.20261122T044440.before-core-0001.bak"]


async def test_a_failing_migration_leaves_no_trace(db: Database, folder: Path) -> None:
    await apply_migrations(db, folder, now=NOW)
    write(
        folder,
        "groups/0001_broken.sql",
        "CREATE TABLE half (x INTEGER);\n"
        "INSERT INTO half VALUES (1);\n"
        "ALTER TABLE groups ADD COLUMN extra TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    with pytest.raises(MigrationError, match=r"groups/0001_broken\.sql failed at statement 4") as info:
        await apply_migrations(db, folder, now=LATER)
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert "half" not in await tables(db)
    columns = {row["name"] for row in await db.fetchall("PRAGMA table_info(groups)")}
    assert columns == {"id", "name"}
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 1
    assert await pending_migrations(db, folder) == ["groups/0001_broken.sql"]
    # Fixing the (never applied) file is allowed and then it applies.
    write(folder, "groups/0001_broken.sql", "CREATE TABLE half (x INTEGER);\n")
    assert await apply_migrations(db, folder, now=LATER) == ["groups/0001_broken.sql"]


async def test_a_file_managing_its_own_transaction_is_refused(db: Database, folder: Path) -> None:
    write(folder, "core/0002_tx.sql", "BEGIN;\nCREATE TABLE t (x INTEGER);\nCOMMIT;\n")
    with pytest.raises(MigrationError, match=r"core/0002_tx\.sql must not manage transactions"):
        await apply_migrations(db, folder, now=NOW)
    assert "t" not in await tables(db)


async def test_a_bad_pending_file_stops_the_start_before_any_file_is_applied(db: Database, folder: Path) -> None:
    write(folder, "zebra/0001_tx.sql", "CREATE TABLE z (x INTEGER);\nCOMMIT;\n")
    with pytest.raises(
        MigrationError, match=r"zebra/0001_tx\.sql must not manage transactions \(statement 2: COMMIT\)"
    ):
        await apply_migrations(db, folder, now=NOW)
    assert await tables(db) == set()  # core/0001 comes first in the order, yet was not applied either


async def test_a_file_that_is_not_utf8_is_refused(db: Database, folder: Path) -> None:
    (folder / "core" / "0002_latin1.sql").write_bytes("INSERT INTO groups (name) VALUES ('café');\n".encode("latin-1"))
    with pytest.raises(MigrationError, match=r"core/0002_latin1\.sql is not UTF-8 text"):
        await apply_migrations(db, folder, now=NOW)
    assert await tables(db) == set()


@pytest.mark.parametrize(
    "name",
    [
        "1_groups.sql",
        "0002-groups.sql",
        "0002_Groups.sql",
        "00002_groups.sql",
        "0002_groups.sql.orig",
        "0002_groups.mysql.sql",
        "0002_core_groups.sql.bak",
        "groups.sql",
    ],
)
async def test_badly_named_files_are_refused(db: Database, folder: Path, name: str) -> None:
    write(folder, f"core/{name}", FIRST)
    with pytest.raises(MigrationError, match="badly named") as info:
        await apply_migrations(db, folder, now=NOW)
    assert f"core/{name}" in str(info.value)
    with pytest.raises(MigrationError, match="badly named"):
        await pending_migrations(db, folder)
    assert "groups" not in await tables(db)


@pytest.mark.parametrize("owner", ["Core", "my-plugin", "9lives"])
async def test_badly_named_owner_folders_are_refused(db: Database, folder: Path, owner: str) -> None:
    write(folder, f"{owner}/0001_x.sql", "CREATE TABLE x (y INTEGER);\n")
    with pytest.raises(MigrationError, match="is not an owner's folder") as info:
        await apply_migrations(db, folder, now=NOW)
    assert owner in str(info.value)
    assert await tables(db) == set()


async def test_a_file_outside_the_owner_folders_is_refused(db: Database, folder: Path) -> None:
    write(folder, "0002_groups_members.sql", SECOND)
    with pytest.raises(MigrationError, match=r"0002_groups_members\.sql sits directly in .*: put it in the folder"):
        await apply_migrations(db, folder, now=NOW)
    assert await tables(db) == set()


async def test_duplicate_versions_of_one_owner_are_refused(db: Database, folder: Path) -> None:
    write(folder, "core/0001_other.sql", "CREATE TABLE other (x INTEGER);\n")
    with pytest.raises(MigrationError, match="share the version number 0001") as info:
        await apply_migrations(db, folder, now=NOW)
    assert "core/0001_groups.sql" in str(info.value) and "core/0001_other.sql" in str(info.value)


async def test_a_file_left_in_the_old_flat_folder_is_refused(
    db: Database, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A branch written before the move may still add bot/migrations/0017_...: it must not be ignored.
    old = tmp_path / "bot" / "migrations"
    write(old, "0017_groups_more.sql", "CREATE TABLE more (x INTEGER);\n")
    monkeypatch.setattr(migrations, "OLD_DIR", old)
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder, now=NOW)
    assert str(info.value) == (
        f"{old} still holds 0017_groups_more.sql: migrations now live in migrations/<owner>/NNNN_<what>.sql, "
        f"numbered per owner; move each file there under its owner's next number"
    )
    assert await tables(db) == set()


def test_the_old_flat_folder_holds_no_migration() -> None:
    assert not migrations.OLD_DIR.exists() or not list(migrations.OLD_DIR.glob("*.sql"))


async def test_a_missing_final_semicolon_is_fine(db: Database, folder: Path) -> None:
    write(folder, "core/0002_more.sql", "CREATE TABLE t (x INTEGER);\nCREATE TABLE u (y INTEGER)\n")
    assert await apply_migrations(db, folder, now=NOW) == ["core/0001_groups.sql", "core/0002_more.sql"]
    assert {"t", "u"} <= await tables(db)


async def test_an_unterminated_trigger_is_refused(db: Database, folder: Path) -> None:
    write(
        folder,
        "core/0002_broken.sql",
        "CREATE TABLE t (x INTEGER);\nCREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n    UPDATE t SET x = 1;\n",
    )
    with pytest.raises(MigrationError, match=r"core/0002_broken\.sql: .*incomplete statement"):
        await apply_migrations(db, folder, now=NOW)
    assert "t" not in await tables(db)


async def test_an_unterminated_string_is_refused(db: Database, folder: Path) -> None:
    write(folder, "core/0002_broken.sql", "CREATE TABLE t (x TEXT);\nINSERT INTO t VALUES ('open;\n")
    with pytest.raises(MigrationError, match=r"core/0002_broken\.sql: line 2: ' is never closed"):
        await apply_migrations(db, folder, now=NOW)


async def test_pending_migrations_on_a_new_database_does_not_write(db: Database, folder: Path) -> None:
    assert await pending_migrations(db, folder) == ["core/0001_groups.sql"]
    assert await tables(db) == set()


# ------------------------------------------------------------------ per-engine files


async def test_a_per_engine_file_replaces_the_shared_one_on_its_engine_only(db: Database, folder: Path) -> None:
    write(folder, "core/0002_stamp.sql", "CREATE TABLE stamps (at TEXT DEFAULT 'shared');\n")
    sqlite_file = write(folder, "core/0002_stamp.sqlite.sql", "CREATE TABLE stamps (at TEXT DEFAULT 'sqlite');\n")
    write(folder, "core/0002_stamp.postgresql.sql", "CREATE TABLE stamps (at TEXT DEFAULT 'postgresql');\n")
    assert await apply_migrations(db, folder, now=NOW) == ["core/0001_groups.sql", "core/0002_stamp.sqlite.sql"]
    await db.execute("INSERT INTO stamps DEFAULT VALUES")
    assert await db.fetchval("SELECT at FROM stamps") == "sqlite"
    row = await db.fetchone("SELECT name, checksum FROM schema_migrations WHERE owner = 'core' AND version = 2")
    assert row is not None
    assert row["name"] == "0002_stamp.sqlite.sql"
    assert row["checksum"] == migrations._checksum(sqlite_file.read_bytes())
    # Editing the other engine's file is not an edit of what this database applied...
    write(folder, "core/0002_stamp.postgresql.sql", "CREATE TABLE stamps (at TEXT DEFAULT 'pg');\n")
    assert await apply_migrations(db, folder, now=LATER) == []
    # ...but removing the file this engine applied (the shared one would now apply) is.
    sqlite_file.unlink()
    with pytest.raises(MigrationError, match=r"core/0002_stamp\.sql was edited after it was applied"):
        await apply_migrations(db, folder, now=LATER)


async def test_per_engine_files_alone_must_cover_both_engines(db: Database, folder: Path) -> None:
    write(folder, "core/0002_stamp.postgresql.sql", "CREATE TABLE stamps (at TEXT);\n")
    with pytest.raises(MigrationError) as info:
        await apply_migrations(db, folder, now=NOW)
    assert str(info.value) == (
        "migration core/0002_stamp has no file for sqlite: add the shared 0002_stamp.sql or 0002_stamp.sqlite.sql"
    )
    write(folder, "core/0002_stamp.sqlite.sql", "CREATE TABLE stamps (at TEXT);\n")
    assert await apply_migrations(db, folder, now=NOW) == ["core/0001_groups.sql", "core/0002_stamp.sqlite.sql"]


async def test_a_sqlite_only_file_must_have_a_postgresql_counterpart(db: Database, folder: Path) -> None:
    # Caught on SQLite too, so a change tested only on SQLite cannot leave PostgreSQL without a file.
    write(folder, "core/0002_stamp.sqlite.sql", "CREATE TABLE stamps (at TEXT);\n")
    with pytest.raises(MigrationError, match="has no file for postgresql"):
        await pending_migrations(db, folder)


# ------------------------------------------------------------------ the SQL itself


def test_statements_are_split_outside_literals_comments_and_trigger_bodies() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT 'a;b', \"odd;name\" INTEGER);\n"
        "/* block; comment */ INSERT INTO t (x) VALUES ('it''s; fine');\n"
        "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n"
        "    UPDATE t SET x = CASE WHEN x = 'a' THEN 'b' ELSE x END;\n"
        "    DELETE FROM t WHERE x IS NULL;\n"
        "END;\n"
        "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN NEW.x := 'y'; RETURN NEW; END; $body$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER t_pg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"
        "-- only a comment after the last statement;\n"
    )
    statements = split_statements(script)
    assert [s.split("\n")[-1][:30] for s in statements] == [
        "CREATE TABLE t (x TEXT DEFAULT",
        "/* block; comment */ INSERT IN",
        "END",
        "CREATE FUNCTION f() RETURNS tr",
        "CREATE TRIGGER t_pg BEFORE INS",
    ]
    assert statements[0].startswith("-- a comment; with a semicolon\nCREATE TABLE")
    assert "DELETE FROM t WHERE x IS NULL;\nEND" in statements[2]
    with sqlite3.connect(":memory:") as conn:  # what SQLite makes of the first three
        for statement in statements[:3]:
            conn.execute(statement)
        assert conn.execute("SELECT x FROM t").fetchall() == [("it's; fine",)]


def test_postgresql_spelling_changes_type_words_in_code_only() -> None:
    script = (
        "-- INTEGER and REAL in a comment stay\n"
        "CREATE TABLE t (\n"
        "    id integer  primary\n  KEY,\n"
        "    n INTEGER NOT NULL DEFAULT 0,\n"
        "    lat REAL,\n"
        "    integers_seen TEXT DEFAULT 'INTEGER REAL',\n"
        '    "REAL" TEXT /* REAL */,\n'
        "    surreal TEXT\n"
        ");\n"
    )
    assert spell_for_postgresql(script) == (
        "-- INTEGER and REAL in a comment stay\n"
        "CREATE TABLE t (\n"
        "    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
        "    n BIGINT NOT NULL DEFAULT 0,\n"
        "    lat DOUBLE PRECISION,\n"
        "    integers_seen TEXT DEFAULT 'INTEGER REAL',\n"
        '    "REAL" TEXT /* REAL */,\n'
        "    surreal TEXT\n"
        ");\n"
    )


# ------------------------------------------------------------------ the real folder


async def test_the_real_migrations_apply_to_a_new_database(db: Database) -> None:
    applied = await apply_migrations(db, MIGRATIONS_DIR, now=NOW)
    assert applied[:4] == [
        "core/0001_activity.sql",
        "core/0002_communities.sql",
        "core/0003_due_claims.sql",
        "core/0004_messages_index.sql",
    ]
    assert {
        "messages",
        "activity_channel_daily",
        "activity_member_daily",
        "activity_community_daily",
        "activity_language_daily",
        "questions",
        "community_groups",
        "example_polls",
    } <= await tables(db)
    assert await apply_migrations(db, MIGRATIONS_DIR, now=LATER) == []


async def test_raw_messages_keep_only_the_indexes_their_queries_use(db: Database) -> None:
    # Each index costs every ingested message a B-tree insert: dedupe (the UNIQUE key), the retention
    # purge (at), export and forget (community, author). core/0004 dropped the unused (community, at).
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


# ------------------------------------------------------------------ upgrade in place of the old history


Rows = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def release_database(path: Path) -> Rows:
    """Rebuild the database made by the release before owner folders; return every table's columns and rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript((FIXTURES / "release_6182ff4.sql").read_text(encoding="utf-8"))
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name <> 'schema_migrations' ORDER BY name"
            )
        ]
        columns = {name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in names}
    return table_rows(path, columns)


def table_rows(path: Path, columns: dict[str, list[str]]) -> Rows:
    """The rows of these tables, read through these columns only (later migrations may add some)."""
    with sqlite3.connect(path) as conn:
        return {
            name: (names, sorted(conn.execute(f'SELECT {", ".join(names)} FROM "{name}"').fetchall(), key=repr))
            for name, names in columns.items()
        }


def backups_of(path: Path) -> Path:
    (backup,) = path.parent.glob("*.bak")
    return backup


async def test_a_database_of_the_previous_release_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "data" / "affinity-bot.db"
    before = release_database(path)
    columns = {name: names for name, (names, _rows) in before.items()}
    counts = {name: len(before[name][1]) for name in ("messages", "questions", "community_groups", "calendar_entries")}
    assert counts == {"messages": 4, "questions": 2, "community_groups": 1, "calendar_entries": 8}
    db = await Database.open(path)
    try:
        old_history = await db.fetchall("SELECT version, name, checksum, applied_at FROM schema_migrations")
        assert len(old_history) == 15 and {row["name"] for row in old_history} <= set(LEGACY_NAMES)
        expected = {}
        for record in old_history:
            owner, version = LEGACY_NAMES[record["name"]]
            (file,) = (MIGRATIONS_DIR / owner).glob(f"{version:04d}_*.sql")
            expected[f"{owner}/{file.name}"] = (record["checksum"], record["applied_at"])
        # Only files added since that release are pending; reading them wrote nothing.
        pending = await pending_migrations(db, MIGRATIONS_DIR)
        assert not set(pending) & set(expected)
        assert {row["name"] for row in await db.fetchall("PRAGMA table_info(schema_migrations)")} == {
            "version",
            "name",
            "checksum",
            "applied_at",
        }

        assert await apply_migrations(db, MIGRATIONS_DIR, now=LATER) == pending

        rows = await db.fetchall("SELECT owner, version, name, checksum, applied_at FROM schema_migrations")
        history = {row["owner"] + "/" + row["name"]: (row["checksum"], row["applied_at"]) for row in rows}
        # Same checksums and application times under the new owners and names, then the new files.
        assert {label: history[label] for label in expected} == expected
        assert set(history) == set(expected) | set(pending)
        assert all(history[label][1] == "2026-12-01T09:30:05.000000Z" for label in pending)
        assert "questions/0002_read_indexes.sql" in history
        assert [p.name for p in backups(db)] == ["affinity-bot.db.20261201T093005.before-owner-folders.bak"]

        assert await apply_migrations(db, MIGRATIONS_DIR, now=LATER) == []  # a second start applies nothing
        assert await pending_migrations(db, MIGRATIONS_DIR) == []
        assert len(backups(db)) == 1
    finally:
        await db.close()
    assert table_rows(path, columns) == before  # no row lost or changed
    backup = backups_of(path)
    assert table_rows(backup, columns) == before
    with sqlite3.connect(backup) as conn:  # the backup holds the history as the old release left it
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (15,)
        assert "owner" not in {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}


async def test_an_upgraded_database_then_takes_new_files_of_every_owner(tmp_path: Path) -> None:
    path = tmp_path / "data" / "affinity-bot.db"
    release_database(path)
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    write(folder, "questions/0099_tags.sql", "ALTER TABLE questions ADD COLUMN tags TEXT;\n")
    write(folder, "core/0099_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n")
    db = await Database.open(path)
    try:
        pending = await pending_migrations(db, folder)
        assert pending.index("core/0099_notes.sql") < pending.index("questions/0099_tags.sql")
        assert await apply_migrations(db, folder, now=LATER) == pending
        assert await db.fetchval("SELECT count(*) FROM questions WHERE tags IS NULL") == 2
        assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 15 + len(pending)
        assert len(backups(db)) == 1  # one backup before the history rewrite covers the whole start
    finally:
        await db.close()


async def test_an_old_history_with_an_edited_file_is_refused_before_any_write(tmp_path: Path) -> None:
    path = tmp_path / "data" / "affinity-bot.db"
    release_database(path)
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    with (folder / "groups" / "0002_digest_optin.sql").open("a", encoding="utf-8") as file:
        file.write("-- edited\n")
    db = await Database.open(path)
    try:
        with pytest.raises(MigrationError) as info:
            await apply_migrations(db, folder, now=LATER)
        assert str(info.value).startswith(
            "migration groups/0002_digest_optin.sql (applied as 0011_groups_digest_optin.sql) was edited after it "
            "was applied on 2026-12-06"
        )
        assert "owner" not in {row["name"] for row in await db.fetchall("PRAGMA table_info(schema_migrations)")}
        assert backups(db) == []
    finally:
        await db.close()


async def test_an_old_history_naming_an_unknown_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "affinity-bot.db"
    release_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (17, '0017_groups_more.sql', 'x', '2026-12-07T00:00:00Z')")
    db = await Database.open(path)
    try:
        with pytest.raises(MigrationError, match=r"0017_groups_more\.sql applied \(recorded before migrations moved"):
            await apply_migrations(db, MIGRATIONS_DIR, now=LATER)
    finally:
        await db.close()


# ------------------------------------------------------------------ packaging


def test_a_checkout_uses_its_top_level_folder() -> None:
    assert MIGRATIONS_DIR == ROOT / "migrations"
    owners = sorted(path.name for path in MIGRATIONS_DIR.iterdir() if path.is_dir())
    assert owners[:3] == ["calendar", "core", "digest"]
    assert sorted(path.name for path in (MIGRATIONS_DIR / "core").glob("*.sql"))[0] == "0001_activity.sql"


def test_an_installed_package_carries_the_folder_and_finds_it(tmp_path: Path) -> None:
    # setup.py's build_py lays out what a wheel holds (pip wheel . puts the same tree in the archive);
    # the bot imported from there, away from any checkout, must find its migrations through the package.
    build = tmp_path / "lib"
    subprocess.run(
        # egg_info's metadata goes to tmp_path too: the test writes nothing into the checkout.
        [
            sys.executable,
            "setup.py",
            "-q",
            "egg_info",
            "--egg-base",
            str(tmp_path),
            "build_py",
            "--build-lib",
            str(build),
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    shipped = sorted(str(p.relative_to(build / "bot" / "_migrations")) for p in build.rglob("*.sql"))
    assert shipped == sorted(str(p.relative_to(MIGRATIONS_DIR)) for p in MIGRATIONS_DIR.rglob("*.sql"))
    assert not (build / "bot" / "migrations").exists()
    found = subprocess.run(
        [sys.executable, "-c", "from bot.storage.migrations import MIGRATIONS_DIR; print(MIGRATIONS_DIR)"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()) == build / "bot" / "_migrations"


# ------------------------------------------------------------------ PostgreSQL (the dev or CI server)


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[Database]:
    database = await connect(pg_url, read_connections=1)
    yield database
    await database.close()


async def pg_columns(db: Database) -> dict[tuple[str, str], tuple[str, str]]:
    rows = await db.fetchall(
        "SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    )
    return {(row[0], row[1]): (row[2], row[3]) for row in rows}


def _shared_name(applied: str) -> str:
    """`groups/0003_gazetteer.sql` for `groups/0003_gazetteer.postgresql.sql` or `.sqlite.sql`."""
    return applied.replace(".postgresql.sql", ".sql").replace(".sqlite.sql", ".sql")


async def test_postgresql_every_migration_applies_to_a_new_database(pg: Database, db: Database) -> None:
    applied = await apply_migrations(pg, MIGRATIONS_DIR, now=NOW)
    # Same files, same order (a per-engine file stands for its shared name on each engine).
    assert [_shared_name(n) for n in applied] == [
        _shared_name(n) for n in await apply_migrations(db, MIGRATIONS_DIR, now=NOW)
    ]
    assert "groups/0003_gazetteer.postgresql.sql" in applied
    # The same tables, but SQLite's virtual tables and their shadow tables (the gazetteer's R*Tree; PostgreSQL
    # indexes those rows with a btree).
    sqlite_only = {
        str(r[0]) for r in await db.fetchall("SELECT name FROM pragma_table_list WHERE type IN ('virtual', 'shadow')")
    }
    assert sqlite_only == {"gazetteer_boxes", "gazetteer_boxes_node", "gazetteer_boxes_parent", "gazetteer_boxes_rowid"}
    assert await pg.tables() == await db.tables() - sqlite_only
    columns = await pg_columns(pg)
    # Every SQLite `id INTEGER PRIMARY KEY` is an identity of BIGINT; integers are BIGINT, reals doubles.
    sqlite_ids = {
        table
        for table in await db.tables() - sqlite_only
        for row in await db.fetchall(f"PRAGMA table_info({table})")
        if row["name"] == "id" and row["pk"] == 1 and row["type"] == "INTEGER"
    }
    assert {"questions", "community_groups", "due_actions", "messages", "example_polls"} <= sqlite_ids
    assert {table for (table, column), (_t, identity) in columns.items() if identity == "YES"} == sqlite_ids
    assert all(columns[(table, "id")] == ("bigint", "YES") for table in sqlite_ids)
    assert columns[("community_groups", "lat")] == ("double precision", "NO")
    assert columns[("questions", "revision")] == ("bigint", "NO")
    assert columns[("messages", "community")] == ("text", "NO")
    rows = await pg.fetchall("SELECT owner, version, name FROM schema_migrations ORDER BY owner, version")
    assert len(rows) == len(applied)
    assert ("questions", 2, "0002_read_indexes.sql") in [tuple(row) for row in rows]
    # The ids really come from the database.
    first = await pg.insert_id(
        "INSERT INTO example_polls (community, question, options, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        ("c", "q?", "[]", "2026-11-22T04:44:40.000000Z"),
    )
    second = await pg.insert_id(
        "INSERT INTO example_polls (community, question, options, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        ("c", "q2", "[]", "2026-11-22T04:44:40.000000Z"),
    )
    assert second == first + 1
    assert await apply_migrations(pg, MIGRATIONS_DIR, now=LATER) == []
    assert await pending_migrations(pg, MIGRATIONS_DIR) == []


async def test_postgresql_takes_its_own_file_and_records_its_checksum(pg: Database, folder: Path) -> None:
    write(folder, "core/0002_stamp.sql", "CREATE TABLE stamps (at TEXT DEFAULT 'shared');\n")
    pg_file = write(
        folder,
        "core/0002_stamp.postgresql.sql",
        "CREATE TABLE stamps (at TEXT DEFAULT 'postgresql');\n"
        "CREATE FUNCTION stamps_upper() RETURNS trigger AS $$ BEGIN NEW.at := upper(NEW.at); RETURN NEW; END; $$ "
        "LANGUAGE plpgsql;\n"
        "CREATE TRIGGER stamps_upper BEFORE INSERT ON stamps FOR EACH ROW EXECUTE FUNCTION stamps_upper();\n",
    )
    assert await apply_migrations(pg, folder, now=NOW) == ["core/0001_groups.sql", "core/0002_stamp.postgresql.sql"]
    await pg.execute("INSERT INTO stamps DEFAULT VALUES")
    assert await pg.fetchval("SELECT at FROM stamps") == "POSTGRESQL"
    row = await pg.fetchone("SELECT name, checksum FROM schema_migrations WHERE owner = 'core' AND version = 2")
    assert (row["name"], row["checksum"]) == ("0002_stamp.postgresql.sql", migrations._checksum(pg_file.read_bytes()))
    assert (await pg_columns(pg))[("groups", "id")] == ("bigint", "YES")
    assert await pg.tables() == {"groups", "stamps", "schema_migrations"}
    assert await pending_migrations(pg, folder) == []


async def test_postgresql_a_failing_migration_leaves_no_trace(pg: Database, folder: Path) -> None:
    await apply_migrations(pg, folder, now=NOW)
    write(
        folder,
        "groups/0001_broken.sql",
        "CREATE TABLE half (x INTEGER);\nINSERT INTO half VALUES (1);\nALTER TABLE groups ADD COLUMN extra TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    with pytest.raises(MigrationError, match=r"groups/0001_broken\.sql failed at statement 4") as info:
        await apply_migrations(pg, folder, now=LATER)
    assert "no_such_table" in str(info.value)
    assert await pg.tables() == {"groups", "schema_migrations"}
    assert {column for (table, column) in await pg_columns(pg) if table == "groups"} == {"id", "name"}
    assert await pending_migrations(pg, folder) == ["groups/0001_broken.sql"]


async def test_postgresql_two_processes_starting_together_apply_each_file_once(pg: Database, pg_url: str) -> None:
    everything = await pending_migrations(pg, MIGRATIONS_DIR)
    other = await connect(pg_url, read_connections=0)
    try:
        first, second = await asyncio.gather(
            apply_migrations(pg, MIGRATIONS_DIR, now=NOW), apply_migrations(other, MIGRATIONS_DIR, now=NOW)
        )
    finally:
        await other.close()
    # Each file was applied by exactly one of them (the other found its row under the lock and skipped it).
    assert sorted(first + second) == sorted(everything)
    assert await pg.fetchval("SELECT count(*) FROM schema_migrations") == len(everything)
    assert await pending_migrations(pg, MIGRATIONS_DIR) == []
