"""What the bot sends through the Outbox and the platform: Discord markdown, embeds, files, buttons,
long texts, threads, forum posts, DMs (and closed DMs), rate limits, refusals and deletions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.formatting import Link, LocalReply, Mention, RoleMention
from bot.i18n import _
from bot.model import (
    Attachment,
    Button,
    Card,
    CardField,
    ChannelRef,
    DeliveryError,
    MessageRef,
    Reply,
    UserRef,
)
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord, FakeGuild


def where(guild: FakeGuild, name: str) -> ChannelRef:
    return ChannelRef("discord", str(guild.id), str(guild.channels[name]))


async def test_a_reply_becomes_markdown_an_embed_files_and_buttons(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    general = where(guild, "general")
    reply = Reply(
        text=_("**Weekly digest**: see {link}", link=Link("https://example.org/d", "the report")),
        card=Card(
            "Reach", (CardField("Messages", "1 234"), CardField("Empty", "", inline=False)), description="_calm_ week"
        ),
        attachments=(
            Attachment("digest.csv", b"a,b\n1,2\n", "text/csv"),
            Attachment("chart.png", b"\x89PNG fake", "image/png"),
        ),
        buttons=(Button("Open", "digest preview"),),
    )
    async with running_bot(tmp_path, fake) as bot:
        ref = await bot.app.outbox.send(general, reply)
        call = await fake.wait_call("POST", rf"/channels/{guild.channels['general']}/messages")
    assert ref is not None and ref.channel == general
    body = call.body
    assert body["content"] == "**Weekly digest**: see [the report](https://example.org/d)"
    (embed,) = body["embeds"]
    assert (embed["title"], embed["description"]) == ("Reach", "_calm_ week")
    assert embed["fields"] == [
        {"name": "Messages", "value": "1 234", "inline": True},
        {"name": "Empty", "value": "\u200b", "inline": False},
    ]
    assert call.files == [("digest.csv", b"a,b\n1,2\n"), ("chart.png", b"\x89PNG fake")]
    (button,) = body["components"][0]["components"]
    assert (button["label"], button["custom_id"]) == ("Open", "ab:0:digest%20preview")
    assert body["allowed_mentions"] == {"parse": []}  # nothing pings that the reply did not choose


async def test_only_the_members_and_roles_the_bot_chose_are_pinged(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    bob, mods = guild.user_id("bob"), guild.roles["Moderators"]
    member_wrote = f"@everyone <@{guild.user_id('alice')}> <@&{mods}> [x](http://evil.example)"
    reply = Reply(
        text=_(
            "{owner} your post “{title}” is due; {mods} know.",
            owner=Mention(str(bob), "bob"),
            title=member_wrote,
            mods=RoleMention(str(mods)),
        )
    )
    async with running_bot(tmp_path, fake) as bot:
        await bot.app.outbox.send(where(guild, "general"), reply)
        call = await fake.wait_call("POST", rf"/channels/{guild.channels['general']}/messages")
    assert call.body["content"] == (
        f"<@{bob}> your post “@\u200beveryone <@\u200b{guild.user_id('alice')}> <@\u200b&{mods}> "
        f"[x]\u200b(http://evil.example)” is due; <@&{mods}> know."
    )
    assert call.body["allowed_mentions"] == {"parse": [], "users": [bob], "roles": [mods]}


async def test_the_everyone_role_never_pings_even_when_chosen(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    # A hostile moderator may set the @everyone role (its id is the guild's) as the helpers' role: the
    # escalation names it, and it must still ping nobody.
    reply = Reply(text=_("{helpers}, a question waits.", helpers=RoleMention(str(guild.id))))
    async with running_bot(tmp_path, fake) as bot:
        await bot.app.outbox.send(where(guild, "general"), reply)
        call = await fake.wait_call("POST", rf"/channels/{guild.channels['general']}/messages")
    assert call.body["allowed_mentions"] == {"parse": []}


async def test_a_long_text_is_split_at_line_breaks(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    lines = [f"line {i:04d} " + "x" * 40 for i in range(80)]  # about 4000 characters
    async with running_bot(tmp_path, fake) as bot:
        await bot.platform.send(where(guild, "general"), _local("\n".join(lines)))
        await fake.wait_call("POST", r"/channels/\d+/messages", count=3)
    parts = [c.body["content"] for c in fake.calls_to("POST", r"/channels/\d+/messages")]
    assert all(len(part) <= 2000 for part in parts)
    assert "\n".join(parts).split("\n") == lines


async def test_a_card_too_big_for_one_embed_arrives_whole_in_several_messages(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fields = tuple(CardField(f"Group {i}", f"value {i} " + "v" * 1500) for i in range(30))
    async with running_bot(tmp_path, fake) as bot:
        await bot.app.outbox.send(where(guild, "general"), Reply(text="Directory", card=Card("Groups", fields)))
    calls = fake.calls_to("POST", r"/channels/\d+/messages")
    assert len(calls) >= 5 and all(c.status == 200 for c in calls)  # the fake refuses what Discord refuses
    assert calls[0].body["content"] == "Directory" and calls[0].body["embeds"][0]["title"] == "Groups"
    arrived = [f for c in calls for e in c.body.get("embeds", []) for f in e["fields"]]
    assert [f["name"] for f in arrived if f["name"] != "\u200b"] == [f"Group {i}" for i in range(30)]
    assert "".join(f["value"] for f in arrived) == "".join(f"value {i} " + "v" * 1500 for i in range(30))


async def test_threads_and_forums(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    thread = where(guild, "general").in_thread(str(guild.channels["welcome-thread"]))
    async with running_bot(tmp_path, fake) as bot:
        ref = await bot.platform.send(thread, _local("in the thread"))
        assert fake.calls_to("POST", rf"/channels/{guild.channels['welcome-thread']}/messages")
        assert ref is not None and ref.channel == thread
        post = await bot.app.outbox.send(where(guild, "ideas"), Reply(text="Idea: a picnic\nin June"))
        (call,) = fake.calls_to("POST", rf"/channels/{guild.channels['ideas']}/threads")
    assert call.body["name"] == "Idea: a picnic"
    assert call.body["message"]["content"] == "Idea: a picnic\nin June"
    assert post is not None and post.channel.channel_id == str(guild.channels["ideas"])
    assert post.channel.thread_id is not None


async def test_a_direct_message_and_a_member_whose_dms_are_closed(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    bob = UserRef("discord", str(guild.id), str(guild.user_id("bob")))
    alice = UserRef("discord", str(guild.id), str(guild.user_id("alice")))
    fake.dm_closed.add(guild.user_id("alice"))
    async with running_bot(tmp_path, fake) as bot:
        ref = await bot.app.outbox.send(bob, Reply(text="Your watch list digest"))
        opened = fake.calls_to("POST", r"/users/@me/channels")
        assert int(opened[0].body["recipient_id"]) == guild.user_id("bob")
        assert ref is not None and ref.channel.workspace_id == "@me"
        with pytest.raises(DeliveryError) as caught:
            await bot.app.outbox.send(alice, Reply(text="hello"))
    assert caught.value.reason == "dm_closed"


async def test_a_429_is_waited_out_and_the_message_still_arrives(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.rate_limit_once("POST", rf"/channels/{guild.channels['general']}/messages")
    async with running_bot(tmp_path, fake) as bot:
        ref = await bot.platform.send(where(guild, "general"), _local("after the limit"))
    calls = fake.calls_to("POST", rf"/channels/{guild.channels['general']}/messages")
    assert [c.status for c in calls] == [429, 200]
    assert calls[-1].body["content"] == "after the limit"
    assert ref is not None


async def test_a_refused_send_names_the_missing_permissions(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.refuse("POST", r"/channels/\d+/messages")
    async with running_bot(tmp_path, fake) as bot:
        with pytest.raises(DeliveryError) as caught:
            await bot.app.outbox.send(
                where(guild, "general"), Reply(text="chart", attachments=(Attachment("c.png", b"png"),))
            )
    assert caught.value.reason == "missing_permission"
    assert caught.value.permission == "Send Messages, Attach Files"


async def test_a_refusal_retrying_cannot_fix_is_rejected_not_failed(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    # A scheduled send retries only "failed" (an outage); a payload Discord refuses would fail forever.
    fake.refuse("POST", r"/channels/\d+/messages", status=400, code=50035, message="Invalid Form Body")
    async with running_bot(tmp_path, fake) as bot:
        with pytest.raises(DeliveryError) as caught:
            await bot.app.outbox.send(where(guild, "general"), Reply(text="x"))
    assert caught.value.reason == "rejected"
    assert "50035" in caught.value.detail


async def test_deleting_a_message_with_a_reason(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    ref = MessageRef(where(guild, "general"), "12345")
    async with running_bot(tmp_path, fake) as bot:
        assert await bot.app.outbox.delete(ref, "affinity-bot: filtered noise") is True
        (call,) = fake.calls_to("DELETE", rf"/channels/{guild.channels['general']}/messages/12345")
        fake.refuse("DELETE", r"/channels/\d+/messages/\d+")
        with pytest.raises(DeliveryError) as caught:
            await bot.platform.delete_message(ref, "again")
    assert call.reason == "affinity-bot: filtered noise"
    assert caught.value.permission == "Manage Messages"


async def test_who_can_read_a_channel_comes_from_roles_and_overwrites(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    secret = fake.add_channel(guild, "secret")
    secret["permission_overwrites"] = [{"id": str(guild.everyone), "type": 0, "allow": "0", "deny": str(1 << 10)}]
    bob = UserRef("discord", str(guild.id), str(guild.user_id("bob")))
    async with running_bot(tmp_path, fake) as bot:
        assert await bot.app.outbox.can_read(bob, where(guild, "general")) is True
        assert await bot.app.outbox.can_read(bob, where(guild, "secret")) is False


def _local(text: str) -> LocalReply:
    return LocalReply(text, None, (), (), False, "en")
