"""The platform's own event listing (Discord's scheduled events, FakePlatform.native_events here): each date
listed on creation, updated on edits, cancelled with the event; without the permission the organiser is
told which one the bot needs, in their language, and the event works anyway."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Capability
from tests.events.helpers import GROUP, TOWN, cards, create, event_id, events_app, rows, shown
from tests.groups.fakes import FakeSpaces

pytestmark = pytest.mark.usefixtures("until_rsvp_and_life_land")

MONTHLY = (
    f'/event create "{GROUP}" "Apéro Rust" "2026-12-01 19:00" repeat:"every first tuesday" '
    'address:"Café du Port" description:"Bring a friend."'
)


async def test_each_date_is_listed_updated_and_cancelled(tmp_path: Path) -> None:
    async with events_app(tmp_path) as h:
        native = h.platform.native_events
        number = event_id(await create(h, MONTHLY))
        ids = [r[0] for r in await rows(h, "SELECT native_id FROM event_occurrences ORDER BY starts_at")]
        assert [entry for entry in native.log] == [("create", i) for i in ids] and len(ids) == 3
        first = native.events[ids[0]]
        assert first.name == "Apéro Rust" and first.description == "Bring a friend."
        assert first.location == f"Café du Port · {TOWN}, FR"
        assert first.start.isoformat() == "2026-12-01T18:00:00+00:00" and first.end.hour == 20

        await h.command("alice", f'/event edit {number} start:"2026-12-01 20:00" title:"Apéro Rust #2"')
        assert native.log[3:] == [("update", i) for i in ids]
        assert native.events[ids[0]].name == "Apéro Rust #2" and native.events[ids[0]].start.hour == 19

        await h.command("alice", f'/event cancel {number} date:"2027-01-05"')
        assert native.log[6] == ("cancel", ids[1])
        assert native.log[7][0] == "create"  # the date that opens in its place (March) is listed
        await h.command("alice", f"/event cancel {number}")
        assert native.cancelled == {ids[0], ids[1], ids[2], native.log[7][1]}


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", "the bot needs the “Manage Events” permission; the event works without it"),
        ("fr", "le bot a besoin de la permission « Gérer les événements » ; l’événement fonctionne sans elle"),
    ],
)
async def test_without_the_permission_the_organiser_is_told_which_one(tmp_path: Path, locale: str, words: str) -> None:
    async with events_app(tmp_path) as h:
        h.platform.native_events.missing_permission = "Manage Events"
        reply = await create(h, MONTHLY, locale=locale)
        assert words in shown(reply)
        assert len(cards(h)) == 1  # the event itself works: its card is posted
        assert await rows(h, "SELECT COUNT(*) FROM event_occurrences WHERE native_id IS NULL") == [(3,)]
        edited = await h.command("alice", "/event edit 1 capacity:5", locale=locale)
        assert words in shown(edited)
        # Once the permission is given, the next change lists the dates.
        h.platform.native_events.missing_permission = None
        edited = await h.command("alice", "/event edit 1 capacity:6", locale=locale)
        assert "permission" not in shown(edited)
        assert [kind for kind, _id in h.platform.native_events.log] == ["create"] * 3


async def test_a_platform_without_scheduled_events_is_left_alone(tmp_path: Path) -> None:
    capabilities = [c for c in Capability if c is not Capability.SCHEDULED_EVENTS]
    async with events_app(tmp_path, platform=FakeSpaces(capabilities=capabilities)) as h:
        reply = await create(h, MONTHLY)
        assert "permission" not in reply.text
        assert h.platform.native_events.log == []
