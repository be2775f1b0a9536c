"""`affinity-bot db copy --to postgresql://...`: a community filled by the real app on SQLite, copied into
an empty PostgreSQL database; the counts, the rows, the copied bot running on PostgreSQL, new ids above
the copied ones; refusals of a target that is not empty; bad input through the real command line.

Whatever the engine under test, the source is a SQLite file and the target a fresh PostgreSQL database
(the suite's `pg_url` fixture: skipped when no PostgreSQL server can be started)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config
from bot.model import Level
from bot.storage.copy import (
    CopyFailed,
    CopyRefused,
    CopyReport,
    Repairs,
    check_target_url,
    copy_database,
    progress_printer,
)
from bot.storage.database import Database
from bot.storage.engines import connect
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from tests.groups.fakes import FakeSpaces
from tests.harness import START, Harness

ROOT = Path(__file__).resolve().parent.parent
PLUGINS: dict[str, dict[str, Any]] = {
    "core": {},
    "groups": {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False},
    "questions": {},
    "calendar": {},
}


# ---------------------------------------------------------------- helpers


def config(tmp_path: Path, url: str) -> Config:
    """The app's configuration on the database `url` (SQLite or PostgreSQL, whatever the engine under test:
    the copy always goes from a SQLite file to a PostgreSQL database)."""
    return Config.model_validate(
        {
            "database": {"url": url},
            "plugins": PLUGINS,
            "platforms": {"console": {"files_dir": str(tmp_path / "files")}},
        }
    )


@asynccontextmanager
async def app_on(tmp_path: Path, url: str) -> AsyncIterator[Harness]:
    """The real app with groups, questions and calendar on `url`, a frozen clock and a fake platform."""
    clock = FrozenClock(START)
    app = App(config(tmp_path, url), clock=clock, realtime=False)
    await app.build()
    platform = FakeSpaces()
    app.add_platform(platform)
    await app.start()
    try:
        yield Harness(app, clock, platform)
    finally:
        await app.stop()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'community.db'}"


async def fill(tmp_path: Path) -> None:
    """A small community on SQLite: groups, questions, calendar entries and chat activity."""
    async with app_on(tmp_path, sqlite_url(tmp_path)) as h:
        for name in ("alice", "bob", "mod"):
            h.platform.user(name)
        for channel in ("news", "events"):
            h.platform.channel(channel)
        for line in (
            '/group create "Rust Lille" local "Rust near Lille" tags:rust,web city:"Lille, FR" radius_km:30',
            '/group create Knitting affinity "Wool and needles"',
        ):
            assert "created" in (await h.command("alice", line)).text
        await h.command("bob", "/group join Knitting")
        await h.say("alice", "How do I export the members list?")
        await h.say("carol", "Où trouve-t-on le programme de la rencontre ?")
        answered = await h.say("dave", "Is there a meetup this month?")
        await h.say("erin", "Yes, on Thursday at 18:00", reply_to=answered)
        for line in (
            '/calendar add News #news "mardi 9h" @alice remind:1d,2h',
            '/calendar add Meetup #events "jeudi 18h" @bob weekly',
        ):
            added = await h.command("mod", line, level=Level.MODERATOR)
            assert "News" in added.text or "Meetup" in added.text, added.text
        for i in range(40):
            await h.say(["alice", "bob", "carol"][i % 3], f"chat line {i}", channel=["general", "random"][i % 2])
        await h.advance(hours=1)
        await h.flush()


async def rows_of(db: Database, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return sorted((tuple(r) for r in await db.fetchall(f'SELECT {names} FROM "{table}"')), key=repr)


async def copy(tmp_path: Path, url: str, **options: Any) -> CopyReport:
    source = await connect(sqlite_url(tmp_path))
    target = await connect(url)
    try:
        return await copy_database(source, target, migrations=MIGRATIONS_DIR, now=START, batch_size=7, **options)
    finally:
        await target.close()
        await source.close()


# ---------------------------------------------------------------- the copy


async def test_a_community_is_copied_with_every_row_and_the_bot_runs_on_it(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    printed: list[str] = []
    report = await copy(tmp_path, pg_url, progress=progress_printer(printed.append))

    counts = {c.table: (c.source, c.target) for c in report.counts}
    assert "schema_migrations" not in counts  # the target has its own history
    assert report.mismatches == []
    assert counts["community_groups"] == (2, 2)
    assert counts["questions"][0] >= 3 and counts["messages"][0] >= 44
    assert counts["calendar_series"][0] == 2
    # Parents before children: a group before its members, a question before its answers.
    order = [c.table for c in report.counts]
    assert order.index("community_groups") < order.index("group_members")
    assert order.index("questions") < order.index("question_answers")
    # Progress per table, in batches (7 rows here), ending on the total.
    total = counts["messages"][0]
    assert next(line for line in printed if line.startswith("messages:")) == f"messages: 7 / {total:,}"
    assert f"messages: {total:,} / {total:,}" in printed
    lines = report.lines()
    assert re.search(rf"^messages\s+{total:,}\s+{total:,}$", "\n".join(lines), re.M)
    assert any(line.startswith("schema_migrations: not copied") for line in lines)

    # Every row, field by field.
    source = await connect(sqlite_url(tmp_path))
    target = await connect(pg_url)
    try:
        for table in counts:
            columns = [r[0] for r in await source.fetchall("SELECT name FROM pragma_table_info(?)", (table,))]
            assert await rows_of(target, table, columns) == await rows_of(source, table, columns), table
        top_question = await source.fetchval("SELECT max(id) FROM questions")
        top_group = await source.fetchval("SELECT max(id) FROM community_groups")
    finally:
        await target.close()
        await source.close()

    # The copied bot on PostgreSQL sees the community, and new ids continue above the copied ones.
    async with app_on(tmp_path, pg_url) as h:
        listed = await h.command("bob", "/group list")
        assert listed.card is not None and "Rust Lille" in (listed.card.description or "")
        unanswered = await h.command("erin", "/unanswered")
        assert "export the members list" in "\n".join(
            [unanswered.text, unanswered.card.description or "" if unanswered.card else ""]
            + [f.value for f in (unanswered.card.fields if unanswered.card else [])]
        )
        assert "created" in (await h.command("carol", '/group create Chess affinity "Openings"')).text
        new_group = await h.app.db.fetchval("SELECT id FROM community_groups WHERE name = 'Chess'")
        assert new_group > top_group
        assert min(await h.app.db.allocate_ids("questions", 2)) > top_question


async def test_ids_reserved_by_the_sqlite_file_are_never_handed_out_again(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    source = await connect(sqlite_url(tmp_path))
    try:
        reserved = await source.allocate_ids("questions", 50)  # reserved ahead of an insert that never came
    finally:
        await source.close()
    report = await copy(tmp_path, pg_url)
    assert report.sequences["questions.id"] == reserved[-1]
    target = await connect(pg_url)
    try:
        assert min(await target.allocate_ids("questions", 3)) > reserved[-1]
    finally:
        await target.close()


async def test_text_postgresql_refuses_is_repaired_and_counted_and_loose_values_converted(
    tmp_path: Path, pg_url: str
) -> None:
    await fill(tmp_path)
    source = await connect(sqlite_url(tmp_path))
    try:
        first, second = [r[0] for r in await source.fetchall("SELECT id FROM questions ORDER BY id LIMIT 2")]
        await source.execute("UPDATE questions SET excerpt = 'a' || char(0) || 'b' WHERE id = ?", (first,))
        # A lone surrogate as an old writer could leave it: its UTF-8 bytes, which Python refuses to decode.
        await source.execute("UPDATE questions SET excerpt = CAST(X'61EDA08062' AS TEXT) WHERE id = ?", (second,))
        # Loosely typed: a number kept as bytes in an INTEGER column.
        await source.execute("UPDATE messages SET length = CAST('42' AS BLOB) WHERE id = 1")
    finally:
        await source.close()
    report = await copy(tmp_path, pg_url)
    assert report.repairs["questions"] == Repairs(nul=1, encoding=1)
    assert "questions: 1 text values held NUL characters, dropped" in report.lines()
    target = await connect(pg_url)
    try:
        excerpts = dict(await target.fetchall("SELECT id, excerpt FROM questions WHERE id IN (?, ?)", (first, second)))
        assert excerpts == {first: "ab", second: "a?b"}
        assert await target.fetchval("SELECT length FROM messages WHERE id = 1") == 42
    finally:
        await target.close()


async def test_a_value_without_a_faithful_conversion_stops_the_copy_naming_its_row(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    source = await connect(sqlite_url(tmp_path))
    try:
        await source.execute("UPDATE messages SET length = 'twelve' WHERE id = 3")
    finally:
        await source.close()
    with pytest.raises(CopyFailed, match=r"table messages, column length, rowid 3: the value 'twelve' cannot be"):
        await copy(tmp_path, pg_url)


async def test_a_row_whose_parent_is_gone_stops_the_copy_naming_the_table(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    source = await connect(sqlite_url(tmp_path))
    try:
        await source.execute("PRAGMA foreign_keys = OFF")  # as an old file written without them could be
        await source.execute("DELETE FROM community_groups WHERE name = 'Knitting'")
    finally:
        await source.close()
    with pytest.raises(CopyFailed, match=r"table group_members: PostgreSQL refused rows 1 to \d+ \(.*foreign key"):
        await copy(tmp_path, pg_url)


async def test_a_source_with_a_migration_pending_is_refused_before_the_target_is_touched(
    tmp_path: Path, pg_url: str
) -> None:
    await fill(tmp_path)
    source = await connect(sqlite_url(tmp_path))
    try:  # as a file last served by the previous release
        await source.execute("DELETE FROM schema_migrations WHERE owner = 'core' AND version = 6")
    finally:
        await source.close()
    with pytest.raises(CopyFailed, match=r"has 1 migration\(s\) not applied yet \(core/0006_job_runs.sql ...\)"):
        await copy(tmp_path, pg_url)
    target = await connect(pg_url)
    try:
        assert await target.tables() == set()
    finally:
        await target.close()


async def test_a_target_already_migrated_but_empty_is_accepted(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    target = await connect(pg_url)
    try:
        made = await apply_migrations(target, MIGRATIONS_DIR, now=START)  # `affinity-bot migrate` on it
    finally:
        await target.close()
    report = await copy(tmp_path, pg_url)
    assert report.mismatches == [] and report.migrations == []
    history = f"the target has its own history ({len(made)} migrations, 0 applied by this copy)"
    assert f"schema_migrations: not copied; {history}" in report.lines()


# ---------------------------------------------------------------- refusals


async def test_a_target_that_is_not_empty_is_refused_naming_the_table(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    await copy(tmp_path, pg_url)
    with pytest.raises(CopyRefused, match=r"it is not empty \(table activity_channel_daily holds \d+ rows?;"):
        await copy(tmp_path, pg_url)


async def test_a_target_with_a_table_of_its_own_is_refused_and_left_untouched(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    target = await connect(pg_url)
    try:
        await target.execute("CREATE TABLE invoices (id BIGINT)")
    finally:
        await target.close()
    with pytest.raises(CopyRefused, match="table invoices is not one the bot's migrations make"):
        await copy(tmp_path, pg_url)
    target = await connect(pg_url)
    try:
        assert await target.tables() == {"invoices"}
    finally:
        await target.close()


# ---------------------------------------------------------------- the command line


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yaml").write_text(
        f"database:\n  url: {sqlite_url(tmp_path)}\nplugins:\n  core: {{}}\n", encoding="utf-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "copy", *args, "--config", str(tmp_path / "config.yaml")],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_line_refuses_bad_targets_and_sources_in_one_line(tmp_path: Path) -> None:
    missing = await asyncio.to_thread(run_cli, tmp_path, "--to", "postgresql://bot@127.0.0.1:5432/x")
    assert missing.returncode == 1
    assert "community.db does not exist" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "community.db").exists()  # not created by trying

    await fill(tmp_path)
    to_sqlite = await asyncio.to_thread(run_cli, tmp_path, "--to", f"sqlite:///{tmp_path / 'other.db'}")
    assert to_sqlite.returncode == 2 and "from SQLite to PostgreSQL only" in to_sqlite.stderr
    unknown = await asyncio.to_thread(run_cli, tmp_path, "--to", "mysql://bot@db/x")
    assert unknown.returncode == 2 and "unknown database URL scheme 'mysql'" in unknown.stderr
    with_password = await asyncio.to_thread(run_cli, tmp_path, "--to", "postgresql://bot:hunter2@db/x")
    assert with_password.returncode == 2 and "hunter2" not in with_password.stderr + with_password.stdout

    unset = await asyncio.to_thread(
        run_cli, tmp_path, "--to", "postgresql://bot@127.0.0.1:9/x", "--password-env", "H6_NOT_SET_ANYWHERE"
    )
    assert unset.returncode == 2 and "--password-env H6_NOT_SET_ANYWHERE" in unset.stderr

    # Nothing listens on port 9 here: one line naming the host and what failed, never the password.
    unreachable = await asyncio.to_thread(
        run_cli,
        tmp_path,
        "--to",
        "postgresql://bot@127.0.0.1:9/community",
        "--password-env",
        "H6_COPY_PASSWORD",
        env={"H6_COPY_PASSWORD": "s3cr3t-value"},
    )
    assert unreachable.returncode == 1
    assert (
        unreachable.stderr.strip()
        .splitlines()[-1]
        .startswith("affinity-bot: cannot connect to PostgreSQL at 127.0.0.1:9/community: connection refused")
    )
    assert "Traceback" not in unreachable.stderr and "s3cr3t-value" not in unreachable.stderr + unreachable.stdout


async def test_the_command_line_refuses_a_target_that_is_not_empty(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    target = await connect(pg_url)
    try:
        await target.execute("CREATE TABLE invoices (id BIGINT)")
        await target.execute("INSERT INTO invoices (id) VALUES (1)")
    finally:
        await target.close()
    refused = await asyncio.to_thread(run_cli, tmp_path, "--to", pg_url)
    assert refused.returncode == 2
    assert "table invoices is not one the bot's migrations make" in refused.stderr
    assert "Traceback" not in refused.stderr


async def test_the_command_line_copies_prints_progress_and_counts_then_refuses_a_second_copy(
    tmp_path: Path, pg_url: str
) -> None:
    await fill(tmp_path)
    copied = await asyncio.to_thread(run_cli, tmp_path, "--to", pg_url)
    assert copied.returncode == 0, copied.stderr
    out = copied.stdout
    assert out.startswith(f"Copying {tmp_path / 'community.db'} into PostgreSQL at 127.0.0.1:")
    messages = re.search(r"^messages\s+([\d,]+)\s+([\d,]+)$", out, re.M)
    assert messages is not None and messages[1] == messages[2]
    assert f"messages: {messages[1]} / {messages[1]}" in out  # the progress line of the last batch
    assert "schema_migrations: not copied" in out
    assert out.rstrip().endswith("start the bot.")
    assert copied.stderr == ""

    again = await asyncio.to_thread(run_cli, tmp_path, "--to", pg_url)
    assert again.returncode == 2
    assert re.search(r"it is not empty \(table \w+ holds [\d,]+ rows?", again.stderr)
    assert "Traceback" not in again.stderr


async def test_the_command_line_refuses_to_copy_a_database_the_bot_is_serving(tmp_path: Path, pg_url: str) -> None:
    await fill(tmp_path)
    async with app_on(tmp_path, sqlite_url(tmp_path)):
        refused = await asyncio.to_thread(run_cli, tmp_path, "--to", pg_url)
    assert refused.returncode == 1
    assert refused.stderr.startswith("affinity-bot: stop the bot before copying its database:")
    target = await connect(pg_url)
    try:
        assert await target.tables() == set()  # not touched
    finally:
        await target.close()


def test_a_target_url_with_the_password_in_its_query_is_refused_without_echoing_it() -> None:
    # asyncpg (as libpq) takes `?password=` as the password: on the command line it would sit in the
    # shell history and in `ps` for every user of the machine, as one before the host would.
    for url in ("postgresql://bot@db/x?password=hunter2", "postgresql://bot@db/x?sslmode=disable&PASSWORD=hunter2"):
        with pytest.raises(CopyRefused, match="holds a password") as refused:
            check_target_url(url)
        assert "hunter2" not in str(refused.value)
