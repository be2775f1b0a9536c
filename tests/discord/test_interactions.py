"""Slash commands, autocomplete and buttons through the real client: what Discord receives as the
interaction response, follow-up or edit, and what the plugin saw (or never saw)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from bot.model import Button, CommunityRef, Level, Reply, UserRef
from bot.platforms.discord.commands import BOOLEAN, CHANNEL, INTEGER, NUMBER, STRING, SUB_COMMAND, USER
from tests.discord.conftest import FAST, DiscordBot, running_bot
from tests.discord.fake_discord import Call, FakeDiscord, FakeGuild
from tests.discord.probe import Probe, probe

EPHEMERAL = 64
MODERATOR = 1 << 13
ADMINISTRATOR = 1 << 3
COMMAND, COMPONENT, AUTOCOMPLETE = 2, 3, 4
_TYPES = {str: STRING, bool: BOOLEAN, int: INTEGER, float: NUMBER}


def slash(noun: str, verb: str | None = None, /, *, focused: str | None = None, **values: Any) -> dict[str, Any]:
    """Interaction data of `/name [verb] key:value...` (with `focused` naming the option being typed)."""
    options: list[dict[str, Any]] = []
    for key, value in values.items():
        option: dict[str, Any] = {"name": key, "type": _TYPES.get(type(value), STRING), "value": value}
        if key == focused:
            option["focused"] = True
        options.append(option)
    if verb is not None:
        options = [{"name": verb, "type": SUB_COMMAND, "options": options}]
    return {"id": "1", "name": noun, "type": 1, "options": options}


def the_probe(bot: DiscordBot) -> Probe:
    return next(p for p in bot.app.registry.plugins if isinstance(p, Probe))


def is_private(call: Call) -> bool:
    return bool(int(call.data.get("flags") or 0) & EPHEMERAL)


async def test_a_typo_in_a_time_zone_gets_a_private_did_you_mean_and_the_right_one_a_private_answer(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake):
        typo = await fake.interact(
            guild, "alice", COMMAND, slash("settings", "timezone", timezone="Europe/Pari"), permissions=MODERATOR
        )
        answer = await fake.callback(typo)
        assert answer.body["type"] == 4 and is_private(answer)
        assert "Did you mean Europe/Paris?" in answer.data["content"]
        right = await fake.interact(
            guild, "alice", COMMAND, slash("settings", "timezone", timezone="europe/paris"), permissions=MODERATOR
        )
        answer = await fake.callback(right)
        assert answer.data["content"] == "Time zone set to Europe/Paris."
        assert is_private(answer)  # moderator configuration stays among moderators


async def test_autocomplete_answers_with_the_providers_suggestions(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]):
        sent = await fake.interact(guild, "bob", AUTOCOMPLETE, slash("help", command="sett", focused="command"))
        answer = await fake.callback(sent)
        assert answer.body["type"] == 8
        choices = answer.body["data"]["choices"]
        assert {"name": "/settings timezone", "value": "settings timezone"} in choices
        assert all(c["value"].startswith("settings") for c in choices)
        sent = await fake.interact(
            guild, "bob", AUTOCOMPLETE, slash("settings", "timezone", timezone="paris", focused="timezone")
        )
        assert {"name": "Europe/Paris", "value": "Europe/Paris"} in (await fake.callback(sent)).body["data"]["choices"]
        # More than 25 fixed choices: Discord gets them through autocomplete, filtered by what was typed.
        sent = await fake.interact(guild, "bob", AUTOCOMPLETE, slash("probe", "kinds", pick="choice 2", focused="pick"))
        choices = (await fake.callback(sent)).body["data"]["choices"]
        assert [c["value"] for c in choices] == [
            "c02",
            "c20",
            "c21",
            "c22",
            "c23",
            "c24",
            "c25",
            "c26",
            "c27",
            "c28",
            "c29",
        ]


async def test_privacy_export_is_a_private_json_file(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    async with running_bot(tmp_path, fake):
        sent = await fake.interact(guild, "bob", COMMAND, slash("privacy", "export"))
        answer = await fake.callback(sent)
    assert answer.body["type"] == 4 and is_private(answer)
    ((name, content),) = answer.files
    assert name == "affinity-bot-export.json"
    exported = json.loads(content)
    assert exported["member"]["user_id"] == str(guild.user_id("bob"))
    assert exported["member"]["community"] == f"discord:{guild.id}"


async def test_a_slow_command_is_deferred_then_its_reply_replaces_the_placeholder(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe], timing=replace(FAST, defer_after=0.05)) as bot:
        sent = await fake.interact(guild, "bob", COMMAND, slash("probe", "slow"))
        deferred = await fake.callback(sent)
        assert deferred.body["type"] == 5 and not is_private(deferred)
        the_probe(bot).release.set()
        edit = await fake.wait_call("PATCH", rf"/webhooks/\d+/{sent.token}/messages/@original")
        assert edit.body["content"] == "slow answer"


async def test_a_slow_command_that_fails_answers_privately_after_a_public_deferral(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe], timing=replace(FAST, defer_after=0.05)) as bot:
        sent = await fake.interact(guild, "bob", COMMAND, slash("probe", "slow", fail=True))
        assert (await fake.callback(sent)).body["type"] == 5
        the_probe(bot).release.set()
        followup = await fake.wait_call("POST", rf"/webhooks/\d+/{sent.token}")
        assert is_private(followup) and "It failed late." in followup.body["content"]
        assert [c.method for c in fake.webhook_calls(sent)] == ["DELETE", "POST"]


async def test_out_of_range_options_never_reach_the_plugin(tmp_path: Path, fake: FakeDiscord, guild: FakeGuild) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        sent = await fake.interact(guild, "bob", COMMAND, slash("probe", "add", a=500))
        answer = await fake.callback(sent)
        assert is_private(answer) and "a must be between 0 and 100." in answer.data["content"]
        sent = await fake.interact(guild, "bob", COMMAND, slash("probe", "add", a=40, b=2))
        assert (await fake.callback(sent)).data["content"] == "40 + 2 = **42**"
        assert the_probe(bot).calls == [("add", {"a": 40, "b": 2})]


async def test_member_and_thread_options_become_refs_of_this_community(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    bob, thread, general = guild.user_id("bob"), guild.channels["welcome-thread"], guild.channels["general"]
    data = slash("probe", "kinds", ratio=1.5, flag=True, wait="1h30m", when="2026-12-01 10:00", pick="c03")
    data["options"][0]["options"] += [
        {"name": "who", "type": USER, "value": str(bob)},
        {"name": "where", "type": CHANNEL, "value": str(thread)},
    ]
    data["resolved"] = {"channels": {str(thread): {"id": str(thread), "type": 11, "parent_id": str(general)}}}
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        sent = await fake.interact(guild, "alice", COMMAND, data, permissions=ADMINISTRATOR)
        answer = await fake.callback(sent)
        assert answer.data["content"] == f"who={bob} where={general}/{thread}"
        ((_name, values),) = the_probe(bot).calls
        assert values["wait"].total_seconds() == 5400 and values["flag"] is True and values["pick"] == "c03"


async def test_a_button_runs_its_command_as_the_member_who_pressed_it(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake):
        sent = await fake.interact(guild, "bob", COMMAND, slash("privacy", "forget"))
        answer = await fake.callback(sent)
        button = answer.data["components"][0]["components"][0]
        assert button["label"] == "Forget me" and button["style"] == 4  # danger
        assert button["custom_id"].startswith("ab:0:privacy%20forget?confirm=")
        message = fake.rest.originals[sent.token]
        pressed = await fake.interact(
            guild, "bob", COMPONENT, {"custom_id": button["custom_id"], "component_type": 2}, message=message
        )
        done = await fake.callback(pressed)
        assert done.body["type"] == 4 and is_private(done)
        assert done.data["content"] == "Nothing to delete: the bot kept nothing about you."  # bob had nothing stored


async def test_a_button_too_long_for_a_custom_id_is_kept_server_side(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    payload = "x" * 150
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        sent = await fake.interact(
            guild, "alice", COMMAND, slash("probe", "buttons", payload=payload), permissions=MODERATOR
        )
        custom_id = (await fake.callback(sent)).data["components"][0]["components"][0]["custom_id"]
        assert custom_id.startswith("ab:0:#") and len(custom_id) <= 100
        message = fake.rest.originals[sent.token]
        pressed = await fake.interact(
            guild, "bob", COMPONENT, {"custom_id": custom_id, "component_type": 2}, message=message
        )
        assert (await fake.callback(pressed)).data["content"] == "echo 150"
        assert the_probe(bot).calls == [("echo", {"payload": payload, "user": str(guild.user_id("bob"))})]
        expired = await fake.interact(
            guild, "bob", COMPONENT, {"custom_id": "ab:0:#gone", "component_type": 2}, message=message
        )
        answer = await fake.callback(expired)
        assert is_private(answer) and "This button has expired" in answer.data["content"]


async def test_a_button_sent_by_dm_runs_in_the_community_of_the_guild_it_was_sent_for(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    community = CommunityRef("discord", str(guild.id))

    def member(name: str) -> UserRef:
        return UserRef("discord", str(guild.id), str(guild.user_id(name)))

    def dm_button(name: str) -> str:
        channel = next(c for c, user in reversed(fake.dm_channels.items()) if user == guild.user_id(name))
        return str(fake.rest.posted[channel][-1]["components"][0]["components"][0]["custom_id"])

    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        # alice owns the guild: pressed in her DM, the moderators' command runs in the guild, as an admin.
        await bot.app.outbox.send(member("alice"), Reply(text="Where?", buttons=(Button("Where", "probe where"),)))
        custom_id = dm_button("alice")
        assert custom_id == f"ab:0@{guild.id}:probe%20where"
        pressed = await fake.interact_dm(guild, "alice", COMPONENT, {"custom_id": custom_id, "component_type": 2})
        answer = await fake.callback(pressed)
        assert answer.data["content"] == f"ran in {guild.id}" and is_private(answer)
        assert the_probe(bot).calls == [
            ("where", {"community": community, "user": member("alice"), "level": Level.ADMIN})
        ]
        # bob's level comes from the guild too: a member, so the moderators' command is refused.
        await bot.app.outbox.send(member("bob"), Reply(text="Where?", buttons=(Button("Where", "probe where"),)))
        pressed = await fake.interact_dm(guild, "bob", COMPONENT, {"custom_id": dm_button("bob"), "component_type": 2})
        answer = await fake.callback(pressed)
        assert is_private(answer) and "is for moderators only" in answer.data["content"]
        # A button kept server-side (too long for a custom_id) carries the guild as well.
        payload = "y" * 150
        await bot.app.outbox.send(
            member("bob"), Reply(text="Echo?", buttons=(Button("Echo", "probe echo", {"payload": payload}),))
        )
        custom_id = dm_button("bob")
        assert custom_id.startswith(f"ab:0@{guild.id}:#") and len(custom_id) <= 100
        pressed = await fake.interact_dm(guild, "bob", COMPONENT, {"custom_id": custom_id, "component_type": 2})
        assert (await fake.callback(pressed)).data["content"] == "echo 150"
        assert the_probe(bot).calls[-1] == ("echo", {"payload": payload, "user": str(guild.user_id("bob"))})


async def test_core_privacy_export_from_a_dm_button_exports_the_guilds_member(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    bob = UserRef("discord", str(guild.id), str(guild.user_id("bob")))
    async with running_bot(tmp_path, fake) as bot:
        await bot.app.outbox.send(bob, Reply(text="Your data", buttons=(Button("Export", "privacy export"),)))
        channel = next(c for c, user in fake.dm_channels.items() if user == guild.user_id("bob"))
        custom_id = fake.rest.posted[channel][-1]["components"][0]["components"][0]["custom_id"]
        pressed = await fake.interact_dm(guild, "bob", COMPONENT, {"custom_id": custom_id, "component_type": 2})
        answer = await fake.callback(pressed)
    ((name, content),) = answer.files
    assert name == "affinity-bot-export.json"
    assert json.loads(content)["member"]["community"] == f"discord:{guild.id}"


async def test_a_reply_with_files_that_comes_late_is_deferred_before_the_upload(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    expected = [("probe.csv", b"a,b\n1,2\n")]
    async with running_bot(tmp_path, fake, extra=[probe], timing=replace(FAST, upload_after=0.3)) as bot:
        quick = await fake.interact(guild, "bob", COMMAND, slash("probe", "file"))
        answer = await fake.callback(quick)
        assert answer.body["type"] == 4 and answer.files == expected
        the_probe(bot).file_delay = 0.4  # past upload_after, well within defer_after (2 s)
        late = await fake.interact(guild, "bob", COMMAND, slash("probe", "file"))
        deferred = await fake.callback(late)
        assert deferred.body["type"] == 5 and deferred.files == [] and not is_private(deferred)
        edit = await fake.wait_call("PATCH", rf"/webhooks/\d+/{late.token}/messages/@original")
    assert edit.body["content"] == "your file" and edit.files == expected
    assert [c.method for c in fake.webhook_calls(late)] == ["PATCH"]


async def test_the_fake_refuses_a_second_callback_like_discord(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake, extra=[probe]):
        sent = await fake.interact(guild, "bob", COMMAND, slash("probe", "add", a=1))
        assert (await fake.callback(sent)).status == 200
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{fake.api_base}/interactions/{sent.id}/{sent.token}/callback",
                json={"type": 4, "data": {"content": "again"}},
            ) as again,
        ):
            assert again.status == 400 and (await again.json())["code"] == 40060


async def test_a_missing_discord_permission_is_named_to_the_moderator(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    fake.refuse("POST", rf"/guilds/{guild.id}/roles")
    async with running_bot(tmp_path, fake, extra=[probe]):
        sent = await fake.interact(guild, "alice", COMMAND, slash("probe", "space", name="Rust"), permissions=MODERATOR)
        answer = await fake.callback(sent)
    assert is_private(answer)
    assert "The bot lacks the “Manage Roles” permission for this." in answer.data["content"]
    assert "An administrator can grant it" in answer.data["content"]


async def test_a_file_given_to_an_attachment_option_reaches_the_plugin(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    uploaded = fake.upload("members.csv", b"name\nalice\nbob\n")
    data = slash("probe", "upload")
    data["options"][0]["options"] = [{"name": "file", "type": 11, "value": uploaded["id"]}]
    data["resolved"] = {"attachments": {uploaded["id"]: uploaded}}
    async with running_bot(tmp_path, fake, extra=[probe]) as bot:
        (put,) = fake.calls_to("PUT", r"/applications/\d+/commands")
        upload = by_option(put.body, "probe", "upload")["file"]
        assert (upload["type"], upload["required"]) == (11, True)
        sent = await fake.interact(guild, "bob", COMMAND, data)
        assert (await fake.callback(sent)).data["content"] == "members.csv: 15 bytes"
        assert the_probe(bot).calls == [("upload", {"name": "members.csv", "content": b"name\nalice\nbob\n"})]


async def test_the_reply_follows_the_members_discord_language(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    async with running_bot(tmp_path, fake):
        sent = await fake.interact(
            guild,
            "alice",
            COMMAND,
            slash("settings", "timezone", timezone="Europe/Pari"),
            permissions=MODERATOR,
            locale="fr",
        )
        assert "Vouliez-vous dire Europe/Paris\u202f?" in (await fake.callback(sent)).data["content"]


def by_option(commands: list[dict[str, Any]], noun: str, verb: str) -> dict[str, dict[str, Any]]:
    top = next(c for c in commands if c["name"] == noun)
    sub = next(o for o in top["options"] if o["name"] == verb)
    return {o["name"]: o for o in sub["options"]}


async def test_a_moderators_configuration_reply_is_private_whether_quick_or_deferred(
    tmp_path: Path, fake: FakeDiscord, guild: FakeGuild
) -> None:
    plugins = {"core": {}, "filters": {}}
    added = slash("filter", "add", phrase="arnaque au colis")
    listed = slash("filter", "list")
    async with running_bot(tmp_path, fake, plugins=plugins):
        await fake.callback(await fake.interact(guild, "alice", COMMAND, added, permissions=MODERATOR))
        quick = await fake.interact(guild, "alice", COMMAND, listed, permissions=MODERATOR, locale="fr")
        answer = await fake.callback(quick)
        assert answer.body["type"] == 4 and is_private(answer)
        assert "arnaque au colis" in answer.data["content"]  # the filtered words, which members must not read
    # Deferred at once: the "thinking" placeholder is private too, and the reply replaces it.
    async with running_bot(tmp_path, fake, plugins=plugins, timing=replace(FAST, defer_after=0.0)):
        late = await fake.interact(guild, "alice", COMMAND, listed, permissions=MODERATOR, locale="fr")
        deferred = await fake.callback(late)
        assert deferred.body["type"] == 5 and is_private(deferred)
        edit = await fake.wait_call("PATCH", rf"/webhooks/\d+/{late.token}/messages/@original")
        assert "arnaque au colis" in edit.body["content"]
        assert not [c for c in fake.webhook_calls(late) if c.method == "POST"]  # no public follow-up
