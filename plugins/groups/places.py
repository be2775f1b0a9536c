"""Places: the gazetteer service. Loads the GeoNames places into the database once per database (again only
when the dataset setting or the data changes), then answers lookups by name, prefix, id and distance.

Loading (several seconds for cities500): a few seconds after start in the background (`PRELOAD_DELAY`,
so a short-lived app such as a test or a one-shot command never pays it), or at once when a lookup needs
the places first. The rows are read from the data file on a worker thread and written in batches, each
one short transaction off the event loop, so chat keeps flowing. With several processes on one database,
the one that takes the lease on the state row loads; the others wait for its state to say "loaded".
A lookup waits for the load at most `WAIT_SECONDS`, then is refused with "the city list is still
loading, try again in a minute" (no fallback to an in-memory list: one source of places, the same
answers whichever process replies).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Protocol

from bot.folding import closest, fold
from bot.i18n import _
from bot.plugin import CommandError, Place, PlaceLookup, SqlDatabase
from plugins.groups.gazetteer import Dataset, label, parse_query, prepared, version
from plugins.groups.gazetteer_repo import GazetteerRepo

PRELOAD_DELAY = 5.0  # seconds after start before the background load
WAIT_SECONDS = 60.0  # the longest a lookup waits for a load in progress
POLL_SECONDS = 0.5  # how often a process waiting for another's load looks at the state row
# Places per transaction of the load: on SQLite 10,000 (with their ~20,000 names, about 0.3 s of the writer,
# on its thread); on PostgreSQL 2,000, because asyncpg encodes a batch's arrays on the event loop (10,000
# stalled it for a third of a second).
BATCH = {"sqlite": 10_000, "postgresql": 2_000}
LEASE = timedelta(seconds=60)  # renewed at every batch; a loader dead for longer is taken over


class Clock(Protocol):
    """What the load needs of the injected clock (its leases are compared on it)."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


class StillLoading(CommandError):
    """A lookup that waited `WAIT_SECONDS` for the load in vain."""

    def __init__(self) -> None:
        super().__init__(
            _("The city list is still loading (once, after an update)."),
            _("Try again in a minute."),
        )


def choice_label(place: Place, ambiguous: bool) -> str:
    """`Lille, FR`, or with its region when other places of its country share its name:
    `Saint-André, FR (Occitanie)`."""
    return label(place.name, place.country, place.region) if ambiguous else place.label


