"""The command sync when several processes start at once on one database: each scope is overwritten
on Discord by one of them, the others find it done or leave it to the one syncing; a process that died
mid-sync holds the scope only until its lease runs out.

Each `CommandSync` has its own database handle and claimant id (one per simulated process); Discord's
REST side is a recorder of the bulk-overwrite calls that yields to the loop like a network call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from discord.http import HTTPClient

from bot.config import DiscordConfig
from bot.platforms.discord.commands import SYNC_LEASE, CommandSync, payload_hash
from bot.processes import acquire_lease
from tests.shared_database import ENGINES, Opener, shared_database

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
APP = 4242
PAYLOAD: list[dict[str, Any]] = [{"name": "help", "type": 1, "description": "Help"}]


class DiscordRest:
    """The two bulk-overwrite routes, recorded; each call yields like a network round trip."""

    def __init__(self) -> None:
        self.puts: list[tuple[str, int]] = []

    async def bulk_upsert_global_commands(self, application_id: int, payload: list[dict[str, Any]]) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        self.puts.append(("global", len(payload)))

    async def bulk_upsert_guild_commands(
        self, application_id: int, guild_id: int, payload: list[dict[str, Any]]
    ) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        self.puts.append((str(guild_id), len(payload)))


@pytest.fixture(params=ENGINES)
async def open_handle(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens one more handle on one shared, migrated database (one handle per simulated process)."""
    async with shared_database(request, tmp_path) as opener:
        yield opener


async def test_processes_starting_together_sync_each_scope_once(open_handle: Opener) -> None:
    rest = DiscordRest()
    http = cast(HTTPClient, rest)
    config = DiscordConfig(guild_ids=[1, 2])
    syncs = [CommandSync(await open_handle(), config, holder=f"p{i}") for i in range(4)]
    written = await asyncio.gather(*(s.sync(http, APP, PAYLOAD, T0) for s in syncs))
    assert sorted(rest.puts) == [("1", 1), ("2", 1)]
    assert sorted(scope for scopes in written for scope in scopes) == ["1", "2"]
    db = await open_handle()
    rows = await db.fetchall("SELECT scope, payload_hash FROM discord_command_syncs ORDER BY scope")
    assert [(row["scope"], row["payload_hash"]) for row in rows] == [
        ("1", payload_hash(PAYLOAD)),
        ("2", payload_hash(PAYLOAD)),
    ]
    assert await db.fetchval("SELECT count(*) FROM leases") == 0  # every lease given back
    # A restart of all of them with the same commands: nobody calls Discord.
    await asyncio.gather(*(s.sync(http, APP, PAYLOAD, T0 + timedelta(minutes=5)) for s in syncs))
    assert len(rest.puts) == 2
    # A new command and guild 2 dropped from the configuration: one overwrite, one removal, once each.
    moved = DiscordConfig(guild_ids=[1])
    bigger = [*PAYLOAD, {"name": "ping", "type": 1, "description": "Ping"}]
    later = [CommandSync(await open_handle(), moved, holder=f"q{i}") for i in range(3)]
    await asyncio.gather(*(s.sync(http, APP, bigger, T0 + timedelta(hours=1)) for s in later))
    assert sorted(rest.puts[2:]) == [("1", 2), ("2", 0)]
    assert await db.fetchval("SELECT count(*) FROM discord_command_syncs") == 1


async def test_a_process_that_died_mid_sync_holds_the_scope_only_for_its_lease(open_handle: Opener) -> None:
    rest = DiscordRest()
    http = cast(HTTPClient, rest)
    db = await open_handle()
    # A process took the lease of the global scope and died before syncing (nothing released it).
    assert await acquire_lease(db, f"discord.command_sync:{APP}:global", "dead", T0, SYNC_LEASE)
    sync = CommandSync(await open_handle(), DiscordConfig(), holder="alive")
    assert await sync.sync(http, APP, PAYLOAD, T0 + SYNC_LEASE - timedelta(seconds=1)) == []
    assert rest.puts == []
    assert await sync.sync(http, APP, PAYLOAD, T0 + SYNC_LEASE + timedelta(seconds=1)) == ["global"]
    assert rest.puts == [("global", 1)]
