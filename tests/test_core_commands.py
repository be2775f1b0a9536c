"""The core plugin through the real app: help per level and language, settings, privacy."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.model import Level
from tests.harness import running


async def test_help_lists_only_what_the_caller_may_use(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        member = await h.command("alice", "/help")
        moderator = await h.command("mod", "/help", level=Level.MODERATOR)
        assert member.ephemeral
        assert "/privacy export" in member.text and "/settings" not in member.text
        assert "/settings timezone" in moderator.text


async def test_help_for_one_command_shows_usage_and_parameters(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        reply = await h.command("mod", "/help settings channel", level=Level.MODERATOR)
        assert reply.card is not None
        fields = {f.name: f.value for f in reply.card.fields}
        assert fields["Usage"] == "`/settings channel <digest|helpers|moderation|calendar> [channel:<#channel>]`"
        assert fields["purpose (required)"] == (
            "What the channel is for.\nAccepted: `digest`, `helpers`, `moderation`, `calendar`"
        )
        assert fields["channel (optional)"] == "The channel; leave empty to clear.\nAccepted: a channel (`#name`)"
        assert fields["Example"] == "`/settings channel digest channel:#general`"
        family = await h.command("alice", "/help privacy")
        assert "`/privacy export`" in family.text and "`/privacy forget`" in family.text
        assert "/settings" not in family.text
        typo = await h.command("alice", "/help privacy exprt")
        assert typo.ephemeral and "Did you mean /privacy export?" in typo.text


async def test_member_language_beats_community_language(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("admin", "/settings locale fr", level=Level.ADMIN)
        french = await h.command("alice", "/help")
        assert "Choisir la langue que le bot utilise avec vous." in french.text
        await h.command("bob", "/language en")
        english = await h.command("bob", "/help")
        assert "Choose the language the bot uses with you." in english.text
        # A platform locale hint counts when the member chose nothing.
        hinted = await h.command("carol", "/help", locale="en-GB")
        assert "Choose the language" in hinted.text


async def test_settings_timezone_validates_and_suggests(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ok = await h.command("mod", "/settings timezone america/montreal", level=Level.MODERATOR)
        assert "America/Montreal" in ok.text
        assert (await h.app.communities.get(h.platform.community)).timezone == "America/Montreal"
        typo = await h.command("mod", "/settings timezone Europe/Pariss", level=Level.MODERATOR)
        assert typo.ephemeral and "Europe/Paris" in typo.text
        # No far-fetched guess: the shared `Europe/` made "Europe/Lile" look like Europe/Kiev.
        far = await h.command("mod", "/settings timezone Europe/Lile", level=Level.MODERATOR)
        assert "Did you mean" not in far.text and "such as Europe/Paris" in far.text
        refused = await h.command("alice", "/settings timezone Europe/Paris")
        assert refused.ephemeral and "moderators only" in refused.text
        assert (await h.app.communities.get(h.platform.community)).timezone == "America/Montreal"


async def test_settings_channel_and_show(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.platform.channel("managers")
        await h.command("mod", "/settings channel digest #managers", level=Level.MODERATOR)
        shown = await h.command("mod", "/settings show", level=Level.MODERATOR)
        assert shown.ephemeral and shown.card is not None
        values = {f.name: f.value for f in shown.card.fields}
        assert values["Channel: digest"] == "#managers"
        assert values["Channel: helpers"] == "not set"
        unknown = await h.command("mod", "/settings channel digest #managrs", level=Level.MODERATOR)
        assert unknown.ephemeral and "managers" in unknown.text  # did-you-mean on the channel
        await h.command("mod", "/settings channel digest", level=Level.MODERATOR)
        assert (await h.app.communities.get(h.platform.community)).channel("digest") is None


async def test_privacy_export_then_forget_with_confirmation(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.command("alice", "/language fr")
        first = await h.say("alice", "bonjour à tous")
        await h.say("bob", "salut", reply_to=first)
        await h.react("bob", first, "👍", author="alice")
        await h.flush()
        exported = await h.command("alice", "/privacy export")
        assert exported.ephemeral and len(exported.attachments) == 1
        data = json.loads(exported.attachments[0].content)
        assert data["core"]["preferences"]["locale"] == "fr"
        assert [m["message_id"] for m in data["core"]["activity"]["messages"]] == [first.message_id]
        assert "bonjour" not in exported.attachments[0].content.decode()  # text is never stored

        ask = await h.command("alice", "/privacy forget")
        assert ask.buttons and ask.buttons[0].command == "privacy forget"
        token = dict(ask.buttons[0].args)["confirm"]
        assert f"`/privacy forget code:{token}`" in ask.text  # the name alice reads is the one she types
        wrong = await h.command("alice", "/privacy forget confirm:NOPE")
        assert wrong.ephemeral and "n’est pas valide" in wrong.text  # alice chose French
        stolen = await h.command("bob", f"/privacy forget confirm:{token}")
        assert "not valid" in stolen.text  # another member cannot use alice's code
        done = await h.command("alice", f"/privacy forget code:{token}")
        # Her language was forgotten with the rest: the answer is in the community's language.
        assert done.ephemeral and re.fullmatch(r"Done: the bot forgot you \(\d+ records deleted\)\.", done.text)
        again = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
        assert again["core"]["activity"]["messages"] == []
        assert again["core"]["preferences"] == {}
        bob = json.loads((await h.command("bob", "/privacy export")).attachments[0].content)
        assert len(bob["core"]["activity"]["messages"]) == 1  # bob's data is untouched
        reused = await h.command("alice", f"/privacy forget confirm:{token}")
        assert "not valid" in reused.text  # her language choice was forgotten too


async def test_confirmation_codes_expire(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ask = await h.command("alice", "/privacy forget")
        token = dict(ask.buttons[0].args)["confirm"]
        await h.advance(minutes=11)
        late = await h.command("alice", f"/privacy forget confirm:{token}")
        assert "expired" in late.text


async def test_forgetting_a_member_the_bot_knows_nothing_about_says_so(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ask = await h.command("zoe", "/privacy forget")
        token = dict(ask.buttons[0].args)["confirm"]
        done = await h.command("zoe", f"/privacy forget confirm:{token}")
        assert done.text == "Nothing to delete: the bot kept nothing about you."


async def test_a_french_member_types_the_words_the_bot_shows(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        chosen = await h.command("alice", "/language français")
        assert chosen.text == "Le bot vous parle désormais en français."  # language names in lower case
        assert (await h.command("alice", "/language automatique")).ephemeral  # the label shown is accepted
        await h.command("mod", "/language fr", level=Level.MODERATOR)
        role = await h.command("mod", "/settings role usage:gestionnaires rôle:@Gestion", level=Level.MODERATOR)
        assert role.ephemeral and "Gestion" in role.text
        assert (await h.app.communities.get(h.platform.community)).roles.get("managers") == "Gestion"
