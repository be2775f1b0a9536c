"""Shared helpers of the events tests: the real app with core, groups and events on a fake platform with
spaces, a local group ("Rust Lille", its own channel) owned by alice with members bob and carol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.formatting import LocalReply
from bot.model import Level, UserRef
from plugins.events.plugin import EventsPlugin
from plugins.groups.settings import GroupsSettings
from tests.groups.fakes import FakeSpaces
from tests.harness import FakePlatform, Harness, Sent, running

# The small-town gazetteer (towns of 5,000+ inhabitants, loaded into each test's database on first use) where
# the groups plugin has it; before it, the cities of 15,000+ only, and the group lives in Lille.
SMALL_TOWNS = "gazetteer" in GroupsSettings.model_fields
GAZETTEER: dict[str, Any] = {"gazetteer": "cities5000", "gazetteer_preload": False} if SMALL_TOWNS else {}
GROUP = "Rust Lille"
TOWN = "Wambrechies" if SMALL_TOWNS else "Lille"  # the group's town
OWNER = "alice"
MEMBERS = ("bob", "carol")


@asynccontextmanager
async def events_app(
    tmp_path: Path,
    settings: Mapping[str, Any] | None = None,
    platform: FakePlatform | None = None,
    *,
    members: tuple[str, ...] = MEMBERS,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """The real app (core, groups in direct mode, events) with the local group GROUP in TOWN, owned by
    OWNER, with `members` in it; the clock at the harness's Monday 16 November 2026, 09:00 UTC."""
    plugins = {"core": {}, "groups": {"creation": "direct", **GAZETTEER}, "events": dict(settings or {})}
    async with running(tmp_path, plugins=plugins, platform=platform or FakeSpaces(), **overrides) as h:
        await make_group(h, GROUP, TOWN, OWNER)
        for name in members:
            reply = await h.command(name, f'/group join "{GROUP}"')
            assert "joined" in reply.text or "welcome" in reply.text.lower(), reply.text
        yield h


async def make_group(h: Harness, name: str, town: str, owner: str) -> None:
    """A local group created by `owner` (a member: direct creation)."""
    reply = await h.command(owner, f'/group create "{name}" local "{name} meetups" city:"{town}"', level=Level.MEMBER)
    assert "created" in reply.text, reply.text


def plugin(h: Harness) -> EventsPlugin:
    """The running events plugin."""
    return next(p for p in h.app.registry.plugins if isinstance(p, EventsPlugin))


def cards(h: Harness) -> list[Sent]:
    """Every event card posted (sends with RSVP buttons, or a card naming an event number)."""
    return [s for s in h.sent if s.reply.card is not None and "/event rsvp" in s.text]


def group_channel(h: Harness, group: str = GROUP) -> str:
    """The channel id the fake platform gave the group."""
    return next(cid for cid, name in h.platform.channels.items() if name != "general" and cid.startswith("c-"))


async def create(h: Harness, line: str, who: str = OWNER, locale: str | None = None) -> LocalReply:
    """Run `/event create ...` and insist it worked."""
    reply = await h.command(who, line, locale=locale)
    assert "#" in reply.text and ("planned" in reply.text or "prévu" in reply.text), reply.text
    return reply


def event_id(reply: LocalReply) -> int:
    """The event number a confirmation names (`Event #12 ...`)."""
    text = reply.text
    start = text.index("#") + 1
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return int(text[start:end])


async def rows(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query, as tuples."""
    return [tuple(r) for r in await h.app.db.fetchall(sql, params)]


def shown(reply: LocalReply) -> str:
    """Everything a reply shows (text, card title, description and fields), French narrow spaces as spaces."""
    return Sent(UserRef("fake", "T1", "reader"), reply).text.replace("\u202f", " ")


MONTHLY = f'/event create "{GROUP}" "Apéro Rust" "2026-12-01 19:00" repeat:"every first tuesday"'


async def plan(h: Harness, line: str = MONTHLY, who: str = OWNER) -> int:
    """Plan an event (by default a monthly one: Tuesdays 1 December, 5 January, 2 February at 19:00 Paris
    time); its number."""
    return event_id(await create(h, line, who))


async def occurrence_ids(h: Harness, event: int) -> list[int]:
    """The ids of an event's dates, in time order."""
    found = await rows(h, "SELECT id FROM event_occurrences WHERE event_id = ? ORDER BY starts_at", (event,))
    return [r[0] for r in found]
