"""The asker's confirmation end to end on each platform: the console (a private line with the buttons as the
commands to type), Discord (the real discord.py client against the fake Discord: a DM with two buttons,
pressed in the DM) and Slack (the real slack-bolt app against the fake Slack: a DM with two buttons, a
French member), with the frozen clock. Only the asker's presses count; a second press says so kindly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.app import App
from bot.model import CommunityRef, Message
from plugins.questions.plugin import QuestionsPlugin
from plugins.questions.tracker import Tracker
from tests.discord import payloads as p
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.probe import Probe, probe
from tests.harness import make_config, on_console
from tests.questions.conftest import PLUGINS
from tests.slack.fake_slack import TEAM
from tests.slack.rig import buttons
from tests.slack.rig import running as running_slack
from tests.voice import HOSTILE, advance

COMPONENT = 3  # Discord's interaction type for a pressed button
NNBSP = "\u202f"


async def test_on_the_console_the_asker_gets_a_private_line_with_the_commands_to_type(tmp_path: Path) -> None:
    async with on_console(make_config(tmp_path, PLUGINS)) as (console, out, app):
        await console.play(
            [
                "/as alice",
                "How do I export the calendar?",
                "/as bob",
                "/thread 1",
                "with /calendar export",
                "/thread off",
                "/advance 15m",
            ]
        )
        text = out.getvalue()
        assert "[DM → alice] bot: 💬 Your question in #general got an answer" in text
        assert "[Solved] → /solved question:1" in text and "[Not yet] → /notsolved question:1" in text
        start = len(out.getvalue())
        await console.play(["/notsolved question:1", "/as alice", "/notsolved question:1", "/notsolved question:1"])
        text = out.getvalue()[start:]
        assert "[private to bob] bot: ⚠️ Only the person who asked #1" in text
        assert "[private to alice] bot: Thank you for telling us. Question #1 is back with the helpers" in text
        assert "The person who asked says this is not solved yet" in text  # in the question's thread
        assert "[private to alice] bot: Already noted" in text
        rows = [dict(r) for r in await app.db.fetchall("SELECT status, answered_by FROM questions")]
        assert rows == [{"status": "open", "answered_by": "bob"}]
        await console.play(["/solved question:1"])
        await next(p for p in app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker.flush()
        assert (await app.db.fetchval("SELECT status FROM questions")) == "solved"


def discord_post(fake: FakeDiscord, who: str, text: str, **extra: Any) -> dict[str, Any]:
    guild = next(iter(fake.guilds.values()))
    return p.message(
        p.snowflake(),
        guild.channels["general"],
        guild.users[who],
        text,
        guild_id=guild.id,
        author_member=guild.member(who),
        **extra,
    )


def tracker(app: App) -> Tracker:
    """The questions plugin's tracker."""
    return next(p for p in app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker


def answered(app: App) -> bool:
    """True once the questions plugin took the (only) question as answered."""
    return any(t.answered_by is not None for t in tracker(app).index.by_id.values())


def is_private(call: Any) -> bool:
    return bool(call.data.get("flags", 0) & 64)


async def test_on_discord_the_asker_gets_a_dm_with_two_buttons_that_only_they_can_use(tmp_path: Path) -> None:
    fake = await FakeDiscord().start()
    try:
        guild = fake.add_guild()
        community = CommunityRef("discord", str(guild.id))
        plugins: Mapping[str, Any] = {"core": {}, "questions": {}}
        async with running_bot(tmp_path, fake, plugins=plugins, extra=[probe]) as bot:
            seen = next(plugin for plugin in bot.app.registry.plugins if isinstance(plugin, Probe))
            await bot.app.communities.set_channel(community, "helpers", str(guild.channels["general"]))
            question = discord_post(fake, "bob", f"{HOSTILE} how do I reset my password?")
            await fake.dispatch("MESSAGE_CREATE", question, guild.id)
            # Each event is handled in its own task: the question is followed (the probe listens after the
            # questions plugin) before the answer arrives.
            await seen.seen(lambda: any(isinstance(e, Message) for e in seen.events))
            answer = discord_post(
                fake, "alice", "Settings, then Security", kind=19, reference=(guild.channels["general"], question["id"])
            )
            await fake.dispatch("MESSAGE_CREATE", answer, guild.id)
            await seen.seen(lambda: sum(isinstance(e, Message) for e in seen.events) >= 2)
            assert answered(bot.app)
            await advance(bot.app, minutes=15)
            await fake.wait_until(lambda: guild.user_id("bob") in fake.dm_channels.values())
            bob_dm = next(c for c, user in fake.dm_channels.items() if user == guild.user_id("bob"))
            await fake.wait_until(lambda: bool(fake.rest.posted.get(bob_dm)))
            (dm,) = fake.rest.posted[bob_dm]
            assert "Your question in #general got an answer" in dm["content"]
            # The excerpt repeats what bob wrote: it reaches Discord inert (no ping, no disguised link).
            (call,) = [c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{bob_dm}/messages"]
            assert call.body["allowed_mentions"] == {"parse": []} and "[click]\u200b(http" in dm["content"]
            solved, not_yet = dm["components"][0]["components"]
            assert (solved["label"], not_yet["label"]) == ("Solved", "Not yet")
            assert not_yet["custom_id"] == f"ab:1@{guild.id}:notsolved?question=1"
            # Someone else pressing the same button (a forwarded message): refused, privately and kindly.
            other = await fake.interact(
                guild, "alice", COMPONENT, {"custom_id": not_yet["custom_id"], "component_type": 2}, message=dm
            )
            refused = await fake.callback(other)
            assert is_private(refused) and "Only the person who asked #1" in refused.data["content"]

            async def press(button: Mapping[str, Any]) -> Any:
                """bob presses a button of the bot's last DM to him; the bot's answer."""
                data = {"custom_id": button["custom_id"], "component_type": 2}
                return await fake.callback(await fake.interact_dm(guild, "bob", COMPONENT, data))

            def notices() -> int:
                return sum("Not solved yet" in m.get("content", "") for m in fake.rest.posted[general])

            general = guild.channels["general"]
            done = await press(not_yet)
            assert is_private(done) and "is back with the helpers" in done.data["content"]
            await fake.wait_until(lambda: notices() == 1)
            assert "Already noted" in (await press(not_yet)).data["content"]  # pressed twice
            assert notices() == 1
            assert "Question #1 is solved" in (await press(solved)).data["content"]
            notice = [c for c in fake.calls if c.method == "POST" and "Not solved yet" in str(c.body)]
            assert len(notice) == 1 and notice[0].body["allowed_mentions"] == {"parse": []}
            await next(p for p in bot.app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker.flush()
            status = await bot.app.db.fetchval("SELECT status FROM questions")
            assert status == "solved"
    finally:
        await fake.stop()


async def test_on_slack_a_french_asker_gets_a_dm_in_french_with_two_buttons(tmp_path: Path) -> None:
    async with running_slack(tmp_path, features={"core": {}, "questions": {}}) as rig:
        await rig.command("/language", "fr", user="UFR", response="lang")  # marie reads the bot in French
        await rig.response("lang")
        asked = {"type": "message", "channel": "C1", "user": "UFR", "text": "Comment on installe Rust sous Windows ?"}
        await rig.event({**asked, "ts": "1700000100.000100"})
        await rig.probe.wait_for(1)  # followed (the probe listens after the questions plugin) before the answer
        answer = {"type": "message", "channel": "C1", "user": "U2", "text": "Avec rustup, puis un redémarrage"}
        await rig.event({**answer, "ts": "1700000200.000200", "thread_ts": "1700000100.000100"})
        await rig.probe.wait_for(2)
        assert answered(rig.app)
        await advance(rig.app, minutes=15)

        def posted(**wanted: str) -> list[dict[str, Any]]:
            """What the bot posted with chat.postMessage, with these arguments."""
            calls = rig.fake.called("chat.postMessage")
            return [c.args for c in calls if all(c.args.get(k) == v for k, v in wanted.items())]

        await rig.fake.wait_for(lambda: posted(channel="DUFR"))
        (dm,) = posted(channel="DUFR")
        blocks = json.loads(dm["blocks"]) if isinstance(dm.get("blocks"), str) else dm["blocks"]
        shown = json.dumps(blocks, ensure_ascii=False)
        assert f"Votre question dans #general a reçu une réponse{NNBSP}:" in shown
        assert "/questions notes désactivé" in shown
        solved, not_yet = buttons({"blocks": blocks})
        assert (solved["text"]["text"], not_yet["text"]["text"]) == ("Résolue", "Pas encore")
        # alice presses marie's button: refused, in alice's language.
        await rig.click(not_yet["value"], user="U1", channel="DUFR", response="other")
        assert "Only the person who asked #1" in (await rig.response("other"))["text"]
        await rig.click(not_yet["value"], user="UFR", channel="DUFR", response="notyet")
        done = await rig.response("notyet")
        assert done["response_type"] == "ephemeral" and "Merci pour votre retour" in done["text"]
        # The helpers are told in the question's thread, mentioning nobody.
        notices = posted(thread_ts="1700000100.000100")
        assert len(notices) == 1 and "<!" not in json.dumps(notices[0])
        await rig.click(not_yet["value"], user="UFR", channel="DUFR", response="again")
        assert "C’est déjà noté" in (await rig.response("again"))["text"]
        await rig.click(solved["value"], user="UFR", channel="DUFR", response="solved")
        assert f"La question n°{NNBSP}1 est résolue" in (await rig.response("solved"))["text"]
        await next(p for p in rig.app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker.flush()
        assert await rig.app.db.fetchval("SELECT status FROM questions WHERE community = ?", (f"slack:{TEAM}",)) == (
            "solved"
        )
        await advance(rig.app, days=8)
        # Solved: never asked again, never closed as unconfirmed.
        assert len(posted(channel="DUFR")) == 1
