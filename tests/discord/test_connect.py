"""Connecting the real discord.py client to the fake Discord: identify, ready, cache lookups, sharding,
and the one clear line (exit 1, no traceback) when Discord refuses the token or the privileged intents."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import yaml

from bot.model import ChannelRef, CommunityRef, MessageRef, UserRef
from bot.platforms.base import PlatformError
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild

ROOT = Path(__file__).resolve().parents[2]
GUILDS, MEMBERS, GUILD_MESSAGES, REACTIONS, DIRECT_MESSAGES, MESSAGE_CONTENT = (
    1 << 0,
    1 << 1,
    1 << 9,
    1 << 10,
    1 << 12,
    1 << 15,
)


async def test_identifies_with_the_intents_and_knows_the_guild_when_ready(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        identify = fake.identifies[0]
        assert identify["token"] == fake.token
        for bit in (GUILDS, MEMBERS, GUILD_MESSAGES, REACTIONS, DIRECT_MESSAGES, MESSAGE_CONTENT):
            assert identify["intents"] & bit
        assert fake.heartbeats >= 1  # discord.py heartbeats at once on HELLO; the fake ACKs
        ws = str(guild.id)
        general = ChannelRef("discord", ws, str(guild.channels["general"]))
        thread = general.in_thread(str(guild.channels["welcome-thread"]))
        alice = UserRef("discord", ws, str(guild.user_id("alice")))
        assert bot.platform.channel_name(general) == "general"
        assert bot.platform.channel_name(thread) == "welcome-thread"
        assert bot.platform.member_name(alice) == "Alice"
        assert (
            bot.platform.link(MessageRef(thread, "42"))
            == f"https://discord.com/channels/{ws}/{guild.channels['welcome-thread']}/42"
        )


async def test_finds_members_and_channels_from_mentions_ids_and_names(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        community = CommunityRef("discord", str(guild.id))
        alice = UserRef("discord", str(guild.id), str(guild.user_id("alice")))
        find = bot.platform.find_member
        assert await find(community, f"<@{guild.user_id('alice')}>") == alice
        assert await find(community, f"<@!{guild.user_id('alice')}>") == alice
        assert await find(community, str(guild.user_id("alice"))) == alice
        assert await find(community, "@Alice") == alice
        assert await find(community, "nobody") is None
        general = ChannelRef("discord", str(guild.id), str(guild.channels["general"]))
        assert await bot.platform.find_channel(community, f"<#{guild.channels['general']}>") == general
        assert await bot.platform.find_channel(community, "#General") == general
        thread = await bot.platform.find_channel(community, "welcome-thread")
        assert thread == general.in_thread(str(guild.channels["welcome-thread"]))
        assert await bot.platform.find_channel(community, "#nowhere") is None
        assert "general" in bot.platform.channel_names(community)
        assert "Alice" in bot.platform.member_names(community)


async def test_a_member_missing_from_the_cache_is_asked_from_the_gateway(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake) as bot:
        # Joined after GUILD_CREATE, no event: only a gateway member query can find her.
        carol = fake.add_member(guild, "carol")
        found = await bot.platform.find_member(CommunityRef("discord", str(guild.id)), "carol")
        assert found == UserRef("discord", str(guild.id), carol["id"])


async def test_shards_identify_separately_and_each_brings_its_guilds(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    try:
        first, second = fake.add_guild("First", shard=(0, 2)), fake.add_guild("Second", shard=(1, 2))
        async with running_bot(tmp_path, fake, discord={"shard_count": 2, "shard_ids": [0, 1]}) as bot:
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            for guild in (first, second):
                ref = ChannelRef("discord", str(guild.id), str(guild.channels["general"]))
                assert bot.platform.channel_name(ref) == "general"
            assert len(fake.calls_to("PUT", r"/applications/\d+/commands")) == 1
    finally:
        await fake.stop()


async def test_a_process_without_shard_zero_leaves_the_command_sync_to_another(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    try:
        fake.add_guild("Second", shard=(1, 2))
        async with running_bot(tmp_path, fake, discord={"shard_count": 2, "shard_ids": [1]}):
            assert [tuple(i["shard"]) for i in fake.identifies] == [(1, 2)]
            assert fake.calls_to("PUT", r"/applications/\d+/commands") == []
    finally:
        await fake.stop()


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("intents", 'enable "Server Members Intent" and "Message Content Intent"'),
        ("close-4004", "Discord refused the bot token in DISCORD_TOKEN (close code 4004)"),
        ("http-401", "Discord refused the bot token in DISCORD_TOKEN (HTTP 401)"),
    ],
)
async def test_refusals_at_start_raise_one_clear_platform_error(
    tmp_path: Path, fake: FakeDiscord, mode: str, expected: str
) -> None:
    token = "wrong.token" if mode == "http-401" else None
    if mode == "intents":
        fake.close_on_identify = 4014
    elif mode == "close-4004":
        fake.close_on_identify = 4004
    with pytest.raises(PlatformError) as caught:
        async with running_bot(tmp_path, fake, token=token):
            pass
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


async def test_affinity_bot_run_exits_1_with_the_intents_line_and_no_traceback(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    fake.close_on_identify = 4014
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": {"path": str(tmp_path / "bot.db")},
                "platforms": {"discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url}},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["DISCORD_TOKEN"] = fake.token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    stderr = err.decode()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("affinity-bot: Discord refused the privileged intents (close code 4014)")
    assert "Server Members Intent" in last and "Message Content Intent" in last


async def test_an_unreachable_discord_is_one_clear_line(tmp_path: Path, fake: FakeDiscord) -> None:
    with pytest.raises(PlatformError) as caught:
        async with running_bot(tmp_path, fake, discord={"api_base": "http://127.0.0.1:1/api/v10"}):
            pass
    assert str(caught.value).startswith("Discord: cannot reach http://127.0.0.1:1/api/v10")
