"""Shared helpers of the groups tests: the app with the groups plugin on a fake platform with spaces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.model import Level
from plugins.groups.plugin import GroupsPlugin
from tests.groups.fakes import FakeSpaces
from tests.harness import FakePlatform, Harness, running

RUST = '/group create "Rust Lille" local "Rust near Lille" tags:rust,web city:"Lille, FR" radius_km:30'


@asynccontextmanager
async def groups_app(
    tmp_path: Path, settings: Mapping[str, Any] | None = None, platform: FakePlatform | None = None
) -> AsyncIterator[Harness]:
    """The real app with core + groups (direct creation unless told otherwise) on FakeSpaces, knowing the
    places of 15,000+ inhabitants (quick to load into each fresh database) unless told otherwise."""
    config = {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False, **(settings or {})}
    async with running(tmp_path, plugins={"core": {}, "groups": config}, platform=platform or FakeSpaces()) as h:
        yield h


def plugin(h: Harness) -> GroupsPlugin:
    """The running groups plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, GroupsPlugin))


async def rows(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query, as tuples."""
    return [tuple(r) for r in await h.app.db.fetchall(sql, params)]


async def make(h: Harness, line: str = RUST, who: str = "alice") -> str:
    """Create a group as `who` (a member, direct mode) and return the reply text."""
    reply = await h.command(who, line, level=Level.MEMBER)
    assert "created" in reply.text, reply.text
    return reply.text
