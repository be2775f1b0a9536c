"""The bot never lends its voice to a member, on Slack: text a member wrote and the bot repeats (a group's
name and description, a question's excerpt, a calendar title) reaches Slack escaped, never as a ping or a
disguised link, while the ping the bot chooses (the user group it escalates to) still pings; and a reply
too long for one message arrives whole, in several. End to end: the real slack-bolt app against the fake
Slack, with the shipped plugins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.i18n import _
from bot.markup import Mention
from bot.model import ChannelRef, Reply
from bot.plugin import Invocation, Plugin, command
from tests.slack.fake_slack import TEAM
from tests.slack.rig import Rig, running
from tests.voice import FEATURES, HOSTILE, NAME, PADDING, advance, long_title

# Slack: what may stay live in what the bot sends; anything else in <…> is a ping or a link it did not choose.
_SLACK_LIVE = re.compile(r"<[^>]*>")


def slack_texts(node: object) -> list[str]:
    """Every text Slack shows from a message: its blocks' texts and its notification text."""
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in ([v] if k == "text" and isinstance(v, str) else slack_texts(v))]
    if isinstance(node, list):
        return [t for item in node for t in slack_texts(item)]
    return []


def slack_live(texts: list[str]) -> set[str]:
    """The `<…>` constructs Slack would turn into pings or links."""
    return {m.group(0) for text in texts for m in _SLACK_LIVE.finditer(text)}


def posted(rig: Rig) -> list[dict[str, Any]]:
    """Every message the bot posted, answered through a response_url or showed privately."""
    return [c.args for c in rig.fake.calls if c.method in ("chat.postMessage", "chat.postEphemeral")] + list(
        rig.fake.responses
    )


async def test_on_slack_a_members_text_is_shown_as_text_and_the_escalation_still_pings(tmp_path: Path) -> None:
    async with running(tmp_path, features=FEATURES) as rig:
        await rig.command(
            "/settings", "role purpose:helpers role:<!subteam^S1|@helpers>", user="UADMIN", response="role"
        )
        await rig.command("/group", f'create "{NAME}" affinity "{HOSTILE}"', user="UADMIN", response="create")
        created = await rig.response("create")
        await rig.event(
            {
                "type": "message",
                "channel": "C1",
                "user": "U1",
                "ts": "1700000100.000100",
                "text": f"{HOSTILE} how do I reset my password?",
            }
        )
        await rig.probe.wait_for(1)
        await advance(rig.app, hours=24)
        escalation = [c.args for c in rig.fake.called("chat.postMessage") if "Still no answer" in str(c.args)]
        everything = posted(rig)
    assert "created" in str(created) or "proposed" in str(created)
    assert "&lt;!here&gt;" in str(created)  # the name and description are there, as text
    assert len(escalation) == 1
    live = slack_live([t for message in everything for t in slack_texts(message)])
    assert "<!subteam^S1>" in live  # the role the bot chose pings
    links = {link for link in live if link.startswith("<https://affinity-test.slack.com/archives/")}
    assert live - links == {"<!subteam^S1>"}  # nothing else: no <!here>, <@U2>, no link to evil.example
    assert "&lt;http://evil.example|your bank&gt;" in str(escalation)  # the disguised link shows its address


async def test_on_slack_a_calendar_month_too_long_for_one_message_arrives_whole_in_several(tmp_path: Path) -> None:
    async with running(tmp_path, features=FEATURES) as rig:
        for series in range(3):
            await rig.command(
                "/calendar",
                f'add "{long_title(series)}" #general "2026-11-17 10:00" repeat:daily',
                user="UADMIN",
                response=f"add{series}",
            )
            await rig.response(f"add{series}")
        await rig.command("/calendar", "list month", user="UADMIN", response="list")
        await rig.fake.wait_for(lambda: "more." in str([r for r in rig.fake.responses if r["_key"] == "list"]))
        answers = [r for r in rig.fake.responses if r["_key"] == "list"]
    assert len(answers) >= 2  # Slack refuses blocks of about 12,000 characters: the agenda is split
    shown = "\n".join(t for answer in answers for block in answer["blocks"] for t in slack_texts(block))
    assert shown.count(PADDING) == 50 and re.search(r"…and \d+ more\.$", shown)  # every line of the agenda
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown


async def test_on_slack_a_member_the_bot_chose_is_pinged_and_nobody_else(tmp_path: Path) -> None:
    reply = Reply(text=_("{owner} your post “{title}” is due.", owner=Mention("U2", "bob"), title=HOSTILE))
    async with running(tmp_path) as rig:
        await rig.app.outbox.send(ChannelRef("slack", TEAM, "C1"), reply)
        (call,) = rig.fake.called("chat.postMessage")
    assert call.args["text"].startswith("<@U2> your post “&lt;http://evil.example|your bank&gt;")
    assert slack_live(slack_texts(call.args)) == {"<@U2>"}


class Long(Plugin):
    """A command whose answer needs eight Slack messages."""

    name = "long"

    @command("long", _("A long answer."))
    async def long(self, inv: Invocation) -> Reply:
        return Reply(text="\n".join(f"line {i:04d} " + "y" * 90 for i in range(800)), ephemeral=True)


async def test_on_slack_an_answer_longer_than_five_messages_goes_on_after_the_response_url(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=[Long]) as rig:
        await rig.command("/long", response="long")
        await rig.fake.wait_for(lambda: "line 0799" in str(rig.fake.called("chat.postEphemeral")))
        answers = [r for r in rig.fake.responses if r["_key"] == "long"]
        private = [c.args for c in rig.fake.called("chat.postEphemeral")]
    assert len(answers) == 5 and len(private) >= 3  # a response_url takes five answers; the rest is posted
    assert all(a["response_type"] == "ephemeral" for a in answers) and all(p["user"] == "U1" for p in private)
    shown = "\n".join(b["text"]["text"] for m in answers + private for b in m["blocks"])
    assert shown.split("\n") == [f"line {i:04d} " + "y" * 90 for i in range(800)]  # every line, in order
