"""The loop-stall guard of the whole suite: a test fails when an event loop was blocked too long.

Every phase of every test (setup, call, teardown) runs under `bot.loopwatch.watching()`, which sees
every loop of the process: pytest-asyncio's, `asyncio.run` ones, loops in threads. When one
callback ran longer than `STALL_LIMIT` in one stretch, that phase fails with the duration and the
callback's name. The limit is generous on purpose (the machines running the suite are shared and
noisy): it catches freezes, not noise. A test that means to block may opt out with
`@pytest.mark.allow_stall`. A sampler thread records the line a callback was blocked at once it has
run for half the limit, so the message names the line, not only the task. The run's worst stall is
printed in the summary.

It also chooses the database engine the suite runs on: `--engine postgresql` (or the environment
variable `AFFINITY_TEST_ENGINE=postgresql`) gives every app built through tests/harness.py a fresh
empty database on a throwaway PostgreSQL server started for the session (tests/pgserver.py), or on
the server named by `AFFINITY_TEST_PG_URL`. Tests about the SQLite engine itself are marked
`sqlite_only` and skipped on PostgreSQL. The fixtures `engine`, `database_url`, `pg_available` and
`pg_url` (`pg_urls` for several) give tests the engine, a fresh database of it, and PostgreSQL
whatever the engine.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from bot.loopwatch import LoopWatch, start_sampler, watching
from tests import pgserver

# Seconds. A machine slower than a shared 2-core VM under load may raise it (LOOP_STALL_LIMIT=2).
STALL_LIMIT = float(os.environ.get("LOOP_STALL_LIMIT", "1.0"))


_session: contextlib.ExitStack | None = None
_session_watch: LoopWatch | None = None


ENGINES = ("sqlite", "postgresql")
ENGINE_ENV = "AFFINITY_TEST_ENGINE"
PG_URL_ENV = "AFFINITY_TEST_PG_URL"


# Tests about the SQLite engine itself, or that reach into the bot's SQLite file with `sqlite3`: marked
# `sqlite_only` here, in one place, so the PostgreSQL run skips them (a test may also carry the
# marker itself). Keys are node-id prefixes: a file, or one test of a file.
_READS_THE_FILE = "reads the bot process's SQLite file with sqlite3"
SQLITE_ONLY = {
    "tests/test_storage_database.py": "the SQLite Database class on files (WAL, busy timeout, backup)",
    # Its PostgreSQL tests ask for `pg_url` and run in the SQLite pass already.
    "tests/test_storage_migrations.py": "migrations of SQLite database files",
    "tests/test_storage_readers.py": "the SQLite reader connections beside the writer thread",
    "tests/test_storage_indexes.py": "SQLite query plans (EXPLAIN QUERY PLAN)",
    "tests/test_bulk.py": "bulk rows through SQLite's json_each",
    "tests/questions/test_pending_writes.py": "a flush against a SQLite file locked by another connection",
    "tests/questions/test_flush_bound.py::test_an_answer_whose_flush_met_a_locked_database"
    "_is_written_once_it_is_free": "a SQLite file locked by a second connection",
    "tests/questions/test_flush_bound.py::test_a_question_asked_while_the_database_is_locked"
    "_is_stored_and_nudged_on_time": "a SQLite file locked by a second connection",
    "tests/calendar_plugin/test_stored_rules.py": "plants an old rule in the SQLite file with sqlite3",
    "tests/test_kill_network.py": _READS_THE_FILE,
    "tests/test_shutdown.py": _READS_THE_FILE,
    "tests/test_reliability.py::test_kill_9_during_ingest_loses_at_most_one_batch": _READS_THE_FILE,
    "tests/test_cli.py::test_migrate_applies_only_new_files_with_a_backup_and_refuses_an_edited_one": _READS_THE_FILE,
    "tests/test_cli.py::test_unreadable_database_is_named": "a corrupt SQLite file",
    "tests/test_cli.py::test_sigterm_stops_gracefully_and_keeps_buffered_activity": _READS_THE_FILE,
    "tests/test_cli.py::test_script_from_an_open_stdin_stops_on_sigterm_and_keeps_buffered_activity": _READS_THE_FILE,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=None,
        help=f"database engine of the apps under test (default: ${ENGINE_ENV}, else sqlite); "
        f"postgresql starts a throwaway server unless ${PG_URL_ENV} names one",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _session, _session_watch
    config.addinivalue_line("markers", "allow_stall: this test blocks its event loop on purpose")
    config.addinivalue_line(
        "markers", "sqlite_only(reason): this test is about the SQLite engine; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "postgresql: this test needs a PostgreSQL server; skipped when none is installed"
    )
    engine = config.getoption("engine") or os.environ.get(ENGINE_ENV) or "sqlite"
    if engine not in ENGINES:
        raise pytest.UsageError(f"{ENGINE_ENV}={engine}: expected one of {', '.join(ENGINES)}")
    pgserver.current = pgserver.Session(engine, os.environ.get(PG_URL_ENV) or None)
    if engine == "postgresql" and not pgserver.current.available():
        # One line, no traceback: the run was asked for PostgreSQL and cannot have it.
        raise pytest.UsageError(f"--engine postgresql: {pgserver.current.failure}")
    # On SQLite, PostgreSQL tests still run when a server can be had: started while tests are collected.
    pgserver.current.warm_up()
    _session = contextlib.ExitStack()
    _session_watch = _session.enter_context(watching())
    # A stall's message then says which line blocked, not only which task.
    start_sampler(after=STALL_LIMIT / 2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, reason in SQLITE_ONLY.items():
            if item.nodeid == prefix or item.nodeid.startswith((f"{prefix}::", f"{prefix}[")):
                item.add_marker(pytest.mark.sqlite_only(reason=reason))
    session = pgserver.current
    if session is None or session.engine == "sqlite":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "SQLite engine")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_collection_finish(session: pytest.Session) -> None:
    # The server started in the background during collection: waited for here, off any event loop.
    if pgserver.current is not None:
        pgserver.current.settle()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The run's worst stall, failing or not: the margin left under the limit, for the record.
    if _session_watch is not None and _session_watch.worst is not None:
        terminalreporter.write_line(f"worst event-loop stall in this run: {_session_watch.worst}")
    session = pgserver.current
    if session is not None and session.handed_out:
        terminalreporter.write_line(
            f"PostgreSQL ({session.engine} run): fresh databases handed out: {session.handed_out}, "
            f"waited {session.overhead * 1000 / session.handed_out:.1f} ms for each on average"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    # The throwaway server goes first: it must not outlive an interrupted run either.
    if pgserver.current is not None:
        pgserver.current.close()
        pgserver.current = None
    if _session is not None:
        _session.close()


@pytest.fixture(autouse=True)
def _fresh_databases_dropped(request: pytest.FixtureRequest) -> Iterator[None]:
    """Skip a `postgresql` test without a server; after each test (its apps stopped), give back the
    PostgreSQL databases it was given."""
    if request.node.get_closest_marker("postgresql") is not None and not request.getfixturevalue("pg_available"):
        assert pgserver.current is not None
        pytest.skip(f"no PostgreSQL server: {pgserver.current.failure}")
    # Module-scoped fixtures are set up before this one: what they ask for outlives the test.
    if pgserver.current is not None:
        pgserver.current.begin_test()
    yield
    if pgserver.current is not None:
        pgserver.current.end_test()


@pytest.fixture(scope="session")
def engine() -> str:
    """The database engine this run tests: "sqlite" (the default) or "postgresql"."""
    return pgserver.current.engine if pgserver.current is not None else "sqlite"


@pytest.fixture(scope="session")
def pg_available() -> bool:
    """Whether a PostgreSQL server is there for this run (started on first ask)."""
    return pgserver.current is not None and pgserver.current.available()


@pytest.fixture
def pg_url(pg_available: bool) -> str:
    """A fresh empty PostgreSQL database whatever the engine; the test is skipped without a server."""
    assert pgserver.current is not None
    if not pg_available:
        pytest.skip(f"no PostgreSQL server: {pgserver.current.failure}")
    return pgserver.current.fresh_url()


@pytest.fixture
def pg_urls(pg_available: bool) -> Callable[[], str]:
    """A maker of fresh empty PostgreSQL databases, for a test that needs several (a copy's source and
    target, a dump and its restore); each is given back at the end of the test. Skipped without a server."""
    assert pgserver.current is not None
    if not pg_available:
        pytest.skip(f"no PostgreSQL server: {pgserver.current.failure}")
    return pgserver.current.fresh_url


@pytest.fixture
def database_url(engine: str, tmp_path: Path) -> str:
    """A fresh empty database of the engine under test, as a `database.url`."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.db'}"
    assert pgserver.current is not None
    return pgserver.current.fresh_url()


def _check(item: pytest.Item, watch: LoopWatch, phase: str) -> None:
    stall = watch.worst
    if stall is None or stall.seconds <= STALL_LIMIT or item.get_closest_marker("allow_stall"):
        return
    pytest.fail(
        f"event loop blocked during {phase} for {stall} (limit {STALL_LIMIT:.0f} s): "
        "move that work off the loop (asyncio.to_thread) or load it ahead of time",
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "setup")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "the test")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    with watching() as watch:
        result = yield
    _check(item, watch, "teardown")
    return result
