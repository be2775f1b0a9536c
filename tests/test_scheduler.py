"""Due actions and recurring jobs on a frozen clock: exactly once, in order, across restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.plugin import DueAction, JobDecl
from bot.scheduler import Scheduler, SchedulerError, build_trigger
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday


async def open_db(path: Path) -> Database:
    db = await Database.open(path)
    await apply_migrations(db, MIGRATIONS_DIR, now=T0)
    return db


async def test_due_actions_run_once_in_order_and_survive_a_restart(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    ran: list[str] = []

    async def handler(action: DueAction) -> None:
        ran.append(action.key)

    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.on_due("test.ping", handler)
    await scheduler.schedule("test.ping", "b", "fake:T1", T0 + timedelta(hours=2), {"n": 2})
    await scheduler.schedule("test.ping", "a", "fake:T1", T0 + timedelta(hours=1), {"n": 1})
    await scheduler.schedule("test.ping", "c", "fake:T1", T0 + timedelta(hours=5))
    clock.advance(timedelta(hours=3))
    await scheduler.catch_up()
    await scheduler.catch_up()  # a double fire changes nothing
    assert ran == ["a", "b"]
    await db.close()

    # Restart: a new scheduler on the same file; "c" fell due while we were down.
    clock.advance(timedelta(hours=3))
    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.on_due("test.ping", handler)
    await scheduler.start()
    await scheduler.stop()
    assert ran == ["a", "b", "c"]
    assert await scheduler.next_due() is None
    await db.close()


async def test_concurrent_runs_in_one_process_never_run_an_action_twice(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    ran: list[str] = []

    async def handler(action: DueAction) -> None:
        await asyncio.sleep(0)  # yield, so the two runs really overlap
        ran.append(action.key)

    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.on_due("test.ping", handler)
    for i in range(50):
        await scheduler.schedule("test.ping", f"k{i}", "fake:T1", T0 - timedelta(minutes=i))
    await asyncio.gather(scheduler.run_due(), scheduler.run_due(), scheduler.run_due())
    assert sorted(ran) == sorted(f"k{i}" for i in range(50))
    await db.close()


async def test_a_failing_action_is_retried_later_not_lost(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    calls: list[int] = []

    async def flaky(action: DueAction) -> None:
        calls.append(action.attempts)
        if action.attempts == 0:
            raise RuntimeError("platform down")

    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.on_due("test.flaky", flaky)
    await scheduler.schedule("test.flaky", "x", "fake:T1", T0)
    await scheduler.run_due()
    assert calls == [0]
    assert await scheduler.next_due() == T0 + timedelta(minutes=2)
    clock.advance(timedelta(minutes=2))
    await scheduler.run_due()
    assert calls == [0, 1]
    assert await scheduler.next_due() is None
    await db.close()


async def test_rescheduling_moves_a_pending_action_and_cancel_stops_it(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    ran: list[str] = []

    async def handler(action: DueAction) -> None:
        ran.append(f"{action.key}:{action.payload.get('v')}")

    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.on_due("test.ping", handler)
    await scheduler.schedule("test.ping", "moved", "fake:T1", T0 + timedelta(hours=1), {"v": 1})
    await scheduler.schedule("test.ping", "moved", "fake:T1", T0 + timedelta(hours=3), {"v": 2})
    await scheduler.schedule("test.ping", "series:1", "fake:T1", T0 + timedelta(hours=1))
    await scheduler.schedule("test.ping", "series:2", "fake:T1", T0 + timedelta(hours=2))
    assert await scheduler.cancel_prefix("test.ping", "series:") == 2
    clock.advance(timedelta(hours=2))
    await scheduler.run_due()
    assert ran == []
    clock.advance(timedelta(hours=1))
    await scheduler.run_due()
    assert ran == ["moved:2"]
    await db.close()


async def test_catch_up_runs_every_missed_cron_fire_in_order(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    fired: list[datetime] = []

    async def weekly(when: datetime) -> None:
        fired.append(when)

    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.add_job(JobDecl("test.weekly", "0 9 * * mon", None), weekly)
    clock.advance(timedelta(days=15))
    await scheduler.catch_up()
    assert fired == [T0 + timedelta(days=7), T0 + timedelta(days=14)]
    await db.close()


def test_bad_job_declarations_are_refused() -> None:
    with pytest.raises(SchedulerError, match="bad cron"):
        build_trigger(JobDecl("x.y", "61 * * * *", None))
    with pytest.raises(SchedulerError, match="exactly one"):
        build_trigger(JobDecl("x.y", None, None))
    with pytest.raises(SchedulerError, match="at least one second"):
        build_trigger(JobDecl("x.y", None, timedelta(milliseconds=10)))


async def test_two_processes_on_one_database_never_run_an_action_twice(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    ran: list[str] = []

    async def handler(action: DueAction) -> None:
        await asyncio.sleep(0)
        ran.append(action.key)

    first, second = await open_db(tmp_path / "s.db"), await Database.open(tmp_path / "s.db")
    schedulers = [Scheduler(db, clock, realtime=False) for db in (first, second)]
    for scheduler in schedulers:
        scheduler.on_due("test.ping", handler)
    for i in range(30):
        await schedulers[0].schedule("test.ping", f"k{i}", "fake:T1", T0 - timedelta(minutes=i))
    await asyncio.gather(*(s.run_due() for s in schedulers * 2))
    assert sorted(ran) == sorted(f"k{i}" for i in range(30))
    await first.close()
    await second.close()


async def test_a_handler_can_re_arm_its_own_key(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    runs: list[datetime] = []

    async def sweep(action: DueAction) -> None:
        runs.append(clock.now())
        if len(runs) < 3:
            await scheduler.schedule("test.sweep", "community-sweep", "fake:T1", clock.now() + timedelta(hours=1))

    scheduler.on_due("test.sweep", sweep)
    await scheduler.schedule("test.sweep", "community-sweep", "fake:T1", T0)
    for _ in range(4):
        await scheduler.run_due()
        clock.advance(timedelta(hours=1))
    assert runs == [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    await db.close()


async def test_cancel_then_schedule_again_and_same_key_in_two_communities(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=False)
    ran: list[tuple[str, str]] = []

    async def handler(action: DueAction) -> None:
        ran.append((action.community, action.key))

    scheduler.on_due("test.digest", handler)
    await scheduler.schedule("test.digest", "week-47", "discord:G1", T0)
    await scheduler.schedule("test.digest", "week-47", "slack:T1", T0)
    await scheduler.schedule("test.digest", "week-48", "discord:G1", T0)
    assert await scheduler.cancel("test.digest", "week-48")
    await scheduler.schedule("test.digest", "week-48", "discord:G1", T0)  # changed our mind
    await scheduler.run_due()
    assert sorted(ran) == [("discord:G1", "week-47"), ("discord:G1", "week-48"), ("slack:T1", "week-47")]
    await db.close()


async def test_stop_lets_a_running_job_finish(tmp_path: Path) -> None:
    clock = FrozenClock(T0)
    db = await open_db(tmp_path / "s.db")
    scheduler = Scheduler(db, clock, realtime=True)
    steps: list[str] = []
    started = asyncio.Event()

    async def slow(when: datetime) -> None:
        steps.append("started")
        started.set()
        for _ in range(5):
            await asyncio.sleep(0)
        steps.append("finished")

    scheduler.add_job(JobDecl("test.slow", None, timedelta(hours=1)), slow)
    await scheduler.start()
    runner = asyncio.ensure_future(scheduler._run_job("test.slow"))  # what APScheduler calls
    await asyncio.wait_for(started.wait(), 5)
    runner.cancel()  # APScheduler cancels its futures at shutdown
    await scheduler.stop()
    assert steps == ["started", "finished"]
    await db.close()
