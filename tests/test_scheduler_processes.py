"""Several processes on one database: each due action and each job fire time runs exactly once, a
dead process's claim is taken over after its lease, a job missed while every process was down is
caught up once, and the command sync's lease has one holder.

Two `Database` handles on one database with one `Scheduler` each are two processes (each scheduler
has its own claimant id); the clock is injected and shared, and moved past leases instead of waiting.
"""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.plugin import DueAction, JobDecl
from bot.processes import DEPLOYMENT_DOC, ProcessLock, ProcessLockError, acquire_lease, release_lease
from bot.scheduler import LEASE, MAX_JOB_CLAIMS, RENEW, Scheduler
from bot.storage.database import Database
from tests.harness import make_config, running
from tests.shared_database import ENGINES, Opener, shared_database
from tests.test_cli import ROOT, Live, clean_env, run

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday
HOUR = JobDecl("test.hourly", None, timedelta(hours=1))


@pytest.fixture(params=ENGINES)
async def open_handle(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens one more handle on one shared, migrated database (one handle per simulated process)."""
    async with shared_database(request, tmp_path) as opener:
        yield opener


async def one(db: Database, sql: str) -> Any:
    row = await db.fetchone(sql)
    assert row is not None
    return row


def serving(platforms: list[str]) -> Callable[[], list[str]]:
    return lambda: platforms


async def platform_processes(open_handle: Opener, clock: FrozenClock) -> list[Scheduler]:
    """Two Discord shard processes and a Slack process."""
    serves = {"d0": ["discord"], "d1": ["discord"], "s0": ["slack"]}
    return [
        Scheduler(await open_handle(), clock, realtime=False, process_id=name, platforms=serving(platforms))
        for name, platforms in serves.items()
    ]


async def processes(open_handle: Opener, clock: FrozenClock, count: int) -> list[Scheduler]:
    return [Scheduler(await open_handle(), clock, realtime=False, process_id=f"p{i}") for i in range(count)]


async def test_concurrent_processes_run_each_due_action_once_and_record_who(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    ran: Counter[str] = Counter()
    by: dict[str, str] = {}
    schedulers = await processes(open_handle, clock, 4)

    def handler_of(scheduler: Scheduler) -> Callable[[DueAction], Awaitable[None]]:
        async def handler(action: DueAction) -> None:
            await asyncio.sleep(0)  # yield, so the processes really interleave
            ran[action.key] += 1
            by[action.key] = scheduler.process_id

        return handler

    for scheduler in schedulers:
        scheduler.on_due("test.ping", handler_of(scheduler))
    for i in range(60):
        await schedulers[i % 4].schedule("test.ping", f"k{i}", "fake:T1", T0 - timedelta(seconds=i))
    counts = await asyncio.gather(*(s.run_due() for s in schedulers * 2))
    assert sum(counts) == 60
    assert ran == Counter({f"k{i}": 1 for i in range(60)})
    db = await open_handle()
    rows = await db.fetchall("SELECT key, status, claimed_by FROM due_actions")
    assert {row["key"]: (row["status"], row["claimed_by"]) for row in rows} == {k: ("done", p) for k, p in by.items()}


async def test_a_dead_processs_claim_is_taken_over_after_its_lease_by_one_process(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    first, *others = await processes(open_handle, clock, 4)
    started, release = asyncio.Event(), asyncio.Event()
    ran: list[str] = []

    async def stuck(action: DueAction) -> None:
        ran.append("p0")
        started.set()
        await release.wait()

    def quick_of(name: str) -> Callable[[DueAction], Awaitable[None]]:
        async def quick(action: DueAction) -> None:
            await asyncio.sleep(0)
            ran.append(name)

        return quick

    first.on_due("test.ping", stuck)
    for other in others:
        other.on_due("test.ping", quick_of(other.process_id))
    await first.schedule("test.ping", "k", "fake:T1", T0)
    running = asyncio.ensure_future(first.run_due())
    await started.wait()
    assert await asyncio.gather(*(o.run_due() for o in others)) == [0, 0, 0]  # claimed, lease alive
    # The first process is alive: it renews its lease, so the others keep off past the first lease.
    clock.advance(RENEW)
    assert await first.renew_leases() == 1
    clock.advance(LEASE - timedelta(seconds=1))
    assert await asyncio.gather(*(o.run_due() for o in others)) == [0, 0, 0]
    assert await others[0].next_due() == T0 + RENEW + LEASE  # they wake when the lease runs out
    # Now the first process "dies" (stops renewing): once its lease ran out, one of the others takes over.
    clock.advance(RENEW)
    assert sum(await asyncio.gather(*(o.run_due() for o in others))) == 1
    assert len(ran) == 2
    taker = ran[1]
    # The dead claimant's late completion changes nothing: the row is the taker's, done.
    release.set()
    assert await running == 0
    row = await one(await open_handle(), "SELECT status, claimed_by FROM due_actions WHERE key = 'k'")
    assert (row["status"], row["claimed_by"]) == ("done", taker)
    assert await first.renew_leases() == 0
    assert await asyncio.gather(*(o.run_due() for o in others)) == [0, 0, 0]
    assert ran == ["p0", taker]


async def test_a_failed_action_is_retried_with_backoff_by_any_process(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    first, second = await processes(open_handle, clock, 2)
    calls: list[tuple[str, int]] = []

    async def failing(action: DueAction) -> None:
        calls.append(("p0", action.attempts))
        raise RuntimeError("platform down")

    async def working(action: DueAction) -> None:
        calls.append(("p1", action.attempts))

    first.on_due("test.flaky", failing)
    second.on_due("test.flaky", working)
    await first.schedule("test.flaky", "x", "fake:T1", T0)
    assert await first.run_due() == 0
    assert await second.run_due() == 0  # backing off: due again in 2 minutes, not now
    clock.advance(timedelta(minutes=2))
    assert await second.run_due() == 1
    assert calls == [("p0", 0), ("p1", 1)]


async def test_each_job_fire_time_runs_once_across_processes(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    schedulers = await processes(open_handle, clock, 4)
    fired: Counter[datetime] = Counter()

    async def hourly(when: datetime) -> None:
        await asyncio.sleep(0)
        fired[when] += 1

    for scheduler in schedulers:
        scheduler.add_job(HOUR, hourly)
    clock.advance(timedelta(hours=5, minutes=30))
    await asyncio.gather(*(s.catch_up() for s in schedulers))
    assert fired == Counter({T0 + timedelta(hours=h): 1 for h in range(1, 6)})
    # APScheduler firing the same moment in every process: still once.
    clock.advance(timedelta(minutes=30))
    await asyncio.gather(*(s._run_job(HOUR.job_id) for s in schedulers))
    assert fired[T0 + timedelta(hours=6)] == 1
    assert sum(fired.values()) == 6


async def test_a_job_whose_process_died_mid_run_is_taken_over_at_its_fire_time(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    first, *others = await processes(open_handle, clock, 4)
    started, release = asyncio.Event(), asyncio.Event()
    runs: list[tuple[str, datetime]] = []

    async def stuck(when: datetime) -> None:
        runs.append(("p0", when))
        started.set()
        await release.wait()

    def quick_of(name: str) -> Callable[[datetime], Awaitable[None]]:
        async def quick(when: datetime) -> None:
            await asyncio.sleep(0)
            runs.append((name, when))

        return quick

    first.add_job(HOUR, stuck)
    for other in others:
        other.add_job(HOUR, quick_of(other.process_id))
    clock.advance(timedelta(hours=1))
    running = asyncio.ensure_future(first.catch_up())
    await started.wait()
    await asyncio.gather(*(o.catch_up() for o in others))  # the fire time is the first's
    assert await asyncio.gather(*(o.take_over_jobs() for o in others)) == [0, 0, 0]
    clock.advance(RENEW)
    assert await first.renew_leases() == 1
    clock.advance(LEASE - timedelta(seconds=1))
    assert await asyncio.gather(*(o.take_over_jobs() for o in others)) == [0, 0, 0]
    clock.advance(RENEW)  # the first died after its renewal: its lease ran out
    assert sum(await asyncio.gather(*(o.take_over_jobs() for o in others))) == 1
    fire = T0 + timedelta(hours=1)
    assert len(runs) == 2
    taker = runs[1][0]
    assert runs == [("p0", fire), (taker, fire)]  # the handler gets the fire time, not the takeover time
    release.set()
    await running
    db = await open_handle()
    row = await one(db, "SELECT claimed_by, attempts, done_at, error FROM job_runs")
    assert (row["claimed_by"], row["attempts"], row["error"]) == (taker, 2, None)
    assert row["done_at"] is not None
    assert await others[0].next_due() is None


async def test_a_job_whose_processes_keep_dying_is_abandoned(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    schedulers = await processes(open_handle, clock, MAX_JOB_CLAIMS + 1)
    hanging: list[asyncio.Future[Any]] = []
    blocked = asyncio.Event()

    async def hangs(when: datetime) -> None:
        blocked.set()
        await asyncio.Event().wait()  # never returns: its process is about to "die"

    for scheduler in schedulers:
        scheduler.add_job(HOUR, hangs)
    clock.advance(timedelta(hours=1))
    hanging.append(asyncio.ensure_future(schedulers[0].catch_up()))
    for scheduler in schedulers[1:MAX_JOB_CLAIMS]:
        await blocked.wait()
        blocked.clear()
        clock.advance(LEASE + timedelta(seconds=1))
        hanging.append(asyncio.ensure_future(scheduler.take_over_jobs()))
    await blocked.wait()
    clock.advance(LEASE + timedelta(seconds=1))
    assert await schedulers[-1].take_over_jobs() == 0
    row = await one(await open_handle(), "SELECT attempts, done_at, error FROM job_runs")
    assert row["attempts"] == MAX_JOB_CLAIMS
    assert row["done_at"] is not None
    assert "abandoned" in row["error"]
    for task in hanging:
        task.cancel()
    await asyncio.gather(*hanging, return_exceptions=True)


async def test_a_job_missed_while_every_process_was_down_is_caught_up_once(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    fired: list[tuple[str, datetime]] = []

    def job_of(name: str) -> Callable[[datetime], Awaitable[None]]:
        async def job(when: datetime) -> None:
            fired.append((name, when))

        return job

    (before,) = await processes(open_handle, clock, 1)
    before.add_job(HOUR, job_of("before"))
    clock.advance(timedelta(hours=1))
    await before.catch_up()
    assert fired == [("before", T0 + timedelta(hours=1))]
    # Every process is down for five and a half hours; two start again at once.
    clock.advance(timedelta(hours=5, minutes=30))
    after = await processes(open_handle, clock, 2)
    never = JobDecl("test.never_ran", "0 0 * * *", None)  # no history: nothing to catch up
    for i, scheduler in enumerate(after):
        scheduler.add_job(HOUR, job_of(f"after{i}"))
        scheduler.add_job(never, job_of("never"))
    await asyncio.gather(*(s.start() for s in after))
    await asyncio.gather(*(s.stop() for s in after))
    caught = fired[1:]
    assert [when for _, when in caught] == [T0 + timedelta(hours=6)]  # the latest missed, once
    # The fire times after the start are the live schedule's: none of the missed ones again.
    clock.advance(timedelta(hours=1))
    await asyncio.gather(*(s.catch_up() for s in after))
    assert [when for _, when in fired[2:]] == [T0 + timedelta(hours=7)]


async def test_each_process_claims_only_the_due_actions_of_the_platforms_it_serves(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    schedulers = await platform_processes(open_handle, clock)
    ran: list[tuple[str, str]] = []

    def handler_of(name: str) -> Callable[[DueAction], Awaitable[None]]:
        async def handler(action: DueAction) -> None:
            await asyncio.sleep(0)
            ran.append((action.community, name))

        return handler

    for scheduler in schedulers:
        scheduler.on_due("test.remind", handler_of(scheduler.process_id))
    communities = ["discord:G1", "discord:G2", "slack:T1", "*"]
    for i, community in enumerate(communities):
        await schedulers[0].schedule("test.remind", f"r{i}", community, T0 + timedelta(minutes=i))
    # Before anything is due, the Slack process wakes for its own rows only (no wake-up loop on others').
    assert await schedulers[2].next_due() == T0 + timedelta(minutes=2)
    clock.advance(timedelta(minutes=5))
    await asyncio.gather(*(s.run_due() for s in schedulers * 2))
    assert sorted(community for community, _ in ran) == sorted(communities)  # each once
    by = dict(ran)
    assert {by["discord:G1"], by["discord:G2"]} <= {"d0", "d1"}
    assert by["slack:T1"] == "s0"
    assert await schedulers[2].next_due() is None


async def test_job_scopes_once_per_platform_set_and_in_every_process(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    schedulers = await platform_processes(open_handle, clock)
    fired: list[tuple[str, str]] = []

    def job_of(job_id: str, name: str) -> Callable[[datetime], Awaitable[None]]:
        async def job(when: datetime) -> None:
            await asyncio.sleep(0)
            fired.append((job_id, name))

        return job

    for scheduler in schedulers:
        for scope in ("once", "platform", "process"):
            decl = JobDecl(f"test.{scope}", None, timedelta(hours=1), scope)
            scheduler.add_job(decl, job_of(decl.job_id, scheduler.process_id))
    clock.advance(timedelta(hours=1))
    await asyncio.gather(*(s.catch_up() for s in schedulers))
    runs = Counter(job_id for job_id, _ in fired)
    assert runs == Counter({"test.once": 1, "test.platform": 2, "test.process": 3})
    platform_runs = sorted(name for job_id, name in fired if job_id == "test.platform")
    assert platform_runs[1] == "s0"  # one Discord process and the Slack one
    assert platform_runs[0] in ("d0", "d1")


async def test_old_job_runs_are_purged_but_each_jobs_latest_stays(open_handle: Opener) -> None:
    clock = FrozenClock(T0)
    (scheduler,) = await processes(open_handle, clock, 1)

    async def nothing(when: datetime) -> None:
        return None

    scheduler.add_job(HOUR, nothing)
    scheduler.add_job(JobDecl("test.weekly", "0 9 * * mon", None), nothing)
    clock.advance(timedelta(days=8))
    await scheduler.catch_up()
    db = await open_handle()
    assert await db.fetchval("SELECT count(*) FROM job_runs WHERE job_id = 'test.hourly'") == 8 * 24
    removed = await scheduler.purge_job_runs(clock.now() - timedelta(days=1))
    assert removed == 7 * 24 - 1  # the hourly runs fired before the cutoff; the weekly one is its latest
    rows = await db.fetchall("SELECT job_id, count(*) AS n FROM job_runs GROUP BY job_id ORDER BY job_id")
    assert [(row["job_id"], row["n"]) for row in rows] == [("test.hourly", 25), ("test.weekly", 1)]


async def test_a_named_lease_has_one_holder_until_released_or_expired(open_handle: Opener) -> None:
    first, second = await open_handle(), await open_handle()
    ttl = timedelta(seconds=60)
    won = await asyncio.gather(
        *(acquire_lease(db, "discord.sync", who, T0, ttl) for db, who in ((first, "a"), (second, "b")) * 3)
    )
    assert won.count(True) >= 1
    holder = await first.fetchval("SELECT holder FROM leases WHERE name = 'discord.sync'")
    assert all(ok == (who == holder) for ok, who in zip(won, ["a", "b"] * 3, strict=True))
    other = "b" if holder == "a" else "a"
    assert not await acquire_lease(second, "discord.sync", other, T0 + ttl - timedelta(seconds=1), ttl)
    assert await acquire_lease(second, "discord.sync", other, T0 + ttl + timedelta(seconds=1), ttl)  # expired
    await release_lease(first, "discord.sync", holder)  # not the holder any more: nothing happens
    assert await first.fetchval("SELECT holder FROM leases WHERE name = 'discord.sync'") == other
    await release_lease(first, "discord.sync", other)
    assert await acquire_lease(first, "discord.sync", holder, T0 + ttl, ttl)


def test_lease_timings_give_failover_within_a_minute() -> None:
    # A claimant renews every RENEW; a dead one's lease runs out at most LEASE after its last renewal.
    assert timedelta(minutes=1) >= LEASE
    assert LEASE >= 3 * RENEW


# ---------------------------------------------------------------- SQLite: one process per file


def test_the_sqlite_process_lock_has_one_holder_and_names_postgresql(tmp_path: Path) -> None:
    first, second = ProcessLock(tmp_path / "bot.db"), ProcessLock(tmp_path / "bot.db")
    first.acquire()
    with pytest.raises(ProcessLockError) as refused:
        second.acquire()
    message = str(refused.value)
    assert f"another affinity-bot process (pid {os.getpid()})" in message
    assert "database.url: postgresql://" in message
    assert "\n" not in message
    # The same file by another path (a symlink to its folder) is the same lock.
    (tmp_path / "link").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ProcessLockError):
        ProcessLock(tmp_path / "link" / "bot.db").acquire()
    first.release()
    second.acquire()  # released: the next process may serve the file
    assert second.held
    second.release()


class ThisCheckout(Live):
    """A live bot process running this checkout's code (not whatever `bot` the interpreter installed)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(HERE),
        )
        self.seen = ""
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()


