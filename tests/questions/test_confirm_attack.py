"""The asker's confirmation under attack, on Slack (the real slack-bolt app against the fake Slack): a question
whose text holds pings and disguised links is repeated in the asker's private question and in the helpers'
notice as plain text, and crafted button payloads (another question's number, another member's id, junk)
change nothing and are refused kindly, never echoed as a ping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bot.model import CommunityRef, UserRef
from plugins.questions.plugin import QuestionsPlugin
from tests.harness import Harness, Sent, running
from tests.questions.conftest import PLUGINS, questions, shown
from tests.slack.fake_slack import TEAM
from tests.slack.rig import Rig, buttons
from tests.slack.rig import running as running_slack
from tests.voice import advance

QUESTION = (
    "<http://evil.example|google.com> [x](http://evil.example) <!here> <!channel> <!everyone> @everyone "
    "<@U2> <!subteam^S1> how do I reset my password?"
)
# What would ping or disguise a link in Slack mrkdwn: a live `<...>` of any kind.
LIVE = re.compile(r"<[!@#]|<https?:|<mailto:")


def posted(rig: Rig, **wanted: str) -> list[dict[str, Any]]:
    """What the bot posted with chat.postMessage, with these arguments."""
    calls = rig.fake.called("chat.postMessage")
    return [c.args for c in calls if all(c.args.get(k) == v for k, v in wanted.items())]


def slack_shown(message: dict[str, Any]) -> str:
    """Everything a message shows: its text and its blocks."""
    blocks = json.loads(message["blocks"]) if isinstance(message.get("blocks"), str) else message.get("blocks")
    return str(message.get("text") or "") + json.dumps(blocks or [], ensure_ascii=False)


def dms(h: Harness, who: str) -> list[Sent]:
    """The private messages the bot sent to a member."""
    return [s for s in h.sent if isinstance(s.target, UserRef) and s.target.user_id == who]


async def status(rig: Rig, number: int) -> str:
    await next(p for p in rig.app.registry.plugins if isinstance(p, QuestionsPlugin)).tracker.flush()
    found = await rig.app.db.fetchval(
        "SELECT status FROM questions WHERE community = ? AND id = ?", (f"slack:{TEAM}", number)
    )
    return str(found)


async def test_a_hostile_question_is_repeated_inert_and_crafted_buttons_change_nothing(tmp_path: Path) -> None:
    async with running_slack(tmp_path, features={"core": {}, "questions": {"excerpt_length": 300}}) as rig:
        await rig.app.communities.set_channel(CommunityRef("slack", TEAM), "helpers", "C3")
        await rig.event({"type": "message", "channel": "C1", "user": "U1", "text": QUESTION, "ts": "1700000100.000100"})
        await rig.probe.wait_for(1)
        other = "Where do I find the export button?"
        await rig.event({"type": "message", "channel": "C1", "user": "U2", "text": other, "ts": "1700000150.000100"})
        await rig.probe.wait_for(2)
        answer = {"type": "message", "channel": "C1", "user": "UFR", "text": "Settings, then Security"}
        await rig.event({**answer, "ts": "1700000200.000200", "thread_ts": "1700000100.000100"})
        await rig.probe.wait_for(3)
        await advance(rig.app, minutes=15)
        await rig.fake.wait_for(lambda: posted(rig, channel="DU1"))
        (dm,) = posted(rig, channel="DU1")
        text = slack_shown(dm)
        assert "got an answer" in text and "how do I reset my password?" in text
        # Repeated as text: `&lt;!here&gt;`, never a live ping, user group or disguised link.
        assert not LIVE.search(text.replace("<https://", "")), text
        assert "&lt;!here&gt;" in text and "&lt;http://evil.example|google.com&gt;" in text
        solved, not_yet = buttons(
            {"blocks": json.loads(dm["blocks"]) if isinstance(dm["blocks"], str) else dm["blocks"]}
        )

        async def click(value: str, user: str, key: str) -> str:
            await rig.click(value, user=user, channel=f"D{user}", response=key)
            return str((await rig.response(key))["text"])

        def crafted(command: str, **args: str) -> str:
            return json.dumps({"c": command, "a": args})

        # bob crafts alice's buttons (or presses a forwarded one): refused, nothing changes.
        assert "Only the person who asked #1" in await click(not_yet["value"], "U2", "b1")
        assert "Only the person who asked #1" in await click(crafted("solved", question="1"), "U2", "b2")
        # alice crafts a press on bob's question #2, and one naming bob as the presser: refused or ignored.
        assert "Only the person who asked #2" in await click(crafted("notsolved", question="2"), "U1", "a1")
        forged = await click(crafted("notsolved", question="2", user="U2"), "U1", "a2")
        assert "is back with the helpers" not in forged
        assert await status(rig, 2) == "open" and await status(rig, 1) == "answered"
        # Junk numbers and markup as the number: a kind refusal that never echoes a live ping.
        for i, junk in enumerate(["0", "-1", "99999999999999999999", "<!here>", "1 OR 1=1", ""]):
            refused = await click(crafted("notsolved", question=junk), "U1", f"j{i}")
            assert refused and not LIVE.search(refused), refused
            assert "is back with the helpers" not in refused
        assert "no longer works" in await click("{not json", "U1", "broken")
        assert await status(rig, 1) == "answered"
        assert not posted(rig, channel="C3")  # the helpers were told nothing
        # alice's real press: the helpers' notice repeats the question inert too, and pings nobody.
        assert "is back with the helpers" in await click(not_yet["value"], "U1", "a3")
        await rig.fake.wait_for(lambda: posted(rig, channel="C3"))
        (notice,) = posted(rig, channel="C3")
        told = slack_shown(notice)
        assert "Not solved yet" in told and not LIVE.search(told.replace("<https://", "")), told
        assert "&lt;!channel&gt;" in told and "&lt;@U2&gt;" in told
        assert await status(rig, 1) == "open"
        # Her "Solved" button from the same private question still works, once.
        assert "Question #1 is solved" in await click(solved["value"], "U1", "a4")
        assert await status(rig, 1) == "solved"


async def test_after_not_yet_no_message_says_the_question_had_no_answer(tmp_path: Path) -> None:
    """The asker was told their question got an answer and said it did not solve it: the ladder that
    resumes must not tell the helpers "still no answer", nor the asker "has not had an answer yet"."""
    for role in (None, "R-helpers"):
        async with running(tmp_path / str(role), plugins=PLUGINS) as h:
            community = h.platform.community
            h.platform.channel("helpers")
            await h.app.communities.set_channel(community, "helpers", "helpers")
            if role:
                await h.app.communities.set_role(community, "helpers", role)
            question = await h.say("alice", "How do I join the Lille group?")
            await h.advance(minutes=30)
            await h.say("bob", "Ask in #lille", reply_to=question)
            await h.advance(minutes=15)
            assert ["got an answer" in s.text for s in dms(h, "alice")] == [True]
            await h.command("alice", "/notsolved")
            await h.advance(days=3)
            helpers = [s.text for s in h.sent if not isinstance(s.target, UserRef) and s.target.channel_id == "helpers"]
            # The notice, the nudge and the escalation, each once; none claims there was no answer.
            assert len(helpers) == 3, helpers
            assert not [t for t in helpers if "no answer" in t.lower()], helpers
            assert "still not solved" in helpers[2].lower() and "asker said so" in helpers[2]
            # The asker got the one private question and nothing claiming her question was never answered.
            assert not [s.text for s in dms(h, "alice") if "not had an answer" in s.text]
            assert len(dms(h, "alice")) == 1


async def test_not_yet_on_a_question_past_its_last_reminder_promises_no_reminder(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "How do I join the Lille group?")
        early = await h.command("alice", "/notsolved 1")
        assert "has not had an answer yet" in early.text and "will be reminded" in early.text
        await h.advance(days=4)  # the nudge, the escalation and the "still waiting" flag are all behind it
        late = await h.command("alice", "/notsolved 1")
        assert "has not had an answer yet" in late.text and "will be reminded" not in late.text
        assert "/unanswered" in late.text


async def test_a_thanks_after_not_yet_still_solves_it_and_credits_the_helper(tmp_path: Path) -> None:
    """The asker said "Not yet", then tried the answer again and it worked: their thanks in the thread, or
    their ✅ on the question, solves it and credits the person who answered."""
    for solve_with in ("thanks", "reaction"):
        async with running(tmp_path / solve_with, plugins=PLUGINS) as h:
            question = await h.say("alice", "How do I join the Lille group?")
            await h.say("bob", "Ask in #lille", thread=question.message_id)
            await h.advance(minutes=15)
            assert "is back with the helpers" in (await h.command("alice", "/notsolved 1")).text
            if solve_with == "thanks":
                await h.say("alice", "It works now, thanks!", thread=question.message_id)
            else:
                await h.react("alice", question, "✅", author="alice")
            (stored,) = [r for r in await questions(h)]
            assert (stored["status"], stored["solved_by"]) == ("solved", "bob"), solve_with


async def test_unanswered_says_what_its_markers_mean_when_it_shows_them(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        question = await h.say("alice", "How do I join the Lille group?")
        plain = shown(await h.command("dave", "/unanswered"))
        assert "🔁" not in plain and "⏳" not in plain
        await h.say("bob", "Ask in #lille", reply_to=question)
        await h.advance(minutes=15)
        await h.command("alice", "/notsolved 1")
        listed = shown(await h.command("dave", "/unanswered"))
        assert listed.count("🔁") == 2 and "says it is not solved yet" in listed  # the marker, and its meaning
        await h.advance(days=4)
        listed = shown(await h.command("dave", "/unanswered"))
        assert listed.count("⏳") == 2 and "Still waiting after the helpers were reminded" in listed
        french = shown(await h.command("dave", "/unanswered", locale="fr"))
        assert "mais n’est pas encore résolue selon le membre qui l’a posée" in french
