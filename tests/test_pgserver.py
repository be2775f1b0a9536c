"""The suite's PostgreSQL machinery (tests/pgserver.py, tests/conftest.py): a throwaway server and
fresh databases, checked against a real server; skipped only when no PostgreSQL is installed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import pgserver
from tests.harness import make_config


async def test_a_fresh_database_is_empty_utf8_and_sorts_text_like_sqlite(pg_url: str) -> None:
    import asyncpg  # there whenever `pg_url` is

    conn = await asyncpg.connect(pg_url)
    try:
        tables = await conn.fetchval("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        assert tables == 0
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        # Byte order, as SQLite compares text: uppercase before lowercase, accents after ASCII.
        words = ["b", "é", "B", "a", "A"]
        rows = await conn.fetch("SELECT w FROM unnest($1::text[]) AS w ORDER BY w", words)
        assert [row["w"] for row in rows] == sorted(words, key=lambda w: w.encode())
    finally:
        await conn.close()


async def test_several_fresh_databases_in_one_test_are_distinct(pg_urls: Callable[[], str]) -> None:
    import asyncpg

    first, second = pg_urls(), pg_urls()
    assert first != second
    conn = await asyncpg.connect(first)
    try:
        await conn.execute("CREATE TABLE only_in_first (x INT)")
    finally:
        await conn.close()
    conn = await asyncpg.connect(second)
    try:
        assert await conn.fetchval("SELECT to_regclass('only_in_first') IS NULL")
    finally:
        await conn.close()


def test_the_same_sqlite_path_means_the_same_database_and_another_path_another(engine: str, tmp_path: Path) -> None:
    first = make_config(tmp_path).database
    again = make_config(tmp_path).database
    other = make_config(tmp_path / "other").database
    if engine == "sqlite":
        assert first.path == tmp_path / "bot.db"
        assert first == again != other
    else:
        url = getattr(first, "url", None)
        assert url is not None and url.startswith("postgresql://")
        assert url == getattr(again, "url", None) != getattr(other, "url", None)


def test_a_server_starts_on_a_free_port_and_leaves_nothing_behind() -> None:
    if pgserver.find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries on this machine")
    server = pgserver.PgServer.start()
    folder = server.folder
    assert folder is not None and folder.is_dir()
    databases = pgserver.FreshDatabases(server, prefix="probe")
    name = databases.take()
    try:
        assert name.startswith("probe_")
    finally:
        databases.close()
        server.stop()
    assert not folder.exists()
    with pytest.raises(pgserver.PgUnavailable, match="unreachable"):
        pgserver.FreshDatabases(server)


async def test_a_database_given_back_comes_back_empty_with_its_locks_freed(pg_available: bool) -> None:
    if not pg_available:
        pytest.skip("no PostgreSQL server")
    import asyncpg

    assert pgserver.current is not None
    databases = pgserver.FreshDatabases(pgserver.current.databases().server, prefix="recycle")
    try:
        used = await asyncio.to_thread(databases.take)
        leaked = await asyncpg.connect(databases.server.url(used))  # an app that was never stopped
        await leaked.execute("CREATE TABLE kept (id BIGINT GENERATED ALWAYS AS IDENTITY, name TEXT)")
        await leaked.execute("CREATE SCHEMA extra; CREATE TABLE extra.t (x INT)")
        await leaked.execute("INSERT INTO kept (name) VALUES ('a'), ('b')")
        assert await leaked.fetchval("SELECT pg_try_advisory_lock(42)")
        databases.release(used)
        # The ones made ready meanwhile come first; a recycle that failed would never give it back.
        taken = [await asyncio.to_thread(databases.take) for _ in range(2)]
        while used not in taken and len(taken) < 20:
            taken.append(await asyncio.to_thread(databases.take))
        assert used in taken
        conn = await asyncpg.connect(databases.server.url(used))
        try:
            tables = await conn.fetch(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            assert tables == []
            assert await conn.fetchval("SELECT pg_try_advisory_lock(42)")
            await conn.execute("CREATE TABLE kept (id BIGINT GENERATED ALWAYS AS IDENTITY, name TEXT)")
            assert await conn.fetchval("INSERT INTO kept (name) VALUES ('c') RETURNING id") == 1
        finally:
            await conn.close()
        assert leaked.is_closed() or not await _alive(leaked)
        leaked.terminate()
    finally:
        await asyncio.to_thread(databases.close)


async def _alive(conn: Any) -> bool:
    try:
        await conn.fetchval("SELECT 1")
    except Exception:  # the server ended the session
        return False
    return True


def test_the_server_of_a_run_killed_outright_is_stopped_by_the_next_run() -> None:
    if pgserver.find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries on this machine")
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.Popen(
        [sys.executable, "-c", "from tests import pgserver; import sys, time; "
         "s = pgserver.PgServer.start(); print(s.folder, flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True, cwd=root,
    )  # fmt: skip
    try:
        assert killed.stdout is not None
        folder = Path(killed.stdout.readline().strip())
    finally:
        killed.kill()  # SIGKILL: no teardown, the server stays up
        killed.wait(timeout=60)
    assert (folder / "data" / "postmaster.pid").exists()
    server = pgserver.PgServer.start()
    server.stop()
    assert not folder.exists()


async def test_a_database_asked_for_outside_a_test_outlives_the_tests(pg_available: bool) -> None:
    # What a module-scoped fixture (an app served for a whole module) gets: set up before the test
    # begins, it must not be emptied when the first test of the module ends.
    if not pg_available:
        pytest.skip("no PostgreSQL server")
    import asyncpg

    assert pgserver.current is not None
    session = pgserver.Session("postgresql", pgserver.current.databases().server.admin_url)
    try:
        kept = await asyncio.to_thread(session.url_for, "module/bot.db")
        session.begin_test()
        own = await asyncio.to_thread(session.url_for, "test/bot.db")
        assert await asyncio.to_thread(session.url_for, "module/bot.db") != kept  # a test's own, by key
        for url in (kept, own):
            conn = await asyncpg.connect(url)
            await conn.execute("CREATE TABLE mark (x INT)")
            await conn.close()
        session.end_test()
        conn = await asyncpg.connect(kept)
        try:
            assert await conn.fetchval("SELECT to_regclass('mark') IS NOT NULL")
        finally:
            await conn.close()
        assert await asyncio.to_thread(session.url_for, "module/bot.db") == kept
    finally:
        await asyncio.to_thread(session.close)


def test_without_binaries_the_server_start_says_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pgserver, "find_bindir", lambda: None)
    with pytest.raises(pgserver.PgUnavailable, match="apt-get install postgresql"):
        pgserver.PgServer.start()


def test_a_postgresql_run_without_a_server_fails_in_one_line(tmp_path: Path) -> None:
    port = pgserver.free_port()  # nothing listens there
    env = {
        **os.environ,
        "AFFINITY_TEST_PG_URL": f"postgresql://nobody@127.0.0.1:{port}/postgres",
    }
    env.pop("AFFINITY_TEST_ENGINE", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--engine", "postgresql",
         "--collect-only", "tests/test_pgserver.py"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"ERROR: --engine postgresql: PostgreSQL at 127.0.0.1:{port} unreachable: ")


def test_every_sqlite_only_entry_names_a_test_that_exists() -> None:
    # A renamed test would silently run on PostgreSQL again; the list must follow the names.
    from tests.conftest import SQLITE_ONLY

    root = Path(__file__).resolve().parent.parent
    for prefix in SQLITE_ONLY:
        file, _, test = prefix.partition("::")
        assert (root / file).is_file(), prefix
        if test:
            assert f"def {test}(" in (root / file).read_text(encoding="utf-8"), prefix
