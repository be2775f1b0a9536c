"""Fixtures of the Discord end-to-end tests: a started fake Discord with one guild, and the real app
with the real Discord platform pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config
from bot.platforms.discord import DiscordPlatform, Timing, create
from bot.plugin import Plugin
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.harness import START

FAST = Timing(guild_ready=0.05, defer_after=2.0, identify_spacing=0.05, ready_timeout=10.0)
"""Discord's delays shortened: ready right after the guilds arrive, shards identified back to back."""


@dataclass
class DiscordBot:
    """A running app with its Discord platform and the fake it talks to."""

    app: App
    platform: DiscordPlatform
    fake: FakeDiscord
    clock: FrozenClock


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.add_guild()
    yield server
    await server.stop()


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return next(iter(fake.guilds.values()))


def bot_config(
    tmp_path: Path,
    fake: FakeDiscord,
    *,
    discord: Mapping[str, Any] | None = None,
    plugins: Mapping[str, Any] | None = None,
) -> Config:
    """A configuration with a fresh database and Discord pointed at the fake."""
    return Config.model_validate(
        {
            "database": {"path": str(tmp_path / "bot.db")},
            "plugins": dict(plugins) if plugins is not None else {"core": {}},
            "platforms": {
                "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url, **(discord or {})},
                "console": {"files_dir": str(tmp_path / "files")},
            },
        }
    )


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    fake: FakeDiscord,
    *,
    discord: Mapping[str, Any] | None = None,
    timing: Timing = FAST,
    extra: Iterable[Callable[[App], Plugin]] = (),
    token: str | None = None,
    plugins: Mapping[str, Any] | None = None,
) -> AsyncIterator[DiscordBot]:
    """Build the real app, add the Discord platform, start everything; stop it afterwards."""
    clock = FrozenClock(START)
    app = App(bot_config(tmp_path, fake, discord=discord, plugins=plugins), clock=clock, realtime=False)
    await app.build()
    for make in extra:
        app.add_plugin(make(app))
    platform = create(app, {"DISCORD_TOKEN": token or fake.token}, timing=timing)
    app.add_platform(platform)
    try:
        await asyncio.wait_for(app.start(), 15)
        yield DiscordBot(app, platform, fake, clock)
    finally:
        await asyncio.wait_for(app.stop(), 15)
