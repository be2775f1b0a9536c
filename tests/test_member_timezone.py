"""A member's own time zone (`/timezone`): set by a city or zone name in French or English, shown with the
time it is there, `auto` to follow the community, refused with a suggestion and the accepted form,
kept across a restart, exported and forgotten with the member; `timezone_for` is what reminders use."""

from __future__ import annotations

import json
from pathlib import Path

from bot.model import Level, UserRef
from bot.plugin import Choice
from tests.harness import Harness, running


def member(h: Harness, name: str) -> UserRef:
    return UserRef(h.platform.community.platform, h.platform.community.workspace_id, name)


async def zone_of(h: Harness, name: str) -> str:
    return await h.app.communities.timezone_for(member(h, name), h.platform.community)


async def test_a_member_sets_a_zone_and_reads_the_time_it_is_there(tmp_path: Path) -> None:
    async with running(tmp_path) as h:  # 16 November 2026, 9:00 UTC
        chosen = await h.command("alice", "/timezone america/new_york")
        assert chosen.ephemeral
        assert chosen.text == (
            "Your time zone is now America/New_York. Local time there: Monday 16 November 2026, 4:00."
        )
        assert await zone_of(h, "alice") == "America/New_York"
        assert await zone_of(h, "bob") == "Europe/Paris"  # bob chose nothing: the community's (configured)
        shown = await h.command("alice", "/timezone")
        assert shown.text == "Your time zone is America/New_York. Local time there: Monday 16 November 2026, 4:00."
        tokyo = await h.command("alice", "/timezone Tokyo")
        assert tokyo.text.endswith("Local time there: Monday 16 November 2026, 18:00.")
    async with running(tmp_path) as h:  # the same database, a new process: read back, not a cache
        assert await zone_of(h, "alice") == "Asia/Tokyo"


async def test_without_a_choice_a_member_follows_the_community_and_auto_returns_to_it(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("mod", "/settings timezone America/Montreal", level=Level.MODERATOR)
        assert await zone_of(h, "bob") == "America/Montreal"
        await h.command("alice", "/timezone Paris")
        assert await zone_of(h, "alice") == "Europe/Paris"
        back = await h.command("alice", "/timezone auto")
        assert back.ephemeral
        assert back.text == (
            "The bot now follows the community's time zone with you (America/Montreal). "
            "Local time there: Monday 16 November 2026, 4:00."
        )
        assert await zone_of(h, "alice") == "America/Montreal"
        # Following means following: when the community moves, so does she.
        await h.command("mod", "/settings timezone Europe/Brussels", level=Level.MODERATOR)
        assert await zone_of(h, "alice") == "Europe/Brussels"


async def test_cities_typed_in_french_or_english_find_their_zone(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        typed = {
            "Paris": "Europe/Paris",
            "Montréal": "America/Montreal",
            "montreal": "America/Montreal",
            "Bruxelles": "Europe/Brussels",
            "Brussels": "Europe/Brussels",
            "Genève": "Europe/Zurich",
            "Geneva": "Europe/Zurich",
            "Londres": "Europe/London",
            "LONDON": "Europe/London",
            "New York": "America/New_York",  # the rest of the line: no quotes needed
            "Tokyo": "Asia/Tokyo",
            "UTC": "UTC",
            "America/New York": "America/New_York",
            "Lyon": "Europe/Paris",
        }
        for city, zone in typed.items():
            reply = await h.command("alice", f"/timezone {city}")
            assert reply.text.startswith(f"Your time zone is now {zone}."), city
            assert await zone_of(h, "alice") == zone, city


async def test_an_unknown_zone_is_refused_with_a_suggestion_and_the_accepted_form(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("alice", "/timezone Paris")
        accepted = "Type a city such as Paris or Montréal, a zone such as Europe/Paris, UTC, or auto."
        typo = await h.command("alice", "/timezone Pariss")
        assert typo.ephemeral
        assert "Pariss is not a time zone I know." in typo.text
        assert f"Did you mean Paris? {accepted}" in typo.text
        named = await h.command("alice", "/timezone Europe/Londn")
        assert "Did you mean Europe/London?" in named.text
        nothing = await h.command("alice", "/timezone Atlantis")
        assert "Did you mean" not in nothing.text and accepted in nothing.text
        assert await zone_of(h, "alice") == "Europe/Paris"  # nothing changed


async def test_a_french_member_reads_and_types_french(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("alice", "/language fr")
        chosen = await h.command("alice", "/timezone fuseau:Genève")
        assert chosen.text == (
            "Votre fuseau horaire est désormais Europe/Zurich. Heure locale\u202f: lundi 16 novembre 2026 à 10 h."
        )
        refused = await h.command("alice", "/timezone Londre")
        assert "«\u202fLondre\u202f» n’est pas un fuseau horaire connu." in refused.text
        assert (
            "Vouliez-vous dire Londres\u202f? Tapez une ville comme Paris ou Montréal, un fuseau comme "
            "Europe/Paris, UTC, ou auto." in refused.text
        )
        back = await h.command("alice", "/timezone automatique")
        assert back.text == (
            "Le bot vous montre désormais les heures dans le fuseau horaire de la communauté (Europe/Paris). "
            "Heure locale\u202f: lundi 16 novembre 2026 à 10 h."
        )


async def test_the_zone_is_exported_and_forgotten_with_the_member(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("mod", "/settings timezone Europe/Paris", level=Level.MODERATOR)
        await h.command("alice", "/timezone Montréal")
        exported = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
        assert exported["core"]["preferences"]["timezone"] == "America/Montreal"
        ask = await h.command("alice", "/privacy forget")
        token = dict(ask.buttons[0].args)["confirm"]
        await h.command("alice", f"/privacy forget confirm:{token}")
        assert await zone_of(h, "alice") == "Europe/Paris"  # back to the community's
        again = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
        assert again["core"]["preferences"] == {}


async def test_completion_offers_cities_in_both_languages_and_auto(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        complete = h.app.registry.autocomplete["zones"]
        alice = member(h, "alice")
        lond: list[Choice] = await complete(h.platform.community, alice, "lond")
        assert [(c.value, c.label) for c in lond[:2]] == [
            ("Europe/London", "London (Europe/London)"),
            ("Europe/London", "Londres (Europe/London)"),
        ]
        paris = await complete(h.platform.community, alice, "par")
        assert paris[0].value == "Europe/Paris"  # before Paramaribo
        automatic = await complete(h.platform.community, alice, "automatiq")
        assert automatic[0].value == "auto"
        assert (
            h.app.translator.render(automatic[0].label, "fr") == "auto\u202f: suivre le fuseau horaire de la communauté"
        )
        assert await complete(h.platform.community, alice, "zzzz") == []


async def test_help_lists_the_command_for_every_member(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        overview = await h.command("alice", "/help")
        assert "/timezone" in overview.text
        details = await h.command("alice", "/help timezone")
        assert details.card is not None
        fields = {f.name: f.value for f in details.card.fields}
        assert fields["Example"] == "`/timezone Europe/Paris`"
