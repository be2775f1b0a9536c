"""The composition root: builds configuration, database, clock, scheduler, translator, plugins,
dispatcher and platforms, starts them in order and stops them in reverse.

Nothing else wires objects together; tests build the same `App` with a frozen clock and a fake
platform, so what they exercise is what runs in production.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.clock import Clock, SystemClock
from bot.communities import CommunityStore
from bot.config import Config
from bot.dispatcher import Dispatcher
from bot.i18n import Translator
from bot.language import LanguageDetector
from bot.messaging import Outbox
from bot.platforms.base import Platform
from bot.plugin import CommandDecl, JobDecl, Plugin, PluginContext
from bot.processes import ProcessLock
from bot.registry import Registry, build_plugins, locale_roots, plugin_class
from bot.scheduler import JOB_RUNS_KEPT, Scheduler
from bot.storage.activity import ActivityWriter, purge_raw_before
from bot.storage.database import Database
from bot.storage.engines import connect
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from bot.storage.times import to_db

log = logging.getLogger("affinity.app")

GIL_SWITCH_INTERVAL = 0.0005  # seconds; see App.start


def migrations_dir(config: Config) -> Path:
    """Where the migration files are: `database.migrations_dir`, else `migrations/` (bot/_migrations once installed)."""
    return config.database.migrations_dir or MIGRATIONS_DIR


async def connect_database(config: Config) -> Database:
    """Open the database `database.url` (or `database.path`) names, without migrating it."""
    settings = config.database
    return await connect(
        settings.effective_url,
        password_env=settings.password_env,
        busy_timeout_ms=settings.busy_timeout_ms,
        read_connections=settings.read_connections,
        connect_timeout=settings.connect_timeout_s,
    )


async def open_database(config: Config, clock: Clock) -> Database:
    """Open the database and apply pending migrations (with a backup first)."""
    db = await connect_database(config)
    try:
        applied = await apply_migrations(db, migrations_dir(config), now=clock.now())
    except BaseException:
        await db.close()
        raise
    for name in applied:
        log.info("applied migration %s", name)
    return db


async def _bounded(step: Coroutine[Any, Any, None], seconds: float | None) -> None:
    """Await `step`, cancelling it after `seconds` (TimeoutError) when given."""
    if seconds is None:
        await step
    else:
        await asyncio.wait_for(step, seconds)


class App:
    """One running affinity-bot: every part, wired once."""

    def __init__(
        self, config: Config, *, clock: Clock | None = None, realtime: bool = True, exclusive: bool = True
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.realtime = realtime
        # A serving process holds the SQLite file alone; a one-shot tool (`affinity-bot digest`) that
        # reads it for a moment beside the running bot does not (exclusive=False).
        self.exclusive = exclusive
        self.platforms: list[Platform] = []
        self._started = False
        self._stopped = asyncio.Event()

    async def build(self) -> App:
        """Open storage, load plugins, wire the dispatcher. Platforms are added afterwards.

        On SQLite a serving (`exclusive`) app first takes the database's process lock
        (bot/processes.py), held until `stop`: a second one on the same file is refused before it
        touches it."""
        self._process_lock = ProcessLock.for_url(self.config.database.effective_url if self.exclusive else None)
        self._process_lock.acquire()
        try:
            self.db = await open_database(self.config, self.clock)
        except BaseException:
            self._process_lock.release()
            raise
        try:
            # Parsing the catalogs and the first import of the plugins (and of the libraries they pull
            # in: dateparser, matplotlib...) take hundreds of ms: a worker thread does them, so the
            # loop never stalls on them (bot/loopwatch.py measures it).
            names = list(self.config.plugins)
            self.translator = await asyncio.to_thread(Translator.load, locale_roots(names))
            await asyncio.to_thread(lambda: [plugin_class(name) for name in names])
            self._wire()
        except BaseException:
            # Close what was opened: aiosqlite's worker thread would otherwise keep the process alive.
            try:
                await self.db.close()
            finally:
                self._process_lock.release()
            raise
        return self

    def _wire(self) -> None:
        config = self.config
        names = list(config.plugins)
        # Several processes share a PostgreSQL database: a setting changed through another process (the
        # shard serving that guild) reaches this one's cache within 30 s.
        max_age = 30.0 if self.db.engine == "postgresql" else None
        self.communities = CommunityStore(self.db, config.timezone, config.locale, max_age=max_age)
        self.language = LanguageDetector(config.languages)
        # Due actions of a community whose platform runs in another process are that process's.
        self.scheduler = Scheduler(
            self.db, self.clock, realtime=self.realtime, platforms=lambda: list(self.outbox.platforms)
        )
        self.outbox = Outbox(self.db, self.clock, self.communities, self.translator)
        self.activity = ActivityWriter(
            self.db,
            self.communities.timezone_of,
            batch_size=config.activity.batch_size,
            flush_interval=config.activity.flush_ms / 1000,
        )
        self.registry = Registry()
        self.registry = build_plugins(names, config.plugins, self.make_context)
        for decl, handler in self.registry.jobs:
            self.scheduler.add_job(decl, handler)
        for kind, due_handler in self.registry.due_handlers.items():
            self.scheduler.on_due(kind, due_handler)
        self.scheduler.add_job(JobDecl("core.retention", "30 3 * * *", None), self._retention)
        self.dispatcher = Dispatcher(
            self.registry, self.communities, self.translator, self.outbox, self.activity, config
        )

    def make_context(self, name: str, settings: BaseModel) -> PluginContext:
        """The context handed to one plugin."""

        def plugins() -> Sequence[Plugin[Any]]:
            return self.registry.plugins

        def commands() -> Sequence[CommandDecl]:
            return [self.registry.commands[p].decl for p in sorted(self.registry.commands)]

        return PluginContext(
            name=name,
            db=self.db,
            clock=self.clock,
            scheduler=self.scheduler,
            messenger=self.outbox,
            directory=self.outbox,
            settings=settings,
            translator=self.translator,
            communities=self.communities,
            language=self.language,
            activity=self.activity,
            logger=logging.getLogger(f"affinity.plugins.{name}"),
            plugins=plugins,
            commands=commands,
            retention_days=self.config.database.retention_days,
        )

    def add_plugin(self, plugin: Plugin[Any]) -> None:
        """Register one more plugin instance after `build` (tests use it for throwaway plugins)."""
        self.registry.add(plugin)
        self.registry.check_providers()
        for decl, handler in self.registry.jobs:
            if decl.job_id not in self.scheduler.job_ids:
                self.scheduler.add_job(decl, handler)
        for kind, due_handler in self.registry.due_handlers.items():
            if kind not in self.scheduler.due_kinds:
                self.scheduler.on_due(kind, due_handler)

    def add_platform(self, platform: Platform) -> None:
        """Attach a platform (before `start`)."""
        self.platforms.append(platform)
        self.outbox.add_platform(platform)

    async def start(self) -> None:
        """Start plugins, the writer, the scheduler, then connect the platforms."""
        # The database thread takes the GIL back once or twice per SQL statement. With CPython's
        # default 5 ms switch interval, a loop busy with a burst of chat makes each of those waits last
        # up to 5 ms, and a batch write takes several times its SQLite time. A shorter interval keeps
        # writes overlapping with reading chat (figures in benchmarks/README.md).
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))
        # Reference data is read off the loop; plugins start their own (the groups' city index).
        await self.language.preload()
        for plugin in self.registry.plugins:
            await plugin.start()
        await self.activity.start()
        for platform in self.platforms:
            await platform.start()
        # After the platforms: actions that fell due while the bot was down can be delivered now.
        await self.scheduler.start()
        self._started = True

    async def stop(self, *, grace: float | None = None) -> None:
        """Stop in reverse order; buffered activity is flushed before the database closes.

        With `grace` (after a signal), each platform's disconnect and the scheduler's jobs in
        progress get that many seconds, then are cancelled, so the flushes still happen promptly."""
        for platform in reversed(self.platforms):
            try:
                await _bounded(platform.stop(), grace)
            except Exception:
                log.exception("platform %s did not stop cleanly", platform.name)
        try:
            await _bounded(self.scheduler.stop(), grace)
        except TimeoutError:
            log.warning("scheduler jobs still running after %g s were cancelled", grace)
        for plugin in reversed(self.registry.plugins):
            try:
                await plugin.stop()
            except Exception:
                log.exception("plugin %s did not stop cleanly", plugin.name)
        try:
            await self.activity.stop()
        except Exception:
            log.exception("the last activity flush failed; %d events are lost", self.activity.pending)
        finally:
            # Always close: aiosqlite's worker thread would otherwise keep the process alive.
            try:
                await self.db.close()
            finally:
                self._process_lock.release()  # after the close: no write of ours can follow a successor's
                self._stopped.set()

    async def _retention(self, when: datetime) -> None:
        """Daily: raw message rows past retention, finished due actions and old send records,
        expired confirmations. Rollups are kept."""
        cutoff = when - timedelta(days=self.config.database.retention_days)
        removed = await purge_raw_before(self.db, cutoff)
        removed += await self.db.execute(
            "DELETE FROM due_actions WHERE status IN ('done', 'cancelled', 'failed') AND due_at < ?", (to_db(cutoff),)
        )
        removed += await self.db.execute("DELETE FROM sent_messages WHERE sent_at < ?", (to_db(cutoff),))
        removed += await self.db.execute("DELETE FROM confirmations WHERE expires_at < ?", (to_db(when),))
        removed += await self.scheduler.purge_job_runs(when - JOB_RUNS_KEPT)
        if removed:
            log.info("retention: removed %d rows older than %s", removed, to_db(cutoff))
