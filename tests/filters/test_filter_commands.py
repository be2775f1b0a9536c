"""/filter commands and rule actions through the real app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.model import Capability, DeliveryError, Message, MessageRef
from plugins.filters.noise_report import metrics
from plugins.filters.repo import MESSAGES_BAIT, MESSAGES_NOISE, HitCount
from tests.filters.fakes import MOD, PLUGINS, DeletingPlatform, plugin, with_mod_channel
from tests.harness import Harness, running


def sent_to(h: Harness, channel_or_user: str) -> list[str]:
    return [
        s.text for s in h.sent if getattr(s.target, "channel_id", getattr(s.target, "user_id", "")) == channel_or_user
    ]


async def test_add_list_remove_with_suggestions(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        added = await h.command("mod", '/filter add "Tag a friend" action:flag', level=MOD)
        assert "Rule #1 added: “Tag a friend” → flag." in added.text
        assert "No moderation channel is set" in added.text
        await h.command("mod", "/filter add inspirant", level=MOD)
        listed = await h.command("mod", "/filter list", level=MOD)
        assert listed.ephemeral and "#1 “Tag a friend” → flag" in listed.text
        assert "#2 “inspirant” → tag" in listed.text
        typo = await h.command("mod", "/filter remove tag a frend", level=MOD)
        assert typo.ephemeral and "Did you mean “Tag a friend”?" in typo.text
        removed = await h.command("mod", "/filter remove #1", level=MOD)
        assert "Rule #1 “Tag a friend” removed." in removed.text
        by_phrase = await h.command("mod", "/filter remove INSPIRANT", level=MOD)
        assert "removed" in by_phrase.text
        empty = await h.command("mod", "/filter list", level=MOD)
        assert "There are no filter rules yet." in empty.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/filter add x", "too short"),
        ('/filter add "  !  "', "too short"),
        ("/filter add", "phrase"),
        ("/filter add inspirant action:destroy", "destroy"),
        (r"/filter add (\w+)\s\1 regex:true", "Backreferences"),
        ("/filter add free(?=money) regex:true", "Lookaheads"),
        ("/filter add ( regex:true", "parentheses are not balanced"),
        ("/filter add a* regex:true", "matches an empty text"),
        ("/filter add inspirant regex:maybe", "maybe"),
        ("/filter add " + "a" * 300, "at most 200"),
        ("/filter remove 999", "There is no filter rule"),
        ("/filter exempt", "Name a channel or a role"),
        ("/filter exempt channel:#nowhere", "nowhere"),
        ("/filter bait maybe", "maybe"),
    ],
)
async def test_bad_input_is_refused_clearly(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=MOD)
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM filter_rules") == 0


async def test_duplicates_and_unicode(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.command("mod", "/filter add Élève", level=MOD)
        assert "“Élève”" in first.text
        again = await h.command("mod", "/filter add ELEVE action:flag", level=MOD)
        assert "There is already a rule for “ELEVE” (#1)." in again.text and "/filter remove 1" in again.text
        emoji = await h.command("mod", '/filter add "🔥🔥"', level=MOD)
        assert "too short" in emoji.text


@pytest.mark.parametrize(
    "line",
    [
        "/filter add spam",
        "/filter remove 1",
        "/filter list",
        "/filter test spam",
        "/filter bait on",
        "/filter exempt channel:#general",
    ],
)
async def test_members_cannot_use_filter_commands(tmp_path: Path, line: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("alice", line)
        assert reply.ephemeral and "moderators only" in reply.text
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM filter_rules") == 0


async def test_filter_test_explains_matches(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add inspirant", level=MOD)
        await h.command("mod", '/filter add "la data" action:flag', level=MOD)
        await h.command("mod", r"/filter add \bfree\s+money\b regex:true action:delete", level=MOD)
        reply = await h.command(
            "mod", "/filter test Des idées INSPIRANTES sur LA DATA, pas la validation. Free money", level=MOD
        )
        assert reply.ephemeral
        assert "Normalised text: `des idees inspirantes sur la data pas la validation free money`" in reply.text
        assert "#1 “inspirant” matches “inspirantes” (compared as `inspirantes`) → tag" in reply.text
        assert "#2 “la data” matches “la data”" in reply.text and "→ flag" in reply.text
        assert "“Free money”" in reply.text and "→ delete" in reply.text
        nothing = await h.command("mod", "/filter test la validation", level=MOD)
        assert "No rule matches." in nothing.text


async def test_tag_marks_the_message_as_noise(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add inspirant", level=MOD)
        await h.say("bob", "Un post très INSPIRANT")
        await h.say("bob", "Une inspiration")
        await h.flush()
        rows = await h.app.db.fetchall("SELECT message_id, tagged FROM messages ORDER BY id")
        assert [r["tagged"] for r in rows] == [1, 0]
        assert h.sent == []


async def test_flag_posts_once_to_the_moderation_channel(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", '/filter add "la data" action:flag', level=MOD)
        ref = await h.say("bob", "LA DATA partout")
        # The platform delivers the same message again (a retry): still one flag.
        await h.app.dispatcher.handle(
            Message(h.platform.community, h.clock.now(), ref, h.platform.user("bob"), "LA DATA partout")
        )
        flags = sent_to(h, "mods")
        assert len(flags) == 1
        assert f"https://chat.example/general/{ref.message_id}" in flags[0] and "“la data”" in flags[0]


async def test_delete_where_the_platform_can(tmp_path: Path) -> None:
    platform = DeletingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add inspirant", level=MOD)
        await h.command("mod", '/filter add "spam link" action:delete', level=MOD)
        await h.command("alice", "/watch add spam")
        ref = await h.say("bob", "Inspirant spam links here")
        assert [r for r, _reason in platform.deleted] == [ref]
        assert platform.deleted[0][1] == "filter rule #2: spam link"
        dm = sent_to(h, "bob")
        assert len(dm) == 1 and "removed by the community's filter rule “spam link”" in dm[0]
        assert any("Removed:" in t for t in sent_to(h, "mods"))
        # A deleted message reaches no listener: nothing waits for alice's digest.
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM watch_matches") == 0


class MissingPermission(DeletingPlatform):
    """The platform raises: the bot lacks the permission to delete."""

    async def delete_message(self, ref: MessageRef, reason: str) -> bool:
        raise DeliveryError("missing_permission", permission="manage_messages")


@pytest.mark.parametrize(
    "platform",
    [
        DeletingPlatform(capabilities=[c for c in Capability if c is not Capability.DELETE_MESSAGE]),
        DeletingPlatform(refuse_delete=True),
        MissingPermission(),
    ],
    ids=["no-capability", "refused", "missing-permission"],
)
async def test_delete_falls_back_to_flag(tmp_path: Path, platform: DeletingPlatform) -> None:
    async with running(tmp_path, plugins=PLUGINS, platform=platform) as h:
        await with_mod_channel(h)
        added = await h.command("mod", '/filter add "spam link" action:delete', level=MOD)
        if Capability.DELETE_MESSAGE not in platform.capabilities:
            assert "matches will be flagged instead" in added.text
        await h.say("bob", "spam link")
        assert platform.deleted == []
        assert sent_to(h, "bob") == []
        assert len([t for t in sent_to(h, "mods") if "Flagged:" in t]) == 1


async def test_exempt_channels_and_roles(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        await h.command("mod", "/filter add spam action:flag", level=MOD)
        h.platform.channel("offtopic")
        assert "#offtopic" in (await h.command("mod", "/filter exempt channel:#offtopic", level=MOD)).text
        assert "Staff" in (await h.command("mod", "/filter exempt role:<@&Staff>", level=MOD)).text
        await h.say("bob", "spam", channel="offtopic")
        staff = Message(
            h.platform.community,
            h.clock.now(),
            MessageRef(h.platform.channel(), "s1"),
            h.platform.user("carol"),
            "spam",
            author_roles=frozenset({"Staff"}),
        )
        await h.app.dispatcher.handle(staff)
        assert sent_to(h, "mods") == []
        listed = await h.command("mod", "/filter list", level=MOD)
        assert "Exempt: #offtopic" in listed.text and "Exempt: Staff" in listed.text
        tested = await h.command("mod", "/filter test spam", level=MOD, channel="offtopic")
        assert "exempt" in tested.text
        await h.command("mod", "/filter exempt channel:#offtopic state:off", level=MOD)
        await h.say("bob", "spam", channel="offtopic")
        assert len(sent_to(h, "mods")) == 1


async def test_bait_list_on_edit_off(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        on = await h.command("mod", "/filter bait on", level=MOD)
        assert "switched on" in on.text
        for text in (
            "Tag a friend who needs this",
            "Qu’en pensez-vous ?",
            "Like si tu es d'accord",
            "Agree?",
            "Comment below!",
        ):
            reply = await h.command("mod", f"/filter test {text}", level=MOD)
            assert "→ tag" in reply.text, text
        for text in ("Comment ça va ?", "I agree with you", "tag, friend"):
            reply = await h.command("mod", f"/filter test {text}", level=MOD)
            assert "No rule matches." in reply.text, text
        await h.command("mod", "/filter remove tag a friend", level=MOD)
        await h.command("mod", "/filter add inspirant", level=MOD)
        assert "No rule matches." in (await h.command("mod", "/filter test tag a friend", level=MOD)).text
        off = await h.command("mod", "/filter bait off", level=MOD)
        assert "switched off" in off.text
        rules = await h.app.db.fetchall("SELECT phrase FROM filter_rules")
        assert [r["phrase"] for r in rules] == ["inspirant"]


async def test_matcher_is_rebuilt_only_when_rules_change(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("mod", "/filter add inspirant", level=MOD)
        engine = plugin(h).engine
        await h.say("bob", "hello")
        built = engine.rebuilds
        for _ in range(20):
            await h.say("bob", "still nothing new")
        assert engine.rebuilds == built
        await h.command("mod", "/filter add spam", level=MOD)
        await h.say("bob", "spam")
        assert engine.rebuilds == built + 1


async def test_digest_section_counts_noise_per_action(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await with_mod_channel(h)
        start = h.clock.now()
        await h.command("mod", "/filter add inspirant", level=MOD)
        await h.command("mod", "/filter add spam action:flag", level=MOD)
        for _ in range(3):
            await h.say("bob", "inspirant")
        await h.say("bob", "spam")
        await h.advance(hours=2)
        await plugin(h).ctx.activity.flush()  # what the digest does before it builds
        section = await plugin(h).digest_section(h.platform.community, start, h.clock.now(), "UTC")
        assert section is not None and section.key == "filters"
        posted = await h.app.db.fetchval("SELECT SUM(messages) FROM activity_community_daily")
        assert posted and posted >= 4  # the core rollup, read only
        assert section.values() == {
            "noise_total": 4,
            "noise_caught": 4,
            "bait_caught": 0,
            "noise_share": round(4 / posted, 4),
            "noise_tagged": 3,
            "noise_flagged": 1,
            "noise_deleted": 0,
            "rules_triggered": 2,
        }
        lines = [h.app.translator.render(line, "en") for line in section.lines]
        assert lines == ["Rule “inspirant”: 3 messages", "Rule “spam”: 1 message"]
        labels = {m.key: h.app.translator.render(m.label, "fr") for m in section.metrics}
        assert labels["noise_share"] == "Part des messages interceptés comme bruit ou appât à engagement"
        assert {m.key: m.kind for m in section.metrics}["noise_share"] == "share"
        later = h.clock.now() + timedelta(days=7)
        quiet = await plugin(h).digest_section(h.platform.community, later, later + timedelta(days=1), "UTC")
        assert quiet is not None  # rules in use, nothing caught: zeros to compare with, and no messages recorded
        assert quiet.values()["noise_total"] == 0 and quiet.values()["noise_share"] is None


async def test_bait_and_noise_are_counted_apart_and_each_message_once(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        start = h.clock.now()
        await h.command("mod", "/filter bait on", level=MOD)
        for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"):
            await h.command("mod", f"/filter add {word}", level=MOD)
        await h.say("bob", "Tag a friend who needs to see this!")  # bait
        await h.say("bob", "alpha bravo charlie")  # one message, three rules: one message caught
        for word in ("delta", "echo", "foxtrot"):
            await h.say("carol", word)
        for n in range(5):
            await h.say("dave", f"an ordinary message {n}")
        await h.advance(minutes=10)
        await plugin(h).ctx.activity.flush()
        section = await plugin(h).digest_section(h.platform.community, start, h.clock.now(), "UTC")
        assert section is not None
        values = section.values()
        assert (values["noise_total"], values["noise_caught"], values["bait_caught"]) == (5, 4, 1)
        assert values["noise_share"] == 0.5  # 5 caught of the 10 messages posted
        assert values["rules_triggered"] == 7
        english = [h.app.translator.render(line, "en") for line in section.lines]
        assert len(english) == 6 and english[-1] == "…and 2 more rules."
        assert len(set(english)) == len(english)  # no rule listed twice
        assert h.app.translator.render(section.lines[-1], "fr") == "…et 2 autres règles."


def test_hours_counted_before_message_rows_are_counted_per_rule_and_bait_is_no_data() -> None:
    older = [HitCount(3, "spam", "flag", 2), HitCount(4, "inspirant", "tag", 5)]
    values = {m.key: m.value for m in metrics(older, 70)}
    assert (values["noise_total"], values["noise_caught"], values["bait_caught"]) == (7, 7, None)
    assert values["noise_share"] == 0.1 and values["rules_triggered"] == 2
    newer = [*older, HitCount(MESSAGES_NOISE, "", "tag", 4), HitCount(MESSAGES_BAIT, "", "tag", 1)]
    values = {m.key: m.value for m in metrics(newer, None)}
    assert (values["noise_total"], values["noise_caught"], values["bait_caught"]) == (5, 4, 1)
    assert values["noise_share"] is None  # no message recorded: no data, never 0 %
