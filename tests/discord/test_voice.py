"""The bot never lends its voice to a member, on Discord: text a member wrote and the bot repeats reaches
Discord inert (`allowed_mentions` lists only what the bot chose; `@everyone`, `<@…>` and masked links shown
as text), while the ping the bot chooses (the role it escalates to) still pings; and a reply too long for one
message arrives whole, in several. End to end: the real discord.py client against the fake Discord, with the
shipped plugins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.model import ChannelRef, CommandInvoked, CommunityRef, Level, Message, UserRef
from tests.discord import payloads as p
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild
from tests.discord.probe import Probe, probe
from tests.discord.test_interactions import COMMAND, slash
from tests.harness import START
from tests.voice import FEATURES, HOSTILE, NAME, PADDING, advance, long_title

# Discord: what may stay live in what the bot sends.
_DISCORD_PING = re.compile(r"@(?:everyone|here)(?!\u200b)|<@(?!\u200b)[!&]?\d*>?", re.IGNORECASE)
_DISCORD_LINK = re.compile(r"\]\((\S+?)\)")


def discord_messages(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Every message the bot sent: posts, forum posts, interaction answers, follow-ups and edits."""
    found: list[dict[str, Any]] = []
    for call in fake.calls:
        body = call.body
        if not isinstance(body, dict) or call.method not in ("POST", "PATCH"):
            continue
        message = body.get("data") if "/interactions/" in call.path else body.get("message", body)
        if isinstance(message, dict) and ("content" in message or "embeds" in message):
            found.append(message)
    return found


def discord_texts(message: dict[str, Any]) -> list[str]:
    """What Discord shows from a message: its content and its embeds' texts."""
    texts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        texts += [embed.get("title") or "", embed.get("description") or ""]
        texts += [t for f in embed.get("fields") or [] for t in (f["name"], f["value"])]
    return texts


async def test_on_discord_a_members_text_is_inert_and_the_escalation_pings_only_its_role(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    role = guild.roles["Moderators"]
    community = CommunityRef("discord", str(guild.id))
    async with running_bot(tmp_path, fake, plugins=FEATURES, extra=[probe]) as bot:
        seen = next(plugin for plugin in bot.app.registry.plugins if isinstance(plugin, Probe))
        await bot.app.communities.set_role(community, "helpers", str(role))
        await bot.app.communities.set_channel(community, "helpers", str(guild.channels["general"]))
        sent = await fake.interact(
            guild, "alice", COMMAND, slash("group", "create", name=NAME, kind="affinity", description=HOSTILE)
        )
        await fake.callback(sent)
        question = p.message(
            p.snowflake(),
            guild.channels["general"],
            guild.users["bob"],
            f"{HOSTILE} how do I reset my password?",
            guild_id=guild.id,
            author_member=guild.member("bob"),
        )
        await fake.dispatch("MESSAGE_CREATE", question, guild.id)
        await seen.seen(lambda: any(isinstance(e, Message) for e in seen.events))
        await bot.app.activity.flush()
        await advance(bot.app, hours=24)
        await fake.wait_until(lambda: any("Still no answer" in str(m) for m in discord_messages(fake)))
        messages = discord_messages(fake)
    answer = next(m for m in messages if "[click]" in str(m))
    assert "[click]\u200b(http://evil.example)" in answer["content"]  # the masked link shows its real address
    escalation = next(m for m in messages if "Still no answer" in m.get("content", ""))
    assert escalation["content"].startswith(f"<@&{role}> Still no answer")  # the role the bot chose pings
    assert escalation["allowed_mentions"] == {"parse": [], "roles": [role]}
    for message in messages:
        assert message["allowed_mentions"]["parse"] == []  # never @everyone, @here, every user or role
        if message is not escalation:
            assert message["allowed_mentions"] == {"parse": []}
        texts = discord_texts(message)
        pings = [m.group(0) for t in texts for m in _DISCORD_PING.finditer(t)]
        assert pings == ([f"<@&{role}>"] if message is escalation else [])
        links = [url for t in texts for url in _DISCORD_LINK.findall(t)]
        assert all(url.startswith(f"https://discord.com/channels/{guild.id}/") for url in links)


async def test_on_discord_a_calendar_month_too_long_for_one_message_arrives_whole_in_several(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))
    alice = UserRef("discord", str(guild.id), str(guild.user_id("alice")))
    general = ChannelRef("discord", str(guild.id), str(guild.channels["general"]))
    async with running_bot(tmp_path, fake, plugins=FEATURES) as bot:
        for series in range(3):
            added = await bot.app.dispatcher.invoke(
                CommandInvoked(
                    community,
                    START,
                    alice,
                    general,
                    "calendar",
                    f'add "{long_title(series)}" <#{general.channel_id}> "2026-11-17 10:00" repeat:daily',
                    platform_level=Level.ADMIN,
                )
            )
            assert "#general" in added.text
        sent = await fake.interact(guild, "alice", COMMAND, slash("calendar", "list", range="month"))
        await fake.callback(sent)
        await fake.wait_until(lambda: re.search(r"…and \d+ more\.", str(discord_messages(fake))) is not None)
        answers = discord_messages(fake)
    assert len(answers) >= 2  # Discord refuses more than 2,000 characters: the agenda is split
    assert all(len(answer["content"]) <= 2000 for answer in answers)
    shown = "\n".join(answer["content"] for answer in answers)
    assert shown.count(PADDING) == 50 and re.search(r"…and \d+ more\.$", shown)  # every line of the agenda
    assert "<!here>" in shown and all(a["allowed_mentions"] == {"parse": []} for a in answers)