HERE = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def test_a_second_bot_process_on_one_sqlite_file_exits_1_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database:\n  path: shared.db\n", encoding="utf-8")
    first = ThisCheckout(["--config", str(config), "console"], tmp_path)
    try:
        first.wait_for("affinity-bot console")  # built and started: it holds the lock
        second = run(["--config", str(config), "console", "--script", "-"], tmp_path, stdin="hello\n", extra_env=HERE)
        assert second.returncode == 1
        assert second.stderr.splitlines() == [
            f"affinity-bot: the database shared.db is already served by another affinity-bot process "
            f"(pid {first.proc.pid}): SQLite runs one process per database; to run several processes "
            "(Discord shards, a Slack process) on one database, use PostgreSQL "
            f"(database.url: postgresql://user@host/db, see {DEPLOYMENT_DOC})"
        ]
        assert second.stdout == ""
        # A one-shot tool reading the file beside the serving process is not refused.
        tool = run(
            ["--config", str(config), "digest", "--community", "console:local", "--out", "out"],
            tmp_path,
            extra_env=HERE,
        )
        assert "already served" not in tool.stderr
        assert "console:local is not a community this bot knows" in tool.stderr  # the tool's own answer
        first.send("/quit\n")
        assert first.proc.wait(timeout=30) == 0
    finally:
        first.close()
    # The first process is gone: the next one serves the file.
    third = run(["--config", str(config), "console", "--script", "-"], tmp_path, stdin="hello\n", extra_env=HERE)
    assert third.returncode == 0, third.stderr


# ---------------------------------------------------------------- the app's wiring


async def test_an_app_claims_the_due_actions_of_its_platforms_and_those_of_none(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ran: list[str] = []

        async def remind(action: DueAction) -> None:
            ran.append(action.community)

        h.app.scheduler.on_due("test.remind", remind)
        for community in ("fake:T1", "slack:T9", "*"):
            await h.app.scheduler.schedule("test.remind", "r", community, h.clock.now() + timedelta(minutes=1))
        await h.advance(minutes=2)
        # The Slack community's reminder waits for a process that serves Slack.
        assert sorted(ran) == ["*", "fake:T1"]
        status = await h.app.db.fetchval("SELECT status FROM due_actions WHERE community = 'slack:T9'")
        assert status == "pending"


async def test_a_second_app_on_one_sqlite_file_is_refused_until_the_first_stops(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        with pytest.raises(ProcessLockError, match="already served by another affinity-bot process"):
            await App(h.app.config, clock=h.clock, realtime=False).build()
        # A one-shot tool beside it is not refused.
        tool = await App(h.app.config, clock=h.clock, realtime=False, exclusive=False).build()
        await tool.stop()
    again = await App(make_config(tmp_path), clock=FrozenClock(T0), realtime=False).build()
    await again.stop()
