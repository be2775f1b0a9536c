"""PostgreSQL (`python -m benchmarks --only pg`): ingest through the activity writer and through the
real dispatcher, the weekly digest's figures at 5M stored messages, and three bot processes ingesting
into one server, each against a baseline measured in the same run (raw COPY, the same figure on
SQLite, a raw COUNT(*), one process alone).

The server is `AFFINITY_BENCH_PG_URL` or a throwaway cluster with durability on (benchmarks/pgserver.py).
Messages are delivered the way a platform delivers them: a burst (`BURST` events: one gateway read),
then the loop runs; the same driver feeds both engines, so the ratios compare like with like.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks import digest_bench
from benchmarks.common import START, available_plugins, bench_app, messages, stall_mark, stalls_since
from benchmarks.pgserver import SETTINGS, PgServer, PgUnavailable, server
from bot.app import App
from bot.declarations import MessageNotes
from bot.model import Message
from bot.storage.activity import ActivityWriter
from bot.storage.database import Database
from bot.storage.engines import connect
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from bot.storage.times import to_db

FEATURES = ["filters", "questions", "groups", "calendar", "digest"]
BATCH = 2000  # the activity writer's default batch size (`activity.batch_size`)
BURST = 50  # events handled between two turns of the event loop, as one platform read delivers them
PROCESSES = 3
RAW_COLUMNS = ["community", "channel_id", "thread_id", "message_id", "author_id", "at", "length", "reply_to"]

Row = tuple[str, str, str, str]


# ---------------------------------------------------------------- schema


async def _migrated(url: str) -> Database:
    """The database at `url`, migrated as the bot migrates it at start."""
    db = await connect(url)
    try:
        await apply_migrations(db, MIGRATIONS_DIR, now=START)
    except BaseException:
        await db.close()
        raise
    return db


@contextlib.asynccontextmanager
async def _app_on(url: str, plugins: dict[str, Any], *, under_load: bool = False) -> AsyncIterator[App]:
    """The real app on the PostgreSQL database `url` (migrated by `App.build`, as in production)."""
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_app(Path(tmp) / "unused.db", plugins, under_load=under_load, url=url) as app:
            yield app


# ---------------------------------------------------------------- ingest, one process


def _notes(message: Message) -> MessageNotes:
    """What the listeners would have noted: a language and whether it is a question."""
    return MessageNotes(language="fr" if "é" in message.text or "à" in message.text else "en",
                        is_question=message.text.endswith("?"))  # fmt: skip


async def _drive(handle: Any, events: list[Any]) -> None:
    """Deliver `events` as a platform does: `BURST` of them, then the loop runs once."""
    for i in range(0, len(events), BURST):
        for event in events[i : i + BURST]:
            await handle(event)
        await asyncio.sleep(0)


async def copy_baseline(url: str, batch: list[Message]) -> float:
    """Messages per second of raw `copy_records_to_table` of the same rows, one COPY per `BATCH` rows."""
    await (await _migrated(url)).close()
    rows = [
        (m.community.key, m.channel.channel_id, m.channel.thread_id, m.ref.message_id, m.author.user_id,
         to_db(m.at), len(m.text), m.reply_to.message_id if m.reply_to else None)
        for m in batch
    ]  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            await conn.copy_records_to_table("messages", records=rows[i : i + BATCH], columns=RAW_COLUMNS)
        elapsed = time.perf_counter() - started
        stored = await conn.fetchval("SELECT COUNT(*) FROM messages")
    finally:
        await conn.close()
    assert stored == len(rows), f"COPY stored {stored} of {len(rows)}"
    return len(rows) / elapsed


async def writer_alone(url: str, batch: list[Message]) -> float:
    """Messages per second of `ActivityWriter` alone (events and notes built beforehand), flushed."""
    pairs = [(m, _notes(m)) for m in batch]
    db = await _migrated(url)
    try:
        writer = ActivityWriter(db, lambda community: "Europe/Paris", batch_size=BATCH)
        await writer.start()

        async def add(pair: tuple[Message, MessageNotes]) -> None:
            writer.add_message(*pair)
            await writer.throttle()

        started = time.perf_counter()
        await _drive(add, pairs)
        await writer.flush()
        elapsed = time.perf_counter() - started
        await writer.stop()
        stored = await db.fetchval("SELECT COUNT(*) FROM messages")
    finally:
        await db.close()
    assert stored == len(batch), f"the writer stored {stored} of {len(batch)}"
    return len(batch) / elapsed


async def dispatcher(url: str | None, path: Path, batch: list[Message]) -> float:
    """Messages per second through the real dispatcher, every plugin, into PostgreSQL (`url`) or the
    SQLite file `path`; the worst loop stall is reported with the suite."""
    plugins = available_plugins(FEATURES)
    app_context = (
        _app_on(url, plugins, under_load=True) if url is not None else bench_app(path, plugins, under_load=True)
    )
    async with app_context as app:
        started = time.perf_counter()
        await _drive(app.dispatcher.handle, batch)
        await app.activity.flush()
        elapsed = time.perf_counter() - started
        stored = await app.db.fetchval("SELECT COUNT(*) FROM messages")
    assert stored == len(batch), f"the bot stored {stored} of {len(batch)}"
    return len(batch) / elapsed


# ---------------------------------------------------------------- digest at 5M messages


async def digest_on_pg(url: str, count: int) -> tuple[float, float, float]:
    """Seconds to fill `count` rows (COPY, rollups, ANALYZE); median ms of the digest and of COUNT(*)."""
    await (await _migrated(url)).close()
    conn = await asyncpg.connect(url)
    try:
        began = time.perf_counter()
        for rows in digest_bench.seed_rows(count, chunk=100_000):
            await conn.copy_records_to_table("messages", records=rows, columns=list(digest_bench.SEED_COLUMNS))
        for sql in digest_bench.ROLLUPS:
            await conn.execute(sql)
        await conn.execute("ANALYZE")
        filled = time.perf_counter() - began
    finally:
        await conn.close()
    async with _app_on(url, {"core": {}, "digest": {}}, under_load=True) as app:
        digest_ms, scan_ms = await digest_bench.time_digest(app)
    return filled, digest_ms, scan_ms


# ---------------------------------------------------------------- several processes


def _process_main(url: str, community: str, count: int, ready: Any, go: Any, results: Any) -> None:
    """One bot process (a real OS process): its own communities through its ActivityWriter."""
    batch = list(messages(count, community=community))

    async def main() -> tuple[float, float]:
        db = await connect(url)
        try:
            writer = ActivityWriter(db, lambda key: "Europe/Paris", batch_size=BATCH)
            await writer.start()
            pairs = [(m, _notes(m)) for m in batch]

            async def add(pair: tuple[Message, MessageNotes]) -> None:
                writer.add_message(*pair)
                await writer.throttle()

            ready.wait()
            go.wait()
            started = time.monotonic()
            await _drive(add, pairs)
            await writer.flush()
            ended = time.monotonic()
            await writer.stop()
        finally:
            await db.close()
        return started, ended

    try:
        results.put((community, *asyncio.run(main())))
    except BaseException as exc:
        results.put((community, f"{type(exc).__name__}: {exc}", 0.0))
        raise


async def processes(url: str, count: int, workers: int) -> float:
    """Total messages per second of `workers` processes ingesting `count` messages each at once
    (into the database at `url`, migrated here first)."""
    await (await _migrated(url)).close()
    return await asyncio.to_thread(_run_processes, url, count, workers)


def _run_processes(url: str, count: int, workers: int) -> float:
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(workers + 1)
    go = spawn.Barrier(workers + 1)
    results = spawn.Queue()
    children = [
        spawn.Process(target=_process_main, args=(url, f"P{i}", count, ready, go, results)) for i in range(workers)
    ]
    for child in children:
        child.start()
    ready.wait(timeout=300)  # every process has built its events and connected
    go.wait(timeout=60)  # ...and starts now
    spans: list[tuple[str, float, float]] = [results.get(timeout=600) for _ in children]
    failed = [span for span in spans if isinstance(span[1], str)]
    assert not failed, f"ingest processes failed: {failed}"
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0, f"an ingest process failed (exit {child.exitcode})"
    first = min(span[1] for span in spans)
    last = max(span[2] for span in spans)
    return workers * count / (last - first)


async def _rows_in(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM messages"))
    finally:
        await conn.close()


# ---------------------------------------------------------------- the suite


@contextlib.contextmanager
def _databases(pg: PgServer, *names: str) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(pg.database(f"bench_{name}")) for name in names]


async def run(quick: bool) -> list[Row]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    count = 20_000 if quick else 100_000
    digest_count = 500_000 if quick else 5_000_000
    per_process = 20_000 if quick else 60_000
    try:
        pg_context = server()
        pg = pg_context.__enter__()
    except PgUnavailable as exc:
        print(f"pg: skipped: {exc}", flush=True)
        return [("PostgreSQL", "skipped", str(exc), "")]
    try:
        return await _measure(pg, count, digest_count, per_process)
    finally:
        pg_context.__exit__(None, None, None)


async def _measure(pg: PgServer, count: int, digest_count: int, per_process: int) -> list[Row]:
    settings = ", ".join(f"{k}={v}" for k, v in SETTINGS.items())
    where = (
        "AFFINITY_BENCH_PG_URL" if not pg.started else f"throwaway cluster, fsync and synchronous_commit on, {settings}"
    )
    version = await _server_version(pg.admin_url)
    print(f"pg: PostgreSQL {version} ({where})", flush=True)
    batch = list(messages(count))
    with (
        _databases(pg, "copy", "writer", "bot") as (copy_url, writer_url, bot_url),
        tempfile.TemporaryDirectory() as tmp,
    ):
        raw = await copy_baseline(copy_url, batch)
        alone = await writer_alone(writer_url, batch)
        mark = stall_mark()
        bot_pg = await dispatcher(bot_url, Path(tmp) / "unused.db", batch)
        print(f"pg: worst loop stall, dispatcher on PostgreSQL (app build and stop included): {stalls_since(mark)}")
        mark = stall_mark()
        bot_sqlite = await dispatcher(None, Path(tmp) / "bot.db", batch)
        print(f"pg: worst loop stall, dispatcher on SQLite (app build and stop included): {stalls_since(mark)}")
    print(f"pg: ingest: COPY {raw:,.0f}, writer {alone:,.0f}, bot {bot_pg:,.0f} (SQLite {bot_sqlite:,.0f}) msg/s",
          flush=True)  # fmt: skip
    with _databases(pg, "one", "three") as (one_url, three_url):
        one = await processes(one_url, per_process, 1)
        three = await processes(three_url, per_process, PROCESSES)
        stored = await _rows_in(three_url)
    assert stored == PROCESSES * per_process, f"{PROCESSES} processes stored {stored} of {PROCESSES * per_process}"
    print(f"pg: processes: one {one:,.0f}, {PROCESSES} {three:,.0f} msg/s", flush=True)
    with _databases(pg, "digest") as (digest_url,):
        mark = stall_mark()
        filled, digest_ms, scan_ms = await digest_on_pg(digest_url, digest_count)
        print(f"pg: worst loop stall, digest on PostgreSQL (app build and stop included): {stalls_since(mark)}")
    print(f"pg: digest: filled {digest_count:,} rows in {filled:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_digest_ms, sqlite_scan_ms = await digest_bench.measure(Path(tmp) / "digest.db", digest_count)
    return [
        (f"PG ingest, writer alone, {count:,} messages", f"{alone:,.0f} msg/s",
         f"raw COPY {raw:,.0f} msg/s", f"{alone / raw:.2f}"),
        (f"PG ingest, dispatcher + every plugin, {count:,} messages", f"{bot_pg:,.0f} msg/s",
         f"raw COPY {raw:,.0f} msg/s", f"{bot_pg / raw:.2f}"),
        ("PG ingest against SQLite, same driver", f"{bot_pg:,.0f} msg/s", f"SQLite {bot_sqlite:,.0f} msg/s",
         f"{bot_pg / bot_sqlite:.2f}"),
        (f"PG ingest, {PROCESSES} processes x {per_process:,} messages (writer)", f"{three:,.0f} msg/s in all",
         f"one process {one:,.0f} msg/s", f"{three / one:.2f}"),
        (f"PG weekly digest figures, {digest_count:,} messages", f"{digest_ms:.1f} ms",
         f"raw COUNT(*) {scan_ms:.1f} ms", f"{digest_ms / scan_ms:.3f}"),
        (f"SQLite weekly digest figures, {digest_count:,} messages", f"{sqlite_digest_ms:.1f} ms",
         f"raw COUNT(*) {sqlite_scan_ms:.1f} ms", f"PG/SQLite {digest_ms / sqlite_digest_ms:.2f}"),
    ]  # fmt: skip


async def _server_version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