class Gazetteer:
    """The places of one database: its load and its lookups (one per groups plugin)."""

    def __init__(self, db: SqlDatabase, clock: Clock, dataset: Dataset, logger: logging.Logger) -> None:
        self.repo = GazetteerRepo(db)
        self.clock = clock
        self.dataset = dataset
        self.logger = logger
        self.loader = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.wait_seconds = WAIT_SECONDS
        self.loads = 0  # loads this instance made (tests: a second start does not load again)
        self._ready = False
        self._load: asyncio.Task[None] | None = None
        self._preload: asyncio.Task[None] | None = None
        self._stopping = False
        self._writing = False

    # ------------------------------------------------------------ load

    def start(self, preload: bool) -> None:
        """Schedule the background load (`PRELOAD_DELAY` from now) when `preload`."""
        if preload:
            self._preload = asyncio.get_running_loop().create_task(self._delayed(), name="gazetteer-preload")

    async def _delayed(self) -> None:
        await asyncio.sleep(PRELOAD_DELAY)
        self._ensure()

    async def stop(self) -> None:
        """Stop a load in progress between two batches (the next start resumes it from the beginning)."""
        self._stopping = True
        if self._preload is not None:
            self._preload.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._preload
        if self._load is not None and not self._load.done():
            if not self._writing:  # reading the file or waiting for another process: nothing to finish
                self._load.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._load

    def _ensure(self) -> asyncio.Task[None] | None:
        """The load task, started unless loaded, stopping, or already running (a failed one is retried)."""
        if self._ready or self._stopping:
            return None
        if self._load is None or (self._load.done() and (self._load.cancelled() or self._load.exception())):
            self._load = asyncio.get_running_loop().create_task(self._run(), name="gazetteer-load")
        return self._load

    async def ready(self) -> None:
        """Return once the places are loaded; `StillLoading` after `wait_seconds`."""
        if self._ready:
            return
        task = self._ensure()
        if task is None:
            if self._ready:
                return
            raise StillLoading
        try:
            await asyncio.wait_for(asyncio.shield(task), self.wait_seconds)
        except TimeoutError:
            raise StillLoading from None

    async def _run(self) -> None:
        wanted = version(self.dataset)
        while not self._stopping:
            state = await self.repo.state()
            if state.version == wanted:
                self._ready = True
                return
            now = self.clock.now()
            if await self.repo.claim(self.loader, now, now + LEASE):
                try:
                    if await self._fill(wanted):
                        self._ready = True
                        return
                finally:
                    if not self._ready:
                        await self.repo.release(self.loader)
            else:  # another process is loading: its state row says when it is done
                await asyncio.sleep(POLL_SECONDS)

    async def _fill(self, wanted: str) -> bool:
        """Write every row of the dataset; False when stopped or the lease was lost."""
        began = asyncio.get_running_loop().time()
        rows = await asyncio.to_thread(prepared, self.dataset)
        self._writing = True
        try:
            if not await self.repo.begin(self.loader):
                return False
            size = BATCH.get(self.repo.db.engine, 2_000)
            for start in range(0, len(rows.places), size):
                now = self.clock.now()
                if self._stopping or not await self.repo.claim(self.loader, now, now + LEASE):
                    return False
                await self.repo.insert(*rows.batch(start, start + size))
            if not await self.repo.finish(self.loader, wanted, len(rows.places), self.clock.now()):
                return False
        finally:
            self._writing = False
        self.loads += 1
        self.logger.info(
            "gazetteer: %s loaded (%d places, %d names) in %.1f s",
            self.dataset,
            len(rows.places),
            len(rows.names),
            asyncio.get_running_loop().time() - began,
        )
        return True

    # ------------------------------------------------------------ lookups

    async def resolve(self, raw: str) -> PlaceLookup:
        """The place a member meant (`Wambrechies`, `Paris, US`, `Rijsel`, an autocomplete choice), the
        other places of that name, or did-you-mean labels."""
        await self.ready()
        query = parse_query(raw)
        found = await self.repo.named(query.key, query.country, query.region)
        if not found and query.region is not None:  # a region spelled otherwise than ours
            found = await self.repo.named(query.key, query.country)
        if not found:
            return PlaceLookup(None, suggestions=await self._suggest(query.key, query.country))
        best = found[0]
        # The other places of that name (not those that merely have it as one of their alternate names).
        same = {fold(best.name), query.key}
        return PlaceLookup(best, tuple(p for p in found[1:] if fold(p.name) in same))

    async def _suggest(self, key: str, country: str | None) -> tuple[str, ...]:
        candidates = [p for p in await self.repo.near_names(key) if country is None or p.country == country]
        names = [p.name for p in candidates]
        guesses = await asyncio.to_thread(closest, key, names, 3)  # difflib over up to 300 names
        taken = [next(p for p in candidates if p.name == g) for g in guesses]
        return tuple(
            choice_label(p, sum((q.name, q.country) == (p.name, p.country) for q in candidates) > 1) for p in taken
        )

    async def complete(self, prefix: str, limit: int = 25) -> list[Place]:
        """The places named `prefix`, then those whose name starts with it, most populous first; [] while loading (an
        autocomplete must answer within seconds: it starts the load and offers nothing yet)."""
        if not self._ready:
            self._ensure()
            return []
        key = parse_query(prefix).key
        # Every place of exactly that name first (the eight Saint-André of France), then longer names.
        exact = [p for p in await self.repo.named(key) if fold(p.name) == key]
        ids = {p.place_id for p in exact}
        return [*exact, *(p for p in await self.repo.starting(key, limit) if p.place_id not in ids)][:limit]

    async def by_id(self, place_id: int) -> Place | None:
        """One place by its GeoNames id."""
        await self.ready()
        return await self.repo.by_id(place_id)

    async def nearby(self, lat: float, lon: float, radius_km: float, limit: int = 100) -> list[tuple[Place, float]]:
        """Places within `radius_km` (at most 500) of a point, nearest first, with their distance in km."""
        await self.ready()
        return await self.repo.nearby(lat, lon, radius_km, limit)
