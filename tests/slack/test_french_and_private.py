"""A French member on Slack types the French words the bot shows (parameter names, choice words) and
gets French replies; replies to private commands (a moderator's configuration, the filtered words)
reach the moderator alone, even once the response URL has expired."""

from __future__ import annotations

from pathlib import Path

from bot.model import ChannelRef, CommunityRef, UserRef
from tests.slack.fake_slack import TEAM, person
from tests.slack.rig import WAIT, running

HERE = CommunityRef("slack", TEAM)


async def test_a_french_member_types_french_parameter_names_and_choice_words(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        rig.fake.users["UFRMOD"] = person("UFRMOD", "camille", admin=True, locale="fr-FR")
        # `langue` is the French name of `language`, `francais` the French word without its accent.
        await rig.command("/language", "langue:francais", user="UFR", response="language")
        assert (await rig.response("language"))["text"] == "Le bot vous parle désormais en français."
        assert await rig.app.communities.member_locale(UserRef("slack", TEAM, "UFR")) == "fr"
        await rig.command("/settings", "channel usage:bilan salon:#managers", user="UFRMOD", response="channel")
        answer = await rig.response("channel")
        assert answer["text"] == "#managers est désormais le salon «\u202fbilan\u202f»."
        settings = await rig.app.communities.get(HERE)
        assert settings.channel("digest") == ChannelRef("slack", TEAM, "C222")  # the canonical value


async def test_a_private_commands_reply_reaches_the_moderator_alone_even_after_the_url_expired(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, features={"core": None, "filters": None}) as rig:
        rig.fake.users["UFRMOD"] = person("UFRMOD", "camille", admin=True, locale="fr-FR")
        await rig.command("/filter", "add arnaque au colis", user="UFRMOD", response="add")
        await rig.response("add")
        await rig.command("/filter", "list", user="UFRMOD", response="live")
        live = await rig.response("live")
        assert live["response_type"] == "ephemeral"
        assert "arnaque au colis" in live["text"]  # the filtered words, which members must not read
        rig.fake.expired.add("old")
        await rig.command("/filter", "list", user="UFRMOD", channel="C3", response="old")
        await rig.fake.wait_for(lambda: rig.fake.called("chat.postEphemeral"), WAIT)
        [late] = rig.fake.called("chat.postEphemeral")
        assert (late.args["channel"], late.args["user"]) == ("C3", "UFRMOD")
        assert late.args["text"] == live["text"]
        assert rig.fake.called("chat.postMessage") == []  # nothing in the channel, where members read


async def test_a_french_member_finds_local_groups_with_french_parameter_names(tmp_path: Path) -> None:
    async with running(tmp_path, features={"core": None, "groups": None}) as rig:
        rig.fake.users["UFRMOD"] = person("UFRMOD", "camille", admin=True, locale="fr-FR")
        created = 'create "Rust Roubaix" local "On code en Rust" ville:Roubaix'
        await rig.command("/group", created, user="UFRMOD", response="create")
        assert "Rust Roubaix" in (await rig.response("create"))["text"]
        await rig.command("/group", "nearby Lille rayon_km:30", user="UFR", response="near")
        assert "*Rust Roubaix* · 11 km" in (await rig.response("near"))["text"]
        await rig.command("/group", "nearby Lille rayon_km:900", user="UFR", response="far")
        # Refused by its French name, with the French usage line.
        far = (await rig.response("far"))["text"]
        assert far.startswith("⚠️ rayon_km\u202f:") and "1 à 500" in far
