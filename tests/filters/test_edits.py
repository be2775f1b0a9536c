"""Edited messages go through the community's rules too: a clean post edited into spam is acted on,
once per rule, with the same exemptions, counts and actions as a new message."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.model import Capability, Message, MessageDeleted, MessageEdited, MessageRef
from tests.filters.fakes import MOD, PLUGINS, DeletingPlatform, plugin, with_mod_channel
from tests.harness import Harness, running


def to_mods(h: Harness) -> list[str]:
    return [s.text for s in h.sent if getattr(s.target, "channel_id", None) == "mods"]


async def edit(h: Harness, who: str, ref: MessageRef, text: str) -> None:
    """A member edits a message (as the Discord and Slack platforms deliver it: no roles, no bot flag)."""
    await h.app.dispatcher.handle(MessageEdited(h.platform.community, h.clock.now(), ref, h.platform.user(who), text))


async def figures(h: Harness) -> dict[str, float | int | None]:
    start = h.clock.now() - timedelta(days=1)
    section = await plugin(h).digest_section(h.platform.community, start, h.clock.now() + timedelta(hours=1), "UTC")
    if section is None:
        return {}
    values = section.values()
    return {
        key: values[key] for key in ("noise_total", "noise_tagged", "noise_flagged", "noise_deleted", "rules_triggered")
    }


async def pending_watch(h: Harness) -> int:
    return int(await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches"))


async def test_a_clean_message_edited_into_spam_is_deleted(tmp_path: Path) -> None:
    platform = DeletingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add spam link action:delete", level=MOD)
        await h.command("alice", "/watch add meetup")
        ref = await h.say("bob", "Meetup in Lille on Thursday")
        assert platform.deleted == [] and await pending_watch(h) == 1
        await edit(h, "bob", ref, "Meetup? Better: click this SPAM LINK")
        assert [r for r, _reason in platform.deleted] == [ref]
        assert platform.deleted[0][1] == "filter rule #1: spam link"
        dm = [s.text for s in h.sent if getattr(s.target, "user_id", None) == "bob"]
        assert len(dm) == 1 and "removed by the community's filter rule “spam link”" in dm[0]
        removed = to_mods(h)
        assert len(removed) == 1 and removed[0].startswith("Removed after an edit: a message by bob in ")
        assert f"https://chat.example/general/{ref.message_id}" in removed[0] and "“spam link”" in removed[0]
        # The deleted message's excerpt no longer waits in alice's digest.
        assert await pending_watch(h) == 0
        assert await figures(h) == {
            "noise_total": 1,
            "noise_tagged": 0,
            "noise_flagged": 0,
            "noise_deleted": 1,
            "rules_triggered": 1,
        }


async def test_an_edit_is_flagged_once_per_rule_and_counted(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add la data action:flag", level=MOD)
        await h.command("mod", "/filter add crypto action:flag", level=MOD)
        ref = await h.say("bob", "Bonjour à toutes et à tous")
        await edit(h, "bob", ref, "LA DATA partout")
        flags = to_mods(h)
        assert len(flags) == 1 and flags[0].startswith("Flagged after an edit: a message by bob")
        assert "rule #1 “la data” (la data)" in flags[0]
        # Edited again with the same phrase, delivered twice, edited away and back: nothing new.
        await edit(h, "bob", ref, "LA DATA partout, vraiment")
        await edit(h, "bob", ref, "LA DATA partout, vraiment")
        await edit(h, "bob", ref, "Bonjour")
        await edit(h, "bob", ref, "la datas, encore")
        assert len(to_mods(h)) == 1
        # An edit that brings a rule the message did not match yet is flagged for that rule.
        await edit(h, "bob", ref, "la data et les cryptos")
        flags = to_mods(h)
        assert len(flags) == 2 and "rule #2 “crypto”" in flags[1]
        # One message, caught by two rules: one message caught (as first handled), two rules triggered.
        assert await figures(h) == {
            "noise_total": 1,
            "noise_tagged": 0,
            "noise_flagged": 1,
            "noise_deleted": 0,
            "rules_triggered": 2,
        }


async def test_an_edit_keeping_what_the_message_matched_does_not_act_again(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add spam action:flag", level=MOD)
        await h.command("mod", "/filter add inspirant", level=MOD)
        flagged = await h.say("bob", "spam here")
        tagged = await h.say("bob", "Très inspirant")
        assert len(to_mods(h)) == 1
        await edit(h, "bob", flagged, "spam here (typo fixed)")
        await edit(h, "bob", tagged, "Très INSPIRANT, merci")
        assert len(to_mods(h)) == 1
        assert await figures(h) == {
            "noise_total": 2,
            "noise_tagged": 1,
            "noise_flagged": 1,
            "noise_deleted": 0,
            "rules_triggered": 2,
        }
        # The tagged message edited to also hold the flagged phrase: flagged now, for that rule only.
        await edit(h, "bob", tagged, "Très inspirant, and spam")
        assert len(to_mods(h)) == 2
        # Still two messages caught, each counted once, as first handled (the flag post still went out).
        assert await figures(h) == {
            "noise_total": 2,
            "noise_tagged": 1,
            "noise_flagged": 1,
            "noise_deleted": 0,
            "rules_triggered": 2,
        }


async def test_an_edit_into_noise_is_tagged_and_leaves_the_watch_digests(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add giveaway", level=MOD)
        await h.command("alice", "/watch add rust")
        ref = await h.say("carol", "Rust 2.0 is out")
        other = await h.say("carol", "Rust meetup tonight")
        assert await pending_watch(h) == 2
        await edit(h, "carol", ref, "Rust 2.0 is out: GIVEAWAY inside")
        assert h.sent == []  # tagging posts nothing
        rows = await h.app.db.fetchall("SELECT message_id FROM watch_matches")
        assert [r["message_id"] for r in rows] == [other.message_id]
        assert (await figures(h))["noise_tagged"] == 1


async def test_exempt_channels_and_roles_are_exempt_on_edits_too(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add spam action:flag", level=MOD)
        h.platform.channel("offtopic")
        await h.command("mod", "/filter exempt channel:#offtopic", level=MOD)
        await h.command("mod", "/filter exempt role:Staff", level=MOD)
        in_offtopic = await h.say("bob", "hello", channel="offtopic")
        in_thread = await h.say("bob", "hello", channel="offtopic", thread="t1")
        staff = MessageRef(h.platform.channel(), "s1")
        await h.app.dispatcher.handle(
            Message(
                h.platform.community,
                h.clock.now(),
                staff,
                h.platform.user("carol"),
                "hello",
                author_roles=frozenset({"Staff"}),
            )
        )
        await edit(h, "bob", in_offtopic, "spam")
        await edit(h, "bob", in_thread, "spam")
        await edit(h, "carol", staff, "spam")  # the edit carries no roles: carol's latest message had Staff
        assert to_mods(h) == [] and not (await figures(h)).get("noise_total")
        # Outside the exempt channel, bob's edit is flagged.
        ref = await h.say("bob", "hello")
        await edit(h, "bob", ref, "spam")
        assert len(to_mods(h)) == 1 and (await figures(h))["noise_flagged"] == 1


async def test_edits_by_bots_unseen_authors_and_in_direct_messages_are_ignored(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add spam action:flag", level=MOD)
        by_bot = await h.say("helperbot", "Daily reminder", bot=True)
        await edit(h, "helperbot", by_bot, "spam")
        await edit(h, "stranger", MessageRef(h.platform.channel(), "old1"), "spam")  # never seen posting
        direct = MessageRef(h.platform.channel("dm-bob"), "d1")
        await h.app.dispatcher.handle(
            Message(h.platform.community, h.clock.now(), direct, h.platform.user("bob"), "hi bot", is_direct=True)
        )
        await h.say("bob", "hello")
        await edit(h, "bob", direct, "spam")
        assert to_mods(h) == [] and not (await figures(h)).get("noise_total")
        # A member seen posting is checked, even when editing an older message.
        await edit(h, "bob", MessageRef(h.platform.channel(), "old2"), "spam")
        assert len(to_mods(h)) == 1


async def test_edit_falls_back_to_a_flag_where_deleting_is_impossible_in_french(tmp_path: Path) -> None:
    platform = DeletingPlatform(capabilities=[c for c in Capability if c is not Capability.DELETE_MESSAGE])
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await with_mod_channel(h)
        await h.command("mod", "/settings locale fr", level=MOD)
        await h.command("mod", "/filter add spam link action:delete", level=MOD)
        ref = await h.say("bob", "hello")
        await edit(h, "bob", ref, "a spam link")
        assert platform.deleted == []
        flags = to_mods(h)
        assert len(flags) == 1
        assert flags[0].startswith("Signalé après modification\u202f: un message de bob dans ")
        assert "une fois modifié, correspond à la règle de filtre #1 « spam link »" in flags[0]
        assert (await figures(h))["noise_flagged"] == 1


async def test_privacy_forget_drops_the_roles_kept_for_edits(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        ref = MessageRef(h.platform.channel(), "s1")
        await h.app.dispatcher.handle(
            Message(
                h.platform.community,
                h.clock.now(),
                ref,
                h.platform.user("alice"),
                "hello",
                author_roles=frozenset({"Staff"}),
            )
        )
        community = h.platform.community.key
        assert plugin(h).memory.roles_of(community, h.platform.user("alice"), ref) == frozenset({"Staff"})
        token = re.search(r"confirm:(\w+)", (await h.command("alice", "/privacy forget")).text)
        assert token is not None
        await h.command("alice", f"/privacy forget confirm:{token.group(1)}")
        assert plugin(h).memory.roles_of(community, h.platform.user("alice"), ref) is None


async def test_watch_digests_follow_edits_and_deletions(tmp_path: Path) -> None:
    # An excerpt waiting in someone's digest must never outlive what the message says: a member who
    # deletes a message with their phone number, or edits it out, must not see it mailed to others later.
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/watch add meetup")
        deleted = await h.say("bob", "meetup thursday, call me on 06 12 34 56 78")
        edited = await h.say("bob", "meetup thursday, call me on 06 12 34 56 78")
        unrelated = await h.say("carol", "meetup on friday too")
        assert await pending_watch(h) == 3
        await h.app.dispatcher.handle(MessageDeleted(h.platform.community, h.clock.now(), deleted))
        await edit(h, "bob", edited, "meetup thursday, write to me privately")
        rows = await h.app.db.fetchall("SELECT message_id, excerpt FROM watch_matches ORDER BY id")
        assert [(r["message_id"], r["excerpt"]) for r in rows] == [
            (unrelated.message_id, "meetup on friday too"),
            (edited.message_id, "meetup thursday, write to me privately"),
        ]
        await edit(h, "carol", unrelated, "see you friday")  # no longer about a meetup: out of the digest
        rows = await h.app.db.fetchall("SELECT message_id FROM watch_matches")
        assert [r["message_id"] for r in rows] == [edited.message_id]
